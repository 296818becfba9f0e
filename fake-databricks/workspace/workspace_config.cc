#include "fake-databricks/workspace/workspace_config.h"

#include <sstream>
#include <type_traits>

#include "fake-databricks/workloads/instant.h"

namespace fakedb {
namespace {

ApiError bad(const std::string& field, const std::string& what) {
  return ApiError::invalid_parameter(field + ": " + what);
}

// Reads one object's keys, refusing any key not in `known` (with the list in the message).
class Fields {
 public:
  Fields(const nlohmann::json& spec, std::string field) : spec_(spec), field_(std::move(field)) {}

  std::optional<ApiError> check(std::initializer_list<const char*> known) const {
    if (!spec_.is_object()) return bad(field_, "expected an object");
    for (const auto& [key, v] : spec_.items()) {
      bool ok = false;
      std::string names;
      for (const char* k : known) {
        ok = ok || key == k;
        names += names.empty() ? k : std::string(", ") + k;
      }
      if (!ok) return bad(path(key.c_str()), "unknown field (expected one of " + names + ")");
    }
    return std::nullopt;
  }
  const nlohmann::json* get(const char* key) const {
    auto it = spec_.find(key);
    return it == spec_.end() ? nullptr : &*it;
  }
  std::string path(const char* key) const { return field_.empty() ? key : field_ + "." + key; }

  template <class T>
  std::optional<ApiError> number(const char* key, T& out, double lo, double hi) const {
    const nlohmann::json* v = get(key);
    if (v == nullptr) return std::nullopt;
    const bool whole = !std::is_integral_v<T> || v->is_number_integer();
    if (!v->is_number() || !whole || v->get<double>() < lo || v->get<double>() > hi) {
      std::ostringstream what;
      what << "expected " << (std::is_integral_v<T> ? "an integer" : "a number") << " from " << lo
           << " to " << hi;
      return bad(path(key), what.str());
    }
    out = v->get<T>();
    return std::nullopt;
  }
  std::optional<ApiError> text(const char* key, std::string& out) const {
    const nlohmann::json* v = get(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) return bad(path(key), "expected a string");
    out = v->get<std::string>();
    return std::nullopt;
  }
  std::optional<ApiError> distribution(const char* key, workloads::Distribution& out) const {
    const nlohmann::json* v = get(key);
    if (v == nullptr) return std::nullopt;
    auto d = workloads::Distribution::parse(*v, path(key));
    if (!d) return d.error();
    out = *d;
    return std::nullopt;
  }

 private:
  const nlohmann::json& spec_;
  std::string field_;
};

#define KILN_TRY(expr) \
  if (auto kiln_err = (expr)) return *kiln_err

ApiResult<kiln::core::TimeMs> parse_time(const nlohmann::json& v, const std::string& field) {
  return workloads::parse_instant(v, field);
}

std::optional<ApiError> parse_limits(const nlohmann::json& spec, WorkspaceConfig& c) {
  Fields f(spec, "limits");
  KILN_TRY(f.check({"saved_jobs", "active_task_runs", "job_creations_per_hour",
                    "run_retention_days", "queue_max_hours", "rate_limits"}));
  const double big = 1e12;
  KILN_TRY(f.number("saved_jobs", c.saved_jobs_max, 0, big));
  KILN_TRY(f.number("active_task_runs", c.runs.max_active_task_runs, 0, big));
  KILN_TRY(f.number("job_creations_per_hour", c.job_creations_per_hour, 0, big));
  double days = 60, hours = 48;
  KILN_TRY(f.number("run_retention_days", days, 1, 3650));
  KILN_TRY(f.number("queue_max_hours", hours, 0, 24 * 365));
  c.runs.run_retention_ms = static_cast<std::int64_t>(days * 24 * 3600 * 1000);
  c.runs.queue_max_ms = static_cast<std::int64_t>(hours * 3600 * 1000);
  if (const auto* rl = f.get("rate_limits")) {
    if (rl->is_boolean()) {
      c.rate_limits.enabled = rl->get<bool>();
    } else if (rl->is_object()) {
      for (const auto& [endpoint, rps] : rl->items()) {
        if (!rps.is_number() || rps.get<double>() < 0) {
          return bad("limits.rate_limits." + endpoint, "expected requests per second >= 0");
        }
        if (endpoint == "default") {
          c.rate_limits.default_rps = rps.get<double>();
        } else {
          c.rate_limits.per_endpoint_rps[endpoint] = rps.get<double>();
        }
      }
    } else {
      return bad("limits.rate_limits",
                 "expected true/false or {\"<endpoint>\": rps, \"default\": rps}");
    }
  }
  return std::nullopt;
}

std::optional<ApiError> parse_runs(const nlohmann::json& spec, WorkspaceConfig& c) {
  Fields f(spec, "runs");
  KILN_TRY(
      f.check({"serverless_setup_ms", "attach_setup_ms", "task_cleanup_ms", "run_cleanup_ms"}));
  KILN_TRY(f.distribution("serverless_setup_ms", c.runs.serverless_setup_ms));
  KILN_TRY(f.distribution("attach_setup_ms", c.runs.attach_setup_ms));
  KILN_TRY(f.distribution("task_cleanup_ms", c.runs.task_cleanup_ms));
  KILN_TRY(f.distribution("run_cleanup_ms", c.runs.run_cleanup_ms));
  return std::nullopt;
}

ApiResult<clusters::TerminationReason> parse_reason(const nlohmann::json& v,
                                                    const std::string& field) {
  if (v.is_string()) return clusters::TerminationReason{v.get<std::string>(), "CLOUD_FAILURE", {}};
  Fields f(v, field);
  if (auto e = f.check({"code", "type", "parameters"})) return *e;
  clusters::TerminationReason r{"CLOUD_PROVIDER_LAUNCH_FAILURE", "CLOUD_FAILURE", {}};
  if (auto e = f.text("code", r.code)) return *e;
  if (auto e = f.text("type", r.type)) return *e;
  if (const auto* p = f.get("parameters")) r.parameters = *p;
  return r;
}

std::optional<ApiError> parse_faults(const nlohmann::json& spec, WorkspaceConfig& c) {
  Fields f(spec, "faults");
  KILN_TRY(f.check({"api", "cluster_launch_failure_probability", "cluster_launch_failure_reason",
                    "driver_lost_probability", "internal_error_probability", "scheduled"}));
  KILN_TRY(
      f.number("cluster_launch_failure_probability", c.cluster_launch_failure_probability, 0, 1));
  KILN_TRY(f.number("driver_lost_probability", c.runs.driver_lost_probability, 0, 1));
  KILN_TRY(f.number("internal_error_probability", c.runs.internal_error_probability, 0, 1));
  if (const auto* r = f.get("cluster_launch_failure_reason")) {
    auto reason = parse_reason(*r, f.path("cluster_launch_failure_reason"));
    if (!reason) return reason.error();
    c.cluster_launch_failure_reason = *reason;
  }
  if (const auto* api = f.get("api")) {
    if (!api->is_array()) return bad("faults.api", "expected a list of rules");
    for (std::size_t i = 0; i < api->size(); ++i) {
      auto rule = databricks::faults::ApiFaultRule::parse((*api)[i],
                                                          "faults.api[" + std::to_string(i) + "]");
      if (!rule) return rule.error();
      c.api_faults.push_back(*rule);
    }
  }
  if (const auto* list = f.get("scheduled")) {
    if (!list->is_array()) return bad("faults.scheduled", "expected a list");
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string field = "faults.scheduled[" + std::to_string(i) + "]";
      const nlohmann::json& entry = (*list)[i];
      const auto kind = entry.find("kind");
      if (kind != entry.end() && kind->is_string() &&
          kind->get<std::string>().rfind("stream_", 0) == 0) {
        auto fault = streaming::StreamFault::parse(entry, field);
        if (!fault) return fault.error();
        c.stream_faults.push_back(*fault);
        continue;
      }
      Fields s((*list)[i], field);
      KILN_TRY(s.check({"at", "kind", "count", "job", "reason"}));
      ScheduledFault fault;
      const auto* at = s.get("at");
      if (at == nullptr) return bad(field + ".at", "required (epoch ms or UTC time)");
      auto t = parse_time(*at, field + ".at");
      if (!t) return t.error();
      fault.at_ms = *t;
      KILN_TRY(s.text("kind", fault.kind));
      if (fault.kind != "cluster_launch_failure" && fault.kind != "driver_lost" &&
          fault.kind != "internal_error") {
        return bad(field + ".kind",
                   "expected cluster_launch_failure, driver_lost, internal_error, stream_crash, "
                   "stream_stall, stream_partition or stream_slow");
      }
      KILN_TRY(s.number("count", fault.count, 1, 1e6));
      KILN_TRY(s.text("job", fault.job));
      if (const auto* r = s.get("reason")) {
        auto reason = parse_reason(*r, field + ".reason");
        if (!reason) return reason.error();
        fault.reason = *reason;
      }
      c.scheduled_faults.push_back(fault);
    }
  }
  return std::nullopt;
}

}  // namespace

ApiResult<WorkspaceConfig> WorkspaceConfig::from_json(const nlohmann::json& spec) {
  WorkspaceConfig c;
  if (spec.is_null()) return c;
  Fields f(spec, "");
  KILN_TRY(f.check({"host", "workspace_id", "user_name", "start_time", "latency_ms", "limits",
                    "clusters", "runs", "workloads", "streams", "faults"}));
  KILN_TRY(f.text("host", c.host));
  KILN_TRY(f.text("user_name", c.user_name));
  KILN_TRY(f.number("workspace_id", c.workspace_id, 1, 9e15));
  if (const auto* t = f.get("start_time")) {
    auto ms = parse_time(*t, "start_time");
    if (!ms) return ms.error();
    c.start_time_ms = *ms;
  }
  KILN_TRY(f.distribution("latency_ms", c.latency_ms));
  if (const auto* l = f.get("limits")) KILN_TRY(parse_limits(*l, c));
  if (const auto* r = f.get("runs")) KILN_TRY(parse_runs(*r, c));
  if (const auto* fl = f.get("faults")) KILN_TRY(parse_faults(*fl, c));
  if (const auto* cl = f.get("clusters")) {
    auto t = clusters::timings_from_json(*cl);
    if (!t) return t.error();
    c.cluster_timings = *t;
  }
  if (const auto* streams = f.get("streams")) {
    if (!streams->is_array()) return bad("streams", "expected a list of stream sources");
    for (std::size_t i = 0; i < streams->size(); ++i) {
      const std::string field = "streams[" + std::to_string(i) + "]";
      auto source = streaming::SourceSpec::parse((*streams)[i], field);
      if (!source) return source.error();
      for (const auto& known : c.streams) {
        if (known.name == source->name) {
          return bad(field + ".name", "a second source of " + known.name);
        }
      }
      c.streams.push_back(*source);
    }
  }
  if (const auto* w = f.get("workloads")) {
    Fields wf(*w, "workloads");
    KILN_TRY(wf.check({"default", "rules"}));
    if (const auto* rules = wf.get("rules")) {
      auto catalog = workloads::WorkloadCatalog::parse(*rules, "workloads.rules");
      if (!catalog) return catalog.error();
      c.workloads = *catalog;
    }
    if (const auto* d = wf.get("default")) {
      auto model = workloads::Model::parse(*d, "workloads.default");
      if (!model) return model.error();
      c.workloads.set_default(*model);
    }
  }
  return c;
}

#undef KILN_TRY

}  // namespace fakedb
