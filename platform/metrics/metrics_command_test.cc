#include "platform/metrics/metrics_command.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "platform/metrics/metrics_testing.h"
#include "platform/store/store_testing.h"

namespace kiln::metrics {
namespace {

using store::testing::TempDir;

TEST_CASE("kiln metrics prints the DB's metrics in the text format") {
  TempDir dir;
  const std::string path = dir.file("kiln.db");
  {
    auto db = store::testing::open_store(path);
    STORE_REQUIRE_OK(db->upsert_build(store::testing::build("b1", 1'000)));
    STORE_REQUIRE_OK(db->create_deployment(store::testing::request("orders", "prod", "b1", 1, 2)));
  }
  std::ostringstream out;
  std::ostringstream err;
  CHECK(run_metrics_command(path, "", out, err) == 0);
  CHECK(err.str().empty());
  CHECK(testing::format_problems(out.str()) == std::vector<std::string>{});
  CHECK_THAT(out.str(), Catch::Contains("kiln_builds_total{status=\"succeeded\"} 1\n"));
  CHECK_THAT(out.str(), Catch::Contains("kiln_build_info{build=\"b1\",commit=\"sha-b1\"} 1\n"));
  CHECK_THAT(out.str(), Catch::Contains("kiln_metrics_source_up{source=\"db\"} 1\n"));
}

TEST_CASE("kiln metrics reads an artifact store when given one") {
  TempDir dir;
  const std::string path = dir.file("kiln.db");
  store::testing::open_store(path);
  const std::string store_dir = dir.file("store");
  std::filesystem::create_directories(store_dir);
  std::ostringstream out;
  std::ostringstream err;
  CHECK(run_metrics_command(path, store_dir, out, err) == 0);
  CHECK_THAT(out.str(), Catch::Contains("kiln_metrics_source_up{source=\"artifacts\"} 1\n"));
  CHECK_THAT(out.str(), Catch::Contains("kiln_builds_total{status=\"succeeded\"} 0\n"));
}

TEST_CASE("kiln metrics exits 2 without creating a missing DB or store") {
  TempDir dir;
  std::ostringstream out;
  std::ostringstream err;
  CHECK(run_metrics_command(dir.file("none.db"), "", out, err) == 2);
  CHECK(out.str().empty());
  CHECK(err.str() == "kiln metrics: no metadata DB at " + dir.file("none.db") + "\n");
  CHECK_FALSE(std::filesystem::exists(dir.file("none.db")));

  const std::string path = dir.file("kiln.db");
  store::testing::open_store(path);
  std::ostringstream err2;
  CHECK(run_metrics_command(path, dir.file("no-store"), out, err2) == 2);
  CHECK(err2.str() == "kiln metrics: no artifact store at " + dir.file("no-store") + "\n");
  CHECK_FALSE(std::filesystem::exists(dir.file("no-store")));
  CHECK(out.str().empty());
}

TEST_CASE("kiln metrics exits 2 on a file that is not a metadata DB") {
  TempDir dir;
  const std::string path = dir.file("junk.db");
  {
    std::ofstream junk(path);
    junk << "not sqlite at all, just some text that is long enough to be a header maybe";
  }
  std::ostringstream out;
  std::ostringstream err;
  CHECK(run_metrics_command(path, "", out, err) == 2);
  CHECK_THAT(err.str(), Catch::StartsWith("kiln metrics: " + path + ": "));
  CHECK(out.str().empty());
}

}  // namespace
}  // namespace kiln::metrics
