// The store's half of the lock service: each stream's lock and checkpoint rows, kept together.
// The rules themselves are tested in core/streams and, through the store, in platform/streams.
#include <catch2/catch.hpp>

#include "platform/store/store_testing.h"

namespace kiln::store {
namespace {

using testing::open_store;

streams::LockState stream(const std::string& name, std::int64_t token, std::int64_t committed) {
  streams::LockState s;
  s.stream = name;
  s.holder = "orders-v" + std::to_string(token);
  s.token = token;
  s.lease_until_ms = 30'000 + token;
  s.preferred = "orders-v2";
  s.committed = committed;
  s.committed_by = s.holder;
  s.committed_token = token;
  s.committed_ms = 20'000 + committed;
  s.head = committed + 5;
  return s;
}

void check_same(const streams::LockState& a, const streams::LockState& b) {
  CHECK(a.stream == b.stream);
  CHECK(a.holder == b.holder);
  CHECK(a.token == b.token);
  CHECK(a.lease_until_ms == b.lease_until_ms);
  CHECK(a.preferred == b.preferred);
  CHECK(a.committed == b.committed);
  CHECK(a.committed_by == b.committed_by);
  CHECK(a.committed_token == b.committed_token);
  CHECK(a.committed_ms == b.committed_ms);
  CHECK(a.head == b.head);
}

TEST_CASE("a stream never put is not found", "[streams]") {
  auto store = open_store();
  CHECK(store->get_stream("orders").code() == ErrorCode::kNotFound);
  CHECK(store->list_streams(10).value().empty());
}

TEST_CASE("a stream's lock and checkpoint read back as put and update in place", "[streams]") {
  auto store = open_store();
  const auto first = stream("orders", 1, 10);
  STORE_REQUIRE_OK(store->put_stream(first, 1'000));
  check_same(store->get_stream("orders").value(), first);
  const auto second = stream("orders", 2, 40);
  STORE_REQUIRE_OK(store->put_stream(second, 2'000));
  check_same(store->get_stream("orders").value(), second);
  // A release: no holder, the token kept.
  auto released = second;
  released.holder.clear();
  STORE_REQUIRE_OK(store->put_stream(released, 3'000));
  check_same(store->get_stream("orders").value(), released);
}

TEST_CASE("streams are listed by name up to the limit", "[streams]") {
  auto store = open_store();
  for (const char* name : {"payments", "clicks", "orders"}) {
    STORE_REQUIRE_OK(store->put_stream(stream(name, 1, 0), 1));
  }
  const auto all = store->list_streams(10).value();
  REQUIRE(all.size() == 3);
  CHECK(all[0].stream == "clicks");
  CHECK(all[1].stream == "orders");
  CHECK(all[2].stream == "payments");
  CHECK(store->list_streams(2).value().size() == 2);
}

TEST_CASE("a checkpoint moving back or a token going down is refused and writes nothing",
          "[streams]") {
  auto store = open_store();
  const auto current = stream("orders", 3, 50);
  STORE_REQUIRE_OK(store->put_stream(current, 1'000));

  auto back = stream("orders", 4, 49);  // a new holder, but an older checkpoint
  const auto moved_back = store->put_stream(back, 2'000);
  CHECK(moved_back.code() == ErrorCode::kConflict);
  CHECK_THAT(moved_back.error().message,
             Catch::Contains("put stream orders") && Catch::Contains("never moves back"));
  check_same(store->get_stream("orders").value(), current);  // the lock row did not move either

  const auto lower = store->put_stream(stream("orders", 2, 60), 2'000);
  CHECK(lower.code() == ErrorCode::kConflict);
  CHECK_THAT(lower.error().message, Catch::Contains("never goes down"));
  check_same(store->get_stream("orders").value(), current);
}

TEST_CASE("a stream without a name is refused", "[streams]") {
  auto store = open_store();
  CHECK(store->put_stream(stream("", 1, 0), 1).code() == ErrorCode::kConstraint);
  CHECK(store->list_streams(10).value().empty());
}

TEST_CASE("a put inside a failing transaction is undone", "[streams]") {
  auto store = open_store();
  STORE_REQUIRE_OK(store->put_stream(stream("orders", 1, 10), 1));
  const auto failed = store->transaction([&]() -> Status {
    if (auto s = store->put_stream(stream("orders", 2, 20), 2); !s) return s;
    return Error::conflict("changed my mind");
  });
  CHECK(failed.code() == ErrorCode::kConflict);
  CHECK(store->get_stream("orders").value().token == 1);
  CHECK(store->get_stream("orders").value().committed == 10);
}

}  // namespace
}  // namespace kiln::store
