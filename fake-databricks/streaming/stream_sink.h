// StreamSink: where streaming runs write their outputs (a Delta table, a topic). It records
// every accepted micro-batch (one per accepted commit, never a refused one) and publishes it as
// a "stream.write" event {stream, writer, token, from, to}, so a scenario can check that the
// outputs of each stream have no gap and no duplicate, whoever wrote them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/events/event.h"
#include "core/streams/writer_lock.h"

namespace fakedb::streaming {

inline constexpr const char* kWriteEvent = "stream.write";

// The outputs of source positions [from, to), written by `writer` with fencing token `token`.
struct SinkWrite {
  kiln::core::TimeMs time_ms = 0;
  std::string stream;
  std::string writer;  // the holder id
  std::int64_t token = 0;
  kiln::streams::Position from = 0;
  kiln::streams::Position to = 0;

  nlohmann::json to_json() const;  // {"from", "stream", "t", "to", "token", "writer"}
  bool operator==(const SinkWrite&) const = default;
};

class StreamSink {
 public:
  // `events` may be null (nothing is published).
  explicit StreamSink(kiln::core::EventLog* events) : events_(events) {}

  void record(SinkWrite write);
  // Every write, in the order they were accepted.
  const std::vector<SinkWrite>& writes() const { return writes_; }
  std::vector<SinkWrite> writes_of(const std::string& stream) const;
  // One JSON line per write: equal seeds give equal bytes.
  std::string to_json_lines() const;

 private:
  kiln::core::EventLog* events_;
  std::vector<SinkWrite> writes_;
};

// The first place where a stream's outputs are not exactly once: a write that does not start
// where the one before it ended (a gap or a duplicate), or the first write not starting at
// `first_from`. nullopt when every position in [first_from, last to) was written exactly once.
std::optional<std::string> exactly_once_violation(const StreamSink& sink, const std::string& stream,
                                                  kiln::streams::Position first_from = 0);

}  // namespace fakedb::streaming
