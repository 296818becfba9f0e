// SimulatedLoop: a single-threaded event loop on virtual time. It jumps straight to the next
// event; events at the same instant run in insertion order (ties broken by a sequence number),
// so a run is a pure function of what was scheduled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <queue>
#include <unordered_set>
#include <vector>

#include "core/clock/clock.h"

namespace kiln::core {

class SimulatedLoop final : public Clock {
 public:
  explicit SimulatedLoop(TimeMs start_ms = 0) : now_ms_(start_ms) {}

  TimeMs now_ms() const override { return now_ms_; }
  TimerId schedule_at(TimeMs at_ms, std::function<void()> fn) override;
  bool cancel(TimerId id) override;

  // Runs the earliest pending event, advancing time to it. Returns false if nothing is pending.
  bool step();

  // Runs events until none is pending or `max_events` have run. Returns the number run; the
  // bound keeps a scheduling bug (an event that always reschedules itself) from hanging a test.
  std::uint64_t run_until_idle(std::uint64_t max_events = 100'000'000);

  // Runs every event due at or before `until_ms`, then sets the time to `until_ms` (if later).
  std::uint64_t run_until(TimeMs until_ms, std::uint64_t max_events = 100'000'000);

  std::size_t pending() const { return pending_.size(); }
  std::uint64_t events_run() const { return events_run_; }
  // Time of the earliest pending event, or -1 if none.
  TimeMs next_event_ms();

 private:
  struct Entry {
    TimeMs at_ms;
    TimerId id;  // also the insertion sequence: ids grow monotonically
    std::function<void()> fn;
  };
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.at_ms != b.at_ms ? a.at_ms > b.at_ms : a.id > b.id;
    }
  };
  void drop_cancelled_head();

  TimeMs now_ms_;
  TimerId next_id_ = 1;
  std::uint64_t events_run_ = 0;
  std::priority_queue<Entry, std::vector<Entry>, Later> queue_;
  // Ids scheduled and neither run nor cancelled; used only for lookups, never iterated.
  std::unordered_set<TimerId> pending_;
};

}  // namespace kiln::core
