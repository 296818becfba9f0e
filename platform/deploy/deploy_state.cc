#include "platform/deploy/deploy_state.h"

#include <array>
#include <utility>

namespace kiln::deploy {

using nlohmann::json;

std::string deploy_workflow_key(std::int64_t deployment_id) {
  return "deployment:" + std::to_string(deployment_id);
}

namespace {

constexpr std::array<std::pair<Stage, const char*>, 5> kStageNames{{
    {Stage::kAdmit, "admit"},
    {Stage::kRollback, "rollback"},
    {Stage::kSucceeded, "succeeded"},
    {Stage::kFailed, "failed"},
    {Stage::kAborted, "aborted"},
}};

}  // namespace

const char* stage_name(Stage stage) {
  for (const auto& [s, name] : kStageNames) {
    if (s == stage) return name;
  }
  return "";  // kPlaying: the strategy names its phase
}

Stage stage_of(const std::string& phase) {
  for (const auto& [s, name] : kStageNames) {
    if (phase == name) return s;
  }
  return Stage::kPlaying;
}

void to_json(json& j, const DeployState& s) {
  j = json{{"deployment_id", s.deployment_id},
           {"seq", s.seq},
           {"phase_started_ms", s.phase_started_ms},
           {"settings", s.settings},
           {"cancelled", s.cancelled},
           {"run_state", s.run_state}};
  if (!s.rollback_build.empty()) j["rollback_build"] = s.rollback_build;
  if (!s.prepared.empty()) j["prepared"] = s.prepared;
  if (s.quota_since) j["quota_since"] = *s.quota_since;
  if (s.job_id) j["job_id"] = *s.job_id;
  if (s.run_id) j["run_id"] = *s.run_id;
}

void from_json(const json& j, DeployState& s) {
  s.deployment_id = j.at("deployment_id").get<std::int64_t>();
  s.stage = stage_of(j.value("phase", "admit"));
  s.seq = j.value("seq", 0);
  s.phase_started_ms = j.value("phase_started_ms", std::int64_t{0});
  s.settings = j.value("settings", json());
  s.cancelled = j.value("cancelled", std::vector<std::int64_t>{});
  s.run_state = j.value("run_state", "");
  s.rollback_build = j.value("rollback_build", "");
  s.prepared = j.value("prepared", "");
  s.quota_since.reset();
  if (j.contains("quota_since")) s.quota_since = j["quota_since"].get<core::TimeMs>();
  s.job_id.reset();
  s.run_id.reset();
  if (j.contains("job_id")) s.job_id = j["job_id"].get<std::int64_t>();
  if (j.contains("run_id")) s.run_id = j["run_id"].get<std::int64_t>();
}

}  // namespace kiln::deploy
