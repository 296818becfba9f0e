#include "platform/metrics/process_counters.h"

#include <catch2/catch.hpp>

#include "platform/metrics/exposition.h"
#include "platform/metrics/metrics_testing.h"

namespace kiln::metrics {
namespace {

TEST_CASE("workspace retry counters become totals in seconds and base units") {
  databricks::RetryCounters c;
  c.calls = 10;
  c.attempts = 14;
  c.retries = 4;
  c.throttled_waits = 2;
  c.throttled_ms = 1'500;
  c.backoff_ms = 3'250;
  c.gave_up = 1;
  c.tokens_added = 3;
  Registry r;
  collect_workspace_counters(c, r);
  c.calls = 11;  // a later snapshot replaces the totals
  collect_workspace_counters(c, r);
  const std::string text = render_prometheus(r);
  CHECK(testing::format_problems(text) == std::vector<std::string>{});
  CHECK_THAT(text, Catch::Contains("kiln_workspace_calls_total 11\n"));
  CHECK_THAT(text, Catch::Contains("kiln_workspace_attempts_total 14\n"));
  CHECK_THAT(text, Catch::Contains("kiln_workspace_retries_total 4\n"));
  CHECK_THAT(text, Catch::Contains("kiln_workspace_gave_up_total 1\n"));
  CHECK_THAT(text, Catch::Contains("kiln_workspace_throttled_total 2\n"));
  CHECK_THAT(text, Catch::Contains("kiln_workspace_throttled_seconds_total 1.5\n"));
  CHECK_THAT(text, Catch::Contains("kiln_workspace_backoff_seconds_total 3.25\n"));
  CHECK_THAT(text, Catch::Contains("kiln_workspace_idempotency_tokens_total 3\n"));
}

TEST_CASE("engine counters become totals and its queue gauges") {
  workflow::EngineCounters c;
  c.steps = 20;
  c.commits = 15;
  c.idle_polls = 3;
  c.retries = 2;
  c.timeouts = 1;
  c.gave_up = 1;
  c.conflicts = 1;
  c.store_errors = 0;
  c.finished = 4;
  Registry r;
  collect_engine_counters(c, 7, 2, r);
  const std::string text = render_prometheus(r);
  CHECK(testing::format_problems(text) == std::vector<std::string>{});
  CHECK_THAT(text, Catch::Contains("kiln_workflow_steps_total 20\n"));
  CHECK_THAT(text, Catch::Contains("kiln_workflow_commits_total 15\n"));
  CHECK_THAT(text, Catch::Contains("kiln_workflow_idle_polls_total 3\n"));
  CHECK_THAT(text, Catch::Contains("kiln_workflow_step_retries_total 2\n"));
  CHECK_THAT(text, Catch::Contains("kiln_workflow_step_timeouts_total 1\n"));
  CHECK_THAT(text, Catch::Contains("kiln_workflow_gave_up_total 1\n"));
  CHECK_THAT(text, Catch::Contains("kiln_workflow_commit_conflicts_total 1\n"));
  CHECK_THAT(text, Catch::Contains("kiln_workflow_store_errors_total 0\n"));
  CHECK_THAT(text, Catch::Contains("kiln_workflow_finished_total 4\n"));
  CHECK_THAT(text, Catch::Contains("kiln_workflow_tracked 7\n"));
  CHECK_THAT(text, Catch::Contains("kiln_workflow_steps_in_flight 2\n"));
  CHECK_THAT(text, Catch::Contains("kiln_workflow_queue_depth 5\n"));
}

}  // namespace
}  // namespace kiln::metrics
