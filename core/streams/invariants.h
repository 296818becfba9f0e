// The invariants of streams written under the writer-lock protocol, checked over the events
// (stream.lock from the lock service, stream.write from the output sink, kiln.phase and
// kiln.deployment from kiln). Every blue-green test, scenario and swarm seed runs these.
//
//   single-writer   every accepted write carries the newest token of its stream at its time,
//                   from the holder that token was granted to
//   contiguous      per stream, each write starts where the previous one ended (no gap, no
//                   position written twice)
//   blue-kept       blue is never stopped before green holds the lock: when a deployment's
//                   stop-blue phase starts, its green ("deployment-<id>") holds the lock
//   handback        after an aborted (or superseded) blue-green deployment, within
//                   `handback_bound_ms` a holder other
//                   than its green holds the lock again (when anyone held it before)
#pragma once

#include <string>
#include <vector>

#include "core/events/event.h"

namespace kiln::streams {

struct InvariantOptions {
  core::DurationMs handback_bound_ms = 60'000;
};

class InvariantChecker {
 public:
  explicit InvariantChecker(InvariantOptions options = {}) : options_(options) {}
  // Feed every event in order (subscribe it to the EventLog).
  void observe(const core::Event& event);
  // Ends the run at `now`: checks the bounds still open. Call once, after the last event.
  void finish(core::TimeMs now);
  // One line per violation: "<time> ms: <invariant>: <what>"; empty when all held.
  const std::vector<std::string>& violations() const { return violations_; }
  std::size_t writes() const { return writes_; }

 private:
  struct Stream {
    std::int64_t token = 0;
    std::string holder;  // of `token`, "" after a release
    bool written = false;
    std::int64_t next = 0;  // where the next write must start
  };
  struct Handback {
    std::string stream, green;
    core::TimeMs due_ms = 0;
  };
  void fail(core::TimeMs t, const std::string& invariant, const std::string& what);
  void check_handbacks(core::TimeMs now);

  InvariantOptions options_;
  std::vector<std::pair<std::string, Stream>> streams_;  // insertion order
  std::vector<Handback> handbacks_;
  std::vector<std::string> violations_;
  std::size_t writes_ = 0;
  Stream& stream(const std::string& name);
  const Stream* find(const std::string& name) const;
  std::string stream_of_holder(const std::string& holder) const;
  std::vector<std::pair<std::string, std::string>> holders_seen_;  // (holder, stream)
};

}  // namespace kiln::streams
