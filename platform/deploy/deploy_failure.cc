// How a deploy fails: the final step that records it, and the rollback a failed deploy that
// changed the job asks for.
#include "platform/deploy/deploy_request.h"
#include "platform/deploy/deploy_step.h"

namespace kiln::deploy {

using workflow::Step;

Step fail_deployment(PhaseEnd end, const Strategy& strategy, const std::string& reason,
                     const std::string& phase) {
  auto& state = end.state;
  const auto& deployment = end.deployment;
  const core::TimeMs now = end.now;
  const bool playing = state.stage == Stage::kPlaying;
  store::StepWrites writes;
  if (state.seq > 0) {
    const std::string running = !phase.empty() ? phase
                                : playing      ? strategy.phase_name()
                                               : std::string(stage_name(state.stage));
    writes.phases.push_back({deployment.id, state.seq, running, state.phase_started_ms, now,
                             store::PhaseOutcome::kFailed, reason});
  } else {
    writes.phases.push_back(
        {deployment.id, 1, kPreparePhase, now, now, store::PhaseOutcome::kFailed, reason});
  }
  writes.deployment =
      store::DeploymentTransition{deployment.id, store::DeploymentStatus::kFailed, now, reason};
  // The job row says the last deploy failed; what was deployed before stays recorded.
  const auto& r = deployment.request;
  store::Job job{r.name,
                 r.target,
                 state.job_id,
                 std::nullopt,
                 std::nullopt,
                 r.strategy,
                 store::JobState::kFailed,
                 now,
                 r.owner};
  if (auto existing = end.parts.store.get_job(r.name, r.target); existing) {
    job.deployed_version = existing->deployed_version;
    job.deployed_build_id = existing->deployed_build_id;
    if (!job.databricks_job_id) job.databricks_job_id = existing->databricks_job_id;
  }
  writes.job = job;
  // Changed the job, then failed: go back to what was live, unless this is a rollback already.
  const bool changed_job = phase.empty() && playing && strategy.changed_job();
  if (end.parts.options.rollback_on_failure && changed_job && r.requested_by != kRollbackBy &&
      job.deployed_build_id && *job.deployed_build_id != r.build_id) {
    state.stage = Stage::kRollback;
    state.rollback_build = *job.deployed_build_id;
    return Step::next(stored_state(state, strategy), now, std::move(writes));
  }
  state.stage = Stage::kFailed;
  return Step::finish(stored_state(state, strategy), store::WorkflowStatus::kFailed,
                      std::move(writes));
}

// After a failed deploy that changed the job: ask for the build that was live before. Runs
// with the deployment already failed; idempotent (a crash after the request and before this
// step's commit finds the request in the history).
void DeployStep::request_rollback() {
  const auto& r = deployment_.request;
  const std::string reason = "rollback after deployment " + std::to_string(deployment_.id) +
                             " failed: " + deployment_.outcome_reason;
  auto finish = [&] {
    state_.stage = Stage::kFailed;
    answer(Step::finish(stored(), store::WorkflowStatus::kFailed));
  };
  auto history = parts_->store.deployment_history(r.name, r.target, 20);
  if (!history) return retry("read the history of " + r.name + ": " + history.error().describe());
  for (const auto& d : *history) {
    if (d.id == deployment_.id) break;  // newer ones come first: none asked for it yet
    if (d.request.requested_by == kRollbackBy && d.request.reason == reason) return finish();
    if (d.request.requested_by != kRollbackBy) return finish();  // a newer request: it wins
  }
  auto requested =
      record_deploy(parts_->store, parts_->artifacts,
                    {r.name, r.target, state_.rollback_build, kRollbackBy, reason}, now());
  if (!requested && requested.code() != store::ErrorCode::kNotFound) {
    return retry("request the rollback of " + r.name + ": " + requested.error().describe());
  }
  if (requested && parts_->wake) parts_->wake(requested->workflow_id);
  finish();
}

}  // namespace kiln::deploy
