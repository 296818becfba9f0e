// Expectations: predicates over the world (the metadata DB and the workspace, read without side
// effects) and invariants watched on every event. docs/scenarios.md lists them with their
// arguments.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/events/event.h"
#include "core/streams/invariants.h"
#include "platform/scenario/scenario.h"
#include "platform/scenario/world.h"

namespace kiln::scenario {

struct Check {
  bool holds = false;
  std::string observed;  // what was found, for the verdict ("deployed v2 from build 2")
};

// Evaluates `expectation.that` with its arguments now.
Check evaluate(World& world, const Expectation& expectation);
// The stream predicates: lock, lag, writes (stream_expectations.cc).
Check evaluate_stream(World& world, const Expectation& expectation);
// The metric predicate: a family of `kiln metrics` by labels (metric_expectations.cc).
Check evaluate_metric(World& world, const Expectation& expectation);

// Watches the event stream for the invariants `always:` may name. Subscribes on construction;
// it never publishes (a subscriber may not).
class Invariants {
 public:
  Invariants(World& world);
  ~Invariants();
  Invariants(const Invariants&) = delete;
  Invariants& operator=(const Invariants&) = delete;
  // Closes the bounds still open (the stream invariants' handbacks): call once, at the end.
  void finish();
  // The first violation of the invariant of expectation `index` as (time from start, what), or
  // nullopt if it always held. For stream_invariants, `what` has every violation line.
  std::optional<std::pair<core::DurationMs, std::string>> violation(std::size_t index) const;

 private:
  void on_event(const core::Event& event);

  World& world_;
  core::EventLog::SubscriptionId subscription_ = 0;
  std::map<std::int64_t, std::string> job_names_;                     // live jobs
  std::map<std::int64_t, std::map<std::int64_t, bool>> active_runs_;  // job -> run -> active
  std::map<std::string, std::pair<core::DurationMs, std::string>> violations_;
  // One checker per stream_invariants expectation (each may have its own handback bound).
  std::map<std::size_t, std::unique_ptr<streams::InvariantChecker>> stream_checkers_;
};

}  // namespace kiln::scenario
