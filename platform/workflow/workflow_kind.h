// A workflow kind: what one step of a workflow of that kind does. The engine (engine.h) calls
// step() when the workflow is due, with the state of its last committed step; the kind performs
// its activities (idempotent calls through the Workspace) and answers with a Step: the next
// state and wake-up, a final status, or a transient failure to retry. The engine commits the
// answer in one transaction, so a crash at any instant replays at most the step in flight.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/clock/clock.h"
#include "platform/store/metadata_store.h"

namespace kiln::workflow {

// What a step decided.
struct Step {
  enum class Kind { kContinue, kFinish, kRetry };
  Kind kind = Kind::kContinue;
  nlohmann::json state;                                         // kContinue, kFinish: the new state
  store::WorkflowStatus status = store::WorkflowStatus::kOpen;  // kFinish: done or failed
  core::TimeMs wake_at_ms = 0;  // kContinue: when to run the next step (now or earlier: at once)
  store::StepWrites writes;     // kContinue, kFinish: records committed with the step
  std::string reason;           // kRetry: what failed, for the log and the give-up reason

  // Run the next step at `wake_at_ms` from `state`.
  static Step next(nlohmann::json state, core::TimeMs wake_at_ms, store::StepWrites writes = {});
  // End the workflow: status done or failed.
  static Step finish(nlohmann::json state, store::WorkflowStatus status,
                     store::StepWrites writes = {});
  // A transient failure: run this step again from the same state after a backoff.
  static Step retry(std::string reason);
};

// How the engine retries a step that answered kRetry or timed out.
struct RetryPolicy {
  core::DurationMs first_backoff_ms = 1'000;  // before the first retry
  double multiplier = 2;                      // each further retry waits this much longer
  core::DurationMs max_backoff_ms = 60'000;
  int max_attempts = 8;                        // tries of one step before give_up()
  core::DurationMs step_timeout_ms = 600'000;  // a step not answered by then counts as failed
};

// The wait before retry number `attempt` (1 = the first retry): first * multiplier^(attempt-1),
// capped. No jitter: retries are spread by the workflows' own times, and a wait must be a pure
// function of the attempt on a simulated clock.
core::DurationMs backoff_ms(const RetryPolicy& policy, int attempt);

struct StepContext {
  core::TimeMs now_ms = 0;
  int attempt = 0;  // 0 for a first try, n for the nth retry of this step
  // Set once the engine has given up on this step (it timed out, or the engine is gone): a
  // step still running must not start another side effect, since a retry of it may be running
  // already. Never null when the engine calls step().
  std::shared_ptr<const bool> abandoned = nullptr;
  bool is_abandoned() const { return abandoned && *abandoned; }
};

class WorkflowKind {
 public:
  virtual ~WorkflowKind() = default;
  virtual std::string_view kind() const = 0;

  // Runs one step of `workflow`. Calls `done` exactly once, now or later on the engine's loop;
  // the engine ignores an answer that comes after the step timed out or the engine stopped.
  virtual void step(const store::Workflow& workflow, const StepContext& context,
                    std::function<void(Step)> done) = 0;

  // What to do once a step has failed max_attempts times (`reason` says why): usually finish
  // the workflow, recording the failure in its own records; a periodic workflow may instead
  // continue at a later wake-up (Step::next; a kRetry answer counts as next at once).
  virtual Step give_up(const store::Workflow& workflow, const StepContext& context,
                       const std::string& reason) = 0;

  virtual RetryPolicy retry_policy() const { return {}; }
};

}  // namespace kiln::workflow
