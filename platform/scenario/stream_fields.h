// Internal to the scenario loader: the parts of a scenario file about streams and blue-green
// (docs/scenarios.md): the workspace section (the emulator's config, with its stream sources),
// a repo job's stream and workload, the timeline's stream events and the arguments of the
// stream predicates. Every problem is a diagnostic at file:line:column naming the field.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "platform/scenario/field_reader.h"
#include "platform/scenario/scenario.h"

namespace kiln::scenario {

// The timeline events that act on streams: stream_rate, lock_partition, stream_stall,
// stream_crash, stream_slow, run_hang.
const std::vector<std::string>& stream_event_kinds();
bool is_stream_event(const std::string& kind);
// The predicates about streams: lock, lag, writes (and the invariant stream_invariants).
bool is_stream_predicate(const std::string& that);

// The virtual time a scenario starts at when its workspace names none.
inline constexpr const char* kDefaultStartTime = "2026-01-01T00:00:00Z";

namespace detail {

// The `workspace` section: the emulator's config as written, with start_time set, every
// [lo, hi] range under `faults` and `streams` drawn, and the instants of stream changes and
// scheduled faults given as durations from the start (`at: 10m`) made absolute; checked with
// the emulator's own rules, a problem located at its field.
nlohmann::json read_workspace(FieldReader& r);

// A repo job's (or a merge's change's) `stream`, and its `workload` checked as the emulator
// would (a [lo, hi] range of `rate` drawn from the seed).
void read_job_stream_fields(FieldReader& r, const std::string& path, const nlohmann::json& v,
                            RepoJob& job);

// Fills `e` from the body of a stream event at `path`.
void read_stream_event(FieldReader& r, const std::string& path, const nlohmann::json& body,
                       TimelineEvent& e, const Scenario& s);

// Checks the arguments of a stream predicate (lock, lag, writes, stream_invariants).
void check_stream_args(FieldReader& r, const std::string& path, const Expectation& x,
                       const Scenario& s);

}  // namespace detail
}  // namespace kiln::scenario
