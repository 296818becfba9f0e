#include <catch2/catch.hpp>

#include "platform/store/store_testing.h"

namespace kiln::store {
namespace {

using nlohmann::json;
using testing::build;
using testing::open_store;
using testing::request;

Workflow create(MetadataStore& store, const std::string& key, std::int64_t wake_at_ms) {
  auto created = store.create_workflow({"deploy", key, {{"step", "start"}}, wake_at_ms, 1});
  STORE_REQUIRE_OK(created);
  return *created;
}

WorkflowStep step_of(const Workflow& w, json state, std::int64_t wake_at_ms) {
  WorkflowStep step;
  step.workflow_id = w.id;
  step.expected_version = w.version;
  step.state = std::move(state);
  step.wake_at_ms = wake_at_ms;
  step.updated_ms = wake_at_ms;
  return step;
}

std::vector<std::int64_t> ids(const std::vector<Workflow>& workflows) {
  std::vector<std::int64_t> out;
  out.reserve(workflows.size());
  for (const auto& w : workflows) out.push_back(w.id);
  return out;
}

TEST_CASE("one open workflow per kind and key", "[workflows]") {
  auto store = open_store();
  const auto first = create(*store, "deploy:etl:prod", 10);
  CHECK(first.version == 1);
  CHECK(first.attempt == 0);
  CHECK(first.status == WorkflowStatus::kOpen);
  auto second = store->create_workflow({"deploy", "deploy:etl:prod", json::object(), 20, 2});
  CHECK(second.code() == ErrorCode::kAlreadyExists);
  CHECK_THAT(second.error().message, Catch::Contains("an open one exists"));
  CHECK(store->list_open_workflows(10).value().size() == 1);
  // The same key under another kind, and another key, are free.
  STORE_REQUIRE_OK(store->create_workflow({"monitor", "deploy:etl:prod", json::object(), 0, 2}));
  create(*store, "deploy:etl:dev", 10);
  CHECK(store->find_open_workflow("deploy", "deploy:etl:prod").value().id == first.id);
  CHECK(store->find_open_workflow("deploy", "deploy:x:prod").code() == ErrorCode::kNotFound);
}

TEST_CASE("a closed workflow frees its key", "[workflows]") {
  auto store = open_store();
  const auto first = create(*store, "deploy:etl:prod", 10);
  auto step = step_of(first, {{"step", "end"}}, 30);
  step.status = WorkflowStatus::kDone;
  STORE_REQUIRE_OK(store->commit_step(step));
  const auto second = create(*store, "deploy:etl:prod", 40);
  CHECK(second.id > first.id);
  CHECK(store->get_workflow(first.id).value().status == WorkflowStatus::kDone);
  // A closed workflow is final: no step moves it again.
  step.expected_version = 2;
  CHECK(store->commit_step(step).code() == ErrorCode::kConflict);
}

TEST_CASE("open workflows are listed by wake time then id", "[workflows]") {
  auto store = open_store();
  const auto a = create(*store, "a", 50);
  const auto b = create(*store, "b", 20);
  const auto c = create(*store, "c", 50);
  const auto d = create(*store, "d", 10);
  auto done = step_of(d, json::object(), 10);
  done.status = WorkflowStatus::kFailed;
  STORE_REQUIRE_OK(store->commit_step(done));
  CHECK(ids(store->list_open_workflows(10).value()) == std::vector<std::int64_t>{b.id, a.id, c.id});
  CHECK(ids(store->list_open_workflows(2).value()) == std::vector<std::int64_t>{b.id, a.id});
  CHECK(ids(store->list_due_workflows(49, 10).value()) == std::vector<std::int64_t>{b.id});
  CHECK(ids(store->list_due_workflows(50, 10).value()) ==
        std::vector<std::int64_t>{b.id, a.id, c.id});
}

TEST_CASE("commit step advances the version and stores the state", "[workflows]") {
  auto store = open_store();
  const auto w = create(*store, "deploy:etl:prod", 10);
  const json state = {{"phase", "health"},
                      {"green_job_id", 202},
                      {"unicode", "blå"},
                      {"nested", {{"list", {1, 2.5, nullptr}}}}};
  auto step = step_of(w, state, 70);
  step.attempt = 2;
  auto committed = store->commit_step(step);
  STORE_REQUIRE_OK(committed);
  CHECK(committed->version == 2);
  auto loaded = store->get_workflow(w.id).value();
  CHECK(loaded.state == state);
  CHECK(loaded.version == 2);
  CHECK(loaded.attempt == 2);
  CHECK(loaded.wake_at_ms == 70);
  CHECK(loaded.updated_ms == 70);
  CHECK(loaded.created_ms == 1);
  CHECK(loaded.kind == "deploy");
  CHECK(loaded.key == "deploy:etl:prod");
}

TEST_CASE("commit step with a stale version is a conflict and writes nothing", "[workflows]") {
  auto store = open_store();
  STORE_REQUIRE_OK(store->upsert_build(build("b1", 1)));
  const auto w = create(*store, "deploy:etl:prod", 10);
  STORE_REQUIRE_OK(store->commit_step(step_of(w, {{"step", 1}}, 20)));  // now version 2

  auto stale = step_of(w, {{"step", "stale"}}, 99);  // computed on version 1
  stale.writes.run = Run{7, "etl", "prod", 1, 1, "RUNNING", "", 5, std::nullopt, 5};
  stale.writes.job = Job{"etl", "prod", 1, 1, "b1", Strategy::kSimple, JobState::kDeployed, 5};
  auto conflict = store->commit_step(stale);
  CHECK(conflict.code() == ErrorCode::kConflict);
  CHECK_THAT(conflict.error().message,
             Catch::Contains("at version 1") && Catch::Contains("stored version 2"));
  auto loaded = store->get_workflow(w.id).value();
  CHECK(loaded.version == 2);
  CHECK(loaded.state == json{{"step", 1}});
  CHECK(loaded.wake_at_ms == 20);
  CHECK(store->get_run(7).code() == ErrorCode::kNotFound);
  CHECK(store->get_job("etl", "prod").code() == ErrorCode::kNotFound);
  Workflow unknown;
  unknown.id = 404;
  CHECK(store->commit_step(step_of(unknown, json::object(), 1)).code() == ErrorCode::kNotFound);
}

TEST_CASE("commit step writes its side records atomically", "[workflows]") {
  auto store = open_store();
  STORE_REQUIRE_OK(store->upsert_build(build("b1", 1)));
  const auto deployment = store->create_deployment(request("etl", "prod", "b1", 4, 5)).value();
  STORE_REQUIRE_OK(store->append_phase(deployment.id, "deploy", 6));
  const auto w = create(*store, "deploy:etl:prod", 10);

  auto step = step_of(w, {{"step", "done"}}, 100);
  step.status = WorkflowStatus::kDone;
  step.writes.run = Run{55, "etl", "prod", 301, 4, "TERMINATED", "SUCCESS", 50, 90, 100};
  step.writes.job =
      Job{"etl", "prod", 301, 4, "b1", Strategy::kBlueGreen, JobState::kDeployed, 100};
  step.writes.phases = {
      DeploymentPhase{deployment.id, 1, "deploy", 6, 100, PhaseOutcome::kSucceeded, "run ok"}};
  step.writes.deployment =
      DeploymentTransition{deployment.id, DeploymentStatus::kSucceeded, 100, "healthy"};
  STORE_REQUIRE_OK(store->commit_step(step));

  CHECK(store->get_run(55).value().result_state == "SUCCESS");
  CHECK(store->get_job("etl", "prod").value().deployed_version == 4);
  auto phases = store->list_phases(deployment.id).value();
  REQUIRE(phases.size() == 1);
  CHECK(phases[0].outcome == PhaseOutcome::kSucceeded);
  CHECK(phases[0].finished_ms == 100);
  CHECK(store->get_deployment(deployment.id).value().status == DeploymentStatus::kSucceeded);
  CHECK(store->get_workflow(w.id).value().status == WorkflowStatus::kDone);
}

TEST_CASE("one step starts a deployment with its first phase, another moves to the next phase",
          "[workflows]") {
  auto store = open_store();
  STORE_REQUIRE_OK(store->upsert_build(build("b1", 1)));
  const auto deployment = store->create_deployment(request("etl", "prod", "b1", 4, 5)).value();
  const auto w = create(*store, "deploy:etl:prod", 10);

  auto start = step_of(w, {{"phase", "job"}}, 20);
  start.writes.deployment = DeploymentTransition{deployment.id, DeploymentStatus::kRunning, 20, ""};
  start.writes.phases = {
      DeploymentPhase{deployment.id, 1, "prepare", 20, 20, PhaseOutcome::kSucceeded, "loaded"},
      DeploymentPhase{deployment.id, 2, "job", 20, std::nullopt, PhaseOutcome::kRunning, ""}};
  STORE_REQUIRE_OK(store->commit_step(start));
  CHECK(store->get_deployment(deployment.id).value().status == DeploymentStatus::kRunning);

  auto loaded = store->get_workflow(w.id).value();
  auto next = step_of(loaded, {{"phase", "stop"}}, 30);
  next.writes.phases = {
      DeploymentPhase{deployment.id, 2, "job", 20, 30, PhaseOutcome::kSucceeded, "created"},
      DeploymentPhase{deployment.id, 3, "stop", 30, std::nullopt, PhaseOutcome::kRunning, ""}};
  STORE_REQUIRE_OK(store->commit_step(next));
  const auto phases = store->list_phases(deployment.id).value();
  REQUIRE(phases.size() == 3);
  CHECK(phases[1].outcome == PhaseOutcome::kSucceeded);
  CHECK(phases[1].reason == "created");
  CHECK(phases[2].phase == "stop");
  CHECK(phases[2].outcome == PhaseOutcome::kRunning);
}

TEST_CASE("a failing side write leaves the workflow and every record unchanged", "[workflows]") {
  auto store = open_store();
  STORE_REQUIRE_OK(store->upsert_build(build("b1", 1)));
  const auto w = create(*store, "deploy:etl:prod", 10);

  auto step = step_of(w, {{"step", "next"}}, 100);
  step.writes.run = Run{55, "etl", "prod", 301, 4, "RUNNING", "", 50, std::nullopt, 100};
  step.writes.job = Job{"etl", "prod", 301, 4, "b1", Strategy::kSimple, JobState::kDeployed, 100};
  // The last side write names a deployment that does not exist: its foreign key fails.
  step.writes.phases = {
      DeploymentPhase{999, 1, "deploy", 6, std::nullopt, PhaseOutcome::kRunning, ""}};
  auto failed = store->commit_step(step);
  CHECK(failed.code() == ErrorCode::kConstraint);
  CHECK_THAT(failed.error().message, Catch::Contains("put phase 1 of deployment 999"));

  auto loaded = store->get_workflow(w.id).value();
  CHECK(loaded.version == 1);
  CHECK(loaded.state == json{{"step", "start"}});
  CHECK(store->get_run(55).code() == ErrorCode::kNotFound);
  CHECK(store->get_job("etl", "prod").code() == ErrorCode::kNotFound);
  // The same step without the bad write then commits.
  step.writes.phases.clear();
  STORE_REQUIRE_OK(store->commit_step(step));
  CHECK(store->get_run(55).ok());
}

TEST_CASE("state that is not valid UTF-8 is refused before writing", "[workflows]") {
  auto store = open_store();
  const auto w = create(*store, "k", 10);
  auto bad = store->commit_step(step_of(w, {{"name", "\xff\xfe"}}, 20));
  CHECK(bad.code() == ErrorCode::kInvalidArgument);
  CHECK(store->get_workflow(w.id).value().version == 1);
}

TEST_CASE("a deployment and its workflow are created in one transaction", "[workflows]") {
  auto store = open_store();
  STORE_REQUIRE_OK(store->upsert_build(build("b1", 1)));
  create(*store, "deploy:etl:prod", 10);  // an open workflow already holds the key
  auto grouped = store->transaction([&]() -> Status {
    auto d = store->create_deployment(request("etl", "prod", "b1", 1, 20));
    if (!d) return d.error();
    auto w = store->create_workflow({"deploy", "deploy:etl:prod", {{"deployment", d->id}}, 20, 20});
    if (!w) return w.error();
    return {};
  });
  CHECK(grouped.code() == ErrorCode::kAlreadyExists);
  CHECK(store->deployment_history("etl", "prod", 10).value().empty());
}

}  // namespace
}  // namespace kiln::store
