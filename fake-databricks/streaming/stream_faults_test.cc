#include <catch2/catch.hpp>

#include "fake-databricks/streaming/stream_fault.h"
#include "fake-databricks/streaming/test_world.h"

namespace fakedb::streaming {

using testing::kLease;
using testing::kSecond;
using testing::World;
using Kind = StreamFault::Kind;

namespace {

// blue writing, green a caught-up follower (not preferred: it gets the lock only when free).
World& blue_writing_green_following(World& w) {
  w.start("blue", 1, 1 * kSecond);
  w.start("green", 2, 3 * kSecond);
  w.advance(30 * kSecond);
  REQUIRE(w.view(1).role == Role::writer);
  REQUIRE(w.view(2).role == Role::follower);
  return w;
}

}  // namespace

TEST_CASE(
    "a stalled writer loses its lease the follower takes the free lock the late write is refused") {
  World w;
  blue_writing_green_following(w);
  const TimeMs stalled = w.loop.now_ms();
  w.streams.inject(w.fault(Kind::stall, "blue", 60 * kSecond));
  w.advance(1);
  CHECK(w.view(1).stalled);
  const Position blue_before = w.view(1).processed;

  REQUIRE(w.advance_until([&] { return w.view(2).role == Role::writer; }, 60 * kSecond));
  CHECK(w.loop.now_ms() >= stalled + kLease - kSecond);  // not before the lease ran out
  CHECK(w.view(1).processed == blue_before);             // a stall does nothing at all
  CHECK(w.view(1).holds_lock);                           // it does not know yet

  w.advance(40 * kSecond);  // the stall ends; blue carries on and tries its late commit
  const RunView blue = w.view(1);
  CHECK(blue.role == Role::follower);
  CHECK(blue.processed > blue_before);
  CHECK(w.writes_by("blue", stalled) == 0);
  CHECK(w.holder() == "green");
  CHECK(w.exactly_once().empty());
  CHECK(w.violations().empty());
  const auto faults = w.of_type(kFaultEvent);
  REQUIRE(faults.size() == 2);
  CHECK(faults[0].fields["phase"] == "start");
  CHECK(faults[1].fields["phase"] == "end");
  CHECK(faults[1].time_ms == stalled + 60 * kSecond);
}

TEST_CASE("a stalled writer nobody replaced gets its lock back with its token and goes on") {
  World w;
  w.start("blue", 1, 1 * kSecond);
  w.advance(30 * kSecond);
  REQUIRE(w.view(1).role == Role::writer);
  w.streams.inject(w.fault(Kind::stall, "blue", 45 * kSecond));
  w.advance(50 * kSecond);  // the lease ran out at 60 s; the stall ended at 75 s
  w.advance(5 * kSecond);
  const RunView blue = w.view(1);
  CHECK(blue.role == Role::writer);
  CHECK(blue.token == 1);
  bool refused = false;
  for (const auto& e : w.of_type(kRunEvent)) {
    refused = refused || (e.fields["role"] == "follower" && e.fields["reason"] == "lease-expired");
  }
  CHECK(refused);
  CHECK(w.exactly_once().empty());
  CHECK(w.violations().empty());
  CHECK(w.writes_by("blue", 75 * kSecond) > 0);  // writing again after the stall
}

TEST_CASE("a partitioned writer cannot renew and the follower takes over after its lease") {
  World w;
  blue_writing_green_following(w);
  const TimeMs cut = w.loop.now_ms();
  w.streams.inject(w.fault(Kind::partition, "blue", 90 * kSecond));
  w.advance(20 * kSecond);
  // Still processing, still believing it holds the lock, writing nothing.
  CHECK(w.view(1).partitioned);
  CHECK(w.view(1).holds_lock);
  CHECK(w.view(1).processed >= w.streams.head("orders") - 150);
  CHECK(w.writes_by("blue", cut) == 0);
  CHECK(w.holder() == "blue");

  REQUIRE(w.advance_until([&] { return w.holder() == "green"; }, 30 * kSecond));
  CHECK(w.loop.now_ms() >= cut + kLease - kSecond);
  w.advance(70 * kSecond);  // healed: blue's commit is refused
  CHECK(w.view(1).role == Role::follower);
  CHECK(w.writes_by("blue", cut) == 0);
  CHECK(w.view(2).role == Role::writer);
  CHECK(w.exactly_once().empty());
  CHECK(w.violations().empty());
}

TEST_CASE("a crashed writer does not release and the standby takes over when its lease runs out") {
  World w;
  blue_writing_green_following(w);
  const TimeMs crashed = w.loop.now_ms();
  w.streams.inject(w.fault(Kind::crash, "blue", 0));
  w.advance(1);
  CHECK(w.view(1).role == Role::stopped);
  CHECK(w.holder() == "blue");  // no release: its lease is still live
  w.advance(kLease - 2 * kSecond);
  CHECK(w.view(2).role == Role::follower);

  REQUIRE(w.advance_until([&] { return w.view(2).role == Role::writer; }, 10 * kSecond));
  CHECK(w.loop.now_ms() >= crashed + kLease - kSecond);
  CHECK(w.view(2).token == 2);
  w.advance(10 * kSecond);
  CHECK(w.exactly_once().empty());
  CHECK(w.violations().empty());
  CHECK(w.writes_by("green") > 0);
  const auto faults = w.of_type(kFaultEvent);
  REQUIRE(faults.size() == 1);
  CHECK(faults[0].fields["fault"] == "crash");
}

TEST_CASE("a slow run processes at its rate times the factor for the window") {
  World w(1, {World::orders(1'000)});
  w.start("blue", 1, 1 * kSecond, /*rate=*/2'000);
  w.advance(10 * kSecond);
  const Position before = w.view(1).processed;
  // The factor: a quarter of 2000/s is 500/s, half the source rate.
  StreamFault slow = w.fault(Kind::slow, "blue", 20 * kSecond);
  slow.factor = 0.25;
  w.streams.inject(slow);
  w.advance(10 * kSecond);
  CHECK(w.view(1).speed == 0.25);
  CHECK(w.view(1).processed - before == 5'000);
  w.advance(30 * kSecond);
  CHECK(w.view(1).speed == 1);
  CHECK(w.view(1).processed >= w.streams.head("orders") - 2'000);  // caught up again
  CHECK(w.exactly_once().empty());
  CHECK(w.violations().empty());
}

TEST_CASE("a fault hits only the runs it names") {
  World w;
  blue_writing_green_following(w);
  StreamFault f = w.fault(Kind::stall, "*", 10 * kSecond);
  f.run_id = 1002;  // green's job run
  w.streams.inject(f);
  w.advance(1);
  CHECK_FALSE(w.view(1).stalled);
  CHECK(w.view(2).stalled);
  f.run_id = 0;
  f.job = "orders-blue";
  f.holder = "green";
  w.streams.inject(f);  // no run is both
  w.advance(1);
  CHECK_FALSE(w.view(1).stalled);
}

TEST_CASE("a stream fault names the field that is wrong") {
  auto ok = StreamFault::parse(
      {{"at", 5}, {"kind", "stream_slow"}, {"for_ms", 1000}, {"factor", 0.5}, {"holder", "v2"}},
      "f");
  REQUIRE(ok.ok());
  CHECK(ok->kind == Kind::slow);
  CHECK(ok->factor == 0.5);
  CHECK(StreamFault::parse({{"at", 5}, {"kind", "stream_crash"}}, "f").ok());
  auto e = StreamFault::parse({{"at", 5}, {"kind", "stream_stall"}}, "faults.scheduled[2]");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message == "faults.scheduled[2].for_ms: required for stream_stall");
  e = StreamFault::parse({{"at", 5}, {"kind", "stream_nap"}}, "f");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message ==
        "f.kind: expected stream_crash, stream_stall, stream_partition or stream_slow");
  e = StreamFault::parse({{"at", 5}, {"kind", "stream_crash"}, {"count", 2}}, "f");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message ==
        "f.count: unknown field (expected at, kind, for_ms, factor, job, holder, run_id)");
}

}  // namespace fakedb::streaming
