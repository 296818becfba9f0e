// Running a scenario: builds its world, plays its timeline on virtual time, checks every
// expectation, and returns the verdicts. The trace (every event, JSON lines) is a pure function
// of (scenario, seed, code): the same file and seed give the same bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/events/event.h"
#include "platform/scenario/scenario.h"

namespace kiln::scenario {

struct Verdict {
  std::size_t index = 0;  // in scenario.expectations
  bool holds = false;
  core::DurationMs at_ms = 0;  // when it was decided (from the start)
  std::string observed;
};

struct RunOptions {
  std::ostream* trace = nullptr;     // JSON lines of every event
  std::ostream* timeline = nullptr;  // the readable timeline, as it happens
  bool keep_events = false;          // keep the report's events in RunResult::events
};

struct RunResult {
  std::string error;  // the world could not be built (a file problem): exit code 2
  std::vector<Verdict> verdicts;
  std::string fingerprint;  // SHA-256 of the trace
  std::uint64_t events = 0;
  core::DurationMs simulated_ms = 0;
  double wall_s = 0;              // measured for the summary only; never part of the trace
  std::vector<core::Event> kept;  // with keep_events: every event but API calls and task states
  core::TimeMs start_ms = 0;
  bool passed() const;
};

RunResult run_scenario(const Scenario& scenario, const RunOptions& options = {});

// One readable line for an event of the timeline, or "" for events it leaves out (API calls,
// task and cluster states, runs' intermediate states).
std::string timeline_line(const core::Event& event, core::TimeMs start_ms);

// "kiln scenario run FILE --seed N": what replays a run.
std::string replay_command(const Scenario& scenario);

}  // namespace kiln::scenario
