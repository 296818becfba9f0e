// The retry policy of the official Databricks SDKs (Go and Python; reference section 7), as pure
// functions, and the client-side token bucket. RetryingWorkspace puts them on a Clock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock/clock.h"
#include "core/random/random.h"
#include "databricks/api/api_request.h"

namespace databricks {

struct RetryPolicy {
  kiln::core::DurationMs budget_ms = 300'000;  // total time for one call, retries included (5 min)
  kiln::core::DurationMs backoff_step_ms = 1'000;  // linear backoff: min(attempt, cap) * step
  int backoff_cap_attempts = 10;
  kiln::core::DurationMs jitter_min_ms = 50;  // plus a uniform jitter in [min, max] ms (Go SDK)
  kiln::core::DurationMs jitter_max_ms = 750;
  double rate_limit_per_s = 15;  // client-side token bucket (Go SDK default); <= 0: off
  int rate_limit_burst = 15;
  bool add_idempotency_tokens = true;  // to POST jobs/run-now and jobs/runs/submit
  // The SDKs retry jobs/create like any request; but it has no idempotency token, so a retry
  // after a lost answer may create a second job, and a retry still going on after its caller
  // gave up on it (a workflow step that timed out) races the caller's own next try. false
  // delivers every failed jobs/create at once, to a caller that finds the job it may have
  // created (kiln's deploy looks for its tags) before trying again.
  bool retry_creates = true;
};

// True if the SDKs retry this answer:
// - status 0 (connection failure, timeout), except INVALID_RESPONSE and TLS_VERIFY_FAILED (a
//   refused certificate: no retry makes it valid, and five minutes of retries would hide it);
// - error_code REQUEST_LIMIT_EXCEEDED, RESOURCE_EXHAUSTED or TOO_MANY_REQUESTS (any status);
// - HTTP 429, unless its error_code maps to a non-throttling class (INVALID_STATE and the other
//   codes of the SDKs' mapping table: the code wins over the status, as in sdk-go);
// - HTTP 503;
// - a message naming a known transient condition (transient_message), whatever the status.
// 500, 502, 504 and every other answer are final.
bool is_retriable(const databricks::ApiResponse& response);

// True for status 0 TLS_VERIFY_FAILED: the server's certificate was refused (wire.h).
bool tls_verify_failed(const databricks::ApiResponse& response);

// True if the message contains one of the SDKs' transient substrings ("ClusterNotReadyException",
// "Unexpected error", "does not have any associated worker environments", "worker env .* not
// found", ...).
bool transient_message(std::string_view message);

// The wait before retry number `attempt` (1 = the first retry) without jitter: Retry-After
// seconds if the answer carries it, else min(attempt, cap) * step.
kiln::core::DurationMs base_wait_ms(const RetryPolicy& policy, int attempt,
                                    const databricks::ApiResponse& response);

// True for POST .../jobs/run-now and POST .../jobs/runs/submit (any API version): the requests
// that start a run and accept an idempotency_token.
bool starts_run(const databricks::ApiRequest& request);

// True for POST .../jobs/create (any API version): a request that is not idempotent and has no
// token to make it so.
bool creates_job(const databricks::ApiRequest& request);

// 32 lowercase hex characters from `random`.
std::string random_token(kiln::core::Random& random);

// A token bucket as a GCRA (generic cell rate algorithm) in integer microseconds: reserve()
// books the next free slot in arrival order and returns when the request may go.
class TokenBucket {
 public:
  TokenBucket(double rate_per_s, int burst);
  bool enabled() const { return interval_us_ > 0; }
  // The time (>= now) at which a request arriving at `now_ms` may be sent.
  kiln::core::TimeMs reserve(kiln::core::TimeMs now_ms);

 private:
  std::int64_t interval_us_ = 0;   // one token every interval
  std::int64_t tolerance_us_ = 0;  // (burst - 1) intervals
  std::int64_t tat_us_ = 0;        // theoretical arrival time of the next request
};

}  // namespace databricks
