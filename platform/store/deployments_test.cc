#include <catch2/catch.hpp>

#include "platform/store/store_testing.h"

namespace kiln::store {
namespace {

using testing::build;
using testing::open_store;
using testing::request;

std::unique_ptr<MetadataStore> store_with_builds() {
  auto store = open_store();
  for (const char* id : {"b1", "b2", "b3"}) STORE_REQUIRE_OK(store->upsert_build(build(id, 1)));
  return store;
}

std::int64_t create(MetadataStore& store, const DeploymentRequest& r) {
  auto created = store.create_deployment(r);
  STORE_REQUIRE_OK(created);
  return created->id;
}

Status finish(MetadataStore& store, std::int64_t id, DeploymentStatus status, std::int64_t at) {
  return store.transition_deployment({id, status, at, "because"});
}

TEST_CASE("deployment history of a job is newest first", "[deployments]") {
  auto store = store_with_builds();
  const auto d1 = create(*store, request("etl", "prod", "b1", 1, 100));
  STORE_REQUIRE_OK(finish(*store, d1, DeploymentStatus::kSucceeded, 110));
  create(*store, request("etl", "dev", "b2", 2, 150));
  const auto d2 = create(*store, request("etl", "prod", "b2", 2, 200));
  STORE_REQUIRE_OK(finish(*store, d2, DeploymentStatus::kFailed, 210));
  // A rollback to an older build, requested at the same instant as the failure.
  auto rollback = request("etl", "prod", "b1", 1, 210);
  rollback.requested_by = "user:ana";
  rollback.reason = "rollback";
  const auto d3 = create(*store, rollback);

  auto history = store->deployment_history("etl", "prod", 10).value();
  REQUIRE(history.size() == 3);
  CHECK(history[0].id == d3);
  CHECK(history[0].status == DeploymentStatus::kQueued);
  CHECK(history[0].request.requested_by == "user:ana");
  CHECK(history[0].request.reason == "rollback");
  CHECK(history[0].request.strategy == Strategy::kBlueGreen);
  CHECK(history[1].id == d2);
  CHECK(history[1].status == DeploymentStatus::kFailed);
  CHECK(history[1].finished_ms == 210);
  CHECK(history[1].outcome_reason == "because");
  CHECK(history[2].id == d1);
  CHECK(store->deployment_history("etl", "prod", 1).value().size() == 1);
}

TEST_CASE("one running and one queued deployment per job and target", "[deployments]") {
  auto store = store_with_builds();
  const auto first = create(*store, request("etl", "prod", "b1", 1, 100));
  auto second = store->create_deployment(request("etl", "prod", "b2", 2, 200));
  CHECK(second.code() == ErrorCode::kAlreadyExists);
  CHECK_THAT(second.error().message, Catch::Contains("a queued deployment exists"));
  CHECK(store->open_deployment("etl", "prod").value().id == first);
  CHECK(store->queued_deployment("etl", "prod").value().id == first);
  create(*store, request("etl", "dev", "b2", 2, 200));  // another target is free

  // Superseding the queued one and queuing the new one in one transaction.
  std::int64_t newer = 0;
  STORE_REQUIRE_OK(store->transaction([&]() -> Status {
    if (auto s = finish(*store, first, DeploymentStatus::kSuperseded, 300); !s) return s;
    auto created = store->create_deployment(request("etl", "prod", "b2", 2, 300));
    if (!created) return created.error();
    newer = created->id;
    return {};
  }));
  CHECK(store->open_deployment("etl", "prod").value().id == newer);
  CHECK(store->get_deployment(first).value().status == DeploymentStatus::kSuperseded);

  // A running deployment leaves room for one queued behind it, and the open one is the
  // running one.
  STORE_REQUIRE_OK(store->transition_deployment({newer, DeploymentStatus::kRunning, 310, ""}));
  CHECK(store->queued_deployment("etl", "prod").code() == ErrorCode::kNotFound);
  const auto behind = create(*store, request("etl", "prod", "b1", 1, 320));
  CHECK(store->open_deployment("etl", "prod").value().id == newer);
  CHECK(store->queued_deployment("etl", "prod").value().id == behind);
  // The queued one cannot start while the other runs.
  CHECK(store->transition_deployment({behind, DeploymentStatus::kRunning, 330, ""}).code() ==
        ErrorCode::kAlreadyExists);
  STORE_REQUIRE_OK(finish(*store, newer, DeploymentStatus::kSucceeded, 340));
  STORE_REQUIRE_OK(store->transition_deployment({behind, DeploymentStatus::kRunning, 350, ""}));
  CHECK(store->open_deployment("etl", "prod").value().id == behind);
}

TEST_CASE("a deployment moves queued to running to final and no further", "[deployments]") {
  auto store = store_with_builds();
  const auto id = create(*store, request("etl", "prod", "b1", 1, 100));
  CHECK(store->transition_deployment({id, DeploymentStatus::kQueued, 101, ""}).code() ==
        ErrorCode::kInvalidArgument);
  STORE_REQUIRE_OK(store->transition_deployment({id, DeploymentStatus::kRunning, 105, ""}));
  auto running = store->get_deployment(id).value();
  CHECK(running.status == DeploymentStatus::kRunning);
  CHECK(running.started_ms == 105);
  CHECK_FALSE(running.finished_ms.has_value());
  CHECK(store->transition_deployment({id, DeploymentStatus::kRunning, 106, ""}).code() ==
        ErrorCode::kConflict);

  STORE_REQUIRE_OK(finish(*store, id, DeploymentStatus::kAborted, 120));
  auto again = finish(*store, id, DeploymentStatus::kSucceeded, 130);
  CHECK(again.code() == ErrorCode::kConflict);
  CHECK_THAT(again.error().message, Catch::Contains("it is aborted"));
  CHECK(store->get_deployment(id).value().finished_ms == 120);
  CHECK(store->open_deployment("etl", "prod").code() == ErrorCode::kNotFound);
  CHECK(finish(*store, 999, DeploymentStatus::kFailed, 1).code() == ErrorCode::kNotFound);
}

TEST_CASE("a deployment of an unknown build is refused", "[deployments]") {
  auto store = store_with_builds();
  auto refused = store->create_deployment(request("etl", "prod", "ghost", 1, 100));
  CHECK(refused.code() == ErrorCode::kConstraint);
  CHECK(store->deployment_history("etl", "prod", 10).value().empty());
}

TEST_CASE("phases append in order and finish once", "[deployments]") {
  auto store = store_with_builds();
  const auto id = create(*store, request("etl", "prod", "b1", 1, 100));
  auto green = store->append_phase(id, "start-green", 110);
  STORE_REQUIRE_OK(green);
  CHECK(green->seq == 1);
  CHECK(green->outcome == PhaseOutcome::kRunning);
  STORE_REQUIRE_OK(store->finish_phase(id, 1, PhaseOutcome::kSucceeded, 120, ""));
  CHECK(store->finish_phase(id, 1, PhaseOutcome::kFailed, 121, "").code() == ErrorCode::kConflict);
  CHECK(store->finish_phase(id, 9, PhaseOutcome::kFailed, 121, "").code() == ErrorCode::kNotFound);
  CHECK(store->finish_phase(id, 1, PhaseOutcome::kRunning, 121, "").code() ==
        ErrorCode::kInvalidArgument);
  STORE_REQUIRE_OK(store->append_phase(id, "health", 130));
  STORE_REQUIRE_OK(store->finish_phase(id, 2, PhaseOutcome::kFailed, 140, "green failed"));

  auto phases = store->list_phases(id).value();
  REQUIRE(phases.size() == 2);
  CHECK(phases[0].phase == "start-green");
  CHECK(phases[0].started_ms == 110);
  CHECK(phases[0].finished_ms == 120);
  CHECK(phases[1].seq == 2);
  CHECK(phases[1].outcome == PhaseOutcome::kFailed);
  CHECK(phases[1].reason == "green failed");
  CHECK(store->append_phase(12345, "x", 1).code() == ErrorCode::kConstraint);
}

TEST_CASE("a finished deployment's phases are final", "[deployments]") {
  auto store = store_with_builds();
  const auto id = create(*store, request("etl", "prod", "b1", 1, 100));
  STORE_REQUIRE_OK(store->append_phase(id, "deploy", 110));
  STORE_REQUIRE_OK(finish(*store, id, DeploymentStatus::kFailed, 150));
  auto appended = store->append_phase(id, "late", 160);
  CHECK(appended.code() == ErrorCode::kConflict);
  CHECK_THAT(appended.error().message, Catch::Contains("phases are final"));
  CHECK(store->finish_phase(id, 1, PhaseOutcome::kSucceeded, 160, "").code() ==
        ErrorCode::kConflict);
  auto phases = store->list_phases(id).value();
  REQUIRE(phases.size() == 1);
  CHECK(phases[0].outcome == PhaseOutcome::kRunning);
}

}  // namespace
}  // namespace kiln::store
