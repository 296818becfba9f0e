#include "fake-databricks/cli/demo.h"

#include <date/date.h>
#include <fmt/format.h>

#include <chrono>
#include <map>

#include "core/clock/simulated_loop.h"
#include "core/events/trace.h"
#include "fake-databricks/workspace/fake_workspace.h"

namespace fakedb::cli {
namespace {

using nlohmann::json;

std::string clock_text(kiln::core::TimeMs ms) {
  return date::format(
      "%F %T", date::floor<std::chrono::seconds>(
                   date::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms))));
}

json notebook_task(const std::string& key, const std::string& path) {
  return {
      {"task_key", key},
      {"notebook_task", {{"notebook_path", path}}},
      {"new_cluster",
       {{"spark_version", "15.4.x-scala2.12"}, {"node_type_id", "i3.xlarge"}, {"num_workers", 2}}}};
}

json with(json base, const json& patch) {
  base.merge_patch(patch);
  return base;
}

WorkspaceConfig demo_config() {
  json spec = {
      {"workloads",
       {{"rules",
         {{{"match", {{"path", "*/flaky*"}}},
           {"model",
            {{"kind", "scripted"},
             {"fail_on_attempts", {0, 1}},
             {"duration_ms", {{"fixed", 90000}}}}}},
          {{"match", {{"path", "*/stream*"}}}, {"model", {{"kind", "streaming"}}}},
          {{"match", {{"path", "*/report*"}}},
           {"model", {{"kind", "batch"}, {"duration_ms", {{"uniform", {300000, 600000}}}}}}}}}}}};
  return WorkspaceConfig::from_json(spec).value();
}

}  // namespace

int run_demo(const DemoOptions& options, std::ostream& out) {
  const WorkspaceConfig config = demo_config();
  kiln::core::SimulatedLoop loop(config.start_time_ms);
  kiln::core::EventLog events;
  kiln::core::TraceRecorder trace(events);
  FakeWorkspace ws(loop, events, options.seed, config);

  std::map<std::int64_t, std::string> names;
  events.subscribe([&](const kiln::core::Event& e) {
    const auto& f = e.fields;
    std::string line;
    if (e.type == "job.created") {
      names[f["job_id"]] = f["name"];
      line = fmt::format("job {} created ({})", f["name"].get<std::string>(),
                         f["job_id"].get<std::int64_t>());
    } else if (e.type == "run.state") {
      auto name = names.count(f["job_id"]) ? names[f["job_id"]] : std::string("one-time");
      line = fmt::format("{:<14} run {} {}{}", name, f["run_id"].get<std::int64_t>(),
                         f["state"].get<std::string>(),
                         f.contains("result") ? " " + f["result"].get<std::string>() : "");
    } else if (e.type == "task.state" &&
               (f["state"] == "TERMINATED" || f["state"] == "WAITING_FOR_RETRY" ||
                f["state"] == "INTERNAL_ERROR")) {
      line = fmt::format("{:<14}   task {} attempt {} {}{}", names[f["job_id"]],
                         f["task_key"].get<std::string>(), f["attempt"].get<int>(),
                         f["state"].get<std::string>(),
                         f.contains("result") ? " " + f["result"].get<std::string>() : "");
    } else if (e.type == "cluster.state" && f.value("source", "") == "API") {
      line = fmt::format("cluster {} {}", f["cluster_id"].get<std::string>(),
                         f["state"].get<std::string>());
    } else if (e.type == "api.call" && (options.show_api_calls || f["status"] != 200)) {
      line = fmt::format("api {} {} -> {}", f["method"].get<std::string>(),
                         f["path"].get<std::string>(), f["status"].get<int>());
    }
    if (!line.empty()) out << clock_text(e.time_ms) << "  " << line << "\n";
  });

  auto post = [&](const std::string& path, const json& body) {
    return ws.handle(ApiRequest::post("/api/2.2/" + path, body));
  };
  out << "fake-databricks demo: one workspace on virtual time, seed " << options.seed << "\n\n";
  post("jobs/create", {{"name", "nightly-etl"},
                       {"tasks",
                        {notebook_task("ingest", "/etl/ingest"),
                         with(notebook_task("transform", "/etl/transform"),
                              {{"depends_on", {{{"task_key", "ingest"}}}}})}}});
  post("jobs/create", {{"name", "flaky-export"},
                       {"tasks",
                        {with(notebook_task("export", "/etl/flaky_export"),
                              {{"max_retries", 3}, {"min_retry_interval_millis", 60000}})}}});
  post("jobs/create",
       {{"name", "hourly-report"},
        {"schedule",
         {{"quartz_cron_expression", "0 0 * * * ?"}, {"timezone_id", "Europe/Amsterdam"}}},
        {"tasks", {notebook_task("report", "/bi/report")}}});
  post("jobs/create", {{"name", "orders-stream"},
                       {"continuous", {{"pause_status", "UNPAUSED"}}},
                       {"tasks", {notebook_task("stream", "/streams/stream_orders")}}});
  const auto etl = ws.jobs_named("nightly-etl").front();
  const auto flaky = ws.jobs_named("flaky-export").front();
  post("jobs/run-now", {{"job_id", etl}, {"idempotency_token", "demo-1"}});
  post("jobs/run-now", {{"job_id", etl}, {"idempotency_token", "demo-1"}});  // deduplicated
  post("jobs/run-now", {{"job_id", etl}});  // over max_concurrent_runs = 1: SKIPPED (2.2 queues)
  post("jobs/run-now", {{"job_id", flaky}});
  ws.handle(ApiRequest::post("/api/2.1/clusters/create", {{"cluster_name", "analysts"},
                                                          {"spark_version", "15.4.x-scala2.12"},
                                                          {"node_type_id", "i3.xlarge"},
                                                          {"num_workers", 1},
                                                          {"autotermination_minutes", 30}}));
  loop.run_until(config.start_time_ms + options.hours * 3'600'000);

  const auto list = ws.handle(ApiRequest::get("/api/2.2/jobs/runs/list", {{"limit", "25"}}));
  out << "\nAfter " << options.hours << " virtual hours: " << ws.job_count() << " jobs, "
      << ws.runs().run_count() << " runs, " << events.published() << " events, "
      << loop.events_run() << " loop events.\n";
  out << "Newest runs (runs/list):\n";
  for (const auto& r : list.body.value("runs", json::array())) {
    out << fmt::format("  {:<14} {:<16} {:<11} {}\n", r["run_name"].get<std::string>(),
                       r["run_id"].get<std::int64_t>(),
                       r["state"]["life_cycle_state"].get<std::string>(),
                       r["state"].value("result_state", ""));
  }
  out << "\nTrace fingerprint (same seed, same bytes): " << trace.fingerprint() << "\n";
  return 0;
}

}  // namespace fakedb::cli
