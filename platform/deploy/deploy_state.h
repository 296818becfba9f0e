// The deploy workflow's state as stored in the workflows table: the part every deploy has
// (this struct), plus the fields and running phase of its strategy (strategy.h). The JSON
// layout is what stored workflows hold: a change to it must still read what older kilns wrote.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock/clock.h"

namespace kiln::deploy {

inline constexpr const char* kDeployKind = "deploy";
std::string deploy_workflow_key(std::int64_t deployment_id);  // "deployment:<id>"

// Where a deploy workflow is, around its strategy's phases. Stored as the state's "phase" (the
// strategy's phase name while kPlaying).
enum class Stage {
  kAdmit,      // "admit": queued behind the job's running deployment, or not yet started
  kPlaying,    // the strategy's running phase ("job", "green", ...)
  kRollback,   // "rollback": failed after changing the job; asking for the build live before
  kSucceeded,  // "succeeded"
  kFailed,     // "failed"
  kAborted,    // "aborted": blue-green gave green up; blue runs on
};
// The stored name of a stage other than kPlaying.
const char* stage_name(Stage stage);
// The stage a stored phase name says: kPlaying for a name that is not a stage's (a strategy's).
Stage stage_of(const std::string& phase);

// The name, in the deployment's history, of the phase admit ends: reading the job's build.
inline constexpr const char* kPreparePhase = "prepare";

struct DeployState {
  std::int64_t deployment_id = 0;
  Stage stage = Stage::kAdmit;
  int seq = 0;  // the running phase's number in the deployment's history
  core::TimeMs phase_started_ms = 0;
  // The live Databricks job (blue-green: blue's, until green takes over).
  std::optional<std::int64_t> job_id;
  nlohmann::json settings;  // the Databricks settings being deployed
  // How the job was read from its build ("build B (commit C): <hash>, deployVersion N"), with
  // `settings` filled in; empty until then. record_deploy fills both when it has just read and
  // checked the archive, so the workflow does not read it again.
  std::string prepared;
  std::optional<core::TimeMs> quota_since;  // when jobs/create was first refused for the quota
  std::string rollback_build;               // stage kRollback: the build to go back to
  std::vector<std::int64_t> cancelled;      // the old version's runs already asked to stop
  std::optional<std::int64_t> run_id;       // the new version's run
  std::string run_state;                    // its last life_cycle_state seen
};
// Every field but the phase, which stored_state (strategy.h) writes. from_json throws
// nlohmann::json::exception for a malformed state.
void to_json(nlohmann::json& j, const DeployState& s);
void from_json(const nlohmann::json& j, DeployState& s);

}  // namespace kiln::deploy
