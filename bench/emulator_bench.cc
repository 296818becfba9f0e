// fake-databricks throughput on one core:
//   BM_RunLifecycles      full job-run lifecycles per wall second in a 10,000-job workspace
//                         (run-now, serverless setup, a batch task, cleanup, roll-up).
//   BM_DayOfHourlySchedules a whole virtual day of 10,000 jobs on hourly cron schedules
//                         (240,000 runs); reports simulated seconds per wall second.
// Figures go in docs/benchmarks.md; no test asserts on them.
#include <benchmark/benchmark.h>

#include <string>

#include "core/clock/simulated_loop.h"
#include "fake-databricks/workspace/fake_workspace.h"

namespace {

using databricks::ApiRequest;
using fakedb::FakeWorkspace;
using fakedb::WorkspaceConfig;
using nlohmann::json;

constexpr int kJobs = 10'000;

WorkspaceConfig bench_config() {
  json spec = {
      {"limits", {{"rate_limits", false}, {"job_creations_per_hour", 0}}},
      {"latency_ms", 0},
      {"workloads",
       {{"default", {{"kind", "batch"}, {"duration_ms", {{"lognormal", {300000, 0.3}}}}}}}}};
  return WorkspaceConfig::from_json(spec).value();
}

json job(int i, bool scheduled) {
  json settings = {
      {"name", "job-" + std::to_string(i)},
      {"tasks", {{{"task_key", "main"}, {"notebook_task", {{"notebook_path", "/jobs/main"}}}}}}};
  if (scheduled) {
    // Spread over the hour: minute i % 60, so about 167 runs start each minute.
    settings["schedule"] = {{"quartz_cron_expression", "0 " + std::to_string(i % 60) + " * * * ?"},
                            {"timezone_id", "UTC"}};
  }
  return settings;
}

struct World {
  WorkspaceConfig config = bench_config();
  kiln::core::SimulatedLoop loop{config.start_time_ms};
  kiln::core::EventLog events;
  FakeWorkspace ws{loop, events, 1, config};
  std::vector<std::int64_t> ids;

  explicit World(bool scheduled) {
    ids.reserve(kJobs);
    for (int i = 0; i < kJobs; ++i) {
      auto r = ws.handle(ApiRequest::post("/api/2.1/jobs/create", job(i, scheduled)));
      if (r.status != 200) throw std::runtime_error(r.body.dump());
      ids.push_back(r.body["job_id"]);
    }
  }
};

void BM_RunLifecycles(benchmark::State& state) {
  World w(false);
  const int batch = static_cast<int>(state.range(0));
  std::size_t next = 0;
  std::int64_t lifecycles = 0;
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i) {
      auto r = w.ws.handle(ApiRequest::post("/api/2.1/jobs/run-now", {{"job_id", w.ids[next]}}));
      benchmark::DoNotOptimize(r);
      next = (next + 1) % w.ids.size();
    }
    w.loop.run_until_idle();
    lifecycles += batch;
  }
  state.counters["lifecycles_per_s"] =
      benchmark::Counter(static_cast<double>(lifecycles), benchmark::Counter::kIsRate);
  state.counters["runs_in_workspace"] = static_cast<double>(w.ws.runs().run_count());
}
BENCHMARK(BM_RunLifecycles)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_DayOfHourlySchedules(benchmark::State& state) {
  std::int64_t days = 0, runs = 0, events = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto w = std::make_unique<World>(true);
    state.ResumeTiming();
    w->loop.run_until(w->config.start_time_ms + 24LL * 3'600'000);
    ++days;
    runs += static_cast<std::int64_t>(w->ws.runs().run_count());
    events += static_cast<std::int64_t>(w->loop.events_run());
    state.PauseTiming();
    w.reset();
    state.ResumeTiming();
  }
  state.counters["sim_s_per_wall_s"] =
      benchmark::Counter(static_cast<double>(days) * 86'400, benchmark::Counter::kIsRate);
  state.counters["runs_per_day"] = static_cast<double>(runs) / static_cast<double>(days);
  state.counters["loop_events_per_day"] = static_cast<double>(events) / static_cast<double>(days);
}
BENCHMARK(BM_DayOfHourlySchedules)->Unit(benchmark::kSecond)->Iterations(1);

// The same call `serve` answers in bench/serve_bench.sh, in-process: what HTTP costs on top.
void BM_InProcessRunsGet(benchmark::State& state) {
  World w(false);
  auto r = w.ws.handle(ApiRequest::post("/api/2.2/jobs/run-now", {{"job_id", w.ids[0]}}));
  const std::string run_id = std::to_string(r.body["run_id"].get<std::int64_t>());
  const auto request = ApiRequest::get("/api/2.2/jobs/runs/get", {{"run_id", run_id}});
  for (auto _ : state) benchmark::DoNotOptimize(w.ws.handle(request));
  state.counters["calls_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_InProcessRunsGet)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
