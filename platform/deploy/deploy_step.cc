// DeployStep: reading the state, admitting a deployment, and recording how phases end.
#include "platform/deploy/deploy_step.h"

#include "platform/deploy/job_source.h"

namespace kiln::deploy {

using nlohmann::json;
using workflow::Step;

std::string ids(const std::vector<std::int64_t>& list) {
  std::string out;
  for (const auto id : list) out += (out.empty() ? "" : ", ") + std::to_string(id);
  return out;
}

std::string seconds(core::DurationMs ms) {
  return std::to_string(ms / 1000) + " s";
}

DeployStep::DeployStep(std::shared_ptr<DeployParts> parts, store::Workflow workflow,
                       workflow::StepContext context, std::function<void(workflow::Step)> done)
    : parts_(std::move(parts)),
      workflow_(std::move(workflow)),
      context_(std::move(context)),
      done_(std::move(done)),
      // The calls' callbacks need no guard of their own: call() and list() keep this step
      // alive until the answer has been handled.
      jobs_(
          parts_->options.api_version,
          [this](databricks::ApiRequest request, JobCalls::Body ok, JobCalls::Failed failed) {
            call(std::move(request), std::move(ok), std::move(failed));
          },
          [this](databricks::ApiRequest request, std::string field, JobCalls::Body ok) {
            list(std::move(request), std::move(field), std::move(ok));
          }) {}

void DeployStep::run() {
  try {
    state_ = workflow_.state.get<DeployState>();
  } catch (const json::exception& e) {
    // Not a state this kiln wrote: nothing safe to do but stop the workflow.
    answer(Step::finish(workflow_.state, store::WorkflowStatus::kFailed));
    return;
  }
  auto deployment = parts_->store.get_deployment(state_.deployment_id);
  if (!deployment) {
    retry("read deployment " + std::to_string(state_.deployment_id) + ": " +
          deployment.error().describe());
    return;
  }
  deployment_ = std::move(deployment).value();
  strategy_ = make_strategy(deployment_.request.strategy);
  bool known_phase = false;
  try {
    known_phase = strategy_->load(workflow_.state);
  } catch (const json::exception& e) {
    answer(Step::finish(workflow_.state, store::WorkflowStatus::kFailed));
    return;
  }
  if (state_.stage == Stage::kRollback) return request_rollback();
  if (!store::is_open(deployment_.status)) {  // superseded while it waited, or already ended
    answer(Step::finish(stored(), store::WorkflowStatus::kDone));
    return;
  }
  if (state_.stage == Stage::kAdmit) return admit();
  if (state_.stage == Stage::kPlaying && known_phase) return strategy_->play(*this);
  const std::string phase = workflow_.state.value("phase", "");
  answer(fail_deployment(phase_end(), *strategy_,
                         "unknown deploy phase \"" + phase + "\" in the workflow state", phase));
}

// Queued: wait for the running deployment of the job to end, then load the job from its build
// and start.
void DeployStep::admit() {
  const auto& request = deployment_.request;
  auto running = parts_->store.open_deployment(request.name, request.target);
  if (running && running->id != deployment_.id) {
    again_after(options().queue_poll_ms);
    return;
  }
  if (state_.prepared.empty()) {  // not prepared when it was requested: load it now
    auto source =
        load_job_source(parts_->artifacts, request.build_id, request.name, request.target);
    if (!source) return failed(source.error().message);
    if (auto error = prepare(state_, *strategy_, *source, request.build_id); !error.empty()) {
      return failed(error);
    }
  }
  if (auto error = strategy_->admit(*this); !error.empty()) return failed(error);

  auto existing = parts_->store.get_job(request.name, request.target);
  if (existing && existing->state != store::JobState::kRemoved) {
    state_.job_id = existing->databricks_job_id;
  }
  store::StepWrites writes;
  writes.deployment =
      store::DeploymentTransition{deployment_.id, store::DeploymentStatus::kRunning, now(), ""};
  writes.job = job_row(store::JobState::kDeploying);
  state_.seq = 1;
  state_.stage = Stage::kPlaying;
  state_.phase_started_ms = now();
  advance(kPreparePhase, state_.prepared, std::move(writes));
}

void DeployStep::failed(const std::string& reason) {
  if (state_.stage == Stage::kPlaying) return answer(strategy_->failure(phase_end(), reason));
  answer(fail_deployment(phase_end(), *strategy_, reason));
}

void DeployStep::retry(const std::string& reason) {
  answer(Step::retry(reason));
}

void DeployStep::answer(Step step) {
  if (answered_) return;
  answered_ = true;
  done_(std::move(step));
}

void DeployStep::advance(const std::string& ended, const std::string& reason,
                         store::StepWrites writes) {
  const core::TimeMs t = now();
  writes.phases.push_back({deployment_.id, state_.seq, ended, state_.phase_started_ms, t,
                           store::PhaseOutcome::kSucceeded, reason});
  state_.seq += 1;
  state_.phase_started_ms = t;
  writes.phases.push_back({deployment_.id, state_.seq, strategy_->phase_name(), t, std::nullopt,
                           store::PhaseOutcome::kRunning, ""});
  answer(Step::next(stored(), t, std::move(writes)));
}

void DeployStep::finish_succeeded(const std::string& reason, store::StepWrites writes) {
  const core::TimeMs t = now();
  writes.phases.push_back({deployment_.id, state_.seq, strategy_->phase_name(),
                           state_.phase_started_ms, t, store::PhaseOutcome::kSucceeded, reason});
  writes.deployment =
      store::DeploymentTransition{deployment_.id, store::DeploymentStatus::kSucceeded, t, reason};
  writes.job = job_row(store::JobState::kDeployed);
  writes.job->deployed_version = deployment_.request.version;
  writes.job->deployed_build_id = deployment_.request.build_id;
  state_.stage = Stage::kSucceeded;
  answer(Step::finish(stored(), store::WorkflowStatus::kDone, std::move(writes)));
}

void DeployStep::again_after(core::DurationMs wait, store::StepWrites writes) {
  answer(Step::next(stored(), now() + wait, std::move(writes)));
}

store::Job DeployStep::job_row(store::JobState state) const {
  const auto& r = deployment_.request;
  store::Job job{r.name,     r.target, state_.job_id, std::nullopt, std::nullopt,
                 r.strategy, state,    now(),         r.owner};
  if (auto existing = parts_->store.get_job(r.name, r.target); existing) {
    job.deployed_version = existing->deployed_version;
    job.deployed_build_id = existing->deployed_build_id;
  }
  return job;
}

store::Run DeployStep::run_row(const RunState& run, std::int64_t databricks_job_id) const {
  const auto& r = deployment_.request;
  store::Run row;
  row.run_id = run.run_id;
  row.job_name = r.name;
  row.target = r.target;
  row.databricks_job_id = databricks_job_id;
  row.version = r.version;
  row.life_cycle_state = run.life_cycle_state;
  row.result_state = run.result_state;
  row.start_ms = run.start_ms.value_or(now());
  if (run.end_ms) row.end_ms = *run.end_ms;
  row.updated_ms = now();
  return row;
}

}  // namespace kiln::deploy
