// Deploy workflows per second against SQLite's own commit rate, in one run on one machine:
//   BM_DeployWorkflows    whole deploys per wall second: kiln::runtime::Kiln over the in-process
//                         fake-databricks (virtual time), a local artifact store and the SQLite
//                         metadata DB. Each iteration deploys every job of one published build
//                         (simple strategy, batch job, wait_for RUNNING) and runs the loop until
//                         every deployment has finished; counters give the engine's commits per
//                         deploy and its commits per wall second.
//   BM_SqliteUpsertRun    one upsert_run per iteration: the smallest committed transaction.
//   BM_SqliteCommitStep   one commit_step of a workflow with a small state and no side writes.
// Arg in_memory:0 is a DB file in a temp dir (WAL, synchronous=FULL: one fsync per commit, so
// bounded by the disk), in_memory:1 is ":memory:" (the CPU cost alone). The fraction of SQLite's
// commit rate the engine achieves is commits_per_s of BM_DeployWorkflows over items_per_second
// of BM_SqliteCommitStep (or BM_SqliteUpsertRun) with the same Arg.
//   cmake --build build/release --target deploy_bench -j4
//   build/release/bench/deploy_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/clock/simulated_loop.h"
#include "core/events/event.h"
#include "fake-databricks/workspace/fake_workspace.h"
#include "platform/artifacts/build_writer.h"
#include "platform/artifacts/local_store.h"
#include "platform/runtime/kiln.h"
#include "platform/store/sqlite_store.h"

namespace kiln::runtime {
namespace {

using nlohmann::json;

constexpr int kJobs = 100;
constexpr const char* kTarget = "production";
// A bound on one round of deploys: each needs a cluster start (<= 5 virtual minutes).
constexpr core::DurationMs kRoundLimitMs = 86'400'000;

// Setup failures are not measurements: say why and stop.
[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "deploy_bench: %s\n", why.c_str());
  std::abort();
}

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "kiln-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) fail("mkdtemp failed");
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// The metadata DB as a file in `dir`, or ":memory:".
std::unique_ptr<store::MetadataStore> open_store(const TempDir& dir, bool in_memory) {
  auto opened = store::open_sqlite_store(in_memory ? ":memory:" : dir.file("kiln.db"));
  if (!opened) fail("open_sqlite_store: " + opened.error().describe());
  return std::move(opened).value();
}

// No request limits; every run is a one-minute batch workload that succeeds.
fakedb::WorkspaceConfig workspace_config() {
  const json spec = {
      {"limits", {{"rate_limits", false}}},
      {"latency_ms", 50},
      {"workloads", {{"default", {{"kind", "batch"}, {"duration_ms", {{"fixed", 60'000}}}}}}}};
  auto config = fakedb::WorkspaceConfig::from_json(spec);
  if (!config) fail("workspace config: " + config.error().message);
  return std::move(config).value();
}

std::string job_name(int i) {
  char name[16];
  std::snprintf(name, sizeof name, "job-%03d", i);
  return name;
}

// A job config of the simple strategy (the default) on a one-worker job cluster.
std::string job_yaml(const std::string& name) {
  return "kind: Job\nname: " + name + "\ntarget: " + kTarget +
         "\ndeployVersion: 1\nstrategy: simple\nowner: data-team\nsettings:\n"
         "  max_concurrent_runs: 1\n  tasks:\n    - task_key: main\n      notebook_task:\n"
         "        notebook_path: /Workspace/etl/nb\n"
         "      new_cluster: {spark_version: 15.4.x-scala2.12, node_type_id: i3.xlarge, "
         "num_workers: 1}\n";
}

KilnOptions kiln_options() {
  KilnOptions options;
  // Virtual time is free; a long poll only saves the idle polls of a cluster start.
  options.deploy.poll_ms = 60'000;
  options.deploy.queue_poll_ms = 60'000;
  options.deploy.wait_for = deploy::WaitFor::kRunning;
  return options;
}

// One kiln over its own emulated workspace, artifact store and metadata DB, with one published
// build of kJobs jobs.
struct DeployWorld {
  explicit DeployWorld(bool in_memory) {
    auto opened = artifacts::open_local_store(dir.file("artifacts"));
    if (!opened) fail("open_local_store: " + opened.error().message);
    artifact_store = std::move(opened).value();
    store = open_store(dir, in_memory);

    artifacts::BuildInput input;
    input.commit_sha = std::string(40, 'a');
    input.created_ms = loop.now_ms();
    for (int i = 0; i < kJobs; ++i) {
      const std::string name = job_name(i);
      input.jobs.push_back(
          {name,
           kTarget,
           1,
           {{"kiln.yaml", "kind: JobFolder\nconfigs: [configs/*.yaml]\n", false},
            {std::string("configs/") + kTarget + ".yaml", job_yaml(name), false}}});
    }
    artifacts::BuildWriter writer(*artifact_store);
    auto record = writer.write(input);
    if (!record) fail("BuildWriter: " + record.error().message);
    if (record->status != artifacts::kBuildSucceeded) fail("build failed: " + record->error);
    build_id = record->build_id;

    kiln = std::make_unique<Kiln>(loop, *store, *artifact_store, ws, kiln_options());
    if (auto started = kiln->start(); !started) fail("start: " + started.error().describe());
  }

  // Requests a deploy of every job, then runs the loop until each deployment has finished.
  // Returns "" if all succeeded, else why not.
  std::string deploy_all() {
    std::vector<std::int64_t> ids;
    ids.reserve(kJobs);
    for (int i = 0; i < kJobs; ++i) {
      auto requested = kiln->deploy(job_name(i), kTarget, build_id, "bench");
      if (!requested) return "deploy " + job_name(i) + ": " + requested.error().describe();
      ids.push_back(requested->deployment.id);
    }
    // The store is read only when a workflow has finished, so the reads stay a few per deploy.
    const core::TimeMs until_ms = loop.now_ms() + kRoundLimitMs;
    std::size_t first_open = 0;
    std::uint64_t finished_seen = 0;
    bool first_check = true;
    while (true) {
      const std::uint64_t finished = kiln->engine().counters().finished;
      if (first_check || finished != finished_seen) {
        first_check = false;
        finished_seen = finished;
        for (; first_open < ids.size(); ++first_open) {
          auto deployment = store->get_deployment(ids[first_open]);
          if (!deployment) return "get_deployment: " + deployment.error().describe();
          if (store::is_open(deployment->status)) break;
          if (deployment->status != store::DeploymentStatus::kSucceeded) {
            return "deployment " + std::to_string(ids[first_open]) + " ended " +
                   std::string(store::to_string(deployment->status)) + ": " +
                   deployment->outcome_reason;
          }
        }
        if (first_open == ids.size()) return "";
      }
      if (loop.now_ms() > until_ms || !loop.step()) {
        return "deployment " + std::to_string(ids[first_open]) +
               " still open when the loop stopped (engine: " + kiln->engine().last_store_error() +
               ")";
      }
    }
  }

  // Lets the batch runs end, so that every round deploys over jobs with no active run.
  std::string drain() {
    loop.run_until_idle(10'000'000);
    if (loop.pending() != 0) return "the loop did not go idle";
    return "";
  }

  fakedb::WorkspaceConfig config = workspace_config();
  core::SimulatedLoop loop{config.start_time_ms};
  core::EventLog events;
  fakedb::FakeWorkspace ws{loop, events, 1, config};
  TempDir dir;
  std::unique_ptr<artifacts::ArtifactStore> artifact_store;
  std::unique_ptr<store::MetadataStore> store;
  std::unique_ptr<Kiln> kiln;
  std::string build_id;
};

void BM_DeployWorkflows(benchmark::State& state) {
  DeployWorld world(state.range(0) == 1);
  // An untimed first round creates the Databricks jobs; timed rounds reset them (an upgrade).
  if (auto why = world.deploy_all(); !why.empty()) return state.SkipWithError(why.c_str());
  if (auto why = world.drain(); !why.empty()) return state.SkipWithError(why.c_str());

  const workflow::EngineCounters before = world.kiln->engine().counters();
  std::int64_t deploys = 0;
  double wall_s = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    if (auto why = world.deploy_all(); !why.empty()) {
      state.SkipWithError(why.c_str());
      break;
    }
    wall_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    deploys += kJobs;
    state.PauseTiming();
    if (auto why = world.drain(); !why.empty()) {
      state.SkipWithError(why.c_str());
      break;
    }
    state.ResumeTiming();
  }
  if (deploys == 0) return;
  const workflow::EngineCounters& after = world.kiln->engine().counters();
  const auto per_deploy = [&](std::uint64_t delta) {
    return static_cast<double>(delta) / static_cast<double>(deploys);
  };
  state.SetItemsProcessed(deploys);
  state.counters["commits_per_deploy"] = per_deploy(after.commits - before.commits);
  state.counters["steps_per_deploy"] = per_deploy(after.steps - before.steps);
  // Over the timed rounds only (the drains between them are not measured).
  state.counters["commits_per_s"] = static_cast<double>(after.commits - before.commits) / wall_s;
  state.counters["wall_s"] = wall_s;
}
BENCHMARK(BM_DeployWorkflows)
    ->ArgName("in_memory")
    ->Arg(0)
    ->Arg(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// One run upsert per iteration (as platform/store/store_bench.cc BM_UpsertRun).
void BM_SqliteUpsertRun(benchmark::State& state) {
  TempDir dir;
  auto store = open_store(dir, state.range(0) == 1);
  std::int64_t i = 0;
  for (auto _ : state) {
    ++i;
    if (!store->upsert_run({i, "etl", kTarget, 1, 1, "RUNNING", "", i, std::nullopt, i})) {
      state.SkipWithError("upsert_run failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SqliteUpsertRun)->ArgName("in_memory")->Arg(0)->Arg(1)->UseRealTime();

// One step of a workflow with a small state and no side writes per iteration.
void BM_SqliteCommitStep(benchmark::State& state) {
  TempDir dir;
  auto store = open_store(dir, state.range(0) == 1);
  auto workflow = store->create_workflow({"bench", "bench:1", {{"i", 0}}, 0, 0});
  if (!workflow) fail("create_workflow: " + workflow.error().describe());
  std::int64_t version = workflow->version;
  std::int64_t i = 0;
  for (auto _ : state) {
    ++i;
    store::WorkflowStep step;
    step.workflow_id = workflow->id;
    step.expected_version = version;
    step.state = {{"i", i}, {"phase", "wait"}};
    step.wake_at_ms = i;
    step.updated_ms = i;
    auto committed = store->commit_step(step);
    if (!committed) {
      state.SkipWithError(committed.error().describe().c_str());
      break;
    }
    version = committed->version;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SqliteCommitStep)->ArgName("in_memory")->Arg(0)->Arg(1)->UseRealTime();

}  // namespace
}  // namespace kiln::runtime

BENCHMARK_MAIN();
