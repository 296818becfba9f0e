// The events a lock service publishes (docs/events.md), built the same way by every
// implementation from the state before and after a call.
//
//   stream.lock       the holder or token changed: {stream, holder, token, previous, how}
//                     how: "acquired" (a free lock), "takeover" (by the preferred holder),
//                     "released"
//   stream.preferred  kiln named another preferred holder: {stream, preferred, previous}
//   stream.refused    a commit, renew or release was refused: {stream, caller, token, call,
//                     refusal, committed}; acquire refusals are routine (a follower asks every
//                     tick) and are not published
#pragma once

#include <optional>
#include <string>

#include "core/events/event.h"
#include "core/streams/writer_lock.h"

namespace kiln::streams {

inline constexpr const char* kLockEvent = "stream.lock";
inline constexpr const char* kPreferredEvent = "stream.preferred";
inline constexpr const char* kRefusedEvent = "stream.refused";

// `call` is "acquire", "renew", "release", "commit" or "prefer"; `caller` and `token` are the
// caller's (the holder named in the call).
std::optional<core::Event> lock_event(const LockState& before, const LockState& after,
                                      const std::string& call, const std::string& caller,
                                      std::int64_t token, const Answer& answer, core::TimeMs now);

}  // namespace kiln::streams
