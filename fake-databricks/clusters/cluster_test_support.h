// A workspace on a SimulatedLoop with a ClusterService, for the clusters tests.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock/simulated_loop.h"
#include "core/events/event.h"
#include "fake-databricks/clusters/cluster_service.h"

namespace fakedb::clusters::testing {

using nlohmann::json;

inline constexpr std::int64_t kT0 = 1'732'167'124'000;  // 2024-11-21T05:32:04Z
inline constexpr std::int64_t kMinute = 60'000;
inline constexpr std::int64_t kDay = 86'400'000;

struct Workspace {
  explicit Workspace(std::uint64_t seed = 42, ClusterTimings t = {})
      : ctx{loop, log, kiln::core::Random(seed)}, timings(t), svc(ctx, t) {
    log.subscribe([this](const kiln::core::Event& e) {
      if (e.type == "cluster.state") published.push_back(e.fields);
    });
  }

  kiln::core::SimulatedLoop loop{kT0};
  kiln::core::EventLog log;
  WorkspaceContext ctx;
  ClusterTimings timings;
  ClusterService svc;
  std::vector<json> published;

  static json ok(const ApiResult<json>& r) {
    if (!r.ok()) FAIL(r.error().error_code + ": " + r.error().message);
    return r.value();
  }
  static ApiError err(const ApiResult<json>& r) {
    REQUIRE_FALSE(r.ok());
    return r.error();
  }
  static json spec(json extra = json::object()) {
    json s{{"cluster_name", "c"}, {"spark_version", "15.4.x-scala2.12"}, {"num_workers", 2}};
    for (auto& [k, v] : extra.items()) s[k] = v;
    return s;
  }
  std::string create(json extra = json::object()) {
    return ok(svc.create(Params(spec(std::move(extra)))))["cluster_id"].get<std::string>();
  }
  static Params id_params(const std::string& id, json extra = json::object()) {
    extra["cluster_id"] = id;
    return Params(std::move(extra));
  }
  json get(const std::string& id) { return ok(svc.get(id_params(id))); }
  std::string state(const std::string& id) { return get(id)["state"].get<std::string>(); }
  // Advances virtual time by `ms`, running everything due.
  void advance(std::int64_t ms) { loop.run_until(loop.now_ms() + ms); }
  // Creates a cluster and runs the loop until it is RUNNING.
  std::string running(json extra = json::object()) {
    const std::string id = create(std::move(extra));
    advance(timings.start_max_ms);
    REQUIRE(state(id) == "RUNNING");
    return id;
  }
  std::vector<std::string> event_types(const std::string& id) {
    json r = ok(svc.events(id_params(id, {{"order", "ASC"}, {"limit", 500}})));
    std::vector<std::string> out;
    for (const auto& e : r["events"]) out.push_back(e["type"].get<std::string>());
    return out;
  }
};

}  // namespace fakedb::clusters::testing
