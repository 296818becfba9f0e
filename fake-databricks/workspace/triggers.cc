// What starts runs without a caller: cron schedules (trigger PERIODIC) and continuous jobs
// (one run kept alive: trigger CONTINUOUS, then CONTINUOUS_RESTART after each run ends).
#include <algorithm>

#include "fake-databricks/workspace/fake_workspace.h"

namespace fakedb {
namespace {

bool unpaused(const nlohmann::json& settings, const char* trigger) {
  auto t = settings.find(trigger);
  return t != settings.end() && t->is_object() && t->value("pause_status", "UNPAUSED") != "PAUSED";
}

// Continuous restarts after a failure back off: 1 min, 2, 4, ... up to 1 hour (a success
// restarts at once). See docs/fake-databricks.md, "Fidelity choices".
kiln::core::DurationMs restart_backoff_ms(int consecutive_failures) {
  if (consecutive_failures <= 0) return 0;
  const int doublings = std::min(consecutive_failures - 1, 6);
  return std::min<kiln::core::DurationMs>(60'000LL << doublings, 3'600'000);
}

}  // namespace

void FakeWorkspace::arm_triggers(Job& job) {
  const std::int64_t id = job.job_id;
  if (job.cron && job.zone && unpaused(job.settings, "schedule")) {
    if (auto next = job.cron->next_after(ctx_.now_ms(), *job.zone)) {
      job.cron_timer = ctx_.clock.schedule_at(*next, [this, id] { fire_schedule(id); });
    }
  }
  if (job.settings.contains("continuous")) {
    if (!unpaused(job.settings, "continuous")) {
      runs_->cancel_all(id, false);  // pausing a continuous job stops its run
    } else if (runs_->active_runs_of(id) == 0) {
      start_continuous(job, "CONTINUOUS");
    }
  }
}

void FakeWorkspace::disarm_triggers(Job& job) {
  ctx_.clock.cancel(job.cron_timer);
  ctx_.clock.cancel(job.restart_timer);
  job.cron_timer = job.restart_timer = 0;
}

void FakeWorkspace::fire_schedule(std::int64_t job_id) {
  auto it = jobs_.find(job_id);
  if (it == jobs_.end()) return;
  Job& job = it->second;
  job.cron_timer = 0;
  // Never refused: with queueing off a run over a limit is created SKIPPED instead.
  (void)runs_->start(start_request(job, "PERIODIC"));
  if (job.cron && job.zone) {
    if (auto next = job.cron->next_after(ctx_.now_ms(), *job.zone)) {
      job.cron_timer = ctx_.clock.schedule_at(*next, [this, job_id] { fire_schedule(job_id); });
    }
  }
}

void FakeWorkspace::start_continuous(Job& job, const std::string& trigger) {
  (void)runs_->start(start_request(job, trigger));
}

void FakeWorkspace::continuous_run_ended(const runs::JobRun& run) {
  auto it = jobs_.find(run.job_id);
  if (it == jobs_.end() || !unpaused(it->second.settings, "continuous")) return;
  Job& job = it->second;
  if (runs_->active_runs_of(job.job_id) > 0 || job.restart_timer != 0) return;
  const bool ok =
      run.state.result == runs::Result::success || run.state.result == runs::Result::canceled;
  job.consecutive_failures = ok ? 0 : job.consecutive_failures + 1;
  const std::int64_t id = job.job_id;
  job.restart_timer =
      ctx_.clock.schedule_after(restart_backoff_ms(job.consecutive_failures), [this, id] {
        auto j = jobs_.find(id);
        if (j == jobs_.end()) return;
        j->second.restart_timer = 0;
        if (unpaused(j->second.settings, "continuous") && runs_->active_runs_of(id) == 0) {
          start_continuous(j->second, "CONTINUOUS_RESTART");
        }
      });
}

}  // namespace fakedb
