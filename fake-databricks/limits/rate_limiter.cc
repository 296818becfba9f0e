#include "fake-databricks/limits/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace fakedb::limits {

std::optional<ApiError> RateLimiter::admit(const std::string& endpoint, kiln::core::TimeMs now_ms) {
  if (!limits_.enabled) return std::nullopt;
  auto it = limits_.per_endpoint_rps.find(endpoint);
  const double rps = it != limits_.per_endpoint_rps.end() ? it->second : limits_.default_rps;
  if (rps <= 0) return std::nullopt;
  // Burst: one second's worth of requests, and at least one request (or a rate below one a
  // second would never admit anything).
  const double burst = std::max(1.0, rps);
  Bucket& b = buckets_[endpoint];
  if (!b.primed) {
    b = Bucket{burst, now_ms, true};
  } else {
    const double elapsed_s = static_cast<double>(now_ms - b.refilled_ms) / 1000.0;
    b.tokens = std::min(burst, b.tokens + elapsed_s * rps);
    b.refilled_ms = now_ms;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return std::nullopt;
  }
  const int wait_s = std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rps)));
  return ApiError::rate_limited("Too many requests to " + endpoint + ". Please retry later.",
                                wait_s);
}

std::optional<ApiError> CreationWindow::check(kiln::core::TimeMs now_ms) {
  if (per_hour_ <= 0) return std::nullopt;
  while (!created_.empty() && created_.front() <= now_ms - 3'600'000) created_.pop_front();
  if (static_cast<std::int64_t>(created_.size()) < per_hour_) return std::nullopt;
  const auto n = std::to_string(per_hour_);
  return ApiError::invalid_state("There were already " + n +
                                 " jobs created in past 3600 seconds, exceeding rate limit: " + n +
                                 " job creations per 3600 seconds.");
}

}  // namespace fakedb::limits
