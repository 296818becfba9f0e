// Clock: the one interface through which everything that waits, times out or polls reaches time.
// Two implementations: SimulatedLoop (virtual time, deterministic) and RealLoop (wall clock, Asio).
// Code on a simulated path never calls sleep or a system clock; it asks its Clock.
#pragma once

#include <cstdint>
#include <functional>

namespace kiln::core {

// Milliseconds since the Unix epoch, UTC. In simulation the epoch is virtual.
using TimeMs = std::int64_t;
using DurationMs = std::int64_t;
using TimerId = std::uint64_t;

class Clock {
 public:
  virtual ~Clock() = default;

  // The current time. Never goes backwards.
  virtual TimeMs now_ms() const = 0;

  // Runs `fn` once at `at_ms` (at once, i.e. on the next turn of the loop, if `at_ms` is not
  // after now). Callbacks due at the same instant run in the order they were scheduled.
  // `fn` runs on the loop's thread, never inside this call.
  virtual TimerId schedule_at(TimeMs at_ms, std::function<void()> fn) = 0;

  // Cancels a pending callback. Returns true if it was pending (and now never runs), false if
  // it already ran, was already cancelled, or never existed.
  virtual bool cancel(TimerId id) = 0;

  TimerId schedule_after(DurationMs delay_ms, std::function<void()> fn) {
    return schedule_at(now_ms() + (delay_ms > 0 ? delay_ms : 0), std::move(fn));
  }
};

}  // namespace kiln::core
