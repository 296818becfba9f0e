#include "fake-databricks/streaming/streaming_run.h"

#include <algorithm>
#include <cmath>
#include <string_view>

namespace fakedb::streaming {

using kiln::streams::Answer;
using kiln::streams::Refusal;

namespace {

const char* window_name(int w) {
  static const char* const kNames[] = {"stall", "partition", "slow"};
  return kNames[w];
}

}  // namespace

const char* to_string(Role role) {
  switch (role) {
    case Role::starting:
      return "starting";
    case Role::follower:
      return "follower";
    case Role::writer:
      return "writer";
    case Role::stopped:
      return "stopped";
  }
  return "unknown";
}

StreamingRun::StreamingRun(RunParts parts, RunSetup setup)
    : parts_(parts), setup_(std::move(setup)) {}

StreamingRun::~StreamingRun() {
  parts_.ctx.clock.cancel(tick_timer_);
  for (auto id : end_timer_) parts_.ctx.clock.cancel(id);
}

void StreamingRun::start() {
  publish_role("");
  tick_timer_ = parts_.ctx.clock.schedule_after(setup_.startup_ms, [this] { tick(); });
}

void StreamingRun::stop(bool release) {
  if (role_ == Role::stopped) return;
  auto& clock = parts_.ctx.clock;
  clock.cancel(tick_timer_);
  for (auto id : end_timer_) clock.cancel(id);
  std::string reason = release ? "ended" : "failed";
  if (release && role_ == Role::writer) {
    if (in_window(kStall)) {
      reason = "stalled, no release";
    } else {
      const Answer a =
          call([&](auto& c) { return c.release(setup_.stream, setup_.holder, token_); });
      reason = a.ok() ? "released" : "release " + std::string(kiln::streams::to_string(a.refusal));
    }
  }
  become(Role::stopped, reason);
}

void StreamingRun::apply(const StreamFault& fault) {
  if (role_ == Role::stopped) return;
  const TimeMs now = parts_.ctx.now_ms();
  if (fault.kind == StreamFault::Kind::crash) {
    publish_fault("crash", true, now, 1);
    return;
  }
  const Window w = fault.kind == StreamFault::Kind::stall       ? kStall
                   : fault.kind == StreamFault::Kind::partition ? kPartition
                                                                : kSlow;
  until_ms_[w] = std::max(until_ms_[w], now + fault.for_ms);
  if (w == kSlow) speed_ = fault.factor;
  publish_fault(window_name(w), true, until_ms_[w], speed_);
  auto& clock = parts_.ctx.clock;
  clock.cancel(end_timer_[w]);
  end_timer_[w] = clock.schedule_at(until_ms_[w], [this, w] {
    if (w == kSlow) speed_ = 1;
    publish_fault(window_name(w), false, until_ms_[w], 1);
  });
}

bool StreamingRun::in_window(Window w) const {
  return parts_.ctx.now_ms() < until_ms_[w];
}

template <class Call>
Answer StreamingRun::call(Call fn) {
  if (in_window(kPartition)) {
    Answer a;
    a.refusal = Refusal::kUnavailable;
    a.message = setup_.holder + " cannot reach the lock service (partitioned)";
    return a;
  }
  return fn(parts_.coordinator);
}

void StreamingRun::tick() {
  const TimeMs now = parts_.ctx.now_ms();
  tick_timer_ = parts_.ctx.clock.schedule_after(setup_.tick_ms, [this] { tick(); });
  if (in_window(kStall)) return;  // a GC pause: nothing at all happens
  const Position head = parts_.source.head(now);
  if (role_ == Role::starting) {
    read_checkpoint();
    return;
  }
  process(now, head);
  if (role_ == Role::writer) {
    write_or_renew(now, head);
  } else if (processed_ >= committed_seen_) {
    ask_for_lock(head);
  }
}

void StreamingRun::read_checkpoint() {
  const Answer a = call([&](auto& c) { return c.read(setup_.stream); });
  if (!a.ok()) return;  // unreachable: try again next tick
  processed_ = written_to_ = committed_seen_ = a.committed;
  become(Role::follower, "checkpoint read");
}

void StreamingRun::process(TimeMs /*now*/, Position head) {
  const double allowance =
      setup_.rate * (in_window(kSlow) ? speed_ : 1) * static_cast<double>(setup_.tick_ms) / 1000 +
      carry_;
  const auto whole = static_cast<Position>(std::floor(allowance));
  const Position room = head - processed_;
  if (whole >= room) {
    processed_ = std::max(processed_, head);
    carry_ = 0;  // capacity unused while caught up is not banked
  } else {
    processed_ += whole;
    carry_ = allowance - static_cast<double>(whole);
  }
}

void StreamingRun::write_or_renew(TimeMs now, Position head) {
  const bool batch = processed_ > written_to_;
  const Position to = processed_;
  const Answer a = call([&](auto& c) {
    return batch ? c.commit(setup_.stream, setup_.holder, token_, written_to_, to, head)
                 : c.renew(setup_.stream, setup_.holder, token_, head);
  });
  if (a.refusal == Refusal::kUnavailable) return;
  committed_seen_ = a.committed;
  if (!a.ok()) {
    become(Role::follower, std::string(kiln::streams::to_string(a.refusal)));
    return;
  }
  if (batch) {
    parts_.sink.record(SinkWrite{now, setup_.stream, setup_.holder, token_, written_to_, to});
    written_to_ = to;
  }
}

void StreamingRun::ask_for_lock(Position head) {
  const Answer a =
      call([&](auto& c) { return c.acquire(setup_.stream, setup_.holder, processed_, head); });
  if (a.refusal == Refusal::kUnavailable) return;
  committed_seen_ = a.committed;
  if (!a.ok()) return;  // held by another, or not caught up: routine, asked again next tick
  token_ = a.token;
  written_to_ = a.committed;
  processed_ = std::max(processed_, a.committed);  // resume from the checkpoint
  become(Role::writer, "granted");
}

void StreamingRun::become(Role role, const std::string& reason) {
  if (role_ == role) return;
  role_ = role;
  publish_role(reason);
}

void StreamingRun::publish_role(const std::string& reason) {
  nlohmann::json f{{"stream", setup_.stream},  {"holder", setup_.holder},
                   {"run_id", setup_.run_id},  {"task_run_id", setup_.task_run_id},
                   {"role", to_string(role_)}, {"processed", processed_}};
  if (role_ == Role::writer) f["token"] = token_;
  if (!reason.empty()) f["reason"] = reason;
  parts_.ctx.publish(kRunEvent, std::move(f));
}

void StreamingRun::publish_fault(const char* fault, bool starts, TimeMs until_ms, double factor) {
  const std::string_view kind = fault;
  nlohmann::json f{{"stream", setup_.stream}, {"holder", setup_.holder},
                   {"run_id", setup_.run_id}, {"task_run_id", setup_.task_run_id},
                   {"fault", fault},          {"phase", starts ? "start" : "end"}};
  if (starts && kind != "crash") f["until_ms"] = until_ms;
  if (starts && kind == "slow") f["factor"] = factor;
  parts_.ctx.publish(kFaultEvent, std::move(f));
}

RunView StreamingRun::view() const {
  RunView v;
  v.setup = setup_;
  v.role = role_;
  v.processed = processed_;
  v.written_to = written_to_;
  v.committed_seen = committed_seen_;
  v.token = token_;
  v.holds_lock = role_ == Role::writer;
  v.stalled = in_window(kStall);
  v.partitioned = in_window(kPartition);
  v.speed = in_window(kSlow) ? speed_ : 1;
  return v;
}

}  // namespace fakedb::streaming
