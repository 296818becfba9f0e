#include "fake-databricks/streaming/stream_sink.h"

namespace fakedb::streaming {

nlohmann::json SinkWrite::to_json() const {
  return {{"t", time_ms},   {"stream", stream}, {"writer", writer},
          {"token", token}, {"from", from},     {"to", to}};
}

void StreamSink::record(SinkWrite write) {
  if (events_ != nullptr) {
    events_->publish(kiln::core::Event{write.time_ms,
                                       kWriteEvent,
                                       {{"stream", write.stream},
                                        {"writer", write.writer},
                                        {"token", write.token},
                                        {"from", write.from},
                                        {"to", write.to}}});
  }
  writes_.push_back(std::move(write));
}

std::vector<SinkWrite> StreamSink::writes_of(const std::string& stream) const {
  std::vector<SinkWrite> out;
  for (const auto& w : writes_) {
    if (w.stream == stream) out.push_back(w);
  }
  return out;
}

std::string StreamSink::to_json_lines() const {
  std::string out;
  for (const auto& w : writes_) out += w.to_json().dump() + "\n";
  return out;
}

std::optional<std::string> exactly_once_violation(const StreamSink& sink, const std::string& stream,
                                                  kiln::streams::Position first_from) {
  kiln::streams::Position expected = first_from;
  for (const auto& w : sink.writes()) {
    if (w.stream != stream) continue;
    if (w.from != expected) {
      const std::string what = w.from > expected ? "a gap" : "a duplicate";
      return what + ": " + w.writer + " (token " + std::to_string(w.token) + ") wrote [" +
             std::to_string(w.from) + ", " + std::to_string(w.to) + ") at " +
             std::to_string(w.time_ms) + " ms, but the outputs so far end at " +
             std::to_string(expected);
    }
    expected = w.to;
  }
  return std::nullopt;
}

}  // namespace fakedb::streaming
