// Notifier: turns the events of an EventLog into notifications, routes them to sinks, and
// delivers them asynchronously on the Clock: retried with exponential backoff, in order per
// incident, deduplicated, bounded. It never blocks or fails the code that publishes: a subscriber
// call only queues work, and every failure ends as a counter, never an exception.
//
// Single-threaded: events, timers and answers all arrive on the clock's loop. Deterministic on a
// SimulatedLoop (no jitter, no wall clock): the same events and answers give the same deliveries
// at the same virtual times.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "core/clock/clock.h"
#include "core/events/event.h"
#include "platform/notify/http_poster.h"
#include "platform/notify/notification.h"
#include "platform/notify/routing.h"

namespace kiln::notify {

struct SinkCounters {
  std::uint64_t delivered = 0;
  std::uint64_t retried = 0;       // attempts after the first
  std::uint64_t dropped = 0;       // given up: rejected + exhausted + overflowed
  std::uint64_t rejected = 0;      // a permanent error (a 4xx other than 408 and 429)
  std::uint64_t exhausted = 0;     // still failing after max_attempts
  std::uint64_t overflowed = 0;    // the queue was full
  std::uint64_t deduplicated = 0;  // already delivered within the window, or already queued
  std::string last_error;          // the latest failed attempt's error, for an operator
};

struct NotifierCounters {
  std::uint64_t events = 0;           // events seen
  std::uint64_t notifications = 0;    // events that made a notification
  std::uint64_t unrouted = 0;         // notifications no route took
  std::uint64_t internal_errors = 0;  // exceptions caught (a bug, never a deploy's problem)
};

// The wait before retry number `retry` (1 = the second attempt): first_backoff_ms doubled for
// each earlier retry, at most max_backoff_ms; a Retry-After the service sent wins when longer
// (still at most max_backoff_ms).
core::DurationMs retry_wait_ms(const DeliveryOptions& options, int retry,
                               std::optional<core::DurationMs> retry_after_ms);

class Notifier {
 public:
  // Subscribes to `events` if given. `clock`, `poster` and `events` must outlive the notifier.
  // The delivered-log journal (routing.delivery.journal) is read here.
  Notifier(core::Clock& clock, RoutingConfig routing, HttpPoster& poster,
           core::EventLog* events = nullptr);
  // Unsubscribes and cancels pending retries; deliveries still queued are abandoned (a replayed
  // event delivers them after a restart: only delivered ones are remembered).
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // The subscriber: makes, routes and queues the event's notification, if any. Delivery starts
  // on a later turn of the loop, never inside this call; the Notifier never publishes.
  void on_event(const core::Event& event);
  // Routes and queues one notification (for tests, and for notifications not made from events).
  void notify(const Notification& notification);

  // Counters by sink name (every configured sink, in name order).
  const std::map<std::string, SinkCounters>& sink_counters() const;
  const NotifierCounters& counters() const;
  // Deliveries queued or in flight (retries waiting included).
  std::size_t pending() const;
  std::uint64_t journal_errors() const;

  struct State;  // shared with timers and in-flight answers (notifier.cc)

 private:
  std::shared_ptr<State> state_;
  core::EventLog* events_;
  std::uint64_t subscription_ = 0;
};

}  // namespace kiln::notify
