#include "platform/deploy/deploy_workflow.h"

#include "platform/deploy/databricks_job.h"
#include "platform/deploy/deploy_request.h"
#include "platform/deploy/deploy_step.h"
#include "platform/deploy/job_source.h"

namespace kiln::deploy {

using nlohmann::json;
using workflow::Step;

std::string prepared_summary(const JobSource& source) {
  return "build " + source.build.build_id + " (commit " + source.build.commit_sha.substr(0, 12) +
         "): " + source.artifact.content_hash.substr(0, 12) + ", deployVersion " +
         std::to_string(source.config.deploy_version);
}

std::string prepare_state(DeployState& state, const JobSource& source,
                          const std::string& build_id) {
  auto settings = databricks_settings(source.config, {build_id, state.deployment_id});
  if (!settings.error.empty()) return settings.error;
  state.settings = std::move(settings.settings);
  state.prepared = prepared_summary(source);
  if (source.config.strategy == "blue-green") {
    state.stream = config::stream_name(source.config);
    state.health_ms = source.config.health_seconds.value_or(0) * 1000;
  }
  return "";
}

std::string deploy_workflow_key(std::int64_t deployment_id) {
  return "deployment:" + std::to_string(deployment_id);
}

void to_json(json& j, const DeployState& s) {
  j = json{{"deployment_id", s.deployment_id},
           {"phase", s.phase},
           {"seq", s.seq},
           {"phase_started_ms", s.phase_started_ms},
           {"settings", s.settings},
           {"cancelled", s.cancelled},
           {"unpaused", s.unpaused},
           {"run_state", s.run_state}};
  if (!s.rollback_build.empty()) j["rollback_build"] = s.rollback_build;
  if (!s.prepared.empty()) j["prepared"] = s.prepared;
  if (s.quota_since) j["quota_since"] = *s.quota_since;
  if (s.job_id) j["job_id"] = *s.job_id;
  if (s.run_id) j["run_id"] = *s.run_id;
  if (!s.stream.empty()) {
    j["blue_green"] = json{{"stream", s.stream},
                           {"health_ms", s.health_ms},
                           {"blue_holder", s.blue_holder},
                           {"green_held", s.green_held},
                           {"abort_reason", s.abort_reason},
                           {"superseded", s.superseded}};
    if (s.green_job_id) j["blue_green"]["green_job_id"] = *s.green_job_id;
    if (s.running_ms) j["blue_green"]["running_ms"] = *s.running_ms;
  }
}

void from_json(const json& j, DeployState& s) {
  s.deployment_id = j.at("deployment_id").get<std::int64_t>();
  s.phase = j.value("phase", "admit");
  s.seq = j.value("seq", 0);
  s.phase_started_ms = j.value("phase_started_ms", std::int64_t{0});
  s.settings = j.value("settings", json());
  s.cancelled = j.value("cancelled", std::vector<std::int64_t>{});
  s.unpaused = j.value("unpaused", false);
  s.run_state = j.value("run_state", "");
  s.rollback_build = j.value("rollback_build", "");
  s.prepared = j.value("prepared", "");
  s.quota_since.reset();
  if (j.contains("quota_since")) s.quota_since = j["quota_since"].get<core::TimeMs>();
  s.job_id.reset();
  s.run_id.reset();
  if (j.contains("job_id")) s.job_id = j["job_id"].get<std::int64_t>();
  if (j.contains("run_id")) s.run_id = j["run_id"].get<std::int64_t>();
  const json bg = j.value("blue_green", json::object());
  s.stream = bg.value("stream", "");
  s.health_ms = bg.value("health_ms", core::DurationMs{0});
  s.blue_holder = bg.value("blue_holder", "");
  s.green_held = bg.value("green_held", false);
  s.abort_reason = bg.value("abort_reason", "");
  s.superseded = bg.value("superseded", false);
  s.green_job_id.reset();
  s.running_ms.reset();
  if (bg.contains("green_job_id")) s.green_job_id = bg["green_job_id"].get<std::int64_t>();
  if (bg.contains("running_ms")) s.running_ms = bg["running_ms"].get<core::TimeMs>();
}

DeployWorkflow::DeployWorkflow(core::Clock& clock, databricks::WorkspaceApi& workspace,
                               store::MetadataStore& store,
                               const artifacts::ArtifactStore& artifacts,
                               const DeployOptions& options)
    : options_(options),
      parts_(std::make_shared<Parts>(
          Parts{clock, workspace, store, artifacts, options, false, {}, {}})) {}

DeployWorkflow::~DeployWorkflow() {
  parts_->stopped = true;
}

void DeployWorkflow::step(const store::Workflow& workflow, const workflow::StepContext& context,
                          std::function<void(Step)> done) {
  std::make_shared<detail::DeployStep>(parts_, workflow, context, std::move(done))->run();
}

Step DeployWorkflow::give_up(const store::Workflow& workflow, const workflow::StepContext& context,
                             const std::string& reason) {
  DeployState state;
  try {
    state = workflow.state.get<DeployState>();
  } catch (const json::exception& e) {
    return Step::finish(workflow.state, store::WorkflowStatus::kFailed);
  }
  auto deployment = parts_->store.get_deployment(state.deployment_id);
  if (!deployment) {
    // Not readable now: finishing here would leave the deployment open forever and block its
    // job; try again later (the attempt count starts over).
    return Step::next(workflow.state, context.now_ms + options_.retry.max_backoff_ms);
  }
  if (deployment->request.strategy == store::Strategy::kBlueGreen &&
      store::is_open(deployment->status)) {
    if (detail::is_abortable_phase(state.phase)) {
      return detail::DeployStep::abort_step(state, *deployment, context.now_ms, reason, false);
    }
    if (state.phase == "abort") {
      // Could not remove green: end aborted anyway (blue runs on; green's job may be left
      // behind, and the reason says so).
      state.abort_reason += "; then removing green failed: " + reason;
      store::StepWrites writes;
      writes.phases.push_back({deployment->id, state.seq, "abort", state.phase_started_ms,
                               context.now_ms, store::PhaseOutcome::kFailed, reason});
      writes.deployment = store::DeploymentTransition{
          deployment->id, store::DeploymentStatus::kAborted, context.now_ms, state.abort_reason};
      state.phase = "aborted";
      return Step::finish(json(state), store::WorkflowStatus::kFailed, std::move(writes));
    }
  }
  if (state.phase == "rollback" || !store::is_open(deployment->status)) {
    // Already failed (only asking for the rollback failed): nothing more to record.
    state.phase = "failed";
    return Step::finish(json(state), store::WorkflowStatus::kFailed);
  }
  return detail::DeployStep::fail(*parts_, workflow, state, *deployment, context.now_ms, reason);
}

namespace detail {

DeployStep::DeployStep(std::shared_ptr<DeployWorkflow::Parts> parts, store::Workflow workflow,
                       workflow::StepContext context, std::function<void(workflow::Step)> done)
    : parts_(std::move(parts)),
      options_(parts_->options),
      workflow_(std::move(workflow)),
      context_(std::move(context)),
      done_(std::move(done)) {}

void DeployStep::run() {
  try {
    state_ = workflow_.state.get<DeployState>();
  } catch (const Json::exception& e) {
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
  if (state_.phase == "rollback") return request_rollback();
  if (!store::is_open(deployment_.status)) {  // superseded while it waited, or already ended
    answer(Step::finish(Json(state_), store::WorkflowStatus::kDone));
    return;
  }
  if (state_.phase == "admit") return admit();
  if (state_.phase == "job") return create_or_reset();
  if (state_.phase == "stop") return stop_old_runs();
  if (state_.phase == "start") return start_new_run();
  if (state_.phase == "wait") return wait_for_run();
  if (state_.phase == "green") return start_green();
  if (state_.phase == "running") return wait_for_green();
  if (state_.phase == "health") return check_health();
  if (state_.phase == "stop-blue") return stop_blue();
  if (state_.phase == "abort") return abort_green();
  failed("unknown deploy phase \"" + state_.phase + "\" in the workflow state");
}

// Queued: wait for the running deployment of the job to end, then load the job from its build
// and start.
void DeployStep::admit() {
  const auto& request = deployment_.request;
  auto running = parts_->store.open_deployment(request.name, request.target);
  if (running && running->id != deployment_.id) {
    again_after(options_.queue_poll_ms);
    return;
  }
  if (state_.prepared.empty()) {  // not prepared when it was requested: load it now
    auto source =
        load_job_source(parts_->artifacts, request.build_id, request.name, request.target);
    if (!source) return failed(source.error().message);
    if (auto error = prepare_state(state_, *source, request.build_id); !error.empty()) {
      return failed(error);
    }
  }
  const bool blue_green = request.strategy == store::Strategy::kBlueGreen;
  if (blue_green) {
    if (auto error = admit_blue_green(); !error.empty()) return failed(error);
  }

  auto existing = parts_->store.get_job(request.name, request.target);
  if (existing && existing->state != store::JobState::kRemoved) {
    state_.job_id = existing->databricks_job_id;
  }
  store::StepWrites writes;
  writes.deployment =
      store::DeploymentTransition{deployment_.id, store::DeploymentStatus::kRunning, now(), ""};
  writes.job = job_row(store::JobState::kDeploying);
  state_.seq = 1;
  state_.phase = "prepare";
  state_.phase_started_ms = now();
  advance(blue_green ? "green" : "job", state_.prepared, std::move(writes));
}

Step DeployStep::fail(const DeployWorkflow::Parts& parts, const store::Workflow& workflow,
                      DeployState state, const store::Deployment& deployment, core::TimeMs now,
                      const std::string& reason) {
  (void)workflow;
  store::StepWrites writes;
  if (state.seq > 0) {
    writes.phases.push_back({deployment.id, state.seq, state.phase, state.phase_started_ms, now,
                             store::PhaseOutcome::kFailed, reason});
  } else {
    writes.phases.push_back(
        {deployment.id, 1, "prepare", now, now, store::PhaseOutcome::kFailed, reason});
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
  if (auto existing = parts.store.get_job(r.name, r.target); existing) {
    job.deployed_version = existing->deployed_version;
    job.deployed_build_id = existing->deployed_build_id;
    if (!job.databricks_job_id) job.databricks_job_id = existing->databricks_job_id;
  }
  writes.job = job;
  // Changed the job, then failed: go back to what was live, unless this is a rollback already.
  const bool changed_job = state.phase == "stop" || state.phase == "start" || state.phase == "wait";
  if (parts.options.rollback_on_failure && changed_job && r.requested_by != kRollbackBy &&
      job.deployed_build_id && *job.deployed_build_id != r.build_id) {
    state.phase = "rollback";
    state.rollback_build = *job.deployed_build_id;
    return Step::next(json(state), now, std::move(writes));
  }
  state.phase = "failed";
  return Step::finish(json(state), store::WorkflowStatus::kFailed, std::move(writes));
}

// After a failed deploy that changed the job: ask for the build that was live before. Runs
// with the deployment already failed; idempotent (a crash after the request and before this
// step's commit finds the request in the history).
void DeployStep::request_rollback() {
  const auto& r = deployment_.request;
  const std::string reason = "rollback after deployment " + std::to_string(deployment_.id) +
                             " failed: " + deployment_.outcome_reason;
  auto finish = [&] {
    state_.phase = "failed";
    answer(Step::finish(Json(state_), store::WorkflowStatus::kFailed));
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

void DeployStep::failed(const std::string& reason) {
  if (deployment_.request.strategy == store::Strategy::kBlueGreen &&
      is_abortable_phase(state_.phase)) {
    return abort(reason);
  }
  answer(fail(*parts_, workflow_, state_, deployment_, now(), reason));
}

void DeployStep::retry(const std::string& reason) {
  answer(Step::retry(reason));
}

void DeployStep::answer(Step step) {
  if (answered_) return;
  answered_ = true;
  done_(std::move(step));
}

void DeployStep::advance(const std::string& next, const std::string& reason,
                         store::StepWrites writes) {
  const core::TimeMs t = now();
  writes.phases.push_back({deployment_.id, state_.seq, state_.phase, state_.phase_started_ms, t,
                           store::PhaseOutcome::kSucceeded, reason});
  state_.seq += 1;
  state_.phase = next;
  state_.phase_started_ms = t;
  writes.phases.push_back(
      {deployment_.id, state_.seq, next, t, std::nullopt, store::PhaseOutcome::kRunning, ""});
  answer(Step::next(Json(state_), t, std::move(writes)));
}

void DeployStep::finish_succeeded(const std::string& reason, store::StepWrites writes) {
  const core::TimeMs t = now();
  writes.phases.push_back({deployment_.id, state_.seq, state_.phase, state_.phase_started_ms, t,
                           store::PhaseOutcome::kSucceeded, reason});
  writes.deployment =
      store::DeploymentTransition{deployment_.id, store::DeploymentStatus::kSucceeded, t, reason};
  writes.job = job_row(store::JobState::kDeployed);
  writes.job->deployed_version = deployment_.request.version;
  writes.job->deployed_build_id = deployment_.request.build_id;
  state_.phase = "succeeded";
  answer(Step::finish(Json(state_), store::WorkflowStatus::kDone, std::move(writes)));
}

void DeployStep::again_after(core::DurationMs wait, store::StepWrites writes) {
  answer(Step::next(Json(state_), now() + wait, std::move(writes)));
}

// The job row with this deploy's Databricks job id and `state`; what is deployed stays as
// recorded until the deploy succeeds.
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

store::Run DeployStep::run_row(const Json& run) const {
  const auto& r = deployment_.request;
  store::Run row;
  row.run_id = run.value("run_id", std::int64_t{0});
  row.job_name = r.name;
  row.target = r.target;
  row.databricks_job_id = state_.job_id.value_or(0);
  row.version = r.version;
  const Json state = run.value("state", Json::object());
  row.life_cycle_state = state.value("life_cycle_state", "");
  row.result_state = state.value("result_state", "");
  row.start_ms = run.value("start_time", now());
  const std::int64_t end = run.value("end_time", std::int64_t{0});
  if (end > 0) row.end_ms = end;
  row.updated_ms = now();
  return row;
}

}  // namespace detail
}  // namespace kiln::deploy
