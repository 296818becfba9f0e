#include "fake-databricks/streaming/streaming_run.h"

#include <catch2/catch.hpp>

#include "fake-databricks/streaming/test_world.h"

namespace fakedb::streaming {

using testing::kSecond;
using testing::World;

TEST_CASE("a single run writes contiguous outputs from the checkpoint") {
  World w;
  // An earlier version left the checkpoint at 300.
  REQUIRE(w.locks.acquire("orders", "v0", 0, 0).ok());
  REQUIRE(w.locks.commit("orders", "v0", 1, 0, 300, 0).ok());
  REQUIRE(w.locks.release("orders", "v0", 1).ok());
  w.advance(10 * kSecond);

  w.start("v1", 1, 5 * kSecond);
  w.advance(4 * kSecond);
  CHECK(w.view(1).role == Role::starting);
  w.advance(1 * kSecond);  // startup done: the checkpoint is read
  CHECK(w.view(1).role == Role::follower);
  CHECK(w.view(1).processed == 300);
  w.advance(60 * kSecond);

  const RunView v = w.view(1);
  CHECK(v.role == Role::writer);
  CHECK(v.token == 2);
  const auto& writes = w.streams.sink().writes();
  REQUIRE(writes.size() > 10);
  CHECK(writes.front().from == 300);
  CHECK(w.exactly_once(300).empty());
  CHECK(w.violations().empty());
  // It caught up (150/s against 100/s) and keeps within a tick of the head.
  CHECK(writes.back().to >= w.streams.head("orders") - 100);
  CHECK(w.locks.read("orders").committed == writes.back().to);
  // One event per accepted micro-batch, none per tick otherwise.
  CHECK(w.of_type(kWriteEvent).size() == writes.size());
  CHECK(w.of_type(kRunEvent).size() == 3);  // starting, follower, writer
}

TEST_CASE("a preferred green takes over once caught up and blue becomes a follower") {
  World w;
  w.start("blue", 1, 1 * kSecond);
  w.advance(60 * kSecond);
  REQUIRE(w.view(1).role == Role::writer);
  // A backlog: both must work through it before green can be caught up.
  SourceChange burst;
  burst.at_ms = w.loop.now_ms();
  burst.burst = 3'000;
  w.streams.change_source("orders", burst);

  w.locks.prefer("orders", "green");
  w.start("green", 2, 10 * kSecond);
  const TimeMs green_started = w.loop.now_ms();
  REQUIRE(w.advance_until([&] { return w.view(2).role == Role::writer; }, 300 * kSecond));
  const TimeMs takeover = w.loop.now_ms();
  CHECK(takeover > green_started + 10 * kSecond);
  CHECK(w.view(2).token == 2);
  const Position blue_then = w.view(1).processed;
  w.advance(5 * kSecond);

  // blue's next write was refused: it is a follower and never wrote after the takeover.
  const RunView blue = w.view(1);
  CHECK(blue.role == Role::follower);
  CHECK_FALSE(blue.holds_lock);
  CHECK(w.writes_by("blue", takeover) == 0);
  CHECK(w.writes_by("green") > 0);
  CHECK(w.exactly_once().empty());
  CHECK(w.violations().empty());
  bool refused = false;
  for (const auto& e : w.of_type("stream.refused")) {
    refused = refused || (e.fields["caller"] == "blue" && e.fields["refusal"] == "stale-token");
  }
  CHECK(refused);
  // blue is a hot standby: it keeps processing.
  CHECK(blue.processed > blue_then);
}

TEST_CASE("a green slower than the source never catches up and never writes") {
  World w;
  w.start("blue", 1, 1 * kSecond);
  w.advance(30 * kSecond);
  w.locks.prefer("orders", "green");
  w.start("green", 2, 5 * kSecond, /*rate=*/60);
  w.advance(600 * kSecond);
  CHECK(w.view(2).role == Role::follower);
  CHECK(w.writes_by("green") == 0);
  CHECK(w.view(1).role == Role::writer);
  CHECK(w.holder() == "blue");
  CHECK(w.view(2).processed < w.locks.read("orders").committed);
  CHECK(w.exactly_once().empty());
  CHECK(w.violations().empty());
}

TEST_CASE("cancel releases the lock and the standby takes it at once") {
  World w;
  w.start("blue", 1, 1 * kSecond);
  w.start("green", 2, 1 * kSecond);
  w.advance(30 * kSecond);
  REQUIRE(w.view(1).role == Role::writer);
  REQUIRE(w.view(2).role == Role::follower);
  w.streams.stop_run(1, /*release=*/true);
  CHECK(w.view(1).role == Role::stopped);
  CHECK(w.holder().empty());
  const auto stopped = w.of_type(kRunEvent).back();
  CHECK(stopped.fields["role"] == "stopped");
  CHECK(stopped.fields["reason"] == "released");
  const TimeMs cancelled = w.loop.now_ms();
  w.advance(2 * kSecond);  // well inside blue's lease
  CHECK(w.holder() == "green");
  CHECK(w.view(2).role == Role::writer);
  w.advance(10 * kSecond);
  CHECK(w.writes_by("blue", cancelled) == 0);
  CHECK(w.exactly_once().empty());
  CHECK(w.violations().empty());
}

TEST_CASE("the same seed gives the same sink byte for byte") {
  auto run_once = [](std::uint64_t seed) {
    World w(seed);
    RunSetup s;
    s.stream = "orders";
    s.job_name = "orders";
    for (std::int64_t id = 1; id <= 2; ++id) {
      s.holder = id == 1 ? "blue" : "green";
      s.task_run_id = id;
      w.streams.start_run(s, workloads::Distribution::uniform(1'000, 20'000));
      w.advance(7 * kSecond);
    }
    w.locks.prefer("orders", "green");
    w.streams.inject(w.fault(StreamFault::Kind::stall, "green", 40 * kSecond));
    w.advance(300 * kSecond);
    std::string trace;
    for (const auto& e : w.trace) trace += e.to_json_line() + "\n";
    return std::make_pair(w.streams.sink().to_json_lines(), trace);
  };
  const auto a = run_once(7);
  const auto b = run_once(7);
  CHECK(!a.first.empty());
  CHECK(a.first == b.first);
  CHECK(a.second == b.second);
  CHECK(run_once(8).second != a.second);  // the startups are drawn from the seed
}

TEST_CASE("a stream nobody configured flows at the default rate from the world's start") {
  World w;
  w.advance(10 * kSecond);
  CHECK(w.streams.head("payments") == 1'000);
  CHECK(w.streams.source("payments").head(w.loop.now_ms()) == 1'000);
}

}  // namespace fakedb::streaming
