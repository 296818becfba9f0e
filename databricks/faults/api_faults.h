// API faults: rules that make matching requests fail or answer slowly, by count, by time window
// or with a probability drawn from the seed. The shape follows the fault rules of the Databricks
// CLI's test server (pattern, status, offset, times, after-handler), in our own implementation.
//
// A rule with after_handler=true lets the handler run (the state changes: a run starts) and
// then replaces the answer: "done, but the answer was lost".
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock/clock.h"
#include "core/random/random.h"
#include "databricks/api/api_request.h"

namespace databricks::faults {

struct ApiFaultRule {
  std::string pattern = "*";  // glob over "METHOD PATH", e.g. "POST /api/2.*/jobs/run-now"
  int status = 503;           // 0: no error, only the delay
  std::string error_code = "TEMPORARILY_UNAVAILABLE";
  std::string message = "The service is temporarily unavailable.";
  std::optional<int> retry_after_s;
  int offset = 0;  // matching requests let through before the rule bites
  int times = -1;  // failures to inject; -1: no limit
  bool after_handler = false;
  // Drop the connection instead of answering (status 0 in-process: no answer arrives).
  bool drop = false;
  double probability = 1.0;
  kiln::core::DurationMs delay_ms = 0;
  kiln::core::TimeMs from_ms = std::numeric_limits<kiln::core::TimeMs>::min();
  kiln::core::TimeMs until_ms = std::numeric_limits<kiln::core::TimeMs>::max();

  // Parses a rule (the fields above; the window as epoch ms "from_ms"/"until_ms"). Errors name
  // the field.
  static ApiResult<ApiFaultRule> parse(const nlohmann::json& spec, const std::string& field);
};

// What the rules decided for one request.
struct FaultDecision {
  std::optional<ApiResponse> answer;  // replace the answer with this
  bool run_handler = true;            // false: the request never reached the handler
  kiln::core::DurationMs delay_ms = 0;
};

class ApiFaults {
 public:
  explicit ApiFaults(kiln::core::Random random) : random_(random) {}
  void add(ApiFaultRule rule) { rules_.push_back(State{std::move(rule), 0, 0}); }
  void clear() { rules_.clear(); }
  // The first rule that matches and bites decides; slow-only rules add their delay.
  FaultDecision decide(const ApiRequest& request, kiln::core::TimeMs now_ms);

 private:
  struct State {
    ApiFaultRule rule;
    int seen = 0;
    int fired = 0;
  };
  std::vector<State> rules_;
  kiln::core::Random random_;
};

}  // namespace databricks::faults
