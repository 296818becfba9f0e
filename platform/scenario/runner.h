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
  // Hash the trace (RunResult::fingerprint) even without a trace file; a swarm needs no
  // fingerprint, and skipping it saves serializing every event.
  bool fingerprint = true;
};

// A stream's writer lock and checkpoint at an instant, for the report.
struct StreamSample {
  core::DurationMs at_ms = 0;  // from the start
  std::string stream;
  std::string holder;  // "" : nobody (never held, released, or the lease ran out)
  std::int64_t token = 0;
  std::int64_t committed = 0;  // the checkpoint
  std::int64_t head = 0;       // the source's head
};

struct RunResult {
  std::string error;  // the world could not be built (a file problem): exit code 2
  std::vector<Verdict> verdicts;
  std::string fingerprint;   // SHA-256 of the trace ("" without RunOptions::fingerprint)
  std::uint64_t events = 0;  // published
  core::DurationMs simulated_ms = 0;
  double wall_s = 0;  // measured for the summary only; never part of the trace
  // With keep_events: every event but API calls, task states and stream writes; and every
  // stream's lock and checkpoint, sampled at each change of holder and about 600 times a run.
  std::vector<core::Event> kept;
  std::vector<StreamSample> stream_samples;
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
