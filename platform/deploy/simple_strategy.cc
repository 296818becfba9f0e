#include "platform/deploy/simple_strategy.h"

#include <algorithm>

#include "platform/deploy/databricks_job.h"
#include "platform/deploy/deploy_step.h"

namespace kiln::deploy {

using nlohmann::json;
using Phase = SimpleStrategy::Phase;

namespace {

constexpr PhaseNames<Phase, 4> kPhases{{
    {Phase::kJob, "job"},
    {Phase::kStop, "stop"},
    {Phase::kStart, "start"},
    {Phase::kWait, "wait"},
}};

// A continuous job is created or reset paused: unpausing it, once the old run has stopped, is
// what starts the new run.
json paused_settings(const json& settings) {
  return with_continuous_pause(settings, "PAUSED");
}

}  // namespace

bool SimpleStrategy::load(const json& state) {
  state_.unpaused = state.value("unpaused", false);
  const auto phase = phase_named(kPhases, state.value("phase", ""));
  state_.phase = phase.value_or(Phase::kJob);
  return phase.has_value();
}

void SimpleStrategy::save(json& state) const {
  state["unpaused"] = state_.unpaused;
}

std::string SimpleStrategy::phase_name() const {
  return name_of(kPhases, state_.phase);
}

bool SimpleStrategy::changed_job() const {
  return state_.phase != Phase::kJob;
}

std::string SimpleStrategy::admit(DeployStep& step) {
  step_ = &step;
  state_.phase = Phase::kJob;
  return "";
}

void SimpleStrategy::play(DeployStep& step) {
  step_ = &step;
  switch (state_.phase) {
    case Phase::kJob:
      return create_or_reset();
    case Phase::kStop:
      return stop_old_runs();
    case Phase::kStart:
      return start_new_run();
    case Phase::kWait:
      return wait_for_run();
  }
}

void SimpleStrategy::advance(Phase next, const std::string& reason, store::StepWrites writes) {
  const std::string ended = phase_name();
  state_.phase = next;
  step_->advance(ended, reason, std::move(writes));
}

// --- job: create or reset -------------------------------------------------------------------

void SimpleStrategy::create_or_reset() {
  auto& s = step_->state();
  if (!s.job_id) return find_or_create("");
  const std::int64_t id = *s.job_id;
  step_->jobs().get_job(
      id, [this, id] { reset(id, "reset job " + std::to_string(id)); }, if_missing([this, id] {
        step_->state().job_id.reset();
        find_or_create("job " + std::to_string(id) + " was deleted outside kiln; ");
      }));
}

// No job id known: a create whose answer was lost may have made the job, so look for it by its
// tags before creating one.
void SimpleStrategy::find_or_create(const std::string& note) {
  const auto& r = step_->deployment().request;
  step_->jobs().list_jobs(r.name, [this, note](const json& jobs) {
    const auto& request = step_->deployment().request;
    std::optional<std::int64_t> found;
    for (const auto& job : jobs) {
      if (!is_managed_job(job, request.name, request.target)) continue;
      const auto id = job.value("job_id", std::int64_t{0});
      if (!found || id < *found) found = id;
    }
    if (found) return reset(*found, note + "adopted job " + std::to_string(*found));
    create(note);
  });
}

void SimpleStrategy::create(const std::string& note) {
  step_->jobs().create_job(
      paused_settings(step_->state().settings),
      [this, note](std::int64_t id) {
        step_->state().job_id = id;
        step_->state().quota_since.reset();
        store::StepWrites writes;
        writes.job = step_->job_row(store::JobState::kDeploying);
        advance(Phase::kStop, note + "created job " + std::to_string(id), std::move(writes));
      },
      [this](const databricks::ApiResponse& r) { return step_->wait_for_quota(r); });
}

void SimpleStrategy::reset(std::int64_t job_id, const std::string& how) {
  step_->jobs().reset_job(job_id, paused_settings(step_->state().settings), [this, job_id, how] {
    step_->state().job_id = job_id;
    store::StepWrites writes;
    writes.job = step_->job_row(store::JobState::kDeploying);
    advance(Phase::kStop, how, std::move(writes));
  });
}

// --- stop: the old version's runs -------------------------------------------------------------

void SimpleStrategy::stop_old_runs() {
  step_->stop_runs_of(*step_->state().job_id, "run(s)", [this] {
    const auto& cancelled = step_->state().cancelled;
    advance(Phase::kStart,
            cancelled.empty() ? "no run was active" : "stopped run(s) " + ids(cancelled));
  });
}

// --- start: the new version's run ---------------------------------------------------------------

void SimpleStrategy::start_new_run() {
  auto& s = step_->state();
  const std::int64_t job_id = *s.job_id;
  if (is_continuous(s.settings)) {
    if (continuous_pause_status(s.settings) == "PAUSED") {
      return step_->finish_succeeded(
          "continuous job " + std::to_string(job_id) + " deployed paused, as configured", {});
    }
    if (state_.unpaused) return find_continuous_run();
    // Unpausing starts the run; resetting again is harmless if it already has.
    return step_->jobs().reset_job(job_id, s.settings, [this] {
      state_.unpaused = true;
      find_continuous_run();
    });
  }
  step_->jobs().run_now(job_id, run_token(step_->deployment().id), [this](std::int64_t run_id) {
    step_->state().run_id = run_id;
    store::StepWrites writes;
    writes.run = step_->run_row(pending_run(run_id), step_->state().job_id.value_or(0));
    advance(Phase::kWait, "started run " + std::to_string(run_id), std::move(writes));
  });
}

void SimpleStrategy::find_continuous_run() {
  step_->jobs().all_active_runs(*step_->state().job_id, [this](std::vector<RunState> runs) {
    auto& s = step_->state();
    if (!runs.empty()) {
      // runs/list is newest first: the run the unpause started.
      const RunState& run = runs.front();
      s.run_id = run.run_id;
      store::StepWrites writes;
      writes.run = step_->run_row(run, s.job_id.value_or(0));
      return advance(Phase::kWait, "unpaused; continuous run " + std::to_string(run.run_id),
                     std::move(writes));
    }
    const auto limit = step_->options().start_timeout_ms;
    if (step_->timed_out(limit)) {
      return step_->failed("the continuous job started no run within " + seconds(limit));
    }
    step_->again_after(step_->options().poll_ms);
  });
}

// --- wait: until the new run runs (or has ended) ------------------------------------------------

void SimpleStrategy::wait_for_run() {
  const std::int64_t run_id = *step_->state().run_id;
  step_->jobs().get_run(run_id, [this, run_id](const RunState& run) {
    auto& s = step_->state();
    const auto& options = step_->options();
    const std::string& life = run.life_cycle_state;
    store::StepWrites writes;
    if (life != s.run_state) writes.run = step_->run_row(run, s.job_id.value_or(0));
    s.run_state = life;
    const std::string what = "run " + std::to_string(run_id);
    const bool until_end = options.wait_for == WaitFor::kFirstRunEnd && !is_continuous(s.settings);
    if (life == "RUNNING" && !until_end) {
      writes.run = step_->run_row(run, s.job_id.value_or(0));
      return step_->finish_succeeded(what + " RUNNING", std::move(writes));
    }
    if (is_terminal(life)) return ended(what, run, std::move(writes));
    const auto limit = until_end ? options.run_timeout_ms : options.start_timeout_ms;
    if (step_->timed_out(limit)) {
      // Give up on it, and stop it: a deploy that failed leaves no half-started run.
      const std::string reason =
          what + " still " + life + " after " + seconds(limit) + "; cancelled it";
      return step_->jobs().cancel_run(run_id, [this, reason] { step_->failed(reason); });
    }
    step_->again_after(options.poll_ms, std::move(writes));
  });
}

// The new run ended: the deploy succeeded if it ended SUCCESS, else it failed.
void SimpleStrategy::ended(const std::string& what, const RunState& run, store::StepWrites writes) {
  writes.run = step_->run_row(run, step_->state().job_id.value_or(0));
  if (run.result_state == "SUCCESS") {
    return step_->finish_succeeded(what + " ended SUCCESS", std::move(writes));
  }
  const std::string& message = run.state_message;
  auto step = fail_deployment(step_->phase_end(), *this,
                              what + " ended " + run.life_cycle_state + " " + run.result_state +
                                  (message.empty() ? "" : ": " + message));
  step.writes.run = std::move(writes.run);
  step_->answer(std::move(step));
}

}  // namespace kiln::deploy
