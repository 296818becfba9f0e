// BlueGreenStrategy's phases that bring green up beside blue and hand the job over to it:
// green, running, health, stop-blue (blue_green_strategy.h).
#include <algorithm>

#include "platform/deploy/blue_green_strategy.h"
#include "platform/deploy/databricks_job.h"
#include "platform/deploy/deploy_step.h"

namespace kiln::deploy {

using nlohmann::json;
using Phase = BlueGreenStrategy::Phase;

// --- green (t0): create and start green beside blue -------------------------------------------

void BlueGreenStrategy::start_green() {
  // Green is the preferred holder from now on: it takes the lock as soon as it has caught up.
  const auto& d = step_->deployment();
  const auto preferred = step_->parts().locks->prefer(state_.stream, holder_name(d.id));
  if (!preferred.ok()) {
    return step_->retry("prefer green on stream " + state_.stream + ": " + preferred.message);
  }
  if (state_.green_job_id) return start_green_run();
  // A rollback to the build a parked blue runs: that job becomes green (reset to this
  // deployment's settings), with no jobs/create, so no quota or creation limit stands in the way.
  auto parked = step_->parts().store.list_parked_jobs(10'000);
  if (!parked) return step_->retry("read the parked jobs: " + parked.error().describe());
  const auto& s = step_->state();
  for (const auto& p : *parked) {
    const auto& r = d.request;
    if (p.name != r.name || p.target != r.target || p.build_id != r.build_id) continue;
    if (s.job_id && p.databricks_job_id == *s.job_id) continue;
    const std::int64_t id = p.databricks_job_id;
    return step_->jobs().reset_job(
        id, s.settings,
        [this, id] {
          state_.green_job_id = id;
          start_green_run(id);
        },
        if_missing([this, id] {
          (void)step_->parts().store.remove_parked_job(id);  // deleted meanwhile: forget it
          find_green_or_create();
        }));
  }
  find_green_or_create();
}

// This deployment's green job, by its kiln_deployment tag (a create whose answer was lost may
// have made it): `found` gets its id, or nullopt.
void BlueGreenStrategy::find_green(std::function<void(std::optional<std::int64_t>)> found) {
  step_->jobs().list_jobs(step_->deployment().request.name,
                          [this, found = std::move(found)](const json& jobs) {
                            const auto& d = step_->deployment();
                            for (const auto& job : jobs) {
                              if (is_managed_job(job, d.request.name, d.request.target) &&
                                  tag(job, kTagDeployment) == std::to_string(d.id)) {
                                return found(job.value("job_id", std::int64_t{0}));
                              }
                            }
                            found(std::nullopt);
                          });
}

void BlueGreenStrategy::find_green_or_create() {
  find_green([this](std::optional<std::int64_t> id) {
    if (id) {
      state_.green_job_id = id;
      return start_green_run();
    }
    step_->jobs().create_job(
        step_->state().settings,
        [this](std::int64_t job_id) {
          state_.green_job_id = job_id;
          step_->state().quota_since.reset();
          start_green_run();
        },
        [this](const databricks::ApiResponse& r) { return step_->wait_for_quota(r); });
  });
}

void BlueGreenStrategy::start_green_run(std::optional<std::int64_t> unparked) {
  const std::int64_t job_id = *state_.green_job_id;
  const std::string created = (unparked ? "parked job " : "green job ") + std::to_string(job_id);
  store::StepWrites first;
  first.unpark = unparked;
  if (is_continuous(step_->state().settings)) {  // created unpaused: Databricks starts its run
    return advance(Phase::kRunning, created + " (continuous)", std::move(first));
  }
  step_->jobs().run_now(
      job_id, run_token(step_->deployment().id), [this, created, unparked](std::int64_t run_id) {
        step_->state().run_id = run_id;
        store::StepWrites writes;
        writes.unpark = unparked;
        writes.run = green_run_row(pending_run(run_id));
        advance(Phase::kRunning, created + ", run " + std::to_string(run_id), std::move(writes));
      });
}

// --- running (t0 -> t1): green's run must reach RUNNING ----------------------------------------

void BlueGreenStrategy::find_green_continuous_run() {
  step_->jobs().all_active_runs(*state_.green_job_id, [this](std::vector<RunState> runs) {
    if (!runs.empty()) {
      step_->state().run_id = runs.front().run_id;
      return wait_for_green();
    }
    const auto limit = step_->options().start_timeout_ms;
    if (step_->timed_out(limit)) return abort("green started no run within " + seconds(limit));
    step_->again_after(step_->options().poll_ms);
  });
}

void BlueGreenStrategy::wait_for_green() {
  if (!step_->state().run_id) return find_green_continuous_run();
  const std::int64_t run_id = *step_->state().run_id;
  step_->jobs().get_run(run_id, [this, run_id](const RunState& run) {
    auto& s = step_->state();
    const std::string& life = run.life_cycle_state;
    const std::string what = "green run " + std::to_string(run_id);
    store::StepWrites writes;
    if (life != s.run_state) writes.run = green_run_row(run);
    s.run_state = life;
    if (life == "RUNNING") {
      state_.running_ms = step_->now();
      return advance(Phase::kHealth, what + " RUNNING", std::move(writes));
    }
    if (is_terminal(life)) {
      return abort(what + " ended " + life + " " + run.result_state + " before it ran");
    }
    const auto limit = step_->options().start_timeout_ms;
    if (step_->timed_out(limit)) return abort(what + " still " + life + " after " + seconds(limit));
    step_->again_after(step_->options().poll_ms, std::move(writes));
  });
}

// --- health (t1 -> t2): green keeps running, catches up and holds the lock ---------------------

void BlueGreenStrategy::check_health() {
  const auto& r = step_->deployment().request;
  // A newer request for the job wins while blue still runs: give green up for it.
  if (auto queued = step_->parts().store.queued_deployment(r.name, r.target)) {
    return abort("superseded by deployment " + std::to_string(queued->id), true);
  }
  const std::int64_t run_id = *step_->state().run_id;
  step_->jobs().get_run(run_id, [this, run_id](const RunState& run) {
    const auto& options = step_->options();
    if (run.life_cycle_state != "RUNNING") {
      return abort("green run " + std::to_string(run_id) + " is " + run.life_cycle_state + " " +
                   run.result_state + " in its health window");
    }
    std::string error;
    const auto lock = lock_state(&error);
    if (!error.empty()) return step_->retry("read the lock of " + state_.stream + ": " + error);
    const std::string green = holder_name(step_->deployment().id);
    const std::string holder = lock ? lock->holder_at(step_->now()) : "";
    if (holder == green) {
      state_.green_held = true;
    } else if (state_.green_held && !holder.empty() && !state_.blue_holder.empty()) {
      // Another holder (blue, as a standby) took it: green is not fit to take over. A lease
      // that merely ran out (nobody took the lock) may be won back before t2, and with no blue
      // there is nothing better to fall back on.
      return abort("green lost the writer lock of " + state_.stream + " to " + holder);
    }
    const core::TimeMs t2 = *state_.running_ms + state_.health_ms;
    const core::TimeMs now = step_->now();
    if (now < t2) return step_->again_after(std::min(options.poll_ms, t2 - now));
    if (holder == green) {
      return advance(Phase::kStopBlue, "green held the writer lock (token " +
                                           std::to_string(lock->token) + ", lag " +
                                           std::to_string(lock->lag()) + ") at t2");
    }
    if (now >= t2 + options.catch_up_timeout_ms) {
      return abort("green had not caught up " + seconds(options.catch_up_timeout_ms) +
                   " after its health window: " +
                   (lock ? "checkpoint " + std::to_string(lock->committed) + " held by " +
                               (holder.empty() ? "nobody" : holder)
                         : "the stream was never written"));
    }
    step_->again_after(options.poll_ms);
  });
}

// --- stop-blue (t2): green holds the lock; blue's runs stop, its job goes ----------------------

void BlueGreenStrategy::stop_blue() {
  const auto& s = step_->state();
  if (!s.job_id) return remove_blue();  // a first deploy: there is no blue
  std::string error;
  const auto lock = lock_state(&error);
  if (!error.empty()) return step_->retry("read the lock of " + state_.stream + ": " + error);
  if (s.cancelled.empty() &&
      (!lock || lock->holder_at(step_->now()) != holder_name(step_->deployment().id))) {
    // Lost between health and here: blue must not be stopped.
    return abort("green lost the writer lock of " + state_.stream + " before blue was stopped");
  }
  const std::int64_t blue = *s.job_id;
  // Stopping fails after stop_timeout_ms, with green running and holding the lock.
  auto cancel_blue = [this, blue] {
    step_->stop_runs_of(blue, "blue's run(s)", [this] { remove_blue(); });
  };
  // A continuous blue would be restarted by Databricks: pause it first. (Its job gone already
  // is as good as paused.)
  if (!is_continuous(s.settings)) return cancel_blue();
  step_->jobs().pause_continuous_job(blue, cancel_blue, if_missing(cancel_blue));
}

void BlueGreenStrategy::remove_blue() {
  const auto& d = step_->deployment();
  const auto& r = d.request;
  auto take_over = [this](const std::string& how, store::StepWrites writes) {
    auto& s = step_->state();
    s.job_id = state_.green_job_id;
    if (s.run_id) {
      RunState running;
      running.run_id = *s.run_id;
      running.life_cycle_state = "RUNNING";
      running.start_ms = state_.running_ms.value_or(step_->now());
      writes.run = green_run_row(running);
    }
    step_->finish_succeeded(how + "; green job " + std::to_string(*s.job_id) + " is live",
                            std::move(writes));
  };
  const auto& s = step_->state();
  if (!s.job_id) return take_over("no blue to stop", {});
  const std::int64_t blue = *s.job_id;
  const std::string stopped = s.cancelled.empty()
                                  ? "blue job " + std::to_string(blue) + " had no active run"
                                  : "stopped blue's run(s) " + ids(s.cancelled);
  auto live = step_->parts().store.get_job(r.name, r.target);
  if (!live && live.code() != store::ErrorCode::kNotFound) {
    return step_->retry("read the job row of " + r.name + ": " + live.error().describe());
  }
  // Parked: kept stopped for a fast rollback to the build it runs (unknown: nothing to go back
  // to, so it is deleted).
  const auto park_ms = step_->options().park_blue_ms;
  if (park_ms > 0 && live && live->deployed_build_id) {
    const core::TimeMs now = step_->now();
    store::StepWrites writes;
    writes.park = store::ParkedJob{blue,
                                   r.name,
                                   r.target,
                                   d.id,
                                   live->deployed_version.value_or(0),
                                   *live->deployed_build_id,
                                   now,
                                   now + park_ms};
    return take_over(
        stopped + "; parked blue job " + std::to_string(blue) + " for " + seconds(park_ms),
        std::move(writes));
  }
  step_->jobs().delete_job(
      blue,
      [take_over, stopped, blue] {
        take_over(stopped + "; deleted blue job " + std::to_string(blue), {});
      },
      if_missing([take_over, stopped, blue] {
        take_over(stopped + "; blue job " + std::to_string(blue) + " was already deleted", {});
      }));
}

}  // namespace kiln::deploy
