// RetryingWorkspace: a decorator over any WorkspaceApi that retries as the official Databricks
// SDKs do (retry_policy.h): 429, 503, connection failures and the known transient messages;
// Retry-After or a linear backoff capped at 10 s, plus 50-750 ms of jitter; a 5-minute budget,
// after which the last answer is delivered; a client-side rate limit of 15 requests per second.
// Requests that start a run get an idempotency_token before the first attempt, so a retry after
// a lost answer never starts a second run.
//
// It waits only through the Clock and draws only from its Random, so on a SimulatedLoop every
// wait is a pure function of the seed and the answers.
#pragma once

#include <cstdint>
#include <memory>

#include "core/clock/clock.h"
#include "core/random/random.h"
#include "databricks/api/workspace_api.h"
#include "databricks/client/retry_policy.h"

namespace databricks {

struct RetryCounters {
  std::uint64_t calls = 0;                  // call() invocations
  std::uint64_t attempts = 0;               // requests sent to the inner workspace
  std::uint64_t retries = 0;                // attempts after the first
  std::uint64_t throttled_waits = 0;        // attempts held back by the client-side rate limit
  kiln::core::DurationMs throttled_ms = 0;  // total time so held back
  kiln::core::DurationMs backoff_ms = 0;    // total time waited between attempts (jitter included)
  std::uint64_t gave_up = 0;       // retriable answers delivered because the budget ran out
  std::uint64_t tokens_added = 0;  // idempotency tokens added
};

class RetryingWorkspace final : public databricks::WorkspaceApi {
 public:
  // `inner` and `clock` must outlive this object. Jitter and idempotency tokens are drawn from
  // the sub-streams "jitter" and "idempotency" of `random`.
  RetryingWorkspace(databricks::WorkspaceApi& inner, kiln::core::Clock& clock,
                    const kiln::core::Random& random, RetryPolicy policy = {});
  // Cancels pending waits; answers still pending are dropped (their `done` never runs).
  ~RetryingWorkspace() override;
  RetryingWorkspace(const RetryingWorkspace&) = delete;
  RetryingWorkspace& operator=(const RetryingWorkspace&) = delete;

  void call(databricks::ApiRequest request,
            std::function<void(databricks::ApiResponse)> done) override;

  const RetryCounters& counters() const;
  const RetryPolicy& policy() const;

  struct State;  // shared with pending attempts (retrying_workspace.cc)

 private:
  std::shared_ptr<State> state_;
};

}  // namespace databricks
