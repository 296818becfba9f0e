// The metadata DB's records, one struct per table. Times are integer milliseconds (wall clock or
// virtual, as the caller's Clock says; the store never reads a clock). Free text uses "" for
// "none"; std::optional marks a number that is not known yet.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace kiln::store {

enum class BuildStatus { kRunning, kSucceeded, kFailed };
enum class Strategy { kSimple, kBlueGreen };
enum class JobState { kDeploying, kDeployed, kFailed, kRemoved };
enum class DeploymentStatus { kQueued, kRunning, kSucceeded, kFailed, kAborted, kSuperseded };
enum class PhaseOutcome { kRunning, kSucceeded, kFailed, kSkipped };
enum class WorkflowStatus { kOpen, kDone, kFailed };

// The strings stored in the DB (and shown to people): "running", "blue-green", "superseded"...
std::string_view to_string(BuildStatus value);
std::string_view to_string(Strategy value);
std::string_view to_string(JobState value);
std::string_view to_string(DeploymentStatus value);
std::string_view to_string(PhaseOutcome value);
std::string_view to_string(WorkflowStatus value);

// The inverse of to_string; nullopt for any other string.
template <class Enum>
std::optional<Enum> enum_from_string(std::string_view text);
template <>
std::optional<BuildStatus> enum_from_string(std::string_view text);
template <>
std::optional<Strategy> enum_from_string(std::string_view text);
template <>
std::optional<JobState> enum_from_string(std::string_view text);
template <>
std::optional<DeploymentStatus> enum_from_string(std::string_view text);
template <>
std::optional<PhaseOutcome> enum_from_string(std::string_view text);
template <>
std::optional<WorkflowStatus> enum_from_string(std::string_view text);

// queued and running: the deployment may still change.
inline bool is_open(DeploymentStatus status) {
  return status == DeploymentStatus::kQueued || status == DeploymentStatus::kRunning;
}

struct Build {
  std::string build_id;
  std::string commit_sha;
  std::int64_t created_ms = 0;
  BuildStatus status = BuildStatus::kRunning;
  std::string error;  // why it failed; "" otherwise
  std::int64_t job_count = 0;
};

// What is deployed of one job on one target. For blue-green this is the live (blue) job; a
// green being tried lives in its deploy workflow's state until it takes over.
struct Job {
  std::string name;
  std::string target;
  std::optional<std::int64_t> databricks_job_id;  // none before the first create
  std::optional<std::int64_t> deployed_version;   // deployVersion now live; none before
  std::optional<std::string> deployed_build_id;   // the build it came from
  Strategy strategy = Strategy::kSimple;
  JobState state = JobState::kDeploying;
  std::int64_t updated_ms = 0;
  std::string owner = "";  // the config's owner: who is notified ("" for nobody)
};

// A request to deploy, as recorded when it is made (status queued).
struct DeploymentRequest {
  std::string name;
  std::string target;
  std::string build_id;  // any past build: an older one is a rollback
  std::int64_t version = 0;
  Strategy strategy = Strategy::kSimple;
  std::string requested_by;  // who or what asked: "cd:<target>", "user:<name>"
  std::string reason;        // why: "deployVersion 3 -> 4", "rollback after incident 12"
  std::int64_t created_ms = 0;
  std::string owner = "";  // the job config's owner in that build
};

struct Deployment {
  std::int64_t id = 0;  // never reused, so it can name the deployment in Databricks tags
  DeploymentRequest request;
  DeploymentStatus status = DeploymentStatus::kQueued;
  std::optional<std::int64_t> started_ms;   // when it went running
  std::optional<std::int64_t> finished_ms;  // when it reached a final status
  std::string outcome_reason;               // why it ended so
};

// Moves a deployment on: to running (from queued; sets started_ms = at_ms), or to a final
// status (from queued or running; sets finished_ms = at_ms and outcome_reason = reason).
struct DeploymentTransition {
  std::int64_t deployment_id = 0;
  DeploymentStatus status = DeploymentStatus::kRunning;
  std::int64_t at_ms = 0;
  std::string reason;
};

// One step of a deployment ("create-green", "health", "switch", ...), numbered from 1.
struct DeploymentPhase {
  std::int64_t deployment_id = 0;
  int seq = 1;
  std::string phase;
  std::int64_t started_ms = 0;
  std::optional<std::int64_t> finished_ms;  // set exactly when outcome is not running
  PhaseOutcome outcome = PhaseOutcome::kRunning;
  std::string reason;
};

// A Databricks run kiln knows of; states are Databricks' own strings (life_cycle_state
// "RUNNING", result_state "SUCCESS" or "" before the run ends).
struct Run {
  std::int64_t run_id = 0;
  std::string job_name;
  std::string target;
  std::int64_t databricks_job_id = 0;
  std::int64_t version = 0;  // the deployVersion that ran
  std::string life_cycle_state;
  std::string result_state;
  std::int64_t start_ms = 0;
  std::optional<std::int64_t> end_ms;  // none while the run is unfinished
  std::int64_t updated_ms = 0;
};

// A workflow instance: one row, whose state each step reads and replaces.
struct Workflow {
  std::int64_t id = 0;
  std::string kind;  // "deploy", "cd", "monitor", "cleanup", ...
  std::string key;   // the instance's business key: "deploy:<job>:<target>"
  nlohmann::json state;
  WorkflowStatus status = WorkflowStatus::kOpen;
  std::int64_t wake_at_ms = 0;  // when the engine should run its next step
  int attempt = 0;              // the engine's retry count for the current step
  std::int64_t version = 1;     // 1 at creation, +1 per committed step
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
};

// A blue-green deploy's old (blue) Databricks job, kept after green took over so that a
// rollback can start it again at once instead of creating a new job. Stale-job cleanup must not
// delete it before until_ms; after that it is an ordinary stale job.
struct ParkedJob {
  std::int64_t databricks_job_id = 0;
  std::string name;  // the job and target it was deployed as
  std::string target;
  std::int64_t deployment_id = 0;  // the deployment that parked it (green's)
  std::int64_t version = 0;        // the deployVersion it runs
  std::string build_id;            // the build it came from
  std::int64_t parked_ms = 0;
  std::int64_t until_ms = 0;  // kept at least until then (>= parked_ms)
};

struct NewWorkflow {
  std::string kind;
  std::string key;
  nlohmann::json state = nlohmann::json::object();
  std::int64_t wake_at_ms = 0;
  std::int64_t created_ms = 0;
};

}  // namespace kiln::store
