#include "platform/metrics/db_collector.h"

#include <catch2/catch.hpp>
#include <string>

#include "platform/artifacts/local_store.h"
#include "platform/artifacts/temp_dir.h"
#include "platform/metrics/exposition.h"
#include "platform/metrics/metrics_testing.h"
#include "platform/store/store_testing.h"

namespace kiln::metrics {
namespace {

using store::testing::build;
using store::testing::open_store;
using store::testing::request;

double value(const Registry& r, const std::string& name, const Labels& labels) {
  const Sample* s = r.sample(name, labels);
  INFO(name << " " << labels.size());
  REQUIRE(s != nullptr);
  return s->value;
}

store::Job job_row(const std::string& name, const std::string& target, store::JobState state,
                   std::optional<std::int64_t> version, std::optional<std::string> build_id) {
  store::Job job;
  job.name = name;
  job.target = target;
  job.databricks_job_id = 720;
  job.deployed_version = version;
  job.deployed_build_id = std::move(build_id);
  job.strategy = store::Strategy::kBlueGreen;
  job.state = state;
  job.updated_ms = 1;
  return job;
}

store::Run run_row(std::int64_t id, const std::string& result, std::int64_t start_ms,
                   std::optional<std::int64_t> end_ms) {
  store::Run run;
  run.run_id = id;
  run.job_name = "orders";
  run.target = "prod";
  run.databricks_job_id = 720;
  run.version = 3;
  run.life_cycle_state = end_ms ? "TERMINATED" : "RUNNING";
  run.result_state = result;
  run.start_ms = start_ms;
  run.end_ms = end_ms;
  run.updated_ms = start_ms;
  return run;
}

void finish(store::MetadataStore& db, std::int64_t id, store::DeploymentStatus status,
            std::int64_t at_ms) {
  STORE_REQUIRE_OK(db.transition_deployment({id, status, at_ms, "because"}));
}

// orders on prod: deployed (deployment 1 succeeded after 60 s, deployment 2 queued), runs
// ending SUCCESS, FAILED, CANCELED, INTERNAL_ERROR, one running and one queued. billing on prod:
// its deployment failed. newjob on prod: a deploy workflow with a queued deployment and no jobs row
// yet.
void fill(store::MetadataStore& db) {
  STORE_REQUIRE_OK(db.upsert_build(build("b1", 1'000)));
  STORE_REQUIRE_OK(db.upsert_build(build("b2", 2'000, store::BuildStatus::kFailed)));
  STORE_REQUIRE_OK(db.upsert_build(build("b3", 3'000)));

  auto d1 = db.create_deployment(request("orders", "prod", "b3", 3, 4'000));
  STORE_REQUIRE_OK(d1);
  finish(db, d1->id, store::DeploymentStatus::kRunning, 5'000);
  finish(db, d1->id, store::DeploymentStatus::kSucceeded, 64'000);
  STORE_REQUIRE_OK(db.create_deployment(request("orders", "prod", "b3", 4, 70'000)));
  STORE_REQUIRE_OK(
      db.upsert_job(job_row("orders", "prod", store::JobState::kDeployed, 3, std::string("b3"))));

  auto d3 = db.create_deployment(request("billing", "prod", "b1", 1, 4'000));
  STORE_REQUIRE_OK(d3);
  finish(db, d3->id, store::DeploymentStatus::kRunning, 4'500);
  finish(db, d3->id, store::DeploymentStatus::kFailed, 6'000);
  STORE_REQUIRE_OK(db.upsert_job(
      job_row("billing", "prod", store::JobState::kFailed, std::nullopt, std::nullopt)));

  STORE_REQUIRE_OK(db.upsert_run(run_row(1, "SUCCESS", 10'000, 11'000)));
  STORE_REQUIRE_OK(db.upsert_run(run_row(2, "FAILED", 12'000, 13'500)));
  STORE_REQUIRE_OK(db.upsert_run(run_row(3, "CANCELED", 14'000, 14'100)));
  store::Run internal_error = run_row(4, "", 15'000, 16'000);
  internal_error.life_cycle_state = "INTERNAL_ERROR";
  STORE_REQUIRE_OK(db.upsert_run(internal_error));
  STORE_REQUIRE_OK(db.upsert_run(run_row(5, "", 17'000, std::nullopt)));
  store::Run queued = run_row(6, "", 17'500, std::nullopt);  // waits for run 5 to end
  queued.life_cycle_state = "QUEUED";
  STORE_REQUIRE_OK(db.upsert_run(queued));

  auto d4 = db.create_deployment(request("newjob", "prod", "b3", 1, 80'000));
  STORE_REQUIRE_OK(d4);
  store::NewWorkflow deploy{
      "deploy", "deploy:" + std::to_string(d4->id), {{"deployment_id", d4->id}}, 80'000, 80'000};
  STORE_REQUIRE_OK(db.create_workflow(deploy));
  store::NewWorkflow cd{"cd", "cd:prod", nlohmann::json::object(), 200'000, 1};
  STORE_REQUIRE_OK(db.create_workflow(cd));
  store::NewWorkflow monitor{
      "monitor", "monitor", {{"saved_jobs", 930}, {"quota_high", true}}, 200'000, 1};
  STORE_REQUIRE_OK(db.create_workflow(monitor));
}

Labels jt(const std::string& job) {
  return {{"job", job}, {"target", "prod"}};
}

Labels deploys(const std::string& job, const std::string& status) {
  return {{"job", job}, {"target", "prod"}, {"strategy", "blue-green"}, {"status", status}};
}

TEST_CASE("the DB collector reports builds jobs runs deployments and workflows") {
  auto db = open_store();
  fill(*db);
  Registry r;
  const auto errors = collect_from_db(*db, nullptr, 90'000, r);
  CHECK(errors.empty());

  CHECK(value(r, "kiln_metrics_source_up", {{"source", "db"}}) == 1);
  CHECK(value(r, "kiln_builds_total", {{"status", "succeeded"}}) == 2);
  CHECK(value(r, "kiln_builds_total", {{"status", "failed"}}) == 1);
  CHECK(value(r, "kiln_build_info", {{"build", "b3"}, {"commit", "sha-b3"}}) == 1);

  CHECK(value(r, "kiln_job_deployed_version", jt("orders")) == 3);
  CHECK(r.sample("kiln_job_deployed_version", jt("billing")) == nullptr);
  CHECK(value(r, "kiln_job_state",
              {{"job", "orders"}, {"target", "prod"}, {"state", "deployed"}}) == 1);
  CHECK(value(r, "kiln_job_state", {{"job", "orders"}, {"target", "prod"}, {"state", "failed"}}) ==
        0);
  CHECK(value(r, "kiln_job_state", {{"job", "billing"}, {"target", "prod"}, {"state", "failed"}}) ==
        1);
  CHECK(value(r, "kiln_job_info",
              {{"job", "orders"},
               {"target", "prod"},
               {"strategy", "blue-green"},
               {"build", "b3"},
               {"databricks_job_id", "720"}}) == 1);

  CHECK(value(r, "kiln_job_last_run_end_timestamp_seconds", jt("orders")) == 16.0);
  CHECK(value(r, "kiln_job_last_success_timestamp_seconds", jt("orders")) == 11.0);
  CHECK(value(r, "kiln_job_consecutive_failures", jt("orders")) == 2);
  CHECK(value(r, "kiln_job_runs_active", jt("orders")) == 1);  // the queued one waits
  CHECK(value(r, "kiln_job_runs_queued", jt("orders")) == 1);
  CHECK(value(r, "kiln_job_consecutive_failures", jt("billing")) == 0);
  CHECK(r.sample("kiln_job_last_run_end_timestamp_seconds", jt("billing")) == nullptr);

  CHECK(value(r, "kiln_deployments_total", deploys("orders", "queued")) == 2);
  CHECK(value(r, "kiln_deployments_total", deploys("orders", "running")) == 1);
  CHECK(value(r, "kiln_deployments_total", deploys("orders", "succeeded")) == 1);
  CHECK(value(r, "kiln_deployments_total", deploys("billing", "failed")) == 1);
  CHECK(value(r, "kiln_deployments_total", deploys("newjob", "queued")) == 1);
  CHECK(value(r, "kiln_deployments_open",
              {{"job", "orders"}, {"target", "prod"}, {"status", "queued"}}) == 1);
  CHECK(value(r, "kiln_deployments_open",
              {{"job", "orders"}, {"target", "prod"}, {"status", "running"}}) == 0);
  const Sample* took =
      r.sample("kiln_deployment_duration_seconds",
               {{"strategy", "blue-green"}, {"target", "prod"}, {"status", "succeeded"}});
  REQUIRE(took != nullptr);
  CHECK(took->count == 1);
  CHECK(took->sum == 60.0);

  CHECK(value(r, "kiln_workflow_open", {{"kind", "deploy"}}) == 1);
  CHECK(value(r, "kiln_workflow_due", {{"kind", "deploy"}}) == 1);
  CHECK(value(r, "kiln_workflow_due_lag_seconds", {{"kind", "deploy"}}) == 10.0);
  CHECK(value(r, "kiln_workflow_open", {{"kind", "cd"}}) == 1);
  CHECK(value(r, "kiln_workflow_due", {{"kind", "cd"}}) == 0);
  CHECK(value(r, "kiln_workflow_due_lag_seconds", {{"kind", "cd"}}) == 0);
  CHECK(value(r, "kiln_workspace_saved_jobs", {}) == 930);
  CHECK(value(r, "kiln_workspace_quota_high", {}) == 1);

  CHECK(testing::format_problems(render_prometheus(r)) == std::vector<std::string>{});
}

TEST_CASE("the DB collector on an empty DB declares every family with zero builds") {
  auto db = open_store();
  Registry r;
  CHECK(collect_from_db(*db, nullptr, 0, r).empty());
  const std::string text = render_prometheus(r);
  CHECK(testing::format_problems(text) == std::vector<std::string>{});
  CHECK_THAT(text, Catch::Contains("kiln_builds_total{status=\"failed\"} 0\n"
                                   "kiln_builds_total{status=\"succeeded\"} 0\n"));
  CHECK_THAT(text, Catch::Contains("# TYPE kiln_job_consecutive_failures gauge\n"));
  CHECK_THAT(text, Catch::Contains("# TYPE kiln_deployment_duration_seconds histogram\n"));
  CHECK(r.find("kiln_build_info")->series.empty());
}

artifacts::BuildRecord publish(artifacts::ArtifactStore& store, std::int64_t created_ms,
                               const std::string& status, std::vector<std::string> targets) {
  artifacts::BuildRecord record;
  record.commit_sha = std::string(39, 'a') + std::to_string(created_ms % 10);
  record.created_ms = created_ms;
  record.status = status;
  if (status == artifacts::kBuildFailed) record.error = "a config did not validate";
  for (const auto& target : targets) {
    const std::string archive = "archive of orders for " + target;
    auto hash = store.put_artifact(archive);
    REQUIRE(hash.ok());
    record.jobs.push_back({"orders", target, 3, *hash, static_cast<std::int64_t>(archive.size())});
  }
  record.build_id = artifacts::make_build_id(record);
  auto published = store.publish_build(record);
  INFO((published ? std::string() : published.error().message));
  REQUIRE(published.ok());
  return record;
}

TEST_CASE("with an artifact store the CI counts and the latest build per target come from it") {
  artifacts::testing::TempDir dir;
  auto opened = artifacts::open_local_store(dir.path());
  REQUIRE(opened.ok());
  auto& store = **opened;
  const auto old = publish(store, 1'001, artifacts::kBuildSucceeded, {"prod", "staging"});
  publish(store, 1'002, artifacts::kBuildFailed, {});
  const auto staging_only = publish(store, 1'003, artifacts::kBuildSucceeded, {"staging"});
  publish(store, 1'004, artifacts::kBuildFailed, {});

  auto db = open_store();
  STORE_REQUIRE_OK(db->upsert_build(build("deployed", 1)));  // the DB's builds are not counted
  Registry r;
  CHECK(collect_from_db(*db, &store, 0, r).empty());
  CHECK(value(r, "kiln_metrics_source_up", {{"source", "artifacts"}}) == 1);
  CHECK(value(r, "kiln_builds_total", {{"status", "succeeded"}}) == 2);
  CHECK(value(r, "kiln_builds_total", {{"status", "failed"}}) == 2);
  CHECK(value(r, "kiln_build_info",
              {{"target", "prod"}, {"build", old.build_id}, {"commit", old.commit_sha}}) == 1);
  CHECK(value(r, "kiln_build_info",
              {{"target", "staging"},
               {"build", staging_only.build_id},
               {"commit", staging_only.commit_sha}}) == 1);
  CHECK(r.find("kiln_build_info")->series.size() == 2);
}

}  // namespace
}  // namespace kiln::metrics
