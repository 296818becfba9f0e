#include "databricks/faults/faulty_workspace.h"

#include <utility>

namespace databricks::faults {

void FaultyWorkspace::call(ApiRequest request, std::function<void(ApiResponse)> done) {
  FaultDecision decision = faults_.decide(request, clock_.now_ms());
  if (decision.answer || decision.delay_ms > 0) ++faulted_;
  if (decision.answer && !decision.run_handler) {
    // Never sent: the answer comes from the rule, after the rule's delay, on the loop.
    ApiResponse answer = std::move(*decision.answer);
    const kiln::core::DurationMs delay = decision.delay_ms + answer.delay_ms;
    clock_.schedule_after(delay,
                          [done = std::move(done), answer = std::move(answer)] { done(answer); });
    return;
  }
  inner().call(std::move(request), [this, decision = std::move(decision),
                                    done = std::move(done)](ApiResponse response) mutable {
    if (decision.answer) response = std::move(*decision.answer);  // done, but the answer is lost
    if (decision.delay_ms <= 0) return done(std::move(response));
    clock_.schedule_after(decision.delay_ms, [done = std::move(done),
                                              response = std::move(response)] { done(response); });
  });
}

}  // namespace databricks::faults
