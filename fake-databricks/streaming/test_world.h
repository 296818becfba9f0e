// A StreamWorld on a SimulatedLoop with kiln's in-memory lock service, for the streaming tests.
// The source "orders" makes 100 positions a second from time 0; runs process 150 a second,
// tick every second and read the checkpoint after a fixed startup; leases last 30 s.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/clock/simulated_loop.h"
#include "core/streams/invariants.h"
#include "core/streams/memory_lock_service.h"
#include "fake-databricks/streaming/stream_world.h"

namespace fakedb::streaming::testing {

inline constexpr kiln::core::DurationMs kLease = 30'000;
inline constexpr kiln::core::DurationMs kSecond = 1'000;

struct World {
  explicit World(std::uint64_t seed = 1, const std::vector<SourceSpec>& sources = {orders(100)})
      : ctx{loop, events, kiln::core::Random(seed)},
        locks(loop, &events, kiln::streams::LockOptions{kLease}),
        streams(ctx, sources) {
    streams.attach(locks);
    events.subscribe([this](const kiln::core::Event& e) { trace.push_back(e); });
  }

  static SourceSpec orders(double rate) {
    SourceSpec s;
    s.name = "orders";
    s.rate = rate;
    return s;
  }

  // Starts the run of `holder` (its task run id is `id`) with the given startup and rate.
  const StreamingRun* start(const std::string& holder, std::int64_t id,
                            DurationMs startup_ms = 2 * kSecond, double rate = 150) {
    RunSetup s;
    s.stream = "orders";
    s.holder = holder;
    s.job_name = "orders-" + holder;
    s.job_id = 100 + id;
    s.run_id = 1000 + id;
    s.task_run_id = id;
    s.rate = rate;
    return streams.start_run(s, workloads::Distribution::fixed(static_cast<double>(startup_ms)));
  }

  RunView view(std::int64_t id) const { return streams.run(id).value(); }
  std::string holder() {
    return locks.state("orders", nullptr)
        .value_or(kiln::streams::LockState{})
        .holder_at(loop.now_ms());
  }
  void advance(kiln::core::DurationMs ms) { loop.run_until(loop.now_ms() + ms); }
  // Runs until `done` holds (checked every 100 ms), at most `max_ms`; false if it never did.
  template <class Done>
  bool advance_until(Done done, kiln::core::DurationMs max_ms) {
    const auto end = loop.now_ms() + max_ms;
    while (loop.now_ms() < end) {
      if (done()) return true;
      advance(100);
    }
    return done();
  }

  StreamFault fault(StreamFault::Kind kind, const std::string& holder, DurationMs for_ms) const {
    StreamFault f;
    f.kind = kind;
    f.at_ms = loop.now_ms();
    f.for_ms = for_ms;
    f.holder = holder;
    return f;
  }

  // Writes to "orders" by `writer` after `after_ms` (a fault or cancel at an instant comes
  // after the ticks of that instant).
  std::size_t writes_by(const std::string& writer, TimeMs after_ms = -1) const {
    std::size_t n = 0;
    for (const auto& w : streams.sink().writes()) n += w.writer == writer && w.time_ms > after_ms;
    return n;
  }
  // The events of one type, in order.
  std::vector<kiln::core::Event> of_type(const std::string& type) const {
    std::vector<kiln::core::Event> out;
    for (const auto& e : trace) {
      if (e.type == type) out.push_back(e);
    }
    return out;
  }
  // kiln's stream invariants (single writer, contiguous outputs) over everything published.
  std::vector<std::string> violations() const {
    kiln::streams::InvariantChecker checker;
    for (const auto& e : trace) checker.observe(e);
    checker.finish(loop.now_ms());
    return checker.violations();
  }
  std::string exactly_once(Position first_from = 0) const {
    return exactly_once_violation(streams.sink(), "orders", first_from).value_or("");
  }

  kiln::core::SimulatedLoop loop{0};
  kiln::core::EventLog events;
  std::vector<kiln::core::Event> trace;
  WorkspaceContext ctx;
  kiln::streams::MemoryLockService locks;
  StreamWorld streams;
};

}  // namespace fakedb::streaming::testing
