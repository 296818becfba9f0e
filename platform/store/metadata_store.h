// MetadataStore: kiln's durable memory. Builds, what is deployed where, every deployment with
// its phases, the runs kiln knows of, and workflow instances. A call that returns ok has
// committed: the write survives a crash (and, with the SQLite store, a power loss).
//
// One object serves one thread at a time. Several processes may share one SQLite file.
// Every list takes a `limit` (the most rows returned); every failure is an Error (result.h).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/streams/writer_lock.h"
#include "platform/store/records.h"
#include "platform/store/result.h"

namespace kiln::store {

// Records written with a workflow step, in the same transaction (so all or none). Applied in
// this order: deployment if it moves to running, run, job, phases (in order), unpark, park,
// deployment if it finishes; so a step may start a deployment and put its first phase, or end
// one phase, start the next, or write a deployment's last phase and finish it, at once. Unpark
// before park: a step may drop the job an earlier deploy parked and park the one it replaces
// (the same id in both ends parked).
struct StepWrites {
  std::optional<Run> run;                          // upsert
  std::optional<Job> job;                          // upsert
  std::vector<DeploymentPhase> phases;             // put: insert or replace (deployment_id, seq)
  std::optional<std::int64_t> unpark;              // delete this databricks_job_id, if parked
  std::optional<ParkedJob> park;                   // insert or replace (databricks_job_id)
  std::optional<DeploymentTransition> deployment;  // as transition_deployment
};

// One committed step of a workflow: its new state and next wake-up, replacing version
// `expected_version`.
struct WorkflowStep {
  std::int64_t workflow_id = 0;
  std::int64_t expected_version = 0;
  nlohmann::json state;
  WorkflowStatus status = WorkflowStatus::kOpen;
  std::int64_t wake_at_ms = 0;
  int attempt = 0;
  std::int64_t updated_ms = 0;
  StepWrites writes;
};

class MetadataStore {
 public:
  virtual ~MetadataStore() = default;

  // Runs `body` atomically: every store write it makes commits if it returns ok, and none if
  // it returns an error (returned as is) or throws. Reads inside see its own writes. Nests: an
  // inner transaction that fails undoes only its own writes.
  virtual Status transaction(const std::function<Status()>& body) = 0;

  // --- builds ---
  // Inserts or replaces the build with this build_id.
  virtual Status upsert_build(const Build& build) = 0;
  virtual Result<Build> get_build(const std::string& build_id) = 0;  // kNotFound
  // Newest first (created_ms, then insertion order); only `status` if given.
  virtual Result<std::vector<Build>> list_builds(std::optional<BuildStatus> status,
                                                 std::size_t limit) = 0;
  // Every status with its number of builds (zero included): the CI counts.
  virtual Result<std::map<BuildStatus, std::int64_t>> count_builds() = 0;

  // --- jobs per target ---
  // Inserts or replaces (name, target). kConstraint if deployed_build_id names no build.
  virtual Status upsert_job(const Job& job) = 0;
  virtual Result<Job> get_job(const std::string& name, const std::string& target) = 0;
  virtual Result<std::vector<Job>> list_jobs(const std::string& target,
                                             std::size_t limit) = 0;  // by name
  // Every target's jobs, by name then target.
  virtual Result<std::vector<Job>> list_all_jobs(std::size_t limit) = 0;

  // --- deployments ---
  // Records a queued deployment and returns it with its new id. A (name, target) has at most
  // one running and at most one queued deployment: kAlreadyExists if a queued one exists
  // (supersede it first, in the same transaction). kConstraint if build_id names no build.
  virtual Result<Deployment> create_deployment(const DeploymentRequest& request) = 0;
  virtual Result<Deployment> get_deployment(std::int64_t id) = 0;
  // See DeploymentTransition. kNotFound for an unknown id; kConflict if the deployment's status
  // does not allow the move (e.g. it has already finished); kInvalidArgument for a move to
  // queued; kAlreadyExists for a move to running while another deployment of (name, target)
  // runs.
  virtual Status transition_deployment(const DeploymentTransition& transition) = 0;
  // The open deployment of (name, target): the running one if any, else the queued one;
  // kNotFound if none.
  virtual Result<Deployment> open_deployment(const std::string& name,
                                             const std::string& target) = 0;
  // The queued deployment of (name, target); kNotFound if none.
  virtual Result<Deployment> queued_deployment(const std::string& name,
                                               const std::string& target) = 0;
  // Deployments of (name, target), newest first.
  virtual Result<std::vector<Deployment>> deployment_history(const std::string& name,
                                                             const std::string& target,
                                                             std::size_t limit) = 0;
  // Appends a running phase numbered after the last one. kConflict if the deployment is
  // finished, kConstraint if it does not exist.
  virtual Result<DeploymentPhase> append_phase(std::int64_t deployment_id, const std::string& phase,
                                               std::int64_t started_ms) = 0;
  // Ends a running phase. kNotFound: no such phase; kConflict: the phase (or its deployment)
  // is already finished; kInvalidArgument: `outcome` is running.
  virtual Status finish_phase(std::int64_t deployment_id, int seq, PhaseOutcome outcome,
                              std::int64_t finished_ms, const std::string& reason) = 0;
  // A deployment's phases, by seq.
  virtual Result<std::vector<DeploymentPhase>> list_phases(std::int64_t deployment_id) = 0;

  // --- runs ---
  virtual Status upsert_run(const Run& run) = 0;
  virtual Result<Run> get_run(std::int64_t run_id) = 0;
  // Runs of (job_name, target), newest first (start_ms, then run_id).
  virtual Result<std::vector<Run>> list_runs(const std::string& job_name, const std::string& target,
                                             std::size_t limit) = 0;
  // Runs without an end_ms, by run_id: what monitoring still has to follow.
  virtual Result<std::vector<Run>> list_unfinished_runs(std::size_t limit) = 0;

  // --- workflows ---
  // Creates an open workflow at version 1, attempt 0. kAlreadyExists if (kind, key) already
  // has an open one; nothing is written then.
  virtual Result<Workflow> create_workflow(const NewWorkflow& workflow) = 0;
  virtual Result<Workflow> get_workflow(std::int64_t id) = 0;
  // The open workflow of (kind, key); kNotFound if none.
  virtual Result<Workflow> find_open_workflow(const std::string& kind, const std::string& key) = 0;
  // Open workflows by wake_at_ms, then id.
  virtual Result<std::vector<Workflow>> list_open_workflows(std::size_t limit) = 0;
  // Open workflows with wake_at_ms <= now_ms, by wake_at_ms, then id.
  virtual Result<std::vector<Workflow>> list_due_workflows(std::int64_t now_ms,
                                                           std::size_t limit) = 0;
  // Commits one step in one transaction: the workflow's new state, status, wake-up and attempt
  // (version + 1), and step.writes. Returns the workflow as now stored. Writes nothing and
  // fails with: kConflict if the workflow's version is not expected_version or it is no longer
  // open (another process stepped it: reload and decide again); kNotFound for an unknown id;
  // any side write's error.
  virtual Result<Workflow> commit_step(const WorkflowStep& step) = 0;

  // --- streams: each stream's writer lock and checkpoint (core/streams/writer_lock.h) ---
  // The stream's lock and checkpoint as last put; kNotFound if it was never put (a new stream,
  // which the lock service treats as all zero).
  virtual Result<streams::LockState> get_stream(const std::string& stream) = 0;
  // Inserts or replaces the stream's lock and checkpoint together (all or none), stamping
  // updated_ms. kConflict if the write would move the checkpoint back or lower the token (the
  // schema's triggers refuse both); kConstraint if the stream has no name.
  virtual Status put_stream(const streams::LockState& state, std::int64_t updated_ms) = 0;
  // Every stream, by name.
  virtual Result<std::vector<streams::LockState>> list_streams(std::size_t limit) = 0;

  // --- parked jobs: written with a deploy step (StepWrites::park, unpark) ---
  // By until_ms, then databricks_job_id: the first ones are the first cleanup may delete.
  virtual Result<std::vector<ParkedJob>> list_parked_jobs(std::size_t limit) = 0;
  // Forgets a parked job (cleanup deleted it, or a rollback started it again); ok if absent.
  virtual Status remove_parked_job(std::int64_t databricks_job_id) = 0;
};

}  // namespace kiln::store
