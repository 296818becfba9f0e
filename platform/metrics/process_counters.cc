#include "platform/metrics/process_counters.h"

namespace kiln::metrics {
namespace {

double as_double(std::uint64_t n) {
  return static_cast<double>(n);
}
double seconds(core::DurationMs ms) {
  return static_cast<double>(ms) / 1000.0;
}

}  // namespace

void collect_workspace_counters(const databricks::RetryCounters& c, Registry& r) {
  r.counter("kiln_workspace_calls_total", "Workspace API calls kiln made (each may retry).")
      .set_total({}, as_double(c.calls));
  r.counter("kiln_workspace_attempts_total", "Requests sent to the workspace, retries included.")
      .set_total({}, as_double(c.attempts));
  r.counter("kiln_workspace_retries_total", "Requests sent again after a retriable answer.")
      .set_total({}, as_double(c.retries));
  r.counter("kiln_workspace_gave_up_total",
            "Calls whose retry budget ran out: the last retriable answer was kept.")
      .set_total({}, as_double(c.gave_up));
  r.counter("kiln_workspace_throttled_total",
            "Requests held back by kiln's own rate limit before they were sent.")
      .set_total({}, as_double(c.throttled_waits));
  r.counter("kiln_workspace_throttled_seconds_total", "Time requests were held back so.")
      .set_total({}, seconds(c.throttled_ms));
  r.counter("kiln_workspace_backoff_seconds_total", "Time waited between attempts (jitter too).")
      .set_total({}, seconds(c.backoff_ms));
  r.counter("kiln_workspace_idempotency_tokens_total",
            "Idempotency tokens added to requests that start a run.")
      .set_total({}, as_double(c.tokens_added));
}

void collect_engine_counters(const workflow::EngineCounters& c, std::size_t tracked,
                             std::size_t in_flight, Registry& r) {
  r.counter("kiln_workflow_steps_total", "Workflow steps started.")
      .set_total({}, as_double(c.steps));
  r.counter("kiln_workflow_commits_total",
            "Steps committed to the metadata DB (retries of a failed attempt included).")
      .set_total({}, as_double(c.commits));
  r.counter("kiln_workflow_idle_polls_total", "Steps that changed nothing, so were not committed.")
      .set_total({}, as_double(c.idle_polls));
  r.counter("kiln_workflow_step_retries_total", "Failed step attempts scheduled to retry.")
      .set_total({}, as_double(c.retries));
  r.counter("kiln_workflow_step_timeouts_total", "Steps that did not answer within their timeout.")
      .set_total({}, as_double(c.timeouts));
  r.counter("kiln_workflow_gave_up_total", "Steps given up after their last attempt.")
      .set_total({}, as_double(c.gave_up));
  r.counter("kiln_workflow_commit_conflicts_total",
            "Commits refused because another process had stepped the workflow.")
      .set_total({}, as_double(c.conflicts));
  r.counter("kiln_workflow_store_errors_total", "Metadata DB reads or commits that failed.")
      .set_total({}, as_double(c.store_errors));
  r.counter("kiln_workflow_finished_total", "Workflows that reached done or failed.")
      .set_total({}, as_double(c.finished));
  r.gauge("kiln_workflow_tracked", "Workflows the engine has scheduled or is stepping.")
      .set({}, as_double(tracked));
  r.gauge("kiln_workflow_steps_in_flight", "Steps running now.").set({}, as_double(in_flight));
  r.gauge("kiln_workflow_queue_depth", "Workflows the engine holds that are not stepping now.")
      .set({}, as_double(tracked >= in_flight ? tracked - in_flight : 0));
}

void collect_engine_counters(const workflow::Engine& engine, Registry& registry) {
  collect_engine_counters(engine.counters(), engine.tracked(), engine.in_flight(), registry);
}

}  // namespace kiln::metrics
