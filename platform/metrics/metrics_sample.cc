// Prints every family kiln exposes, from each source, with a few series each: the input of the
// promtool check (promtool_check.sh) and an example for docs/metrics.md. Not installed.
#include <iostream>

#include "core/events/event.h"
#include "platform/metrics/db_collector.h"
#include "platform/metrics/event_collector.h"
#include "platform/metrics/exposition.h"
#include "platform/metrics/process_counters.h"
#include "platform/store/sqlite_store.h"

namespace {

using kiln::store::DeploymentStatus;

int fail(const std::string& what) {
  std::cerr << "metrics_sample: " << what << "\n";
  return 1;
}

}  // namespace

int main() {
  using namespace kiln;  // NOLINT(google-build-using-namespace): a short program
  auto opened = store::open_sqlite_store(":memory:");
  if (!opened) return fail(opened.error().describe());
  auto& db = **opened;
  const std::int64_t t0 = 1'795'250'652'000;
  if (!db.upsert_build({"b-1", "59f8d7c1a1b3", t0, store::BuildStatus::kSucceeded, "", 1})) {
    return fail("build");
  }
  store::DeploymentRequest request{
      "orders",        "production",           "b-1", 3, store::Strategy::kSimple,
      "cd:production", "deployVersion 2 -> 3", t0};
  auto d = db.create_deployment(request);
  if (!d) return fail(d.error().describe());
  if (!db.transition_deployment({d->id, DeploymentStatus::kRunning, t0 + 1'000, ""}) ||
      !db.transition_deployment({d->id, DeploymentStatus::kSucceeded, t0 + 41'500, "ok"})) {
    return fail("transition");
  }
  store::Job job;
  job.name = "orders";
  job.target = "production";
  job.databricks_job_id = 720000000007516;
  job.deployed_version = 3;
  job.deployed_build_id = "b-1";
  job.state = store::JobState::kDeployed;
  job.updated_ms = t0 + 41'500;
  if (!db.upsert_job(job)) return fail("job");
  store::Run run;
  run.run_id = 310000000001376;
  run.job_name = "orders";
  run.target = "production";
  run.databricks_job_id = 720000000007516;
  run.version = 3;
  run.life_cycle_state = "TERMINATED";
  run.result_state = "SUCCESS";
  run.start_ms = t0 + 40'000;
  run.end_ms = t0 + 100'250;
  if (!db.upsert_run(run)) return fail("run");
  if (!db.create_workflow({"cd", "cd:production", nlohmann::json::object(), t0, t0}) ||
      !db.create_workflow({"monitor",
                           "monitor",
                           {{"saved_jobs", 9'200}, {"quota_high", true}},
                           t0 + 300'000,
                           t0})) {
    return fail("workflow");
  }

  streams::LockState stream;  // green took the writer lock from blue and is writing
  stream.stream = "orders.events";
  stream.holder = "orders-v4";
  stream.token = 2;
  stream.lease_until_ms = t0 + 140'000;
  stream.preferred = "orders-v4";
  stream.committed = 184'220;
  stream.committed_by = "orders-v4";
  stream.committed_token = 2;
  stream.committed_ms = t0 + 118'000;
  stream.head = 184'900;
  if (!db.put_stream(stream, t0 + 118'000)) return fail("stream");

  metrics::Registry registry;
  for (const auto& e : metrics::collect_from_db(db, nullptr, t0 + 120'000, registry)) {
    return fail(e);
  }

  // As a server would: the DB read per scrape, events counted as they come (deployments are the
  // DB's), and the process's own counters snapshotted.
  metrics::Registry from_events;
  core::EventLog log;
  metrics::EventCollector collector(log, from_events, {.deployments = false});
  log.publish({t0, "kiln.start", {{"open_workflows", 1}}});
  log.publish({t0 + 1'000,
               "kiln.phase",
               {{"deployment", 1},
                {"job", "orders"},
                {"target", "production"},
                {"version", 3},
                {"phase", "start"},
                {"outcome", "succeeded"},
                {"took_ms", 850}}});
  log.publish({t0 + 2'000,
               "job.drift",
               {{"job", "orders \"eu\""}, {"target", "production"}, {"kind", "settings\\tags"}}});
  log.publish({t0 + 3'000,
               "workspace.quota",
               {{"saved_jobs", 9'200}, {"limit", 10'000}, {"fraction", 0.92}, {"high", true}}});
  databricks::RetryCounters retries;
  retries.calls = 120;
  retries.attempts = 126;
  retries.retries = 6;
  retries.backoff_ms = 7'250;
  metrics::Registry process;
  metrics::collect_workspace_counters(retries, process);
  workflow::EngineCounters engine;
  engine.steps = 40;
  engine.commits = 31;
  metrics::collect_engine_counters(engine, 3, 1, process);

  std::cout << metrics::render_prometheus({&registry, &from_events, &process});
  return 0;
}
