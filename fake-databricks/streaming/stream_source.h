// StreamSource: the head of one stream's source (a Kafka topic's newest offset), as a function
// of virtual time. The head grows at a rate (positions per second) that changes at given times,
// stops during pauses and jumps by bursts; head(t) is exact (integer positions, no floating
// point drift) and cheap (a binary search over the pieces of a piecewise linear function).
//
// Config (a list under "streams" in WorkspaceConfig):
//   {"name": "orders", "rate": 100, "start_position": 0,
//    "changes": [{"at": <epoch ms | "2026-01-01T00:10:00Z">, "rate": 400},
//                {"at": ..., "burst": 5000},
//                {"at": ..., "pause_ms": 60000}]}
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock/clock.h"
#include "core/streams/writer_lock.h"
#include "fake-databricks/api/params.h"

namespace fakedb::streaming {

using kiln::core::DurationMs;
using kiln::core::TimeMs;
using kiln::streams::Position;

// The rate of a stream nobody configured.
inline constexpr double kDefaultSourceRate = 100;
inline constexpr double kMaxSourceRate = 1e7;

// One change of a source's timeline, at `at_ms`. A change may combine its parts; they apply in
// the order rate, burst, pause.
struct SourceChange {
  TimeMs at_ms = 0;
  std::optional<double> rate;  // from at_ms on, this many positions per second
  Position burst = 0;          // this many positions appear at once at at_ms
  DurationMs pause_ms = 0;     // no new positions in [at_ms, at_ms + pause_ms), then the rate
                               // in force (rate changes made during the pause included)

  static ApiResult<SourceChange> parse(const nlohmann::json& spec, const std::string& field);
};

struct SourceSpec {
  std::string name;
  double rate = kDefaultSourceRate;
  Position start_position = 0;  // the head when the workspace starts
  std::vector<SourceChange> changes;

  // Errors name `field` (e.g. "streams[0].changes[1].rate").
  static ApiResult<SourceSpec> parse(const nlohmann::json& spec, const std::string& field);
};

class StreamSource {
 public:
  // The timeline starts at `start_ms` (the workspace's start); changes before it apply at it.
  StreamSource(SourceSpec spec, TimeMs start_ms);

  const std::string& name() const { return spec_.name; }
  // The newest position at `now_ms`: every position below it exists.
  Position head(TimeMs now_ms) const;
  // Positions per second at `now_ms` (0 while paused).
  double rate(TimeMs now_ms) const;
  // Adds a change (a scenario's rate change or burst); the timeline is rebuilt.
  void add(const SourceChange& change);

 private:
  // From `from_ms` on (until the next piece) the head is base + rate * elapsed; the rate is in
  // positions per 1000 s so that every whole-number or millesimal rate is exact.
  struct Piece {
    TimeMs from_ms;
    Position base;
    std::int64_t milli_rate;
  };
  void build();
  const Piece& piece_at(TimeMs now_ms) const;

  SourceSpec spec_;
  TimeMs start_ms_;
  std::vector<Piece> pieces_;  // by from_ms, never empty
};

}  // namespace fakedb::streaming
