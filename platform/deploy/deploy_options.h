// How deploys behave: the Jobs API version they call, their polls and time limits, and what a
// failed deploy does (deploy_workflow.h).
#pragma once

#include <string>

#include "core/clock/clock.h"
#include "platform/workflow/workflow_kind.h"

namespace kiln::deploy {

enum class WaitFor { kRunning, kFirstRunEnd };

struct DeployOptions {
  std::string api_version = "2.2";                // the Jobs API version of every call
  core::DurationMs queue_poll_ms = 5'000;         // a queued deploy rechecks the running one
  core::DurationMs poll_ms = 5'000;               // stop, start and wait phases poll this often
  core::DurationMs stop_timeout_ms = 600'000;     // old runs must end within this
  core::DurationMs start_timeout_ms = 1'800'000;  // the new run must be RUNNING within this
  // With kFirstRunEnd a batch job's deploy succeeds when its first run ends SUCCESS.
  WaitFor wait_for = WaitFor::kRunning;
  core::DurationMs run_timeout_ms = 7'200'000;  // kFirstRunEnd: the first run must end within
  workflow::RetryPolicy retry;                  // transient failures of a step
  // A deploy that fails after it changed the job (its settings reset, the old run stopped)
  // asks for a deploy of the build that was live before (requested_by kiln:rollback), unless a
  // newer request is already queued. A failed rollback does not roll back again.
  bool rollback_on_failure = true;
  // jobs/create refused with QUOTA_EXCEEDED: the deploy asks for a cleanup and waits (polling
  // every quota_poll_ms, without using up its retries) up to quota_wait_ms before failing.
  core::DurationMs quota_poll_ms = 60'000;
  core::DurationMs quota_wait_ms = 3'600'000;
  // blue-green: how long after t2 green may take to catch up and take the lock, and how long
  // blue's stopped job is kept (parked, for a fast rollback) before cleanup deletes it; 0
  // deletes it at once.
  core::DurationMs catch_up_timeout_ms = 600'000;
  core::DurationMs park_blue_ms = 0;
};

}  // namespace kiln::deploy
