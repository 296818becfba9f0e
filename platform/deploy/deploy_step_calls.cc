// DeployStep's calls to the workspace, and the operations both strategies make of them:
// waiting out the saved-jobs quota and stopping a job's runs.
#include <algorithm>

#include "databricks/client/paginate.h"
#include "platform/deploy/deploy_step.h"

namespace kiln::deploy {

using databricks::ApiRequest;
using databricks::ApiResponse;

void DeployStep::call(ApiRequest request, JobCalls::Body ok, JobCalls::Failed failed_with) {
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

void DeployStep::list(ApiRequest request, std::string field, JobCalls::Body ok) {
  if (context_.is_abandoned()) return;
  auto self = shared_from_this();
  const std::string what = request.method + " " + request.path;
  databricks::list_all(parts_->workspace, std::move(request), std::move(field),
                       [self, what, ok = std::move(ok)](const databricks::ListResult& r) {
                         if (self->parts_->stopped) return;
                         if (r.ok()) return ok(r.items);
                         const std::string why = what + ": " + r.error;
                         // A listing is a read: any failure is worth another try, except a
                         // refused server certificate, which no retry fixes.
                         if (r.status == 0 && r.error_code == databricks::kTlsVerifyFailed) {
                           return self->failed(why);
                         }
                         self->retry(why);
                       });
}

// The workspace holds as many jobs as it may: ask for a cleanup and try again later, for a
// while, instead of failing at once (or burning the step's retries).
bool DeployStep::wait_for_quota(const ApiResponse& r) {
  const auto error = r.error();
  if (!error || error->error_code != "QUOTA_EXCEEDED") return false;
  auto& s = state_;
  if (!s.quota_since) s.quota_since = now();
  if (now() - *s.quota_since >= options().quota_wait_ms) {
    failed("the workspace is at its saved-jobs quota and no room was made within " +
           seconds(options().quota_wait_ms) + ": " + error->message);
    return true;
  }
  if (parts_->quota_exceeded) parts_->quota_exceeded();
  again_after(options().quota_poll_ms);
  return true;
}

void DeployStep::stop_runs_of(std::int64_t job_id, const std::string& what,
                              const std::function<void()>& stopped) {
  jobs_.active_runs_page(
      job_id,
      [this, what, stopped](const std::vector<RunState>& runs) {
        std::vector<std::int64_t> active;
        active.reserve(runs.size());
        for (const auto& run : runs) active.push_back(run.run_id);
        std::sort(active.begin(), active.end());
        if (active.empty()) return stopped();
        const auto limit = options().stop_timeout_ms;
        if (timed_out(limit)) {
          return failed(what + " " + ids(active) + " still active " + seconds(limit) +
                        " after being cancelled");
        }
        std::vector<std::int64_t> to_cancel;
        for (const auto id : active) {
          if (std::find(state_.cancelled.begin(), state_.cancelled.end(), id) ==
              state_.cancelled.end()) {
            to_cancel.push_back(id);
          }
        }
        cancel_next(std::move(to_cancel));
      },
      if_missing(stopped));
}

// Cancels the runs one by one (cancelling is asynchronous), then checks again after a poll.
void DeployStep::cancel_next(std::vector<std::int64_t> to_cancel) {
  if (to_cancel.empty()) return again_after(options().poll_ms);
  const std::int64_t id = to_cancel.back();
  to_cancel.pop_back();
  jobs_.cancel_run(
      id,
      [this, id, rest = to_cancel] {
        state_.cancelled.push_back(id);
        cancel_next(rest);
      },
      // A run deleted meanwhile is stopped too.
      if_missing([this, rest = to_cancel] { cancel_next(rest); }));
}

}  // namespace kiln::deploy
