#include "fake-databricks/runs/run.h"

namespace fakedb::runs {

const char* to_string(LifeCycle s) {
  switch (s) {
    case LifeCycle::queued:
      return "QUEUED";
    case LifeCycle::pending:
      return "PENDING";
    case LifeCycle::running:
      return "RUNNING";
    case LifeCycle::terminating:
      return "TERMINATING";
    case LifeCycle::terminated:
      return "TERMINATED";
    case LifeCycle::skipped:
      return "SKIPPED";
    case LifeCycle::internal_error:
      return "INTERNAL_ERROR";
    case LifeCycle::blocked:
      return "BLOCKED";
    case LifeCycle::waiting_for_retry:
      return "WAITING_FOR_RETRY";
  }
  return "UNKNOWN";
}

const char* to_string(Result r) {
  switch (r) {
    case Result::success:
      return "SUCCESS";
    case Result::failed:
      return "FAILED";
    case Result::timedout:
      return "TIMEDOUT";
    case Result::canceled:
      return "CANCELED";
    case Result::maximum_concurrent_runs_reached:
      return "MAXIMUM_CONCURRENT_RUNS_REACHED";
    case Result::excluded:
      return "EXCLUDED";
    case Result::success_with_failures:
      return "SUCCESS_WITH_FAILURES";
    case Result::upstream_failed:
      return "UPSTREAM_FAILED";
    case Result::upstream_canceled:
      return "UPSTREAM_CANCELED";
    case Result::disabled:
      return "DISABLED";
  }
  return "UNKNOWN";
}

bool is_terminal(LifeCycle s) {
  return s == LifeCycle::terminated || s == LifeCycle::skipped || s == LifeCycle::internal_error;
}

bool is_active(LifeCycle s) {
  return s == LifeCycle::queued || s == LifeCycle::pending || s == LifeCycle::running ||
         s == LifeCycle::terminating;
}

std::optional<std::string> job_parameter(const JobRun& run, const std::string& name) {
  auto as_text = [](const nlohmann::json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
  };
  const auto params = run.settings.find("parameters");
  if (params == run.settings.end() || !params->is_array()) return std::nullopt;
  for (const auto& p : *params) {
    if (!p.is_object() || p.value("name", "") != name) continue;
    if (run.overriding_parameters.is_object()) {
      const auto overrides = run.overriding_parameters.find("job_parameters");
      if (overrides != run.overriding_parameters.end() && overrides->is_object() &&
          overrides->contains(name)) {
        return as_text(overrides->at(name));
      }
    }
    return as_text(p.value("default", nlohmann::json("")));
  }
  return std::nullopt;
}

}  // namespace fakedb::runs
