#include "platform/deploy/databricks_job.h"

#include "platform/deploy/job_calls.h"

namespace kiln::deploy {

using nlohmann::json;

SettingsOrError databricks_settings(const config::JobConfig& config, const DeployedAs& as) {
  json settings = config.settings;
  settings["name"] = config.name;
  json tags = settings.value("tags", json::object());
  for (const auto& [key, value] : tags.items()) {
    if (key.rfind("kiln_", 0) == 0) {
      return {{}, "settings.tags." + key + ": tags starting with kiln_ are kiln's own"};
    }
  }
  tags[kTagManaged] = "true";
  tags[kTagJob] = config.name;
  tags[kTagTarget] = config.target;
  tags[kTagVersion] = std::to_string(config.deploy_version);
  tags[kTagBuild] = as.build_id;
  tags[kTagDeployment] = std::to_string(as.deployment_id);
  if (tags.size() > kMaxTags) {
    return {{},
            "settings.tags: " + std::to_string(tags.size() - 6) + " tags plus kiln's 6 pass the " +
                "Jobs API's limit of " + std::to_string(kMaxTags)};
  }
  settings["tags"] = std::move(tags);
  if (config.strategy == "blue-green") {
    json params = settings.value("parameters", json::array());
    for (const auto& p : params) {
      const std::string name = p.value("name", "");
      if (name == kParamStream || name == kParamHolder) {
        return {{}, "settings.parameters: " + name + " is kiln's own parameter"};
      }
    }
    params.push_back({{"name", kParamStream}, {"default", config::stream_name(config)}});
    params.push_back({{"name", kParamHolder}, {"default", holder_name(as.deployment_id)}});
    settings["parameters"] = std::move(params);
  }
  return {std::move(settings), ""};
}

bool is_managed_job(const json& job, const std::string& name, const std::string& target) {
  return tag(job, kTagManaged) == "true" && tag(job, kTagJob) == name &&
         tag(job, kTagTarget) == target;
}

bool is_continuous(const json& settings) {
  return settings.contains("continuous") && settings["continuous"].is_object();
}

std::string continuous_pause_status(const json& settings) {
  if (!is_continuous(settings)) return "";
  return settings["continuous"].value("pause_status", "UNPAUSED");
}

json with_continuous_pause(json settings, const std::string& pause_status) {
  if (is_continuous(settings)) settings["continuous"]["pause_status"] = pause_status;
  return settings;
}

std::string holder_name(std::int64_t deployment_id) {
  return "deployment-" + std::to_string(deployment_id);
}

std::string run_token(std::int64_t deployment_id) {
  return "kiln-deployment-" + std::to_string(deployment_id);
}

}  // namespace kiln::deploy
