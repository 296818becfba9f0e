// Events to notifications: which events tell someone, at which severity, under which incident
// (dedup_key) and identity (id).
#include "platform/notify/notification.h"

#include <catch2/catch.hpp>

namespace kiln::notify {
namespace {

using nlohmann::json;

core::Event deployment(const std::string& status, const json& extra = json::object()) {
  json fields = {{"deployment", 12},
                 {"job", "etl"},
                 {"target", "production"},
                 {"version", 4},
                 {"build", "b-0007"},
                 {"strategy", "simple"},
                 {"requested_by", "cd:production"},
                 {"status", status}};
  fields.update(extra);
  return core::Event{1'000, "kiln.deployment", fields};
}

TEST_CASE("a running deployment is a deploy started notification at info") {
  const auto n = notification_for(deployment("running", {{"owner", "data-team"}}));
  REQUIRE(n);
  CHECK(n->kind == Kind::kDeployStarted);
  CHECK(n->severity == Severity::kInfo);
  CHECK(n->owner == "data-team");
  CHECK(n->job == "etl");
  CHECK(n->target == "production");
  CHECK(n->title == "Deploying etl v4 to production");
  CHECK(n->text == "Build b-0007, simple strategy, requested by cd:production.");
  CHECK(n->dedup_key == "kiln/production/etl/deploy");
  CHECK(n->id == "kiln/production/etl/deploy/12/running");
  CHECK(n->time_ms == 1'000);
  CHECK(n->fields["build"] == "b-0007");
  CHECK_FALSE(n->resolves());
}

TEST_CASE("a failed deployment is an error naming its reason and how long it took") {
  const auto n = notification_for(
      deployment("failed", {{"reason", "run 88 ended FAILED"}, {"latency_ms", 192'000}}));
  REQUIRE(n);
  CHECK(n->kind == Kind::kDeployFailed);
  CHECK(n->severity == Severity::kError);
  CHECK(n->title == "Deploy of etl v4 to production failed");
  CHECK(n->text ==
        "run 88 ended FAILED\nBuild b-0007, requested by cd:production, after 3 min 12 s.");
  CHECK(n->owner.empty());
  CHECK(n->id == "kiln/production/etl/deploy/12/failed");
}

TEST_CASE("aborted is a warning and succeeded resolves the deploy incident") {
  const auto aborted = notification_for(deployment("aborted", {{"reason", "by alice"}}));
  REQUIRE(aborted);
  CHECK(aborted->kind == Kind::kDeployAborted);
  CHECK(aborted->severity == Severity::kWarning);
  CHECK(aborted->title == "Deploy of etl v4 to production aborted");
  const auto succeeded = notification_for(deployment("succeeded", {{"latency_ms", 850}}));
  REQUIRE(succeeded);
  CHECK(succeeded->kind == Kind::kDeploySucceeded);
  CHECK(succeeded->resolves());
  CHECK(succeeded->title == "Deployed etl v4 to production");
  CHECK(succeeded->text == "Build b-0007, requested by cd:production, after 850 ms.");
  CHECK(succeeded->dedup_key == aborted->dedup_key);
  CHECK(succeeded->id != aborted->id);
}

TEST_CASE("queued and superseded deployments notify nobody") {
  CHECK_FALSE(notification_for(deployment("queued")));
  CHECK_FALSE(notification_for(deployment("superseded")));
  CHECK_FALSE(notification_for(deployment("paused")));
}

TEST_CASE("an event without its job or target notifies nobody and odd field types never throw") {
  auto e = deployment("failed");
  e.fields.erase("job");
  CHECK_FALSE(notification_for(e));
  e = deployment("failed", {{"target", 7}});
  CHECK(notification_for(e)->target == "7");
  e = deployment("failed", {{"version", json::object()}, {"latency_ms", "soon"}});
  REQUIRE(notification_for(e));
  CHECK(notification_for(e)->title == "Deploy of etl v to production failed");
  CHECK_FALSE(notification_for(core::Event{0, "kiln.deployment", json::array()}));
  CHECK_FALSE(notification_for(core::Event{0, "run.state", {{"job", "etl"}}}));
}

TEST_CASE("a run failed for good and its recovery share one incident") {
  const auto failed = notification_for(core::Event{5'000,
                                                   "job.run_failed",
                                                   {{"job", "etl"},
                                                    {"target", "production"},
                                                    {"run_id", 881},
                                                    {"result", "FAILED"},
                                                    {"message", "Task ingest failed"},
                                                    {"version", 4},
                                                    {"trigger", "PERIODIC"},
                                                    {"owner", "data-team"}}});
  REQUIRE(failed);
  CHECK(failed->kind == Kind::kRunFailed);
  CHECK(failed->severity == Severity::kError);
  CHECK(failed->title == "Run of etl on production failed (FAILED)");
  CHECK(failed->text == "Task ingest failed\nRun 881 of v4, trigger PERIODIC.");
  CHECK(failed->owner == "data-team");
  const auto recovered = notification_for(core::Event{
      9'000, "job.run_recovered", {{"job", "etl"}, {"target", "production"}, {"run_id", 890}}});
  REQUIRE(recovered);
  CHECK(recovered->kind == Kind::kRunRecovered);
  CHECK(recovered->resolves());
  CHECK(recovered->title == "etl on production recovered");
  CHECK(recovered->dedup_key == "kiln/production/etl/run");
  CHECK(failed->dedup_key == recovered->dedup_key);
  CHECK(failed->id == "kiln/production/etl/run/881/failed");
  CHECK(recovered->id == "kiln/production/etl/run/890/recovered");
}

TEST_CASE("the same drift seen twice has one id and a different drift another") {
  auto drift = [](const std::string& kind, const std::string& detail) {
    return notification_for(core::Event{
        0, "job.drift", {{"job", "etl"}, {"target", "dev"}, {"kind", kind}, {"detail", detail}}});
  };
  const auto edited = drift("edited", "max_concurrent_runs 1 -> 2");
  REQUIRE(edited);
  CHECK(edited->kind == Kind::kDrift);
  CHECK(edited->severity == Severity::kWarning);
  CHECK(edited->title == "Drift on etl (dev): the job's settings were edited in the workspace");
  CHECK(edited->text == "max_concurrent_runs 1 -> 2");
  CHECK(edited->dedup_key == "kiln/dev/etl/drift");
  CHECK(drift("edited", "max_concurrent_runs 1 -> 2")->id == edited->id);
  CHECK(drift("edited", "timeout_seconds 0 -> 60")->id != edited->id);
  CHECK(drift("deleted", "")->title == "Drift on etl (dev): the job was deleted in the workspace");
  CHECK(drift("extra_run", "run 5")->title == "Drift on etl (dev): a run kiln did not start");
}

TEST_CASE("quota pressure is a warning and an error from 95 percent of the limit") {
  auto quota = [](int saved, double fraction, json high = true) {
    return notification_for(core::Event{
        0,
        "workspace.quota",
        {{"saved_jobs", saved}, {"limit", 12'000}, {"fraction", fraction}, {"high", high}}});
  };
  const auto warning = quota(11'040, 0.92);
  REQUIRE(warning);
  CHECK(warning->kind == Kind::kQuotaPressure);
  CHECK(warning->severity == Severity::kWarning);
  CHECK(warning->title == "Workspace job quota at 92% (11040 of 12000 jobs)");
  CHECK(warning->job.empty());
  CHECK(warning->dedup_key == "kiln/workspace/quota");
  CHECK(warning->id == "kiln/workspace/quota/warning/11040");
  CHECK(quota(11'040, 0.92)->id == warning->id);
  const auto error = quota(11'400, 0.95);
  CHECK(error->severity == Severity::kError);
  CHECK(error->id == "kiln/workspace/quota/error/11400");
  CHECK(quota(11'400, 0.95, json())->kind == Kind::kQuotaPressure);  // no `high`: pressure
  CHECK_FALSE(notification_for(core::Event{0, "workspace.quota", {{"saved_jobs", 1}}}));
}

TEST_CASE("quota back under the warning fraction resolves the quota incident") {
  const auto relieved = notification_for(core::Event{
      0,
      "workspace.quota",
      {{"saved_jobs", 10'200}, {"limit", 12'000}, {"fraction", 0.85}, {"high", false}}});
  REQUIRE(relieved);
  CHECK(relieved->kind == Kind::kQuotaRelieved);
  CHECK(relieved->severity == Severity::kInfo);
  CHECK(relieved->resolves());
  CHECK(relieved->title == "Workspace job quota back down to 85% (10200 of 12000 jobs)");
  CHECK(relieved->dedup_key == "kiln/workspace/quota");
  CHECK(relieved->id == "kiln/workspace/quota/relieved/10200");
}

TEST_CASE("a cleanup deletion names the Databricks job and when it was last active") {
  const auto n = notification_for(core::Event{0,
                                              "cleanup.deleted",
                                              {{"job", "old"},
                                               {"target", "dev"},
                                               {"job_id", 77},
                                               {"last_active_ms", 1'714'564'800'000},
                                               {"idle_days", 93},
                                               {"owner", "data-team"}}});
  REQUIRE(n);
  CHECK(n->kind == Kind::kCleanupDeleted);
  CHECK(n->severity == Severity::kInfo);
  CHECK(n->owner == "data-team");
  CHECK(n->title == "Cleanup deleted old on dev");
  CHECK(n->text == "Databricks job 77; last active 2024-05-01T12:00:00.000Z, idle 93 day(s).");
  CHECK(n->id == "kiln/dev/old/cleanup/77");
  const auto never = notification_for(
      core::Event{0, "cleanup.deleted", {{"job", "old"}, {"target", "dev"}, {"job_id", 78}}});
  CHECK(never->text == "Databricks job 78; never active.");
  CHECK_FALSE(notification_for(
      core::Event{0, "cleanup.would_delete", {{"job", "old"}, {"target", "dev"}, {"job_id", 78}}}));
}

TEST_CASE("a cleanup deletion says why the job went") {
  const auto parked = notification_for(core::Event{
      0,
      "cleanup.deleted",
      {{"job", "orders"}, {"target", "prod"}, {"job_id", 5}, {"why", "parked_expired"}}});
  REQUIRE(parked);
  CHECK(parked->title == "Cleanup deleted orders on prod");
  CHECK(parked->text == "Databricks job 5; a parked blue past its park time; never active.");
  const auto gone = notification_for(core::Event{
      0, "cleanup.deleted", {{"job", "old"}, {"target", "dev"}, {"job_id", 77}, {"why", "gone"}}});
  REQUIRE(gone);
  CHECK(gone->kind == Kind::kCleanupDeleted);
  CHECK(gone->title == "old on dev is gone; cleanup recorded it removed");
  CHECK(gone->text == "Databricks job 77; already gone from the workspace; never active.");
  // The same job's deletion has one id, whichever way it was found: it notifies once.
  CHECK(gone->id == "kiln/dev/old/cleanup/77");
}

TEST_CASE("kinds and severities round-trip through their API strings") {
  for (const auto& name : kind_names()) CHECK(to_string(*parse_kind(name)) == name);
  for (const auto& name : severity_names()) CHECK(to_string(*parse_severity(name)) == name);
  CHECK_FALSE(parse_kind("deploy_fail"));
  CHECK(Severity::kInfo < Severity::kWarning);
  CHECK(Severity::kError < Severity::kCritical);
  CHECK(triggers_closed_by(Kind::kDeploySucceeded).size() == 2);
  CHECK(triggers_closed_by(Kind::kQuotaRelieved).size() == 2);
  CHECK(triggers_closed_by(Kind::kDeployFailed).empty());
}

TEST_CASE("a notification as JSON has every field and its action") {
  const auto n = notification_for(deployment("succeeded"));
  const json j = to_json(*n);
  CHECK(j["action"] == "resolve");
  CHECK(j["kind"] == "deploy_succeeded");
  CHECK(j["time"] == "1970-01-01T00:00:01.000Z");
  CHECK(j["t"] == 1'000);
  CHECK(j["fields"]["deployment"] == 12);
  CHECK(j.size() == 13);
  CHECK(to_json(*notification_for(deployment("failed")))["action"] == "trigger");
}

}  // namespace
}  // namespace kiln::notify
