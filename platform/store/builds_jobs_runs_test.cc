#include <catch2/catch.hpp>

#include "platform/store/store_testing.h"

namespace kiln::store {
namespace {

using testing::build;
using testing::open_store;

std::vector<std::string> ids(const std::vector<Build>& builds) {
  std::vector<std::string> out;
  out.reserve(builds.size());
  for (const auto& b : builds) out.push_back(b.build_id);
  return out;
}

TEST_CASE("builds upsert and get and list newest first", "[builds]") {
  auto store = open_store();
  STORE_REQUIRE_OK(store->upsert_build(build("b1", 100)));
  STORE_REQUIRE_OK(store->upsert_build(build("b2", 300, BuildStatus::kFailed)));
  STORE_REQUIRE_OK(store->upsert_build(build("b3", 200)));
  STORE_REQUIRE_OK(store->upsert_build(build("b4", 300, BuildStatus::kRunning)));

  auto b2 = build("b2", 300, BuildStatus::kFailed);
  b2.error = "etl/config.yaml:3:5: tasks: required";
  STORE_REQUIRE_OK(store->upsert_build(b2));
  auto got = store->get_build("b2");
  STORE_REQUIRE_OK(got);
  CHECK(got->error == b2.error);
  CHECK(got->status == BuildStatus::kFailed);
  CHECK(got->commit_sha == "sha-b2");
  CHECK(got->job_count == 3);

  // Equal times keep insertion order, newest first; an upsert does not move a build.
  CHECK(ids(store->list_builds(std::nullopt, 10).value()) ==
        std::vector<std::string>{"b4", "b2", "b3", "b1"});
  CHECK(ids(store->list_builds(std::nullopt, 2).value()) == std::vector<std::string>{"b4", "b2"});
  CHECK(ids(store->list_builds(BuildStatus::kSucceeded, 10).value()) ==
        std::vector<std::string>{"b3", "b1"});
}

TEST_CASE("build counts include every status", "[builds]") {
  auto store = open_store();
  CHECK(store->count_builds().value() ==
        std::map<BuildStatus, std::int64_t>{
            {BuildStatus::kRunning, 0}, {BuildStatus::kSucceeded, 0}, {BuildStatus::kFailed, 0}});
  STORE_REQUIRE_OK(store->upsert_build(build("b1", 1)));
  STORE_REQUIRE_OK(store->upsert_build(build("b2", 2)));
  STORE_REQUIRE_OK(store->upsert_build(build("b3", 3, BuildStatus::kFailed)));
  STORE_REQUIRE_OK(store->upsert_build(build("b3", 3, BuildStatus::kSucceeded)));
  STORE_REQUIRE_OK(store->upsert_build(build("b4", 4, BuildStatus::kFailed)));
  const auto counts = store->count_builds().value();
  CHECK(counts.at(BuildStatus::kRunning) == 0);
  CHECK(counts.at(BuildStatus::kSucceeded) == 3);
  CHECK(counts.at(BuildStatus::kFailed) == 1);
}

TEST_CASE("a missing record is not found", "[builds]") {
  auto store = open_store();
  auto missing = store->get_build("nope");
  CHECK(missing.code() == ErrorCode::kNotFound);
  CHECK_THAT(missing.error().message, Catch::Contains("build nope not found"));
  CHECK(store->get_job("etl", "prod").code() == ErrorCode::kNotFound);
  CHECK(store->get_run(42).code() == ErrorCode::kNotFound);
}

TEST_CASE("jobs upsert and list by target in name order", "[jobs]") {
  auto store = open_store();
  STORE_REQUIRE_OK(store->upsert_build(build("b1", 1)));
  Job etl{"etl", "prod", 101, 3, "b1", Strategy::kBlueGreen, JobState::kDeployed, 50};
  Job agg{"agg",
          "prod",
          std::nullopt,
          std::nullopt,
          std::nullopt,
          Strategy::kSimple,
          JobState::kDeploying,
          60};
  Job dev{"etl", "dev", 7, 4, "b1", Strategy::kSimple, JobState::kDeployed, 70};
  for (const Job& job : {etl, agg, dev}) STORE_REQUIRE_OK(store->upsert_job(job));

  etl.state = JobState::kFailed;
  etl.updated_ms = 80;
  STORE_REQUIRE_OK(store->upsert_job(etl));
  auto got = store->get_job("etl", "prod");
  STORE_REQUIRE_OK(got);
  CHECK(got->databricks_job_id == 101);
  CHECK(got->deployed_version == 3);
  CHECK(got->deployed_build_id == "b1");
  CHECK(got->strategy == Strategy::kBlueGreen);
  CHECK(got->state == JobState::kFailed);
  CHECK(got->updated_ms == 80);

  auto prod = store->list_jobs("prod", 10).value();
  REQUIRE(prod.size() == 2);
  CHECK(prod[0].name == "agg");
  CHECK_FALSE(prod[0].databricks_job_id.has_value());
  CHECK_FALSE(prod[0].deployed_build_id.has_value());
  CHECK(prod[1].name == "etl");
  CHECK(store->list_jobs("dev", 10).value().size() == 1);
  CHECK(store->list_jobs("staging", 10).value().empty());
  auto all = store->list_all_jobs(10).value();
  REQUIRE(all.size() == 3);
  CHECK(all[0].name == "agg");
  CHECK(all[1].name == "etl");
  CHECK(all[1].target == "dev");
  CHECK(all[2].target == "prod");
  CHECK(store->list_all_jobs(1).value().size() == 1);
}

TEST_CASE("a job naming an unknown build is refused", "[jobs]") {
  auto store = open_store();
  auto refused =
      store->upsert_job({"etl", "prod", 1, 1, "ghost", Strategy::kSimple, JobState::kDeployed, 1});
  CHECK(refused.code() == ErrorCode::kConstraint);
  CHECK_THAT(refused.error().message,
             Catch::Contains("upsert job etl on prod") && Catch::Contains("FOREIGN KEY"));
}

TEST_CASE("runs upsert and list newest first per job", "[runs]") {
  auto store = open_store();
  Run first{1001, "etl", "prod", 101, 3, "TERMINATED", "SUCCESS", 100, 190, 200};
  Run second{1002, "etl", "prod", 101, 3, "RUNNING", "", 300, std::nullopt, 310};
  Run other{1003, "etl", "dev", 7, 4, "PENDING", "", 400, std::nullopt, 400};
  for (const Run& run : {first, second, other}) STORE_REQUIRE_OK(store->upsert_run(run));

  second.life_cycle_state = "TERMINATED";
  second.result_state = "FAILED";
  second.end_ms = 350;
  STORE_REQUIRE_OK(store->upsert_run(second));
  auto got = store->get_run(1002);
  STORE_REQUIRE_OK(got);
  CHECK(got->result_state == "FAILED");
  CHECK(got->end_ms == 350);

  auto runs = store->list_runs("etl", "prod", 10).value();
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].run_id == 1002);
  CHECK(runs[1].run_id == 1001);
  CHECK(store->list_runs("etl", "prod", 1).value().size() == 1);
}

TEST_CASE("unfinished runs are those without an end", "[runs]") {
  auto store = open_store();
  STORE_REQUIRE_OK(store->upsert_run({3, "a", "prod", 1, 1, "RUNNING", "", 10, std::nullopt, 10}));
  STORE_REQUIRE_OK(store->upsert_run({1, "b", "prod", 2, 1, "PENDING", "", 20, std::nullopt, 20}));
  STORE_REQUIRE_OK(store->upsert_run({2, "a", "prod", 1, 1, "TERMINATED", "SUCCESS", 5, 9, 9}));
  auto unfinished = store->list_unfinished_runs(10).value();
  REQUIRE(unfinished.size() == 2);
  CHECK(unfinished[0].run_id == 1);
  CHECK(unfinished[1].run_id == 3);
}

}  // namespace
}  // namespace kiln::store
