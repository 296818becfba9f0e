// BlueGreenStrategy: its state, how it is admitted, and how it aborts (green goes, blue stays).
// The phases that bring green up and hand over to it are in blue_green_phases.cc.
#include "platform/deploy/blue_green_strategy.h"

#include "platform/deploy/databricks_job.h"
#include "platform/deploy/deploy_step.h"

namespace kiln::deploy {

using nlohmann::json;
using Phase = BlueGreenStrategy::Phase;

namespace {

constexpr PhaseNames<Phase, 5> kPhases{{
    {Phase::kGreen, "green"},
    {Phase::kRunning, "running"},
    {Phase::kHealth, "health"},
    {Phase::kStopBlue, "stop-blue"},
    {Phase::kAbort, "abort"},
}};

}  // namespace

bool BlueGreenStrategy::load(const json& state) {
  const json bg = state.value("blue_green", json::object());
  state_.stream = bg.value("stream", "");
  state_.health_ms = bg.value("health_ms", core::DurationMs{0});
  state_.blue_holder = bg.value("blue_holder", "");
  state_.green_held = bg.value("green_held", false);
  state_.abort_reason = bg.value("abort_reason", "");
  state_.superseded = bg.value("superseded", false);
  state_.green_job_id.reset();
  state_.running_ms.reset();
  if (bg.contains("green_job_id")) state_.green_job_id = bg["green_job_id"].get<std::int64_t>();
  if (bg.contains("running_ms")) state_.running_ms = bg["running_ms"].get<core::TimeMs>();
  const auto phase = phase_named(kPhases, state.value("phase", ""));
  state_.phase = phase.value_or(Phase::kGreen);
  return phase.has_value();
}

void BlueGreenStrategy::save(json& state) const {
  // The simple strategy's field: stored workflows have it whatever their strategy.
  state["unpaused"] = false;
  if (state_.stream.empty()) return;  // not prepared yet
  json bg{{"stream", state_.stream},
          {"health_ms", state_.health_ms},
          {"blue_holder", state_.blue_holder},
          {"green_held", state_.green_held},
          {"abort_reason", state_.abort_reason},
          {"superseded", state_.superseded}};
  if (state_.green_job_id) bg["green_job_id"] = *state_.green_job_id;
  if (state_.running_ms) bg["running_ms"] = *state_.running_ms;
  state["blue_green"] = std::move(bg);
}

std::string BlueGreenStrategy::phase_name() const {
  return name_of(kPhases, state_.phase);
}

void BlueGreenStrategy::prepare(const config::JobConfig& config) {
  state_.stream = config::stream_name(config);
  state_.health_ms = config.health_seconds.value_or(0) * 1000;
}

// Who blue is: its holder id is that of the newest deployment that succeeded.
std::string BlueGreenStrategy::admit(DeployStep& step) {
  step_ = &step;
  if (step.parts().locks == nullptr) {
    return "blue-green needs a lock service, and this kiln has none";
  }
  if (state_.stream.empty()) return "blue-green: the deployment names no stream";
  if (continuous_pause_status(step.state().settings) == "PAUSED") {
    return "blue-green needs a running job, but continuous.pause_status is PAUSED";
  }
  const auto& d = step.deployment();
  auto history = step.parts().store.deployment_history(d.request.name, d.request.target, 50);
  if (!history) return "read the history of " + d.request.name + ": " + history.error().describe();
  state_.blue_holder.clear();
  for (const auto& other : *history) {
    if (other.id != d.id && other.status == store::DeploymentStatus::kSucceeded) {
      state_.blue_holder = holder_name(other.id);
      break;
    }
  }
  state_.phase = Phase::kGreen;
  return "";
}

void BlueGreenStrategy::play(DeployStep& step) {
  step_ = &step;
  switch (state_.phase) {
    case Phase::kGreen:
      return start_green();
    case Phase::kRunning:
      return wait_for_green();
    case Phase::kHealth:
      return check_health();
    case Phase::kStopBlue:
      return stop_blue();
    case Phase::kAbort:
      return abort_green();
  }
}

void BlueGreenStrategy::advance(Phase next, const std::string& reason, store::StepWrites writes) {
  const std::string ended = phase_name();
  state_.phase = next;
  step_->advance(ended, reason, std::move(writes));
}

std::optional<streams::LockState> BlueGreenStrategy::lock_state(std::string* error) const {
  return step_->parts().locks->state(state_.stream, error);
}

store::Run BlueGreenStrategy::green_run_row(const RunState& run) const {
  return step_->run_row(run, state_.green_job_id.value_or(0));
}

// --- abort: blue keeps running; green goes ------------------------------------------------------

bool BlueGreenStrategy::abortable() const {
  return state_.phase == Phase::kGreen || state_.phase == Phase::kRunning ||
         state_.phase == Phase::kHealth;
}

workflow::Step BlueGreenStrategy::failure(PhaseEnd end, const std::string& reason) {
  if (abortable()) return abort_step(std::move(end), reason, false);
  return Strategy::failure(std::move(end), reason);
}

workflow::Step BlueGreenStrategy::gave_up(PhaseEnd end, const std::string& reason) {
  if (state_.phase != Phase::kAbort) return failure(std::move(end), reason);
  // Could not remove green: end aborted anyway (blue runs on; green's job may be left behind,
  // and the reason says so).
  state_.abort_reason += "; then removing green failed: " + reason;
  const auto id = end.deployment.id;
  store::StepWrites writes;
  writes.phases.push_back({id, end.state.seq, phase_name(), end.state.phase_started_ms, end.now,
                           store::PhaseOutcome::kFailed, reason});
  writes.deployment = store::DeploymentTransition{id, store::DeploymentStatus::kAborted, end.now,
                                                  state_.abort_reason};
  end.state.stage = Stage::kAborted;
  return workflow::Step::finish(stored_state(end.state, *this), store::WorkflowStatus::kFailed,
                                std::move(writes));
}

workflow::Step BlueGreenStrategy::abort_step(PhaseEnd end, const std::string& reason,
                                             bool superseded) {
  state_.abort_reason = reason;
  state_.superseded = superseded;
  const auto id = end.deployment.id;
  store::StepWrites writes;
  writes.phases.push_back({id, end.state.seq, phase_name(), end.state.phase_started_ms, end.now,
                           store::PhaseOutcome::kFailed, reason});
  end.state.seq += 1;
  end.state.phase_started_ms = end.now;
  state_.phase = Phase::kAbort;
  writes.phases.push_back(
      {id, end.state.seq, phase_name(), end.now, std::nullopt, store::PhaseOutcome::kRunning, ""});
  return workflow::Step::next(stored_state(end.state, *this), end.now, std::move(writes));
}

void BlueGreenStrategy::abort(const std::string& reason, bool superseded) {
  step_->answer(abort_step(step_->phase_end(), reason, superseded));
}

// Idempotent: the preferred holder is blue again, green's job is deleted (which cancels its run;
// a cancelled green releases the lock, and blue, caught up as a hot standby, takes it).
void BlueGreenStrategy::abort_green() {
  const auto preferred = step_->parts().locks->prefer(state_.stream, state_.blue_holder);
  if (!preferred.ok()) {
    return step_->retry("prefer blue on stream " + state_.stream + ": " + preferred.message);
  }
  if (!state_.green_job_id) {
    return find_green([this](std::optional<std::int64_t> id) {
      if (!id) return end_aborted();
      state_.green_job_id = id;
      abort_green();
    });
  }
  step_->jobs().delete_job(
      *state_.green_job_id, [this] { end_aborted(); }, if_missing([this] { end_aborted(); }));
}

void BlueGreenStrategy::end_aborted() {
  const core::TimeMs t = step_->now();
  auto& s = step_->state();
  const auto& d = step_->deployment();
  const std::string removed = state_.green_job_id
                                  ? "deleted green job " + std::to_string(*state_.green_job_id)
                                  : "no green job";
  const std::string back = state_.blue_holder.empty() ? "no blue" : "preferred holder back to blue";
  store::StepWrites writes;
  writes.phases.push_back({d.id, s.seq, phase_name(), s.phase_started_ms, t,
                           store::PhaseOutcome::kSucceeded, removed + "; " + back});
  const auto status =
      state_.superseded ? store::DeploymentStatus::kSuperseded : store::DeploymentStatus::kAborted;
  writes.deployment = store::DeploymentTransition{d.id, status, t, state_.abort_reason};
  // Blue is what runs: the job row says so (a first deploy that aborted leaves nothing live).
  auto live = step_->parts().store.get_job(d.request.name, d.request.target);
  const bool has_blue = s.job_id && live && live->deployed_build_id;
  writes.job = step_->job_row(has_blue ? store::JobState::kDeployed : store::JobState::kFailed);
  s.stage = Stage::kAborted;
  step_->answer(
      workflow::Step::finish(step_->stored(), store::WorkflowStatus::kDone, std::move(writes)));
}

}  // namespace kiln::deploy
