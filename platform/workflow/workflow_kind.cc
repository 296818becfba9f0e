#include "platform/workflow/workflow_kind.h"

#include <algorithm>
#include <cmath>

namespace kiln::workflow {

Step Step::next(nlohmann::json state, core::TimeMs wake_at_ms, store::StepWrites writes) {
  Step s;
  s.kind = Kind::kContinue;
  s.state = std::move(state);
  s.wake_at_ms = wake_at_ms;
  s.writes = std::move(writes);
  return s;
}

Step Step::finish(nlohmann::json state, store::WorkflowStatus status, store::StepWrites writes) {
  Step s;
  s.kind = Kind::kFinish;
  s.state = std::move(state);
  s.status = status;
  s.writes = std::move(writes);
  return s;
}

Step Step::retry(std::string reason) {
  Step s;
  s.kind = Kind::kRetry;
  s.reason = std::move(reason);
  return s;
}

core::DurationMs backoff_ms(const RetryPolicy& policy, int attempt) {
  if (attempt <= 0) return 0;
  const double wait = static_cast<double>(policy.first_backoff_ms) *
                      std::pow(policy.multiplier, std::min(attempt - 1, 62));
  const auto cap = static_cast<double>(policy.max_backoff_ms);
  return static_cast<core::DurationMs>(std::min(wait, cap));
}

}  // namespace kiln::workflow
