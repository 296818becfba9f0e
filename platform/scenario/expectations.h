// Expectations: predicates over the world (the metadata DB and the workspace, read without side
// effects) and invariants watched on every event. docs/scenarios.md lists them with their
// arguments.
#pragma once

#include <map>
#include <string>

#include "core/events/event.h"
#include "platform/scenario/scenario.h"
#include "platform/scenario/world.h"

namespace kiln::scenario {

struct Check {
  bool holds = false;
  std::string observed;  // what was found, for the verdict ("deployed v2 from build 2")
};

// Evaluates `expectation.that` with its arguments now.
Check evaluate(World& world, const Expectation& expectation);

// Watches the event stream for the invariants `always:` may name. Subscribes on construction;
// it never publishes (a subscriber may not).
class Invariants {
 public:
  Invariants(World& world);
  ~Invariants();
  Invariants(const Invariants&) = delete;
  Invariants& operator=(const Invariants&) = delete;
  // The first violation of `name` as (time from start, what), or nullopt if it always held.
  std::optional<std::pair<core::DurationMs, std::string>> violation(const std::string& name) const;

 private:
  void on_event(const core::Event& event);

  World& world_;
  core::EventLog::SubscriptionId subscription_ = 0;
  std::map<std::int64_t, std::string> job_names_;                     // live jobs
  std::map<std::int64_t, std::map<std::int64_t, bool>> active_runs_;  // job -> run -> active
  std::map<std::string, std::pair<core::DurationMs, std::string>> violations_;
};

}  // namespace kiln::scenario
