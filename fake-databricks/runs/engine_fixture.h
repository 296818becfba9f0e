// A RunEngine on a SimulatedLoop with real clusters and a workload catalog, for tests.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/clock/simulated_loop.h"
#include "fake-databricks/runs/run_engine.h"

namespace fakedb::runs::testing {

using nlohmann::json;

inline constexpr kiln::core::TimeMs kStart = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

inline json task(const std::string& key, const std::string& path = "/t") {
  return {{"task_key", key},
          {"notebook_task", {{"notebook_path", path}}},
          {"new_cluster", {{"spark_version", "15.4.x-scala2.12"}, {"num_workers", 1}}}};
}
inline json with(json base, const json& patch) {
  base.merge_patch(patch);
  return base;
}
inline json after(json t, std::initializer_list<const char*> upstream) {
  for (const char* u : upstream) t["depends_on"].push_back({{"task_key", u}});
  return t;
}

struct Engine {
  kiln::core::SimulatedLoop loop{kStart};
  kiln::core::EventLog events;
  WorkspaceContext ctx{loop, events, kiln::core::Random(7)};
  clusters::ClusterService clusters{ctx, clusters::ClusterTimings{}};
  workloads::WorkloadCatalog workloads;
  EngineConfig config;
  RunEngine engine;
  std::vector<kiln::core::Event> seen;

  explicit Engine(EngineConfig c = {}, workloads::WorkloadCatalog w = {})
      : workloads(std::move(w)), config(c), engine(ctx, clusters, workloads, config) {
    events.subscribe([this](const kiln::core::Event& e) { seen.push_back(e); });
  }
  // Tasks whose path matches `glob` use `model` (a Model JSON).
  static workloads::WorkloadCatalog rule(const std::string& glob, const json& model) {
    return workloads::WorkloadCatalog::parse(
               json::array({{{"match", {{"path", glob}}}, {"model", model}}}), "w")
        .value();
  }
  std::int64_t start(json settings, const std::string& trigger = "ONE_TIME", bool queue = false) {
    StartRequest r;
    r.job_id = 42;
    r.job_name = r.run_name = "job";
    r.trigger = trigger;
    if (!settings.contains("max_concurrent_runs")) settings["max_concurrent_runs"] = 1;
    r.settings = std::move(settings);
    r.queue_enabled = queue;
    auto id = engine.start(std::move(r));
    REQUIRE(id.ok());
    return *id;
  }
  const JobRun& run(std::int64_t id) {
    const JobRun* r = engine.find(id);
    REQUIRE(r != nullptr);
    return *r;
  }
  void hours(double h) { loop.run_until(loop.now_ms() + static_cast<std::int64_t>(h * 3'600'000)); }
  // The task states a task key went through, in order (without repeats).
  std::vector<std::string> task_states(const std::string& key, int attempt = 0) {
    std::vector<std::string> out;
    for (const auto& e : seen) {
      if (e.type != "task.state" || e.fields["task_key"] != key || e.fields["attempt"] != attempt)
        continue;
      std::string s = e.fields["state"];
      if (e.fields.contains("result")) s += "/" + e.fields["result"].get<std::string>();
      if (out.empty() || out.back() != s) out.push_back(s);
    }
    return out;
  }
};

}  // namespace fakedb::runs::testing
