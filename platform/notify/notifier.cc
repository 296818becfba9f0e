#include "platform/notify/notifier.h"

#include <algorithm>
#include <deque>
#include <set>
#include <utility>

#include "platform/notify/delivered_log.h"
#include "platform/notify/sink.h"

namespace kiln::notify {
namespace {

// One notification on its way to one sink.
struct Delivery {
  std::string sink;
  std::string key;  // sink + id: what the delivered log remembers
  Notification notification;
  int attempts = 0;
};

// The deliveries of one sink for one incident (dedup_key), delivered strictly in order, so a
// resolve never overtakes the trigger it closes. `busy` while the head is being attempted or
// waits for its retry.
struct Lane {
  std::deque<Delivery> queue;
  bool busy = false;
};

}  // namespace

struct Notifier::State {
  State(core::Clock& c, RoutingConfig r, HttpPoster& poster)
      : clock(c),
        routing(std::move(r)),
        delivered(routing.delivery.dedup_window_ms, routing.delivery.journal, c.now_ms()) {
    for (const auto& [name, config] : routing.sinks) {
      sinks.emplace(name, make_sink(config, poster));
      counters.emplace(name, SinkCounters{});
    }
  }

  core::Clock& clock;
  RoutingConfig routing;
  std::map<std::string, std::unique_ptr<Sink>> sinks;
  std::map<std::string, SinkCounters> counters;
  NotifierCounters totals;
  DeliveredLog delivered;
  std::set<std::string> queued_keys;  // deliveries queued or in flight, by key
  std::map<std::string, Lane> lanes;  // by sink + "\n" + dedup_key
  std::set<core::TimerId> timers;     // pending, cancelled on destruction
  std::size_t pending = 0;
};

namespace {

using State = Notifier::State;

void attempt(const std::shared_ptr<State>& s, const std::string& lane_key);

// Runs `fn` at `at_ms` on the loop unless the notifier is gone by then. Exceptions end as a
// counter: a timer callback must not throw into the loop (on a RealLoop, out of io.run()).
void at(const std::shared_ptr<State>& s, core::TimeMs at_ms,
        std::function<void(const std::shared_ptr<State>&)> fn) {
  auto id = std::make_shared<core::TimerId>(0);
  *id = s->clock.schedule_at(at_ms, [weak = std::weak_ptr<State>(s), id, fn = std::move(fn)] {
    const auto state = weak.lock();
    if (!state) return;
    state->timers.erase(*id);
    try {
      fn(state);
    } catch (const std::exception&) {
      ++state->totals.internal_errors;
    }
  });
  s->timers.insert(*id);
}

void start_lane(const std::shared_ptr<State>& s, const std::string& lane_key) {
  at(s, s->clock.now_ms(), [lane_key](const auto& state) { attempt(state, lane_key); });
}

// The head of the lane is done (delivered or given up): the next one goes.
void pop_head(const std::shared_ptr<State>& s, const std::string& lane_key) {
  const auto it = s->lanes.find(lane_key);
  if (it == s->lanes.end() || it->second.queue.empty()) return;
  s->queued_keys.erase(it->second.queue.front().key);
  --s->pending;
  it->second.queue.pop_front();
  if (it->second.queue.empty()) {
    s->lanes.erase(it);
  } else {
    start_lane(s, lane_key);
  }
}

void finished(const std::shared_ptr<State>& s, const std::string& lane_key, const Attempt& a) {
  const auto it = s->lanes.find(lane_key);
  if (it == s->lanes.end() || it->second.queue.empty()) return;
  Delivery& d = it->second.queue.front();
  SinkCounters& c = s->counters[d.sink];
  const core::TimeMs now = s->clock.now_ms();
  if (a.outcome == Attempt::Outcome::kDelivered) {
    ++c.delivered;
    s->delivered.record(d.key, now);
    pop_head(s, lane_key);
    return;
  }
  c.last_error = a.error;
  const auto& options = s->routing.delivery;
  if (a.outcome == Attempt::Outcome::kRetry && d.attempts < options.max_attempts) {
    at(s, now + retry_wait_ms(options, d.attempts, a.retry_after_ms),
       [lane_key](const auto& state) { attempt(state, lane_key); });
    return;
  }
  ++c.dropped;
  ++(a.outcome == Attempt::Outcome::kRejected ? c.rejected : c.exhausted);
  pop_head(s, lane_key);
}

void attempt(const std::shared_ptr<State>& s, const std::string& lane_key) {
  const auto it = s->lanes.find(lane_key);
  if (it == s->lanes.end() || it->second.queue.empty()) return;
  Delivery& d = it->second.queue.front();
  if (++d.attempts > 1) ++s->counters[d.sink].retried;
  // Copies: the answer may come inside deliver() and move the lane on.
  const Notification notification = d.notification;
  Sink& sink = *s->sinks.at(d.sink);
  auto answered = std::make_shared<bool>(false);
  auto done = [weak = std::weak_ptr<State>(s), lane_key, answered](const Attempt& a) {
    const auto state = weak.lock();
    if (!state || *answered) return;
    *answered = true;
    try {
      finished(state, lane_key, a);
    } catch (const std::exception&) {
      ++state->totals.internal_errors;
    }
  };
  try {
    sink.deliver(notification, done);
  } catch (const std::exception& e) {
    done(Attempt{Attempt::Outcome::kRetry, std::nullopt, e.what()});
  }
}

void enqueue(const std::shared_ptr<State>& s, const Notification& n) {
  const auto sinks = route(s->routing, n);
  if (sinks.empty()) {
    ++s->totals.unrouted;
    return;
  }
  const core::TimeMs now = s->clock.now_ms();
  for (const auto& sink : sinks) {
    if (!s->sinks.contains(sink)) {  // a hand-made config naming a sink it lacks
      ++s->totals.internal_errors;
      continue;
    }
    SinkCounters& c = s->counters[sink];
    std::string key = sink + "\n" + n.id;
    if (s->queued_keys.contains(key) || s->delivered.contains(key, now)) {
      ++c.deduplicated;
      continue;
    }
    if (s->pending >= s->routing.delivery.queue_limit) {
      ++c.overflowed;
      ++c.dropped;
      continue;
    }
    const std::string lane_key = sink + "\n" + n.dedup_key;
    Lane& lane = s->lanes[lane_key];
    s->queued_keys.insert(key);
    ++s->pending;
    lane.queue.push_back(Delivery{sink, std::move(key), n, 0});
    if (!lane.busy) {
      lane.busy = true;
      start_lane(s, lane_key);
    }
  }
}

}  // namespace

core::DurationMs retry_wait_ms(const DeliveryOptions& options, int retry,
                               std::optional<core::DurationMs> retry_after_ms) {
  core::DurationMs wait = options.first_backoff_ms;
  for (int i = 1; i < retry && wait < options.max_backoff_ms; ++i) wait *= 2;
  wait = std::min(wait, options.max_backoff_ms);
  if (retry_after_ms) wait = std::max(wait, std::min(*retry_after_ms, options.max_backoff_ms));
  return wait;
}

Notifier::Notifier(core::Clock& clock, RoutingConfig routing, HttpPoster& poster,
                   core::EventLog* events)
    : state_(std::make_shared<State>(clock, std::move(routing), poster)), events_(events) {
  if (events_ != nullptr) {
    subscription_ = events_->subscribe([this](const core::Event& e) { on_event(e); });
  }
}

Notifier::~Notifier() {
  if (events_ != nullptr) events_->unsubscribe(subscription_);
  for (const auto id : state_->timers) state_->clock.cancel(id);
  state_->timers.clear();
}

void Notifier::on_event(const core::Event& event) {
  ++state_->totals.events;
  try {
    auto n = notification_for(event);
    if (!n) return;
    ++state_->totals.notifications;
    enqueue(state_, *n);
  } catch (const std::exception&) {
    ++state_->totals.internal_errors;
  }
}

void Notifier::notify(const Notification& notification) {
  try {
    enqueue(state_, notification);
  } catch (const std::exception&) {
    ++state_->totals.internal_errors;
  }
}

const std::map<std::string, SinkCounters>& Notifier::sink_counters() const {
  return state_->counters;
}

const NotifierCounters& Notifier::counters() const {
  return state_->totals;
}

std::size_t Notifier::pending() const {
  return state_->pending;
}

std::uint64_t Notifier::journal_errors() const {
  return state_->delivered.journal_errors();
}

}  // namespace kiln::notify
