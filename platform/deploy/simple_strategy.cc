// The simple strategy's phases after admit: job, stop, start, wait (deploy_workflow.h).
#include <algorithm>

#include "databricks/client/paginate.h"
#include "databricks/client/retry_policy.h"
#include "platform/deploy/databricks_job.h"
#include "platform/deploy/deploy_step.h"
#include "platform/workspace/wire.h"

namespace kiln::deploy::detail {

using databricks::ApiRequest;
using databricks::ApiResponse;
using nlohmann::json;

std::string ids(const std::vector<std::int64_t>& list) {
  std::string out;
  for (const auto id : list) out += (out.empty() ? "" : ", ") + std::to_string(id);
  return out;
}

bool says_missing(const ApiResponse& r) {
  const std::string message = r.body.value("message", "");
  return (r.status == 400 || r.status == 404) &&
         message.find("does not exist") != std::string::npos;
}

bool is_terminal(const std::string& life_cycle_state) {
  return life_cycle_state == "TERMINATED" || life_cycle_state == "SKIPPED" ||
         life_cycle_state == "INTERNAL_ERROR";
}

std::string seconds(core::DurationMs ms) {
  return std::to_string(ms / 1000) + " s";
}

std::string describe_failure(const ApiRequest& request, const ApiResponse& response) {
  std::string out = request.method + " " + request.path + ": ";
  if (response.status == 0) {
    return out + "no answer (" + response.body.value("message", "connection lost") + ")";
  }
  const auto error = response.error();
  out += "HTTP " + std::to_string(response.status);
  if (error) out += " " + error->error_code + ": " + error->message;
  return out;
}

bool is_transient(const ApiResponse& response) {
  // A refused server certificate is a configuration error: fail now, saying so, rather than
  // retry the step until it gives up.
  if (databricks::tls_verify_failed(response)) return false;
  if (response.status == 0 || response.status == 429 || response.status >= 500) return true;
  const auto error = response.error();
  if (!error) return false;
  if (error->error_code == "REQUEST_LIMIT_EXCEEDED" || error->error_code == "RESOURCE_EXHAUSTED" ||
      error->error_code == "TEMPORARILY_UNAVAILABLE" || error->error_code == "QUOTA_EXCEEDED") {
    return true;
  }
  // The hourly limit on job creations: a later try succeeds.
  return error->message.find("jobs created in past") != std::string::npos;
}

std::string DeployStep::path(const std::string& endpoint) const {
  return "/api/" + options_.api_version + "/jobs/" + endpoint;
}

void DeployStep::call(ApiRequest request, std::function<void(const Json&)> ok,
                      std::function<bool(const ApiResponse&)> failed_with) {
  // Abandoned (timed out): its retry may be running; starting a side effect here could make a
  // second job. Stop without answering (the engine no longer listens).
  if (context_.is_abandoned()) return;
  auto self = shared_from_this();
  auto sent = request;
  parts_->workspace.call(std::move(request),
                         [self, sent = std::move(sent), ok = std::move(ok),
                          failed_with = std::move(failed_with)](const ApiResponse& r) {
                           if (self->parts_->stopped) return;  // the process that asked is gone
                           if (r.ok()) return ok(r.body);
                           if (failed_with && failed_with(r)) return;
                           const std::string why = describe_failure(sent, r);
                           if (is_transient(r)) return self->retry(why);
                           self->failed(why);
                         });
}

void DeployStep::list(ApiRequest request, const std::string& field,
                      std::function<void(const Json&)> ok) {
  if (context_.is_abandoned()) return;
  auto self = shared_from_this();
  const std::string what = request.method + " " + request.path;
  databricks::list_all(parts_->workspace, std::move(request), field,
                       [self, what, ok = std::move(ok)](const databricks::ListResult& r) {
                         if (self->parts_->stopped) return;
                         if (r.ok()) return ok(r.items);
                         // A list is a read: any failure is worth another try, except a refused
                         // server certificate, which no retry fixes.
                         if (r.status == 0 && r.error_code == databricks::kTlsVerifyFailed) {
                           return self->failed(what + ": " + r.error);
                         }
                         self->retry(what + ": " + r.error);
                       });
}

// --- job: create or reset -------------------------------------------------------------------

json paused_settings(const json& settings) {
  return with_continuous_pause(settings, "PAUSED");
}

void DeployStep::create_or_reset() {
  if (!state_.job_id) return find_or_create("");
  const std::int64_t id = *state_.job_id;
  auto self = shared_from_this();
  call(
      ApiRequest::get(path("get"), {{"job_id", std::to_string(id)}}),
      [self, id](const Json&) { self->reset(id, "reset job " + std::to_string(id)); },
      [self, id](const ApiResponse& r) {
        if (!says_missing(r)) return false;
        self->state_.job_id.reset();
        self->find_or_create("job " + std::to_string(id) + " was deleted outside kiln; ");
        return true;
      });
}

// No job id known: a create whose answer was lost may have made the job, so look for it by its
// tags before creating one.
void DeployStep::find_or_create(const std::string& note) {
  auto self = shared_from_this();
  const auto& r = deployment_.request;
  list(ApiRequest::get(path("list"), {{"name", r.name}, {"limit", "100"}}), "jobs",
       [self, note](const Json& jobs) {
         const auto& request = self->deployment_.request;
         std::optional<std::int64_t> found;
         for (const auto& job : jobs) {
           if (!is_managed_job(job, request.name, request.target)) continue;
           const auto id = job.value("job_id", std::int64_t{0});
           if (!found || id < *found) found = id;
         }
         if (found) return self->reset(*found, note + "adopted job " + std::to_string(*found));
         self->create(note);
       });
}

void DeployStep::create(const std::string& note) {
  auto self = shared_from_this();
  call(
      ApiRequest::post(path("create"), paused_settings(state_.settings)),
      [self, note](const Json& body) {
        const auto id = body.value("job_id", std::int64_t{0});
        self->state_.job_id = id;
        self->state_.quota_since.reset();
        store::StepWrites writes;
        writes.job = self->job_row(store::JobState::kDeploying);
        self->advance("stop", note + "created job " + std::to_string(id), std::move(writes));
      },
      [self](const ApiResponse& r) { return self->wait_for_quota(r); });
}

// The workspace holds as many jobs as it may: ask for a cleanup and try again later, for a
// while, instead of failing at once (or burning the step's retries).
bool DeployStep::wait_for_quota(const ApiResponse& r) {
  const auto error = r.error();
  if (!error || error->error_code != "QUOTA_EXCEEDED") return false;
  auto& s = state_;
  if (!s.quota_since) s.quota_since = now();
  if (now() - *s.quota_since >= options_.quota_wait_ms) {
    failed("the workspace is at its saved-jobs quota and no room was made within " +
           seconds(options_.quota_wait_ms) + ": " + error->message);
    return true;
  }
  if (parts_->quota_exceeded) parts_->quota_exceeded();
  again_after(options_.quota_poll_ms);
  return true;
}

void DeployStep::reset(std::int64_t job_id, const std::string& how) {
  auto self = shared_from_this();
  call(ApiRequest::post(path("reset"),
                        {{"job_id", job_id}, {"new_settings", paused_settings(state_.settings)}}),
       [self, job_id, how](const Json&) {
         self->state_.job_id = job_id;
         store::StepWrites writes;
         writes.job = self->job_row(store::JobState::kDeploying);
         self->advance("stop", how, std::move(writes));
       });
}

// --- stop: the old version's runs -------------------------------------------------------------

void DeployStep::stop_old_runs() {
  auto self = shared_from_this();
  stop_runs_of(*state_.job_id, "run(s)", [self] {
    const auto& s = self->state_;
    self->advance("start",
                  s.cancelled.empty() ? "no run was active" : "stopped run(s) " + ids(s.cancelled));
  });
}

// Cancels the job's active runs and polls until none is left, then calls `stopped` (also when
// the job no longer exists: nothing of it runs). One page of 25 active runs a poll is enough:
// any more are cancelled at the next. Fails after stop_timeout_ms; `what` names the runs in
// that reason ("run(s)", "blue's run(s)").
void DeployStep::stop_runs_of(std::int64_t job_id, const std::string& what,
                              const std::function<void()>& stopped) {
  auto self = shared_from_this();
  call(
      ApiRequest::get(
          path("runs/list"),
          {{"job_id", std::to_string(job_id)}, {"active_only", "true"}, {"limit", "25"}}),
      [self, what, stopped](const Json& body) {
        std::vector<std::int64_t> active;
        for (const auto& run : body.value("runs", Json::array())) {
          active.push_back(run.value("run_id", std::int64_t{0}));
        }
        std::sort(active.begin(), active.end());
        auto& s = self->state_;
        if (active.empty()) return stopped();
        if (self->timed_out(self->options_.stop_timeout_ms)) {
          return self->failed(what + " " + ids(active) + " still active " +
                              seconds(self->options_.stop_timeout_ms) + " after being cancelled");
        }
        std::vector<std::int64_t> to_cancel;
        for (const auto id : active) {
          if (std::find(s.cancelled.begin(), s.cancelled.end(), id) == s.cancelled.end()) {
            to_cancel.push_back(id);
          }
        }
        self->cancel_next(std::move(to_cancel));
      },
      [stopped](const ApiResponse& r) {
        if (!says_missing(r)) return false;
        stopped();
        return true;
      });
}

// Cancels the runs one by one (cancelling is asynchronous), then checks again after a poll.
void DeployStep::cancel_next(std::vector<std::int64_t> to_cancel) {
  if (to_cancel.empty()) return again_after(options_.poll_ms);
  const std::int64_t id = to_cancel.back();
  to_cancel.pop_back();
  auto self = shared_from_this();
  call(
      ApiRequest::post(path("runs/cancel"), {{"run_id", id}}),
      [self, id, rest = to_cancel](const Json&) {
        self->state_.cancelled.push_back(id);
        self->cancel_next(rest);
      },
      [self, rest = to_cancel](const ApiResponse& r) {
        if (!says_missing(r)) return false;  // a run deleted meanwhile is stopped too
        self->cancel_next(rest);
        return true;
      });
}

// --- start: the new version's run ---------------------------------------------------------------

void DeployStep::start_new_run() {
  auto self = shared_from_this();
  const std::int64_t job_id = *state_.job_id;
  if (is_continuous(state_.settings)) {
    if (continuous_pause_status(state_.settings) == "PAUSED") {
      return finish_succeeded(
          "continuous job " + std::to_string(job_id) + " deployed paused, as configured", {});
    }
    if (state_.unpaused) return find_continuous_run();
    // Unpausing starts the run; resetting again is harmless if it already has.
    return call(
        ApiRequest::post(path("reset"), {{"job_id", job_id}, {"new_settings", state_.settings}}),
        [self](const Json&) {
          self->state_.unpaused = true;
          self->find_continuous_run();
        });
  }
  call(ApiRequest::post(path("run-now"),
                        {{"job_id", job_id}, {"idempotency_token", run_token(deployment_.id)}}),
       [self](const Json& body) {
         const auto run_id = body.value("run_id", std::int64_t{0});
         self->state_.run_id = run_id;
         store::StepWrites writes;
         writes.run =
             self->run_row({{"run_id", run_id}, {"state", {{"life_cycle_state", "PENDING"}}}});
         self->advance("wait", "started run " + std::to_string(run_id), std::move(writes));
       });
}

void DeployStep::find_continuous_run() {
  auto self = shared_from_this();
  list(ApiRequest::get(
           path("runs/list"),
           {{"job_id", std::to_string(*state_.job_id)}, {"active_only", "true"}, {"limit", "25"}}),
       "runs", [self](const Json& runs) {
         if (!runs.empty()) {
           // runs/list is newest first: the run the unpause started.
           const auto& run = runs.front();
           self->state_.run_id = run.value("run_id", std::int64_t{0});
           store::StepWrites writes;
           writes.run = self->run_row(run);
           return self->advance("wait",
                                "unpaused; continuous run " + std::to_string(*self->state_.run_id),
                                std::move(writes));
         }
         if (self->timed_out(self->options_.start_timeout_ms)) {
           return self->failed("the continuous job started no run within " +
                               seconds(self->options_.start_timeout_ms));
         }
         self->again_after(self->options_.poll_ms);
       });
}

// --- wait: until the new run runs (or has ended) ------------------------------------------------

void DeployStep::wait_for_run() {
  auto self = shared_from_this();
  const std::int64_t run_id = *state_.run_id;
  call(ApiRequest::get(path("runs/get"), {{"run_id", std::to_string(run_id)}}),
       [self, run_id](const Json& run) {
         auto& s = self->state_;
         const Json state = run.value("state", Json::object());
         const std::string life = state.value("life_cycle_state", "");
         const std::string result = state.value("result_state", "");
         store::StepWrites writes;
         if (life != s.run_state) writes.run = self->run_row(run);
         s.run_state = life;
         const std::string what = "run " + std::to_string(run_id);
         const bool until_end =
             self->options_.wait_for == WaitFor::kFirstRunEnd && !is_continuous(s.settings);
         if (life == "RUNNING" && !until_end) {
           writes.run = self->run_row(run);
           return self->finish_succeeded(what + " RUNNING", std::move(writes));
         }
         if (is_terminal(life)) {
           writes.run = self->run_row(run);
           if (result == "SUCCESS") {
             return self->finish_succeeded(what + " ended SUCCESS", std::move(writes));
           }
           const std::string message = state.value("state_message", "");
           auto step = fail(
               *self->parts_, self->workflow_, s, self->deployment_, self->now(),
               what + " ended " + life + " " + result + (message.empty() ? "" : ": " + message));
           step.writes.run = std::move(writes.run);
           return self->answer(std::move(step));
         }
         const auto limit =
             until_end ? self->options_.run_timeout_ms : self->options_.start_timeout_ms;
         if (self->timed_out(limit)) {
           // Give up on it, and stop it: a deploy that failed leaves no half-started run.
           const std::string reason =
               what + " still " + life + " after " + seconds(limit) + "; cancelled it";
           return self->call(ApiRequest::post(self->path("runs/cancel"), {{"run_id", run_id}}),
                             [self, reason](const Json&) { self->failed(reason); });
         }
         self->again_after(self->options_.poll_ms, std::move(writes));
       });
}

}  // namespace kiln::deploy::detail
