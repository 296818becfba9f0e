#include "platform/streams/store_lock_service.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/clock/simulated_loop.h"
#include "core/random/random.h"
#include "core/streams/lock_events.h"
#include "core/streams/memory_lock_service.h"
#include "platform/store/sqlite.h"
#include "platform/store/store_testing.h"

namespace kiln::streams {
namespace {

using store::testing::open_store;
using store::testing::TempDir;

constexpr core::DurationMs kLease = 30'000;

// A lock service over a store (":memory:" unless given), on virtual time, recording its events.
struct Fixture {
  explicit Fixture(const std::string& path = ":memory:") : db(open_store(path)) {
    events.subscribe([this](const core::Event& e) { seen.push_back(e); });
  }
  void advance(core::DurationMs ms) { loop.run_until(loop.now_ms() + ms); }
  std::vector<std::string> types() const {
    std::vector<std::string> out;
    for (const auto& e : seen) out.push_back(e.type);
    return out;
  }

  core::SimulatedLoop loop{1'000};
  core::EventLog events;
  std::vector<core::Event> seen;
  std::unique_ptr<store::MetadataStore> db;
  StoreLockService locks{*db, loop, &events, LockOptions{kLease}};
};

TEST_CASE("only a caught-up preferred holder takes the lock through the store") {
  Fixture f;
  REQUIRE(f.locks.acquire("orders", "blue", 0, 0).ok());
  REQUIRE(f.locks.commit("orders", "blue", 1, 0, 50, 80).ok());
  CHECK(f.locks.acquire("orders", "green", 50, 80).refusal == Refusal::kHeld);
  REQUIRE(f.locks.prefer("orders", "green").ok());
  CHECK(f.locks.acquire("orders", "green", 49, 80).refusal == Refusal::kNotCaughtUp);
  const Answer taken = f.locks.acquire("orders", "green", 50, 80);
  REQUIRE(taken.ok());
  CHECK(taken.token == 2);
  CHECK(taken.committed == 50);
  // blue is fenced: its stale token writes nothing, renews nothing, releases nothing.
  CHECK(f.locks.commit("orders", "blue", 1, 50, 60, 80).refusal == Refusal::kStaleToken);
  CHECK(f.locks.renew("orders", "blue", 1, 80).refusal == Refusal::kStaleToken);
  CHECK(f.locks.release("orders", "blue", 1).refusal == Refusal::kStaleToken);
  CHECK(f.locks.acquire("orders", "blue", 50, 80).refusal == Refusal::kHeld);
  const LockState s = f.locks.state("orders", nullptr).value();
  CHECK(s.holder == "green");
  CHECK(s.committed == 50);
  CHECK(s.committed_by == "blue");
  CHECK(s.committed_token == 1);
  CHECK(s.lag() == 30);
}

TEST_CASE("a lease that ran out frees the lock and a late commit is refused") {
  Fixture f;
  REQUIRE(f.locks.acquire("orders", "blue", 0, 0).ok());
  f.advance(kLease);
  CHECK(f.locks.read("orders").holder.empty());
  CHECK(f.locks.commit("orders", "blue", 1, 0, 10, 0).refusal == Refusal::kLeaseExpired);
  // Nobody replaced blue: a renewal keeps its token and it writes again.
  REQUIRE(f.locks.renew("orders", "blue", 1, 0).ok());
  REQUIRE(f.locks.commit("orders", "blue", 1, 0, 10, 0).ok());
  f.advance(kLease + 1);
  // Now anyone may take it, with a new token.
  const Answer other = f.locks.acquire("orders", "backfill", 0, 0);
  REQUIRE(other.ok());
  CHECK(other.token == 2);
  CHECK(f.locks.renew("orders", "blue", 1, 0).refusal == Refusal::kStaleToken);
}

TEST_CASE("a commit that does not start at the checkpoint is refused and moves nothing") {
  Fixture f;
  REQUIRE(f.locks.acquire("orders", "blue", 0, 0).ok());
  REQUIRE(f.locks.commit("orders", "blue", 1, 0, 10, 0).ok());
  CHECK(f.locks.commit("orders", "blue", 1, 11, 20, 0).refusal == Refusal::kGap);
  CHECK(f.locks.commit("orders", "blue", 1, 5, 20, 0).refusal == Refusal::kGap);
  CHECK(f.locks.commit("orders", "blue", 1, 10, 9, 0).refusal == Refusal::kInvalid);
  CHECK(f.locks.read("orders").committed == 10);
  CHECK(f.locks.acquire("", "blue", 0, 0).refusal == Refusal::kInvalid);
}

TEST_CASE("the lock and checkpoint survive closing and reopening the DB file") {
  TempDir dir;
  const std::string path = dir.file("kiln.db");
  {
    Fixture f(path);
    REQUIRE(f.locks.acquire("orders", "blue", 0, 0).ok());
    REQUIRE(f.locks.commit("orders", "blue", 1, 0, 42, 100).ok());
    REQUIRE(f.locks.prefer("orders", "green").ok());
  }
  Fixture again(path);
  const LockState s = again.locks.state("orders", nullptr).value();
  CHECK(s.holder == "blue");
  CHECK(s.token == 1);
  CHECK(s.committed == 42);
  CHECK(s.preferred == "green");
  CHECK(s.head == 100);
  CHECK(s.lease_until_ms == 1'000 + kLease);
  // The reopened service goes on from there: blue still writes from 42.
  CHECK(again.locks.commit("orders", "blue", 1, 42, 50, 100).ok());
  CHECK(again.locks.list(nullptr).size() == 1);
}

TEST_CASE("two services over one DB file decide as one lock service") {
  TempDir dir;
  const std::string path = dir.file("kiln.db");
  core::SimulatedLoop loop{1'000};
  auto db_blue = open_store(path);   // as if in blue's process
  auto db_green = open_store(path);  // and in green's
  StoreLockService blue_side(*db_blue, loop, nullptr, LockOptions{kLease});
  StoreLockService green_side(*db_green, loop, nullptr, LockOptions{kLease});

  REQUIRE(blue_side.acquire("orders", "blue", 0, 0).ok());
  REQUIRE(blue_side.commit("orders", "blue", 1, 0, 30, 0).ok());
  CHECK(green_side.acquire("orders", "green", 30, 0).refusal == Refusal::kHeld);
  REQUIRE(green_side.prefer("orders", "green").ok());
  CHECK(green_side.read("orders").committed == 30);
  REQUIRE(green_side.acquire("orders", "green", 30, 0).ok());
  CHECK(blue_side.commit("orders", "blue", 1, 30, 40, 0).refusal == Refusal::kStaleToken);
  REQUIRE(green_side.commit("orders", "green", 2, 30, 40, 0).ok());
  CHECK(blue_side.read("orders").holder == "green");
  CHECK(blue_side.read("orders").committed == 40);
}

TEST_CASE("a store whose write lock is held elsewhere answers unavailable and changes nothing") {
  TempDir dir;
  const std::string path = dir.file("kiln.db");
  core::SimulatedLoop loop{1'000};
  core::EventLog events;
  int published = 0;
  events.subscribe([&](const core::Event&) { ++published; });
  auto opened = store::open_sqlite_store(path, store::DatabaseOptions{0});
  STORE_REQUIRE_OK(opened);
  StoreLockService locks(**opened, loop, &events, LockOptions{kLease});
  REQUIRE(locks.acquire("orders", "blue", 0, 0).ok());
  CHECK(published == 1);

  auto other = store::Database::open(path);  // another process, mid-transaction
  STORE_REQUIRE_OK(other);
  STORE_REQUIRE_OK(other->exec("BEGIN IMMEDIATE"));
  const Answer busy = locks.commit("orders", "blue", 1, 0, 10, 0);
  CHECK(busy.refusal == Refusal::kUnavailable);
  CHECK_THAT(busy.message, Catch::Contains("busy"));
  CHECK(published == 1);
  STORE_REQUIRE_OK(other->exec("ROLLBACK"));
  CHECK(locks.read("orders").committed == 0);
  CHECK(locks.commit("orders", "blue", 1, 0, 10, 0).ok());
}

TEST_CASE("a write that fails halfway answers unavailable and leaves no half-written stream") {
  TempDir dir;
  const std::string path = dir.file("kiln.db");
  Fixture f(path);
  REQUIRE(f.locks.acquire("orders", "blue", 0, 0).ok());
  {
    // The checkpoint row, written after the lock row, now fails.
    auto raw = store::Database::open(path);
    STORE_REQUIRE_OK(raw);
    STORE_REQUIRE_OK(
        raw->exec("CREATE TRIGGER broken BEFORE UPDATE ON stream_checkpoints "
                  "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"));
  }
  f.advance(1'000);
  const Answer failed = f.locks.commit("orders", "blue", 1, 0, 10, 0);
  CHECK(failed.refusal == Refusal::kUnavailable);
  CHECK_THAT(failed.message, Catch::Contains("disk on fire"));
  const LockState s = f.locks.state("orders", nullptr).value();
  CHECK(s.lease_until_ms == 1'000 + kLease);  // the lock row's renewal was rolled back too
  CHECK(s.committed == 0);
  CHECK(f.seen.size() == 1);  // only the first acquire's
  std::string error;
  CHECK(f.locks.list(&error).size() == 1);
  CHECK(error.empty());
}

TEST_CASE("each accepted change publishes one event after it is stored") {
  Fixture f;
  REQUIRE(f.locks.acquire("orders", "blue", 0, 0).ok());        // stream.lock acquired
  REQUIRE(f.locks.acquire("orders", "blue", 0, 0).ok());        // a renewal: nothing
  REQUIRE(f.locks.renew("orders", "blue", 1, 0).ok());          // nothing
  REQUIRE(f.locks.commit("orders", "blue", 1, 0, 10, 0).ok());  // nothing
  CHECK(!f.locks.acquire("orders", "green", 10, 0).ok());       // acquire refusals: nothing
  REQUIRE(f.locks.prefer("orders", "green").ok());              // stream.preferred
  REQUIRE(f.locks.prefer("orders", "green").ok());              // no change: nothing
  REQUIRE(f.locks.acquire("orders", "green", 10, 0).ok());      // stream.lock takeover
  CHECK(!f.locks.commit("orders", "blue", 1, 10, 20, 0).ok());  // stream.refused
  REQUIRE(f.locks.release("orders", "green", 2).ok());          // stream.lock released
  CHECK(f.types() == std::vector<std::string>{kLockEvent, kPreferredEvent, kLockEvent,
                                              kRefusedEvent, kLockEvent});
  CHECK(f.seen[0].fields.at("how") == "acquired");
  CHECK(f.seen[2].fields.at("how") == "takeover");
  CHECK(f.seen[2].fields.at("previous") == "blue");
  CHECK(f.seen[3].fields.at("refusal") == "stale-token");
  CHECK(f.seen[4].fields.at("how") == "released");
}

// The same random calls through the store and through memory: every answer, event and final
// state agrees, so the store adds durability and nothing else.
TEST_CASE("the store service answers and publishes exactly as the memory service") {
  const std::uint64_t seed = GENERATE(1, 2, 3);
  INFO("seed " << seed);
  core::Random random = core::Random(seed).stream("locks");
  Fixture f;
  core::EventLog memory_events;
  std::vector<core::Event> memory_seen;
  memory_events.subscribe([&](const core::Event& e) { memory_seen.push_back(e); });
  MemoryLockService memory(f.loop, &memory_events, LockOptions{kLease});
  LockService* services[] = {&f.locks, &memory};

  const std::vector<std::string> holders = {"blue", "green", "backfill"};
  const std::vector<std::string> streams = {"orders", "clicks"};
  std::int64_t processed = 0;
  for (int i = 0; i < 400; ++i) {
    const auto& who = holders[static_cast<std::size_t>(random.uniform_int(0, 2))];
    const auto& stream = streams[static_cast<std::size_t>(random.uniform_int(0, 1))];
    const std::int64_t token = random.uniform_int(0, 4);
    const std::int64_t committed = memory.read(stream).committed;
    const std::int64_t from = committed + random.uniform_int(-1, 1);
    const std::int64_t to = from + random.uniform_int(0, 10);
    processed += random.uniform_int(0, 5);
    const auto call = random.uniform_int(0, 5);
    Answer answers[2];
    for (int k = 0; k < 2; ++k) {
      LockService& s = *services[k];
      switch (call) {
        case 0:
          answers[k] = s.acquire(stream, who, processed % (committed + 2), processed);
          break;
        case 1:
          answers[k] = s.renew(stream, who, token, processed);
          break;
        case 2:
          answers[k] = s.release(stream, who, token);
          break;
        case 3:
          answers[k] = s.prefer(stream, who);
          break;
        default:
          answers[k] = s.commit(stream, who, token, from, to, processed);
          break;
      }
    }
    INFO("call " << i << " kind " << call);
    CHECK(answers[0].refusal == answers[1].refusal);
    CHECK(answers[0].message == answers[1].message);
    CHECK(answers[0].holder == answers[1].holder);
    CHECK(answers[0].token == answers[1].token);
    CHECK(answers[0].lease_until_ms == answers[1].lease_until_ms);
    CHECK(answers[0].committed == answers[1].committed);
    f.advance(random.uniform_int(0, kLease / 3));
  }
  REQUIRE(f.seen.size() == memory_seen.size());
  for (std::size_t i = 0; i < f.seen.size(); ++i) {
    CHECK(f.seen[i].to_json_line() == memory_seen[i].to_json_line());
  }
  const auto stored = f.locks.list(nullptr);
  const auto kept = memory.list(nullptr);
  REQUIRE(stored.size() == kept.size());
  for (std::size_t i = 0; i < stored.size(); ++i) {
    CHECK(stored[i].stream == kept[i].stream);
    CHECK(stored[i].holder == kept[i].holder);
    CHECK(stored[i].token == kept[i].token);
    CHECK(stored[i].committed == kept[i].committed);
    CHECK(stored[i].committed_by == kept[i].committed_by);
    CHECK(stored[i].head == kept[i].head);
  }
}

}  // namespace
}  // namespace kiln::streams
