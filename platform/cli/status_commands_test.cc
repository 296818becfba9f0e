#include "platform/cli/status_commands.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "platform/store/store_testing.h"

namespace kiln::cli {
namespace {

using namespace store;  // NOLINT(google-build-using-namespace): records in tests

constexpr std::int64_t kT = 1'795'000'000'000;  // 2026-11-18T...

// orders on production: version 3 deployed from b1, run 901 running, deployment 2 (v4) queued.
std::unique_ptr<MetadataStore> populated() {
  auto s = testing::open_store();
  STORE_REQUIRE_OK(
      s->upsert_build({"b1", std::string(40, 'a'), kT, BuildStatus::kSucceeded, "", 1}));
  STORE_REQUIRE_OK(
      s->upsert_build({"b2", std::string(40, 'b'), kT, BuildStatus::kSucceeded, "", 1}));
  auto d1 = s->create_deployment({"orders", "production", "b1", 3, Strategy::kSimple,
                                  "cd:production", "deployVersion 2 -> 3", kT});
  REQUIRE(d1.ok());
  STORE_REQUIRE_OK(s->transition_deployment({d1->id, DeploymentStatus::kRunning, kT + 1'000, ""}));
  STORE_REQUIRE_OK(s->append_phase(d1->id, "job", kT + 1'000));
  STORE_REQUIRE_OK(
      s->finish_phase(d1->id, 1, PhaseOutcome::kSucceeded, kT + 2'000, "created job 7200"));
  STORE_REQUIRE_OK(s->transition_deployment(
      {d1->id, DeploymentStatus::kSucceeded, kT + 3'000, "run 901 RUNNING"}));
  STORE_REQUIRE_OK(s->upsert_job(
      {"orders", "production", 7200, 3, "b1", Strategy::kSimple, JobState::kDeployed, kT + 3'000}));
  STORE_REQUIRE_OK(s->upsert_run(
      {901, "orders", "production", 7200, 3, "RUNNING", "", kT + 2'500, std::nullopt, kT + 3'000}));
  REQUIRE(s->create_deployment(
               {"orders", "production", "b2", 4, Strategy::kSimple, "user:ana", "", kT + 4'000})
              .ok());
  STORE_REQUIRE_OK(s->upsert_job({"orders", "development", std::nullopt, std::nullopt, std::nullopt,
                                  Strategy::kSimple, JobState::kFailed, kT}));
  return s;
}

}  // namespace

TEST_CASE("Times print as UTC to the second", "[cli]") {
  CHECK(format_time(0) == "1970-01-01T00:00:00Z");
  CHECK(format_time(1'767'225'600'999) == "2026-01-01T00:00:00Z");
}

TEST_CASE("status shows each job's version build commit state run and deploy under way", "[cli]") {
  auto store = populated();
  std::ostringstream out, err;
  REQUIRE(print_status(*store, {}, out, err) == 0);
  const std::string text = out.str();
  CHECK_THAT(text, Catch::StartsWith("JOB     TARGET       VERSION  BUILD"));
  CHECK_THAT(text,
             Catch::Contains("orders  production   3        b1     aaaaaaaaaaaa  deployed  7200"));
  CHECK_THAT(text, Catch::Contains("901 RUNNING (v3)"));
  CHECK_THAT(text, Catch::Contains("deployment 2 queued, v4"));
  CHECK_THAT(text, Catch::Contains("orders  development  -        -      -             failed"));

  std::ostringstream one, none, err2;
  REQUIRE(print_status(*store, {"orders", "development"}, one, err2) == 0);
  CHECK_THAT(one.str(), !Catch::Contains("production"));
  CHECK(print_status(*store, {"payments", std::nullopt}, none, err2) == 1);
  CHECK_THAT(err2.str(), Catch::Contains("no job payments in the DB"));
}

TEST_CASE("history lists deployments newest first with their phases on request", "[cli]") {
  auto store = populated();
  std::ostringstream out, err;
  REQUIRE(print_history(*store, {"orders", "production", 20, true}, out, err) == 0);
  const std::string text = out.str();
  const auto second = text.find("\n2 ");
  const auto first = text.find("\n1 ");
  REQUIRE(second != std::string::npos);
  REQUIRE(first != std::string::npos);
  CHECK(second < first);
  CHECK_THAT(
      text, Catch::Contains(
                "succeeded  3        b1     cd:production  deployVersion 2 -> 3  run 901 RUNNING"));
  CHECK_THAT(text, Catch::Contains("queued     4        b2     user:ana"));
  CHECK_THAT(text, Catch::Contains("deployment 1:\n  1. job      succeeded"));
  CHECK_THAT(text, Catch::Contains("created job 7200"));

  std::ostringstream limited, err2;
  REQUIRE(print_history(*store, {"orders", std::nullopt, 1, false}, limited, err2) == 0);
  CHECK_THAT(limited.str(), !Catch::Contains("\n1 "));
  std::ostringstream none;
  CHECK(print_history(*store, {"payments", std::nullopt, 20, false}, none, err2) == 1);
  CHECK_THAT(err2.str(), Catch::Contains("no deployments of payments"));
}

}  // namespace kiln::cli
