#include "core/clock/simulated_loop.h"

#include <utility>

namespace kiln::core {

TimerId SimulatedLoop::schedule_at(TimeMs at_ms, std::function<void()> fn) {
  const TimerId id = next_id_++;
  queue_.push(Entry{at_ms < now_ms_ ? now_ms_ : at_ms, id, std::move(fn)});
  pending_.insert(id);
  return id;
}

bool SimulatedLoop::cancel(TimerId id) {
  return pending_.erase(id) > 0;
}

void SimulatedLoop::drop_cancelled_head() {
  while (!queue_.empty() && pending_.count(queue_.top().id) == 0) queue_.pop();
}

TimeMs SimulatedLoop::next_event_ms() {
  drop_cancelled_head();
  return queue_.empty() ? -1 : queue_.top().at_ms;
}

bool SimulatedLoop::step() {
  drop_cancelled_head();
  if (queue_.empty()) return false;
  // priority_queue::top is const; the entry is popped right after, so moving out is safe.
  Entry e =
      std::move(const_cast<Entry&>(queue_.top()));  // NOLINT(cppcoreguidelines-pro-type-const-cast)
  queue_.pop();
  pending_.erase(e.id);
  now_ms_ = e.at_ms;
  ++events_run_;
  e.fn();
  return true;
}

std::uint64_t SimulatedLoop::run_until_idle(std::uint64_t max_events) {
  std::uint64_t n = 0;
  while (n < max_events && step()) ++n;
  return n;
}

std::uint64_t SimulatedLoop::run_until(TimeMs until_ms, std::uint64_t max_events) {
  std::uint64_t n = 0;
  while (n < max_events) {
    const TimeMs next = next_event_ms();
    if (next < 0 || next > until_ms) break;
    step();
    ++n;
  }
  if (until_ms > now_ms_ && n < max_events) now_ms_ = until_ms;
  return n;
}

}  // namespace kiln::core
