#include "core/streams/writer_lock.h"

#include <catch2/catch.hpp>

#include "core/clock/simulated_loop.h"
#include "core/streams/memory_lock_service.h"

namespace kiln::streams {
namespace {

constexpr core::TimeMs kLease = 30'000;

struct Fixture {
  core::SimulatedLoop loop{0};
  core::EventLog events;
  std::vector<core::Event> seen;
  MemoryLockService locks{loop, &events, LockOptions{kLease}};
  Fixture() {
    events.subscribe([this](const core::Event& e) { seen.push_back(e); });
  }
  void advance(core::DurationMs ms) { loop.run_until(loop.now_ms() + ms); }
};

}  // namespace

TEST_CASE("a free lock is granted with a new token and the holder writes from the checkpoint") {
  Fixture f;
  const Answer a = f.locks.acquire("orders", "blue", 0, 100);
  REQUIRE(a.ok());
  CHECK(a.token == 1);
  CHECK(a.holder == "blue");
  CHECK(a.lease_until_ms == kLease);
  CHECK(f.locks.commit("orders", "blue", 1, 0, 10, 100).committed == 10);
  // Not from the checkpoint: a gap (or a duplicate) is refused.
  CHECK(f.locks.commit("orders", "blue", 1, 5, 20, 100).refusal == Refusal::kGap);
  CHECK(f.locks.commit("orders", "blue", 1, 12, 20, 100).refusal == Refusal::kGap);
  CHECK(f.locks.commit("orders", "blue", 1, 20, 10, 100).refusal == Refusal::kInvalid);
  CHECK(f.locks.read("orders").committed == 10);
  CHECK(f.locks.state("orders", nullptr)->lag() == 90);
}

TEST_CASE("only the preferred holder takes a held lock and only once caught up") {
  Fixture f;
  REQUIRE(f.locks.acquire("s", "blue", 0, 0).ok());
  REQUIRE(f.locks.commit("s", "blue", 1, 0, 50, 0).ok());
  CHECK(f.locks.acquire("s", "green", 50, 0).refusal == Refusal::kHeld);
  f.locks.prefer("s", "green");
  CHECK(f.locks.acquire("s", "green", 49, 0).refusal == Refusal::kNotCaughtUp);
  const Answer taken = f.locks.acquire("s", "green", 50, 0);
  REQUIRE(taken.ok());
  CHECK(taken.token == 2);
  CHECK(taken.committed == 50);
  // blue's late write with its stale token is refused, and so is its renewal.
  CHECK(f.locks.commit("s", "blue", 1, 50, 60, 0).refusal == Refusal::kStaleToken);
  CHECK(f.locks.renew("s", "blue", 1, 0).refusal == Refusal::kStaleToken);
  CHECK(f.locks.release("s", "blue", 1).refusal == Refusal::kStaleToken);
  // blue, not preferred, cannot take it back while green's lease is live.
  CHECK(f.locks.acquire("s", "blue", 50, 0).refusal == Refusal::kHeld);
  CHECK(f.locks.state("s", nullptr)->holder == "green");
}

TEST_CASE("a lease that runs out frees the lock and fences the old holder's late writes") {
  Fixture f;
  REQUIRE(f.locks.acquire("s", "blue", 0, 0).ok());
  f.advance(kLease);  // the lease ends at exactly this instant
  CHECK(f.locks.commit("s", "blue", 1, 0, 5, 0).refusal == Refusal::kLeaseExpired);
  const Answer green = f.locks.acquire("s", "green", 0, 0);
  REQUIRE(green.ok());
  CHECK(green.token == 2);
  CHECK(f.locks.commit("s", "blue", 1, 0, 5, 0).refusal == Refusal::kStaleToken);
  CHECK(f.locks.commit("s", "green", 2, 0, 5, 0).ok());
}

TEST_CASE("a holder whose lease ran out unreplaced renews with its token") {
  Fixture f;
  REQUIRE(f.locks.acquire("s", "blue", 0, 0).ok());
  f.advance(kLease + 1);
  const Answer renewed = f.locks.renew("s", "blue", 1, 0);
  REQUIRE(renewed.ok());
  CHECK(renewed.lease_until_ms == 2 * kLease + 1);
  f.advance(kLease);
  CHECK(f.locks.acquire("s", "blue", 0, 0).token == 1);  // the same holder keeps its token
}

TEST_CASE("a released lock goes to the next requester with the next token") {
  Fixture f;
  REQUIRE(f.locks.acquire("s", "green", 0, 0).ok());
  REQUIRE(f.locks.release("s", "green", 1).ok());
  CHECK(f.locks.read("s").holder.empty());
  const Answer blue = f.locks.acquire("s", "blue", 0, 0);
  CHECK(blue.token == 2);
  CHECK(blue.holder == "blue");
}

TEST_CASE("a commit renews the lease and an empty commit only renews") {
  Fixture f;
  REQUIRE(f.locks.acquire("s", "blue", 0, 0).ok());
  f.advance(20'000);
  const Answer a = f.locks.commit("s", "blue", 1, 0, 0, 7);
  REQUIRE(a.ok());
  CHECK(a.committed == 0);
  CHECK(a.lease_until_ms == 20'000 + kLease);
  CHECK(f.locks.state("s", nullptr)->committed_by.empty());
  CHECK(f.locks.state("s", nullptr)->head == 7);
}

TEST_CASE("the lock service publishes holder changes and refused writes") {
  Fixture f;
  f.locks.acquire("s", "blue", 0, 0);
  f.locks.prefer("s", "green");
  f.locks.acquire("s", "green", 0, 0);
  f.locks.commit("s", "blue", 1, 0, 1, 0);
  REQUIRE(f.seen.size() == 4);
  CHECK(f.seen[0].type == "stream.lock");
  CHECK(f.seen[0].fields["how"] == "acquired");
  CHECK(f.seen[1].type == "stream.preferred");
  CHECK(f.seen[2].fields["how"] == "takeover");
  CHECK(f.seen[2].fields["previous"] == "blue");
  CHECK(f.seen[2].fields["token"] == 2);
  CHECK(f.seen[3].type == "stream.refused");
  CHECK(f.seen[3].fields["refusal"] == "stale-token");
}

TEST_CASE("malformed calls are refused without changing the stream") {
  Fixture f;
  CHECK(f.locks.acquire("", "blue", 0, 0).refusal == Refusal::kInvalid);
  CHECK(f.locks.acquire("s", "", 0, 0).refusal == Refusal::kInvalid);
  CHECK(f.locks.acquire("s", "blue", -1, 0).refusal == Refusal::kInvalid);
  CHECK(f.locks.state("s", nullptr)->token == 0);
}

}  // namespace kiln::streams
