// Parked jobs: the blue jobs a blue-green deploy keeps for a fast rollback, written with a
// deploy step and read by cleanup.
#include <catch2/catch.hpp>

#include "platform/store/store_testing.h"

namespace kiln::store {
namespace {

using nlohmann::json;
using testing::build;
using testing::open_store;
using testing::request;

struct Fixture {
  std::unique_ptr<MetadataStore> store = open_store();
  Deployment deployment;
  std::int64_t workflow_id = 0;

  Fixture() {
    STORE_REQUIRE_OK(store->upsert_build(build("b1", 1)));
    STORE_REQUIRE_OK(store->upsert_build(build("b2", 2)));
    deployment = store->create_deployment(request("orders", "prod", "b2", 5, 10)).value();
    workflow_id = store->create_workflow({"deploy", "deploy:orders:prod", {}, 10, 10}).value().id;
  }

  ParkedJob blue(std::int64_t databricks_job_id, std::int64_t until_ms) const {
    return ParkedJob{databricks_job_id, "orders", "prod", deployment.id, 4, "b1", 100, until_ms};
  }

  // Commits one step of the deploy workflow with these writes.
  Result<Workflow> step(StepWrites writes) {
    WorkflowStep s;
    s.workflow_id = workflow_id;
    s.expected_version = store->get_workflow(workflow_id).value().version;
    s.state = {{"step", s.expected_version}};
    s.updated_ms = 100;
    s.writes = std::move(writes);
    return store->commit_step(s);
  }

  std::vector<std::int64_t> parked() {
    const auto listed = store->list_parked_jobs(10);
    STORE_REQUIRE_OK(listed);
    std::vector<std::int64_t> ids;
    for (const auto& p : *listed) ids.push_back(p.databricks_job_id);
    return ids;
  }
};

TEST_CASE("a deploy step parks a job and cleanup lists parked jobs by deadline then id",
          "[parked]") {
  Fixture f;
  for (auto [id, until_ms] : {std::pair{301, 9'000}, {205, 5'000}, {207, 9'000}}) {
    StepWrites writes;
    writes.park = f.blue(id, until_ms);
    STORE_REQUIRE_OK(f.step(writes));
  }
  CHECK(f.parked() == std::vector<std::int64_t>{205, 207, 301});
  const auto first = f.store->list_parked_jobs(1).value();
  REQUIRE(first.size() == 1);
  const ParkedJob& p = first[0];
  CHECK(p.databricks_job_id == 205);
  CHECK(p.name == "orders");
  CHECK(p.target == "prod");
  CHECK(p.deployment_id == f.deployment.id);
  CHECK(p.version == 4);
  CHECK(p.build_id == "b1");
  CHECK(p.parked_ms == 100);
  CHECK(p.until_ms == 5'000);

  // Parking the same job again replaces its row (a later deploy extends the deadline).
  StepWrites again;
  again.park = f.blue(205, 12'000);
  STORE_REQUIRE_OK(f.step(again));
  CHECK(f.parked() == std::vector<std::int64_t>{207, 301, 205});
}

TEST_CASE("unparking and removing a job that is not parked is no error", "[parked]") {
  Fixture f;
  StepWrites park;
  park.park = f.blue(301, 9'000);
  STORE_REQUIRE_OK(f.step(park));
  StepWrites unpark;
  unpark.unpark = 301;
  STORE_REQUIRE_OK(f.step(unpark));
  CHECK(f.parked().empty());
  STORE_REQUIRE_OK(f.step(unpark));
  STORE_REQUIRE_OK(f.store->remove_parked_job(301));
}

TEST_CASE("one step unparks the job parked before and parks the one it replaces", "[parked]") {
  Fixture f;
  StepWrites first;
  first.park = f.blue(205, 5'000);
  STORE_REQUIRE_OK(f.step(first));
  StepWrites swap;
  swap.unpark = 205;
  swap.park = f.blue(301, 9'000);
  STORE_REQUIRE_OK(f.step(swap));
  CHECK(f.parked() == std::vector<std::int64_t>{301});
  // The same id in both: unpark runs first, so the job ends parked.
  StepWrites both;
  both.unpark = 301;
  both.park = f.blue(301, 9'500);
  STORE_REQUIRE_OK(f.step(both));
  CHECK(f.store->list_parked_jobs(10).value().at(0).until_ms == 9'500);
}

TEST_CASE("a park naming an unknown deployment fails the whole step", "[parked]") {
  Fixture f;
  StepWrites writes;
  writes.unpark = 999;
  writes.job = Job{"orders", "prod", 400, 5, "b2", Strategy::kBlueGreen, JobState::kDeployed, 100};
  writes.park = f.blue(301, 9'000);
  writes.park->deployment_id = 404;
  const auto failed = f.step(writes);
  CHECK(failed.code() == ErrorCode::kConstraint);
  CHECK_THAT(failed.error().message, Catch::Contains("park job 301 (orders on prod)"));
  CHECK(f.parked().empty());
  CHECK(f.store->get_job("orders", "prod").code() == ErrorCode::kNotFound);
  CHECK(f.store->get_workflow(f.workflow_id).value().version == 1);
}

TEST_CASE("parked jobs are removed one by one", "[parked]") {
  Fixture f;
  for (int id : {1, 2, 3}) {
    StepWrites writes;
    writes.park = f.blue(id, 1'000 * id);
    STORE_REQUIRE_OK(f.step(writes));
  }
  STORE_REQUIRE_OK(f.store->remove_parked_job(2));
  CHECK(f.parked() == std::vector<std::int64_t>{1, 3});
}

}  // namespace
}  // namespace kiln::store
