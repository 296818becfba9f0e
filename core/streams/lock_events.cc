#include "core/streams/lock_events.h"

namespace kiln::streams {

std::optional<core::Event> lock_event(const LockState& before, const LockState& after,
                                      const std::string& call, const std::string& caller,
                                      std::int64_t token, const Answer& answer, core::TimeMs now) {
  if (!answer.ok()) {
    if (call == "acquire") return std::nullopt;
    return core::Event{now,
                       kRefusedEvent,
                       {{"stream", after.stream},
                        {"caller", caller},
                        {"token", token},
                        {"call", call},
                        {"refusal", std::string(to_string(answer.refusal))},
                        {"committed", after.committed}}};
  }
  if (before.preferred != after.preferred) {
    return core::Event{
        now,
        kPreferredEvent,
        {{"stream", after.stream}, {"preferred", after.preferred}, {"previous", before.preferred}}};
  }
  if (before.token == after.token && before.holder == after.holder) return std::nullopt;
  std::string how = "acquired";
  if (after.holder.empty()) {
    how = "released";
  } else if (!before.is_free(now) && before.holder != after.holder) {
    how = "takeover";
  }
  return core::Event{now,
                     kLockEvent,
                     {{"stream", after.stream},
                      {"holder", after.holder},
                      {"token", after.token},
                      {"previous", before.holder_at(now)},
                      {"how", how},
                      {"committed", after.committed}}};
}

}  // namespace kiln::streams
