#include "platform/metrics/stream_metrics.h"

#include <catch2/catch.hpp>

#include "platform/metrics/db_collector.h"
#include "platform/metrics/exposition.h"
#include "platform/metrics/metrics_testing.h"
#include "platform/store/store_testing.h"

namespace kiln::metrics {
namespace {

streams::LockState orders() {
  streams::LockState s;
  s.stream = "orders";
  s.holder = "orders-v4";
  s.token = 3;
  s.lease_until_ms = 130'000;
  s.preferred = "orders-v4";
  s.committed = 1'200;
  s.committed_by = "orders-v4";
  s.committed_token = 3;
  s.committed_ms = 110'500;
  s.head = 1'250;
  return s;
}

TEST_CASE("a held stream shows its holder, token, lease, checkpoint and lag") {
  Registry r;
  collect_streams({orders()}, 120'000, r);
  const Labels stream{{"stream", "orders"}};
  CHECK(r.sample("kiln_stream_lock_token", stream)->value == 3);
  CHECK(r.sample("kiln_stream_lock_held", {{"stream", "orders"}, {"holder", "orders-v4"}})->value ==
        1);
  CHECK(r.sample("kiln_stream_lock_held", stream) == nullptr);
  CHECK(r.sample("kiln_stream_lease_remaining_seconds", stream)->value == 10);
  CHECK(r.sample("kiln_stream_checkpoint_position", stream)->value == 1'200);
  CHECK(r.sample("kiln_stream_checkpoint_timestamp_seconds", stream)->value == 110.5);
  CHECK(r.sample("kiln_stream_checkpoint_lag_positions", stream)->value == 50);
  CHECK(testing::format_problems(render_prometheus(r)) == std::vector<std::string>{});
}

TEST_CASE("a free stream shows held 0 without a holder and no lease") {
  auto expired = orders();
  auto released = orders();
  released.stream = "clicks";
  released.holder.clear();
  auto fresh = streams::LockState{};
  fresh.stream = "new";
  Registry r;
  collect_streams({expired, released, fresh}, 130'000, r);  // orders' lease ends at 130 s
  for (const char* name : {"orders", "clicks", "new"}) {
    const Labels stream{{"stream", name}};
    INFO(name);
    CHECK(r.sample("kiln_stream_lock_held", stream)->value == 0);
    CHECK(r.sample("kiln_stream_lease_remaining_seconds", stream)->value == 0);
  }
  CHECK(r.find("kiln_stream_lock_held")->series.size() == 3);
  // Nothing committed yet: no commit time, rather than 1970.
  CHECK(r.sample("kiln_stream_checkpoint_timestamp_seconds", {{"stream", "new"}}) == nullptr);
  CHECK(r.sample("kiln_stream_checkpoint_position", {{"stream", "new"}})->value == 0);
}

TEST_CASE("the stream families are declared with no streams") {
  Registry r;
  collect_streams({}, 0, r);
  const std::string text = render_prometheus(r);
  CHECK_THAT(text, Catch::Contains("# TYPE kiln_stream_lock_held gauge\n"));
  CHECK_THAT(text, Catch::Contains("# TYPE kiln_stream_checkpoint_lag_positions gauge\n"));
  CHECK(testing::format_problems(text) == std::vector<std::string>{});
}

TEST_CASE("the DB collector reports the streams of the metadata DB") {
  auto db = store::testing::open_store();
  STORE_REQUIRE_OK(db->put_stream(orders(), 110'500));
  Registry r;
  CHECK(collect_from_db(*db, nullptr, 125'000, r).empty());
  CHECK(r.sample("kiln_stream_lock_held", {{"stream", "orders"}, {"holder", "orders-v4"}})->value ==
        1);
  CHECK(r.sample("kiln_stream_lease_remaining_seconds", {{"stream", "orders"}})->value == 5);
  CHECK(r.sample("kiln_metrics_source_up", {{"source", "db"}})->value == 1);
}

}  // namespace
}  // namespace kiln::metrics
