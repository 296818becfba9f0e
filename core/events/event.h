// Event: one state change, typed by `type` (a dotted name such as "run.state" that each component
// declares as a constant) with its payload in `fields`. The trace, metrics, notifications and
// scenario expectations are all built from events, never from log lines.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock/clock.h"

namespace kiln::core {

struct Event {
  TimeMs time_ms = 0;
  std::string type;
  // A JSON object; its keys serialise in sorted order, so a trace is stable byte for byte.
  // It must not use the reserved keys "t" and "type".
  nlohmann::json fields = nlohmann::json::object();

  // One JSON line, without the newline: {"t":<time_ms>,"type":"<type>",<fields sorted by key>}.
  // A string that is not UTF-8 (a field quoting hostile input) is written with U+FFFD for its
  // bad bytes rather than throwing, so a trace line can always be written.
  std::string to_json_line() const;
};

// EventLog: the stream every component publishes to. Subscribers are called synchronously in
// the order they subscribed; a subscriber must not publish (events are not re-entrant).
// A subscriber that throws neither stops the others nor poisons the log: publish() calls every
// subscriber, then rethrows the first exception, and the next publish() works as usual.
class EventLog {
 public:
  using Subscriber = std::function<void(const Event&)>;
  using SubscriptionId = std::uint64_t;

  void publish(const Event& event);
  SubscriptionId subscribe(Subscriber subscriber);
  void unsubscribe(SubscriptionId id);
  std::uint64_t published() const { return published_; }

 private:
  struct Entry {
    SubscriptionId id;
    Subscriber fn;
  };
  std::vector<Entry> subscribers_;
  SubscriptionId next_id_ = 1;
  std::uint64_t published_ = 0;
  bool publishing_ = false;
};

}  // namespace kiln::core
