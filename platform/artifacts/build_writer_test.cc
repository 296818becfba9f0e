#include "platform/artifacts/build_writer.h"

#include <catch2/catch.hpp>

#include "platform/artifacts/local_store.h"
#include "platform/artifacts/temp_dir.h"

namespace kiln::artifacts {
namespace {

using testing::TempDir;

const std::string kSha = "0123456789abcdef0123456789abcdef01234567";

std::unique_ptr<ArtifactStore> open_store(const std::filesystem::path& root) {
  auto store = open_local_store(root);
  REQUIRE(store.ok());
  return std::move(store).value();
}

BuildInput two_jobs() {
  BuildInput input{kSha, 1000, {}};
  input.jobs.push_back(JobInput{"orders", "prod", 7, {{"prod.yaml", "p: 1\n"}, {"main.py", "1"}}});
  input.jobs.push_back(JobInput{"clicks", "dev", 2, {{"dev.yaml", "d: 1\n"}}});
  return input;
}

TEST_CASE("BuildWriter publishes every job with its archive hash and size") {
  TempDir dir;
  auto store = open_store(dir.path());
  auto record = BuildWriter(*store).write(two_jobs());
  REQUIRE(record.ok());
  CHECK(record->status == kBuildSucceeded);
  CHECK(record->error.empty());
  CHECK(record->commit_sha == kSha);
  CHECK(record->build_id.starts_with("b-0000000001000-"));
  REQUIRE(record->jobs.size() == 2);
  CHECK(record->jobs[0].name == "clicks");  // sorted by name, then target
  CHECK(record->jobs[1].name == "orders");
  CHECK(record->jobs[1].deploy_version == 7);

  const JobArtifact& orders = record->jobs[1];
  auto bytes = store->get_artifact(orders.content_hash);
  REQUIRE(bytes.ok());
  CHECK(static_cast<std::int64_t>(bytes->size()) == orders.size_bytes);
  auto entries = read_archive(*bytes);
  REQUIRE(entries.ok());
  CHECK(entries.value() ==
        std::vector<ArchiveEntry>{{"main.py", "1", false}, {"prod.yaml", "p: 1\n", false}});
  CHECK(store->find_build(record->build_id).value() == record.value());
}

TEST_CASE("the same build input gives the same build id and hashes") {
  TempDir first_dir;
  TempDir second_dir;
  auto first_store = open_store(first_dir.path());
  auto second_store = open_store(second_dir.path());
  BuildInput reordered = two_jobs();
  std::swap(reordered.jobs[0], reordered.jobs[1]);
  auto first = BuildWriter(*first_store).write(two_jobs());
  auto second = BuildWriter(*second_store).write(reordered);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first.value() == second.value());
}

TEST_CASE("BuildWriter records a failed build when an entry is unsafe and publishes nothing else") {
  TempDir dir;
  auto store = open_store(dir.path());
  BuildInput input = two_jobs();
  input.jobs.push_back(JobInput{"zeta", "prod", 1, {{"../escape.py", "x"}}});
  auto record = BuildWriter(*store).write(input);
  REQUIRE(record.ok());
  CHECK(record->status == kBuildFailed);
  CHECK(record->jobs.empty());
  CHECK(record->error == "job 'zeta' (prod): archive path '../escape.py' contains '..'");

  auto listed = store->list_builds();
  REQUIRE(listed.ok());
  CHECK(listed.value() == std::vector<BuildRecord>{record.value()});
  CHECK_FALSE(store->latest_successful_build()->has_value());
}

TEST_CASE("BuildWriter records a failed build for two jobs with the same name and target") {
  TempDir dir;
  auto store = open_store(dir.path());
  BuildInput input = two_jobs();
  input.jobs.push_back(input.jobs[0]);
  auto record = BuildWriter(*store).write(input);
  REQUIRE(record.ok());
  CHECK(record->status == kBuildFailed);
  CHECK(record->error.find("twice") != std::string::npos);
  CHECK(store->list_builds()->size() == 1);
}

TEST_CASE("write_failed records a failure found before packaging") {
  TempDir dir;
  auto store = open_store(dir.path());
  auto record = BuildWriter(*store).write_failed("", 5000, "jobs/orders/prod.yaml:3:1: bad field");
  REQUIRE(record.ok());
  CHECK(record->status == kBuildFailed);
  CHECK(store->find_build(record->build_id).value() == record.value());
}

}  // namespace
}  // namespace kiln::artifacts
