// Small committed transactions per second on the metadata DB: each iteration is one durable
// commit (WAL, synchronous=FULL: one fsync of the WAL per commit), so the file-backed numbers
// are bounded by the disk's fsync latency; ":memory:" shows the CPU cost alone.
//   build/release/platform/store/store_bench
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "platform/store/sqlite_store.h"

namespace kiln::store {
namespace {

// A fresh DB file in a temp dir that is removed afterwards (or ":memory:").
class BenchDb {
 public:
  explicit BenchDb(bool in_memory) {
    if (in_memory) {
      path_ = ":memory:";
      return;
    }
    std::string pattern = (std::filesystem::temp_directory_path() / "kiln-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    dir_ = pattern;
    path_ = (dir_ / "kiln.db").string();
  }
  BenchDb(const BenchDb&) = delete;
  BenchDb& operator=(const BenchDb&) = delete;
  ~BenchDb() {
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }
  std::unique_ptr<MetadataStore> open() const {
    auto store = open_sqlite_store(path_);
    if (!store) std::abort();
    return std::move(store).value();
  }

 private:
  std::filesystem::path dir_;
  std::string path_;
};

// One run upsert: the smallest committed transaction.
void BM_UpsertRun(benchmark::State& state) {
  BenchDb db(state.range(0) == 1);
  auto store = db.open();
  std::int64_t i = 0;
  for (auto _ : state) {
    ++i;
    if (!store->upsert_run({i, "etl", "prod", 1, 1, "RUNNING", "", i, std::nullopt, i})) {
      state.SkipWithError("upsert_run failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// One workflow step with a run as its side write: the engine's commit per step.
void BM_CommitStep(benchmark::State& state) {
  BenchDb db(state.range(0) == 1);
  auto store = db.open();
  auto workflow = store->create_workflow({"deploy", "deploy:etl:prod", {{"i", 0}}, 0, 0});
  if (!workflow) std::abort();
  std::int64_t version = workflow->version;
  std::int64_t i = 0;
  for (auto _ : state) {
    ++i;
    WorkflowStep step;
    step.workflow_id = workflow->id;
    step.expected_version = version;
    step.state = {{"i", i}, {"phase", "health"}};
    step.wake_at_ms = i;
    step.updated_ms = i;
    step.writes.run = Run{i, "etl", "prod", 1, 1, "RUNNING", "", i, std::nullopt, i};
    auto committed = store->commit_step(step);
    if (!committed) {
      state.SkipWithError("commit_step failed");
      break;
    }
    version = committed->version;
  }
  state.SetItemsProcessed(state.iterations());
}

// Arg 0: a file (durable commits); arg 1: in memory.
BENCHMARK(BM_UpsertRun)->UseRealTime()->ArgName("in_memory")->Arg(0)->Arg(1);
BENCHMARK(BM_CommitStep)->UseRealTime()->ArgName("in_memory")->Arg(0)->Arg(1);

}  // namespace
}  // namespace kiln::store

BENCHMARK_MAIN();
