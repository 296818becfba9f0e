#include "fake-databricks/runs/run.h"

namespace fakedb::runs {

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
