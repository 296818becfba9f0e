// Internal: one step of one deploy workflow, alive while its calls are in flight. It reads the
// stored state, admits a queued deployment, drives the strategy's running phase and records
// how the phase ends (the deployment's history rows, the job and run rows).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/streams/writer_lock.h"
#include "databricks/api/workspace_api.h"
#include "platform/artifacts/artifact_store.h"
#include "platform/deploy/deploy_options.h"
#include "platform/deploy/deploy_state.h"
#include "platform/deploy/job_calls.h"
#include "platform/deploy/strategy.h"
#include "platform/store/metadata_store.h"
#include "platform/workflow/workflow_kind.h"

namespace kiln::deploy {

struct DeployParts {  // what a step works with; shared with its callbacks
  core::Clock& clock;
  databricks::WorkspaceApi& workspace;
  store::MetadataStore& store;
  const artifacts::ArtifactStore& artifacts;
  DeployOptions options;
  bool stopped = false;  // the workflow object is gone: late answers do nothing more
  std::function<void(std::int64_t)> wake;  // wakes a workflow (the rollback's); may be empty
  std::function<void()> quota_exceeded;    // asks for a cleanup now; may be empty
  streams::LockService* locks = nullptr;   // blue-green's writer locks; null: none
};

// The failure of the deployment, as one final step: the running phase (`phase`, or the
// strategy's; "prepare" before admit ended) failed, the deployment failed, the job row is
// marked failed. A deploy that changed the job goes on to ask for a rollback.
workflow::Step fail_deployment(PhaseEnd end, const Strategy& strategy, const std::string& reason,
                               const std::string& phase = "");

class DeployStep : public std::enable_shared_from_this<DeployStep> {
 public:
  DeployStep(std::shared_ptr<DeployParts> parts, store::Workflow workflow,
             workflow::StepContext context, std::function<void(workflow::Step)> done);

  void run();

  // For the strategies.
  DeployParts& parts() const { return *parts_; }
  const DeployOptions& options() const { return parts_->options; }
  const store::Deployment& deployment() const { return deployment_; }
  DeployState& state() { return state_; }
  const JobCalls& jobs() const { return jobs_; }
  core::TimeMs now() const { return parts_->clock.now_ms(); }
  bool timed_out(core::DurationMs limit) const { return now() - state_.phase_started_ms > limit; }
  PhaseEnd phase_end() const { return {*parts_, state_, deployment_, now()}; }

  // Ends the running phase `ended` succeeded with `reason` and opens the strategy's phase
  // (the strategy has moved on to it).
  void advance(const std::string& ended, const std::string& reason, store::StepWrites writes = {});
  // Ends the running phase and the deployment succeeded; the job row says what is deployed.
  void finish_succeeded(const std::string& reason, store::StepWrites writes);
  void again_after(core::DurationMs wait, store::StepWrites writes = {});
  void failed(const std::string& reason);  // as the strategy records a failure
  void retry(const std::string& reason);
  void answer(workflow::Step step);
  // The workflow's state as it stands, to store.
  nlohmann::json stored() const { return stored_state(state_, *strategy_); }

  // jobs/create was refused: if for the saved-jobs quota, asks for a cleanup and polls (or,
  // after quota_wait_ms, fails) and returns true. A JobCalls::Failed for create_job.
  bool wait_for_quota(const databricks::ApiResponse& response);
  // Cancels the job's active runs and polls until none is left, then calls `stopped` (also
  // when the job no longer exists: nothing of it runs). One page of 25 active runs a poll is
  // enough: any more are cancelled at the next. Fails after stop_timeout_ms; `what` names the
  // runs in that reason ("run(s)", "blue's run(s)").
  void stop_runs_of(std::int64_t job_id, const std::string& what,
                    const std::function<void()>& stopped);

  // The job row with the deployment's Databricks job id and `state`; what is deployed stays as
  // recorded until the deploy succeeds.
  store::Job job_row(store::JobState state) const;
  // The run row of `run`, a run of Databricks job `databricks_job_id`.
  store::Run run_row(const RunState& run, std::int64_t databricks_job_id) const;

 private:
  void admit();
  void request_rollback();
  void cancel_next(std::vector<std::int64_t> to_cancel);
  // Sends a request; on 200 calls `ok` with the body, otherwise ends the step: a transient
  // failure retries it, a permanent one fails the deployment. `failed`, if given, sees a
  // non-200 answer first and returns true if it handled it.
  void call(databricks::ApiRequest request, JobCalls::Body ok, JobCalls::Failed failed);
  void list(databricks::ApiRequest request, std::string field, JobCalls::Body ok);

  std::shared_ptr<DeployParts> parts_;
  store::Workflow workflow_;
  workflow::StepContext context_;
  std::function<void(workflow::Step)> done_;
  JobCalls jobs_;
  DeployState state_;
  std::unique_ptr<Strategy> strategy_;
  store::Deployment deployment_;
  bool answered_ = false;
};

std::string ids(const std::vector<std::int64_t>& list);  // "3, 5, 8"
std::string seconds(core::DurationMs ms);                // "600 s"

}  // namespace kiln::deploy
