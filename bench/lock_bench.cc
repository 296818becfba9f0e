// The writer-lock service's rate: micro-batch commits per second (each one an accepted
// `commit` of the next positions with the holder's token, i.e. one SQLite transaction for the
// embedded StoreLockService) on a file DB (WAL, synchronous=FULL) and in memory, beside the
// in-memory service that applies the same rules without storage. docs/benchmarks.md.
//
//   build/release/bench/lock_bench
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "core/clock/simulated_loop.h"
#include "core/streams/memory_lock_service.h"
#include "platform/store/sqlite_store.h"
#include "platform/streams/store_lock_service.h"

namespace {

using namespace kiln;  // NOLINT(google-build-using-namespace): a benchmark's shorthand

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "lock_bench: %s\n", why.c_str());
  std::abort();
}

std::string temp_db() {
  std::string pattern = (std::filesystem::temp_directory_path() / "kiln-lock-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) fail("mkdtemp failed");
  return pattern + "/kiln.db";
}

// Commits batch after batch as the one holder; the clock moves a tick per batch so the lease
// stays live.
void commit_loop(benchmark::State& state, streams::LockService& locks, core::SimulatedLoop& loop) {
  const auto grant = locks.acquire("orders", "deployment-1", 0, 0);
  if (!grant.ok()) fail("acquire: " + grant.message);
  streams::Position at = grant.committed;
  for (auto _ : state) {
    loop.run_until(loop.now_ms() + 1'000);
    const auto answer = locks.commit("orders", "deployment-1", grant.token, at, at + 100, at + 150);
    if (!answer.ok()) fail("commit: " + answer.message);
    at += 100;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_StoreLockService(benchmark::State& state) {
  const bool in_memory = state.range(0) == 1;
  const std::string path = in_memory ? ":memory:" : temp_db();
  auto store = store::open_sqlite_store(path);
  if (!store) fail("open_sqlite_store: " + store.error().describe());
  core::SimulatedLoop loop(0);
  streams::StoreLockService locks(**store, loop, nullptr);
  commit_loop(state, locks, loop);
  state.SetLabel(in_memory ? ":memory:" : "file, WAL, synchronous=FULL");
  store->reset();
  if (!in_memory) std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}
BENCHMARK(BM_StoreLockService)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_MemoryLockService(benchmark::State& state) {
  core::SimulatedLoop loop(0);
  streams::MemoryLockService locks(loop, nullptr);
  commit_loop(state, locks, loop);
}
BENCHMARK(BM_MemoryLockService)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
