#include "platform/metrics/event_collector.h"

#include <catch2/catch.hpp>
#include <string>

#include "platform/metrics/exposition.h"
#include "platform/metrics/metrics_testing.h"

namespace kiln::metrics {
namespace {

nlohmann::json deployment(std::int64_t id, const std::string& job, const std::string& status,
                          std::optional<std::int64_t> latency_ms = std::nullopt) {
  nlohmann::json f = {
      {"deployment", id}, {"job", job},           {"target", "prod"},          {"version", 3},
      {"build", "b-1"},   {"strategy", "simple"}, {"requested_by", "cd:prod"}, {"status", status}};
  if (latency_ms) f["latency_ms"] = *latency_ms;
  return f;
}

nlohmann::json phase(const std::string& name, const std::string& outcome,
                     std::optional<std::int64_t> took_ms = std::nullopt) {
  nlohmann::json f = {{"deployment", 1}, {"job", "orders"}, {"target", "prod"},
                      {"version", 3},    {"phase", name},   {"outcome", outcome}};
  if (took_ms) f["took_ms"] = *took_ms;
  return f;
}

double value(const Registry& r, const std::string& name, const Labels& labels) {
  const Sample* s = r.sample(name, labels);
  INFO(name);
  REQUIRE(s != nullptr);
  return s->value;
}

Labels deploys(const std::string& job, const std::string& status) {
  return {{"job", job}, {"target", "prod"}, {"strategy", "simple"}, {"status", status}};
}

TEST_CASE("the event collector counts deployments by status and times the ended ones") {
  core::EventLog log;
  Registry r;
  EventCollector collector(log, r);
  log.publish({0, "kiln.start", {{"open_workflows", 0}}});
  log.publish({10, "kiln.deployment", deployment(1, "orders", "queued")});
  log.publish({20, "kiln.deployment", deployment(1, "orders", "running")});
  log.publish({30, "kiln.phase", phase("prepare", "running")});
  log.publish({40, "kiln.phase", phase("prepare", "succeeded", 120)});
  log.publish({50, "kiln.phase", phase("start", "failed", 2'500)});
  log.publish({60, "kiln.deployment", deployment(1, "orders", "failed", 42'000)});
  log.publish({70, "kiln.deployment", deployment(2, "orders", "queued")});
  log.publish({80, "kiln.deployment", deployment(3, "orders", "queued")});
  log.publish({90, "kiln.deployment", deployment(2, "orders", "superseded", 20)});
  log.publish({95, "kiln.deployment", deployment(4, "billing", "queued")});
  log.publish({96, "api.call", {{"method", "GET"}, {"status", 200}}});  // the emulator's, ignored

  CHECK(value(r, "kiln_starts_total", {}) == 1);
  CHECK(value(r, "kiln_deployments_total", deploys("orders", "queued")) == 3);
  CHECK(value(r, "kiln_deployments_total", deploys("orders", "running")) == 1);
  CHECK(value(r, "kiln_deployments_total", deploys("orders", "failed")) == 1);
  CHECK(value(r, "kiln_deployments_total", deploys("orders", "superseded")) == 1);
  CHECK(value(r, "kiln_deployments_total", deploys("billing", "queued")) == 1);
  CHECK(r.sample("kiln_deployments_total", deploys("orders", "succeeded")) == nullptr);

  const Sample* failed =
      r.sample("kiln_deployment_duration_seconds",
               {{"strategy", "simple"}, {"target", "prod"}, {"status", "failed"}});
  REQUIRE(failed != nullptr);
  CHECK(failed->count == 1);
  CHECK(failed->sum == 42.0);
  const Sample* start =
      r.sample("kiln_deploy_phase_duration_seconds", {{"phase", "start"}, {"outcome", "failed"}});
  REQUIRE(start != nullptr);
  CHECK(start->sum == 2.5);
  CHECK(r.sample("kiln_deploy_phase_duration_seconds",
                 {{"phase", "prepare"}, {"outcome", "running"}}) == nullptr);

  const std::string text = render_prometheus(r);
  CHECK(testing::format_problems(text) == std::vector<std::string>{});
  CHECK_THAT(text,
             Catch::Contains(
                 "kiln_deployment_duration_seconds_bucket{status=\"failed\",strategy=\"simple\","
                 "target=\"prod\",le=\"30\"} 0\n"
                 "kiln_deployment_duration_seconds_bucket{status=\"failed\",strategy=\"simple\","
                 "target=\"prod\",le=\"60\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("kiln_deployments_total{job=\"orders\",status=\"queued\","
                                   "strategy=\"simple\",target=\"prod\"} 3\n"));
}

TEST_CASE("the event collector follows job health drift cleanup and the workspace quota") {
  core::EventLog log;
  Registry r;
  EventCollector collector(log, r);
  const Labels orders{{"job", "orders"}, {"target", "prod"}};
  log.publish({1, "job.run_failed", {{"job", "orders"}, {"target", "prod"}, {"run_id", 7}}});
  CHECK(value(r, "kiln_job_failing", orders) == 1);
  log.publish({2, "job.run_failed", {{"job", "orders"}, {"target", "prod"}, {"run_id", 8}}});
  log.publish({3, "job.run_recovered", {{"job", "orders"}, {"target", "prod"}, {"run_id", 9}}});
  log.publish({4, "job.drift", {{"job", "orders"}, {"target", "prod"}, {"kind", "settings"}}});
  log.publish({5, "cleanup.deleted", {{"job", "old"}, {"target", "prod"}}});
  log.publish({6, "cleanup.deleted", {{"job", "older"}, {"target", "prod"}}});
  log.publish({7, "workspace.quota", {{"saved_jobs", 950}, {"limit", 1000}, {"high", true}}});
  log.publish({8, "workspace.quota", {{"saved_jobs", 850}, {"limit", 1000}, {"high", false}}});

  CHECK(value(r, "kiln_job_run_failures_total", orders) == 2);
  CHECK(value(r, "kiln_job_run_recoveries_total", orders) == 1);
  CHECK(value(r, "kiln_job_failing", orders) == 0);
  CHECK(value(r, "kiln_job_drift_total",
              {{"job", "orders"}, {"target", "prod"}, {"kind", "settings"}}) == 1);
  CHECK(value(r, "kiln_cleanup_deleted_jobs_total", {{"target", "prod"}}) == 2);
  CHECK(value(r, "kiln_workspace_quota_warnings_total", {}) == 1);
  CHECK(value(r, "kiln_workspace_saved_jobs_limit", {}) == 1000);
  CHECK(r.find("kiln_workspace_saved_jobs") == nullptr);  // the DB's: this would go stale
}

TEST_CASE("the event collector declares its families before any event and stops when destroyed") {
  core::EventLog log;
  Registry r;
  {
    EventCollector collector(log, r);
    const std::string text = render_prometheus(r);
    CHECK_THAT(text, Catch::Contains("# TYPE kiln_deployments_total counter\n"));
    CHECK_THAT(text, Catch::Contains("# TYPE kiln_deploy_phase_duration_seconds histogram\n"));
    CHECK_THAT(text, Catch::Contains("kiln_starts_total 0\n"));
    CHECK(testing::format_problems(text) == std::vector<std::string>{});
  }
  log.publish({1, "kiln.start", {{"open_workflows", 0}}});
  CHECK(value(r, "kiln_starts_total", {}) == 0);
}

TEST_CASE("an event collector without deployments leaves those families to the DB") {
  core::EventLog log;
  Registry r;
  EventCollector collector(log, r, {.deployments = false});
  log.publish({10, "kiln.deployment", deployment(1, "orders", "failed", 1'000)});
  log.publish({20, "kiln.phase", phase("start", "failed", 500)});
  CHECK(r.find("kiln_deployments_total") == nullptr);
  CHECK(r.find("kiln_deployment_duration_seconds") == nullptr);
  CHECK(r.find("kiln_deploy_phase_duration_seconds")->series.size() == 1);
}

}  // namespace
}  // namespace kiln::metrics
