// The Databricks job kiln deploys for a config: its JobSettings with the job's name and the tags
// that mark it as managed by kiln, and the request shapes of the Jobs API calls a deploy makes.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/streams/job_parameters.h"
#include "platform/config/job_config.h"

namespace kiln::deploy {

// The tags kiln sets on every job it manages. kiln_job + kiln_target say which config a job
// belongs to (a deploy that lost its create answer finds its job by them); the rest say what is
// deployed.
inline constexpr const char* kTagManaged = "kiln_managed";  // "true"
inline constexpr const char* kTagJob = "kiln_job";
inline constexpr const char* kTagTarget = "kiln_target";
inline constexpr const char* kTagVersion = "kiln_version";
inline constexpr const char* kTagBuild = "kiln_build";
inline constexpr const char* kTagDeployment = "kiln_deployment";
inline constexpr int kMaxTags = 25;  // the Jobs API's limit

struct DeployedAs {
  std::string build_id;
  std::int64_t deployment_id = 0;
};

// The config's settings with `name` (the config's name) and the kiln tags added to its own.
// An error message if the config's tags use a kiln_ key or the total passes 25 tags.
struct SettingsOrError {
  nlohmann::json settings;
  std::string error;
};
SettingsOrError databricks_settings(const config::JobConfig& config, const DeployedAs& as);

// True for a job (a jobs/get or jobs/list element) tagged as kiln's job `name` on `target`.
bool is_managed_job(const nlohmann::json& job, const std::string& name, const std::string& target);

// For a continuous job: the settings with continuous.pause_status set (kiln creates or resets a
// continuous job paused, stops the old run, then unpauses it to start the new one). Other jobs
// come back unchanged.
nlohmann::json with_continuous_pause(nlohmann::json settings, const std::string& pause_status);
bool is_continuous(const nlohmann::json& settings);
// The configured continuous.pause_status ("UNPAUSED" when not set).
std::string continuous_pause_status(const nlohmann::json& settings);

// The job parameters a blue-green job's run reads (core/streams/job_parameters.h).
using streams::kParamHolder;
using streams::kParamStream;
// "deployment-<id>": the writer-lock holder id of the version a deployment runs.
std::string holder_name(std::int64_t deployment_id);

// "kiln-deployment-<id>": the idempotency token of the run a deployment starts (the same on
// every retry and after any crash, so the workspace never starts a second run for it).
std::string run_token(std::int64_t deployment_id);

}  // namespace kiln::deploy
