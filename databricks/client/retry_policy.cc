#include "databricks/client/retry_policy.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "databricks/api/api_request.h"

namespace databricks {
namespace {

std::string body_string(const databricks::ApiResponse& r, const char* key) {
  if (!r.body.is_object()) return {};
  const auto it = r.body.find(key);
  return it != r.body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

bool transient_message(std::string_view message) {
  // sdk-py retries.py / _base_client.py and sdk-go apierr (errors.go, error_overrides.go).
  static constexpr std::array<std::string_view, 11> kSubstrings = {
      "com.databricks.backend.manager.util.UnknownWorkerEnvironmentException",
      "UnknownWorkerEnvironmentException",
      "does not have any associated worker environments",
      "There is no worker environment with id",
      "Unknown worker environment",
      "ClusterNotReadyException",
      "Unexpected error",
      "Please try again later or try a faster operation.",
      "RPC token bucket limit has been exceeded",
      "Timed out after ",
      "deadline exceeded",
  };
  for (const auto s : kSubstrings) {
    if (message.find(s) != std::string_view::npos) return true;
  }
  if (message.find("REQUEST_LIMIT_EXCEEDED") != std::string_view::npos) return true;
  // sdk-go: `worker env .* not found`.
  const auto env = message.find("worker env ");
  return env != std::string_view::npos &&
         message.find(" not found", env + 10) != std::string_view::npos;
}

bool is_retriable(const databricks::ApiResponse& response) {
  const std::string code = body_string(response, "error_code");
  if (response.status == 0) return code != "INVALID_RESPONSE" && code != kTlsVerifyFailed;
  if (response.status == 200) return false;
  if (transient_message(body_string(response, "message"))) return true;
  if (code == "REQUEST_LIMIT_EXCEEDED" || code == "RESOURCE_EXHAUSTED" ||
      code == "TOO_MANY_REQUESTS") {
    return true;
  }
  if (response.status == 503) return true;
  if (response.status == 429) {
    // The SDKs' error_code mapping wins over the status: a 429 that names, say, INVALID_STATE
    // is an InvalidState, not a TooManyRequests.
    static constexpr std::array<std::string_view, 8> kMapped = {"INVALID_STATE",
                                                                "INVALID_PARAMETER_VALUE",
                                                                "RESOURCE_DOES_NOT_EXIST",
                                                                "ABORTED",
                                                                "ALREADY_EXISTS",
                                                                "RESOURCE_ALREADY_EXISTS",
                                                                "UNKNOWN",
                                                                "DATA_LOSS"};
    return std::find(kMapped.begin(), kMapped.end(), code) == kMapped.end();
  }
  return false;
}

bool tls_verify_failed(const databricks::ApiResponse& response) {
  return response.status == 0 && body_string(response, "error_code") == kTlsVerifyFailed;
}

kiln::core::DurationMs base_wait_ms(const RetryPolicy& policy, int attempt,
                                    const databricks::ApiResponse& response) {
  if (response.retry_after_s) return kiln::core::DurationMs{*response.retry_after_s} * 1'000;
  return std::min(attempt, policy.backoff_cap_attempts) * policy.backoff_step_ms;
}

bool starts_run(const databricks::ApiRequest& request) {
  if (request.method != "POST" || request.path.rfind("/api/", 0) != 0) return false;
  return ends_with(request.path, "/jobs/run-now") || ends_with(request.path, "/jobs/runs/submit");
}

bool creates_job(const databricks::ApiRequest& request) {
  return request.method == "POST" && request.path.rfind("/api/", 0) == 0 &&
         ends_with(request.path, "/jobs/create");
}

std::string random_token(kiln::core::Random& random) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (int word = 0; word < 2; ++word) {
    std::uint64_t bits = random.next_u64();
    for (int i = 0; i < 16; ++i, bits >>= 4U) token += kHex[bits & 0xFU];
  }
  return token;
}

TokenBucket::TokenBucket(double rate_per_s, int burst) {
  if (rate_per_s <= 0) return;
  interval_us_ = std::max<std::int64_t>(1, std::llround(1e6 / rate_per_s));
  tolerance_us_ = interval_us_ * std::max(0, burst - 1);
}

kiln::core::TimeMs TokenBucket::reserve(kiln::core::TimeMs now_ms) {
  if (!enabled()) return now_ms;
  const std::int64_t now_us = now_ms * 1'000;
  const std::int64_t tat = std::max(tat_us_, now_us);
  const std::int64_t start_us = std::max(now_us, tat - tolerance_us_);
  tat_us_ = tat + interval_us_;
  return (start_us + 500) / 1'000;  // to the nearest millisecond
}

}  // namespace databricks
