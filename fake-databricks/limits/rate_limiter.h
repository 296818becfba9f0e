// Workspace limits that answer requests: per-endpoint request rates (token buckets on the
// workspace clock; 429 REQUEST_LIMIT_EXCEEDED with an integer Retry-After) and the sliding
// one-hour window of job creations.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "core/clock/clock.h"
#include "fake-databricks/api/params.h"

namespace fakedb::limits {

// Requests per second per endpoint, as the Resource-limits page lists them (approximate; see
// docs/fake-databricks.md, "Fidelity choices"). 0 means unlimited. Endpoints not listed use
// `default_rps`.
struct RateLimits {
  std::map<std::string, double> per_endpoint_rps = {
      {"jobs/create", 20}, {"jobs/get", 20},       {"jobs/list", 20},
      {"jobs/reset", 20},  {"jobs/run-now", 20},   {"jobs/delete", 10},
      {"jobs/update", 10}, {"jobs/runs/get", 100}, {"jobs/runs/submit", 35},
  };
  double default_rps = 30;
  bool enabled = true;
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimits limits) : limits_(std::move(limits)) {}

  // Takes one request's token for `endpoint` ("jobs/run-now"), or returns the 429 to send.
  std::optional<ApiError> admit(const std::string& endpoint, kiln::core::TimeMs now_ms);

 private:
  struct Bucket {
    double tokens = 0;
    kiln::core::TimeMs refilled_ms = 0;
    bool primed = false;
  };
  RateLimits limits_;
  std::map<std::string, Bucket> buckets_;
};

// Job creations in the last hour (jobs/create; a limit of 0 means unlimited).
class CreationWindow {
 public:
  explicit CreationWindow(std::int64_t per_hour) : per_hour_(per_hour) {}
  std::optional<ApiError> check(kiln::core::TimeMs now_ms);
  void record(kiln::core::TimeMs now_ms) { created_.push_back(now_ms); }

 private:
  std::int64_t per_hour_;
  std::deque<kiln::core::TimeMs> created_;
};

}  // namespace fakedb::limits
