// kiln's REST client (HttpWorkspace, keep-alive) against `fake-databricks serve` on loopback:
// runs/get calls per second, one at a time and with 16 in flight. The server runs on its own
// thread; the two share the machine's 2 cores. Compare with BM_InProcessRunsGet
// (emulator_bench) and bench/serve_bench.sh (wrk and nginx).
#include <benchmark/benchmark.h>

#include "fake-databricks/serve/test_server.h"
#include "platform/workspace/http_workspace.h"

namespace {

using databricks::ApiRequest;
using databricks::ApiResponse;

void BM_RestRunsGet(benchmark::State& state) {
  fakedb::serve::ServeOptions options;
  options.config =
      fakedb::WorkspaceConfig::from_json({{"limits", {{"rate_limits", false}}}, {"latency_ms", 0}})
          .value();
  fakedb::serve::testing::Served server(options);
  boost::asio::io_context io;
  kiln::workspace::HttpConfig config;
  config.host = server.server->url();
  config.token = server.token;
  config.max_idle_connections = 32;
  kiln::workspace::HttpWorkspace client(io, config);

  auto call = [&](ApiRequest request) {
    std::optional<ApiResponse> answer;
    client.call(std::move(request), [&](ApiResponse r) { answer = std::move(r); });
    io.restart();
    while (!answer && io.run_one() > 0) {
    }
    return *answer;
  };
  const auto job =
      call(ApiRequest::post(
               "/api/2.2/jobs/create",
               {{"name", "bench"},
                {"tasks", {{{"task_key", "t"}, {"notebook_task", {{"notebook_path", "/x"}}}}}}}))
          .body["job_id"];
  const auto run =
      call(ApiRequest::post("/api/2.2/jobs/run-now", {{"job_id", job}})).body["run_id"];
  const auto request = ApiRequest::get("/api/2.2/jobs/runs/get",
                                       {{"run_id", std::to_string(run.get<std::int64_t>())}});

  const int in_flight = static_cast<int>(state.range(0));
  std::int64_t calls = 0, failures = 0;
  for (auto _ : state) {
    int pending = 0;
    for (int i = 0; i < in_flight; ++i) {
      ++pending;
      client.call(request, [&](const ApiResponse& r) {
        --pending;
        failures += r.ok() ? 0 : 1;
      });
    }
    io.restart();
    while (pending > 0 && io.run_one() > 0) {
    }
    calls += in_flight;
  }
  state.counters["calls_per_s"] =
      benchmark::Counter(static_cast<double>(calls), benchmark::Counter::kIsRate);
  state.counters["failures"] = static_cast<double>(failures);
}
BENCHMARK(BM_RestRunsGet)->Arg(1)->Arg(16)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
