// The blue-green strategy's phases after admit: green, running, health, stop-blue, and abort
// (deploy_workflow.h; the timeline is in docs/deploys.md). Blue is the live Databricks job
// (state.job_id); green is a second job made for this deployment (state.green_job_id). Nothing
// here touches blue before green holds the stream's writer lock.
#include <algorithm>

#include "platform/deploy/databricks_job.h"
#include "platform/deploy/deploy_step.h"

namespace kiln::deploy::detail {

using databricks::ApiRequest;
using databricks::ApiResponse;
using nlohmann::json;

// At admit: who blue is. Its holder id is that of the newest deployment that succeeded.
std::string DeployStep::admit_blue_green() {
  if (parts_->locks == nullptr) return "blue-green needs a lock service, and this kiln has none";
  if (state_.stream.empty()) return "blue-green: the deployment names no stream";
  if (continuous_pause_status(state_.settings) == "PAUSED") {
    return "blue-green needs a running job, but continuous.pause_status is PAUSED";
  }
  const auto& r = deployment_.request;
  auto history = parts_->store.deployment_history(r.name, r.target, 50);
  if (!history) return "read the history of " + r.name + ": " + history.error().describe();
  state_.blue_holder.clear();
  for (const auto& d : *history) {
    if (d.id != deployment_.id && d.status == store::DeploymentStatus::kSucceeded) {
      state_.blue_holder = holder_name(d.id);
      break;
    }
  }
  return "";
}

std::optional<streams::LockState> DeployStep::lock_state(std::string* error) const {
  return parts_->locks->state(state_.stream, error);
}

// --- green (t0): create and start green beside blue -------------------------------------------

void DeployStep::start_green() {
  // Green is the preferred holder from now on: it takes the lock as soon as it has caught up.
  const auto preferred = parts_->locks->prefer(state_.stream, holder_name(deployment_.id));
  if (!preferred.ok())
    return retry("prefer green on stream " + state_.stream + ": " + preferred.message);
  if (state_.green_job_id) return start_green_run();
  // A rollback to the build a parked blue runs: that job becomes green (reset to this
  // deployment's settings), with no jobs/create, so no quota or creation limit stands in the way.
  const auto& r = deployment_.request;
  auto parked = parts_->store.list_parked_jobs(10'000);
  if (!parked) return retry("read the parked jobs: " + parked.error().describe());
  for (const auto& p : *parked) {
    if (p.name != r.name || p.target != r.target || p.build_id != r.build_id) continue;
    if (state_.job_id && p.databricks_job_id == *state_.job_id) continue;
    auto self = shared_from_this();
    const std::int64_t id = p.databricks_job_id;
    return call(
        ApiRequest::post(path("reset"), {{"job_id", id}, {"new_settings", state_.settings}}),
        [self, id](const Json&) {
          self->state_.green_job_id = id;
          self->start_green_run(id);
        },
        [self, id](const ApiResponse& resp) {
          if (!says_missing(resp)) return false;
          (void)self->parts_->store.remove_parked_job(id);  // deleted meanwhile: forget it
          self->find_green_or_create();
          return true;
        });
  }
  find_green_or_create();
}

// This deployment's green job, by its kiln_deployment tag (a create whose answer was lost may
// have made it): `found` gets its id, or nullopt.
void DeployStep::find_green(std::function<void(std::optional<std::int64_t>)> found) {
  auto self = shared_from_this();
  list(ApiRequest::get(path("list"), {{"name", deployment_.request.name}, {"limit", "100"}}),
       "jobs", [self, found = std::move(found)](const Json& jobs) {
         const auto& r = self->deployment_.request;
         for (const auto& job : jobs) {
           if (is_managed_job(job, r.name, r.target) &&
               job_tag(job, kTagDeployment) == std::to_string(self->deployment_.id)) {
             return found(job.value("job_id", std::int64_t{0}));
           }
         }
         found(std::nullopt);
       });
}

void DeployStep::find_green_or_create() {
  auto self = shared_from_this();
  find_green([self](std::optional<std::int64_t> id) {
    if (id) {
      self->state_.green_job_id = id;
      return self->start_green_run();
    }
    self->call(
        ApiRequest::post(self->path("create"), self->state_.settings),
        [self](const Json& body) {
          self->state_.green_job_id = body.value("job_id", std::int64_t{0});
          self->state_.quota_since.reset();
          self->start_green_run();
        },
        [self](const ApiResponse& resp) { return self->wait_for_quota(resp); });
  });
}

void DeployStep::start_green_run(std::optional<std::int64_t> unparked) {
  const std::int64_t job_id = *state_.green_job_id;
  const std::string created = (unparked ? "parked job " : "green job ") + std::to_string(job_id);
  store::StepWrites first;
  first.unpark = unparked;
  if (is_continuous(state_.settings)) {  // created unpaused: Databricks starts its run
    return advance("running", created + " (continuous)", std::move(first));
  }
  auto self = shared_from_this();
  call(ApiRequest::post(path("run-now"),
                        {{"job_id", job_id}, {"idempotency_token", run_token(deployment_.id)}}),
       [self, created, unparked](const Json& body) {
         const auto run_id = body.value("run_id", std::int64_t{0});
         self->state_.run_id = run_id;
         store::StepWrites writes;
         writes.unpark = unparked;
         writes.run = self->green_run_row(
             {{"run_id", run_id}, {"state", {{"life_cycle_state", "PENDING"}}}});
         self->advance("running", created + ", run " + std::to_string(run_id), std::move(writes));
       });
}

// --- running (t0 -> t1): green's run must reach RUNNING ----------------------------------------

void DeployStep::find_green_continuous_run() {
  auto self = shared_from_this();
  list(ApiRequest::get(path("runs/list"), {{"job_id", std::to_string(*state_.green_job_id)},
                                           {"active_only", "true"},
                                           {"limit", "25"}}),
       "runs", [self](const Json& runs) {
         if (!runs.empty()) {
           self->state_.run_id = runs.front().value("run_id", std::int64_t{0});
           return self->wait_for_green();
         }
         if (self->timed_out(self->options_.start_timeout_ms)) {
           return self->abort("green started no run within " +
                              seconds(self->options_.start_timeout_ms));
         }
         self->again_after(self->options_.poll_ms);
       });
}

void DeployStep::wait_for_green() {
  if (!state_.run_id) return find_green_continuous_run();
  auto self = shared_from_this();
  const std::int64_t run_id = *state_.run_id;
  call(ApiRequest::get(path("runs/get"), {{"run_id", std::to_string(run_id)}}),
       [self, run_id](const Json& run) {
         auto& s = self->state_;
         const Json st = run.value("state", Json::object());
         const std::string life = st.value("life_cycle_state", "");
         const std::string what = "green run " + std::to_string(run_id);
         store::StepWrites writes;
         if (life != s.run_state) writes.run = self->green_run_row(run);
         s.run_state = life;
         if (life == "RUNNING") {
           s.running_ms = self->now();
           return self->advance("health", what + " RUNNING", std::move(writes));
         }
         if (is_terminal(life)) {
           return self->abort(what + " ended " + life + " " + st.value("result_state", "") +
                              " before it ran");
         }
         if (self->timed_out(self->options_.start_timeout_ms)) {
           return self->abort(what + " still " + life + " after " +
                              seconds(self->options_.start_timeout_ms));
         }
         self->again_after(self->options_.poll_ms, std::move(writes));
       });
}

// --- health (t1 -> t2): green keeps running, catches up and holds the lock ---------------------

void DeployStep::check_health() {
  const auto& r = deployment_.request;
  // A newer request for the job wins while blue still runs: give green up for it.
  if (auto queued = parts_->store.queued_deployment(r.name, r.target)) {
    return abort("superseded by deployment " + std::to_string(queued->id), true);
  }
  auto self = shared_from_this();
  const std::int64_t run_id = *state_.run_id;
  call(ApiRequest::get(path("runs/get"), {{"run_id", std::to_string(run_id)}}),
       [self, run_id](const Json& run) {
         auto& s = self->state_;
         const Json st = run.value("state", Json::object());
         const std::string life = st.value("life_cycle_state", "");
         if (life != "RUNNING") {
           return self->abort("green run " + std::to_string(run_id) + " is " + life + " " +
                              st.value("result_state", "") + " in its health window");
         }
         std::string error;
         const auto lock = self->lock_state(&error);
         if (!error.empty()) return self->retry("read the lock of " + s.stream + ": " + error);
         const std::string green = holder_name(self->deployment_.id);
         const std::string holder = lock ? lock->holder_at(self->now()) : "";
         if (holder == green) {
           s.green_held = true;
         } else if (s.green_held && !holder.empty() && !s.blue_holder.empty()) {
           // Another holder (blue, as a standby) took it: green is not fit to take over. A
           // lease that merely ran out (nobody took the lock) may be won back before t2, and
           // with no blue there is nothing better to fall back on.
           return self->abort("green lost the writer lock of " + s.stream + " to " + holder);
         }
         const core::TimeMs t2 = *s.running_ms + s.health_ms;
         const core::TimeMs now = self->now();
         if (now < t2) return self->again_after(std::min(self->options_.poll_ms, t2 - now));
         if (holder == green) {
           return self->advance("stop-blue", "green held the writer lock (token " +
                                                 std::to_string(lock->token) + ", lag " +
                                                 std::to_string(lock->lag()) + ") at t2");
         }
         if (now >= t2 + self->options_.catch_up_timeout_ms) {
           return self->abort("green had not caught up " +
                              seconds(self->options_.catch_up_timeout_ms) +
                              " after its health window: " +
                              (lock ? "checkpoint " + std::to_string(lock->committed) +
                                          " held by " + (holder.empty() ? "nobody" : holder)
                                    : "the stream was never written"));
         }
         self->again_after(self->options_.poll_ms);
       });
}

// --- stop-blue (t2): green holds the lock; blue's runs stop, its job goes ----------------------

void DeployStep::stop_blue() {
  if (!state_.job_id) return remove_blue();  // a first deploy: there is no blue
  std::string error;
  const auto lock = lock_state(&error);
  if (!error.empty()) return retry("read the lock of " + state_.stream + ": " + error);
  if (state_.cancelled.empty() &&
      (!lock || lock->holder_at(now()) != holder_name(deployment_.id))) {
    // Lost between health and here: blue must not be stopped.
    return abort("green lost the writer lock of " + state_.stream + " before blue was stopped");
  }
  auto self = shared_from_this();
  const std::int64_t blue = *state_.job_id;
  // Stopping fails after stop_timeout_ms, with green running and holding the lock.
  auto cancel_blue = [self, blue] {
    self->stop_runs_of(blue, "blue's run(s)", [self] { self->remove_blue(); });
  };
  // A continuous blue would be restarted by Databricks: pause it first.
  if (!is_continuous(state_.settings)) return cancel_blue();
  call(
      ApiRequest::post(
          path("update"),
          {{"job_id", blue}, {"new_settings", {{"continuous", {{"pause_status", "PAUSED"}}}}}}),
      [cancel_blue](const Json&) { cancel_blue(); },
      [self, cancel_blue](const ApiResponse& r) {
        if (!says_missing(r)) return false;
        cancel_blue();  // blue's job is gone already
        return true;
      });
}

void DeployStep::remove_blue() {
  auto self = shared_from_this();
  const auto& r = deployment_.request;
  auto take_over = [self](const std::string& how, store::StepWrites writes) {
    auto& s = self->state_;
    s.job_id = s.green_job_id;
    if (s.run_id) {
      writes.run = self->green_run_row({{"run_id", *s.run_id},
                                        {"state", {{"life_cycle_state", "RUNNING"}}},
                                        {"start_time", s.running_ms.value_or(self->now())}});
    }
    self->finish_succeeded(how + "; green job " + std::to_string(*s.job_id) + " is live",
                           std::move(writes));
  };
  if (!state_.job_id) return take_over("no blue to stop", {});
  const std::int64_t blue = *state_.job_id;
  const std::string stopped = state_.cancelled.empty()
                                  ? "blue job " + std::to_string(blue) + " had no active run"
                                  : "stopped blue's run(s) " + ids(state_.cancelled);
  auto live = parts_->store.get_job(r.name, r.target);
  if (!live && live.code() != store::ErrorCode::kNotFound) {
    return retry("read the job row of " + r.name + ": " + live.error().describe());
  }
  // Parked: kept stopped for a fast rollback to the build it runs (unknown: nothing to go back
  // to, so it is deleted).
  if (options_.park_blue_ms > 0 && live && live->deployed_build_id) {
    store::StepWrites writes;
    writes.park = store::ParkedJob{blue,
                                   r.name,
                                   r.target,
                                   deployment_.id,
                                   live->deployed_version.value_or(0),
                                   *live->deployed_build_id,
                                   now(),
                                   now() + options_.park_blue_ms};
    return take_over(stopped + "; parked blue job " + std::to_string(blue) + " for " +
                         seconds(options_.park_blue_ms),
                     std::move(writes));
  }
  call(
      ApiRequest::post(path("delete"), {{"job_id", blue}}),
      [take_over, stopped, blue](const Json&) {
        take_over(stopped + "; deleted blue job " + std::to_string(blue), {});
      },
      [take_over, stopped, blue](const ApiResponse& resp) {
        if (!says_missing(resp)) return false;
        take_over(stopped + "; blue job " + std::to_string(blue) + " was already deleted", {});
        return true;
      });
}

// --- abort: blue keeps running; green goes ------------------------------------------------------

bool is_abortable_phase(const std::string& phase) {
  return phase == "green" || phase == "running" || phase == "health";
}

workflow::Step DeployStep::abort_step(DeployState state, const store::Deployment& deployment,
                                      core::TimeMs now, const std::string& reason,
                                      bool superseded) {
  state.abort_reason = reason;
  state.superseded = superseded;
  store::StepWrites writes;
  writes.phases.push_back({deployment.id, state.seq, state.phase, state.phase_started_ms, now,
                           store::PhaseOutcome::kFailed, reason});
  state.seq += 1;
  state.phase = "abort";
  state.phase_started_ms = now;
  writes.phases.push_back(
      {deployment.id, state.seq, "abort", now, std::nullopt, store::PhaseOutcome::kRunning, ""});
  return workflow::Step::next(json(state), now, std::move(writes));
}

void DeployStep::abort(const std::string& reason, bool superseded) {
  answer(abort_step(state_, deployment_, now(), reason, superseded));
}

// Idempotent: the preferred holder is blue again, green's job is deleted (which cancels its run;
// a cancelled green releases the lock, and blue, caught up as a hot standby, takes it).
void DeployStep::abort_green() {
  const auto preferred = parts_->locks->prefer(state_.stream, state_.blue_holder);
  if (!preferred.ok()) {
    return retry("prefer blue on stream " + state_.stream + ": " + preferred.message);
  }
  auto self = shared_from_this();
  if (!state_.green_job_id) {
    return find_green([self](std::optional<std::int64_t> id) {
      if (!id) return self->end_aborted();
      self->state_.green_job_id = id;
      self->abort_green();
    });
  }
  const std::int64_t green = *state_.green_job_id;
  call(
      ApiRequest::post(path("delete"), {{"job_id", green}}),
      [self](const Json&) { self->end_aborted(); },
      [self](const ApiResponse& r) {
        if (!says_missing(r)) return false;
        self->end_aborted();
        return true;
      });
}

void DeployStep::end_aborted() {
  const core::TimeMs t = now();
  const auto& s = state_;
  const std::string removed =
      s.green_job_id ? "deleted green job " + std::to_string(*s.green_job_id) : "no green job";
  const std::string back = s.blue_holder.empty() ? "no blue" : "preferred holder back to blue";
  store::StepWrites writes;
  writes.phases.push_back({deployment_.id, s.seq, "abort", s.phase_started_ms, t,
                           store::PhaseOutcome::kSucceeded, removed + "; " + back});
  const auto status =
      s.superseded ? store::DeploymentStatus::kSuperseded : store::DeploymentStatus::kAborted;
  writes.deployment = store::DeploymentTransition{deployment_.id, status, t, s.abort_reason};
  // Blue is what runs: the job row says so (a first deploy that aborted leaves nothing live).
  auto live = parts_->store.get_job(deployment_.request.name, deployment_.request.target);
  const bool has_blue = s.job_id && live && live->deployed_build_id;
  writes.job = job_row(has_blue ? store::JobState::kDeployed : store::JobState::kFailed);
  state_.phase = "aborted";
  answer(workflow::Step::finish(Json(state_), store::WorkflowStatus::kDone, std::move(writes)));
}

store::Run DeployStep::green_run_row(const Json& run) const {
  store::Run row = run_row(run);
  row.databricks_job_id = state_.green_job_id.value_or(0);
  return row;
}

}  // namespace kiln::deploy::detail
