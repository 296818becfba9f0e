#include "fake-databricks/streaming/stream_source.h"

#include <catch2/catch.hpp>

namespace fakedb::streaming {
namespace {

using nlohmann::json;

SourceSpec spec(double rate, std::vector<SourceChange> changes = {}) {
  SourceSpec s;
  s.name = "orders";
  s.rate = rate;
  s.changes = std::move(changes);
  return s;
}

SourceChange rate_at(TimeMs at, double rate) {
  SourceChange c;
  c.at_ms = at;
  c.rate = rate;
  return c;
}

SourceChange burst_at(TimeMs at, Position n) {
  SourceChange c;
  c.at_ms = at;
  c.burst = n;
  return c;
}

SourceChange pause_at(TimeMs at, DurationMs ms) {
  SourceChange c;
  c.at_ms = at;
  c.pause_ms = ms;
  return c;
}

}  // namespace

TEST_CASE("a source head grows at its rate in whole positions") {
  const StreamSource s(spec(100), 1'000);
  CHECK(s.head(0) == 0);  // before the workspace started
  CHECK(s.head(1'000) == 0);
  CHECK(s.head(1'009) == 0);
  CHECK(s.head(1'010) == 1);
  CHECK(s.head(61'000) == 6'000);
  // A fractional rate is exact too: 0.5/s is one position every two seconds.
  const StreamSource slow(spec(0.5), 0);
  CHECK(slow.head(1'999) == 0);
  CHECK(slow.head(2'000) == 1);
  CHECK(slow.head(3'600'000) == 1'800);
  // A year at a million positions per second does not overflow.
  const StreamSource fast(spec(1e6), 0);
  CHECK(fast.head(365LL * 86'400'000) == 365LL * 86'400 * 1'000'000);
}

TEST_CASE("rate changes bursts and pauses bend the head at their instants") {
  const StreamSource s(spec(100, {rate_at(10'000, 400), burst_at(20'000, 5'000),
                                  pause_at(30'000, 10'000), rate_at(35'000, 10)}),
                       0);
  CHECK(s.head(10'000) == 1'000);
  CHECK(s.head(15'000) == 3'000);
  CHECK(s.head(19'999) == 4'999);
  CHECK(s.head(20'000) == 10'000);  // the burst is there at its instant
  CHECK(s.head(30'000) == 14'000);
  CHECK(s.head(39'999) == 14'000);  // paused
  CHECK(s.rate(35'000) == 0);
  // After the pause, the rate set during it (10/s) holds.
  CHECK(s.head(41'000) == 14'010);
  CHECK(s.rate(41'000) == 10);
}

TEST_CASE("overlapping pauses end with the later one and a change added later rebuilds") {
  StreamSource s(spec(100, {pause_at(10'000, 10'000), pause_at(15'000, 10'000)}), 0);
  CHECK(s.head(24'000) == 1'000);
  CHECK(s.head(26'000) == 1'100);
  s.add(burst_at(30'000, 7));
  CHECK(s.head(30'000) == 1'507);
  CHECK(s.head(29'999) < 1'500);
}

TEST_CASE("a source spec names the field that is wrong") {
  auto ok = SourceSpec::parse(
      {{"name", "orders"},
       {"rate", 250},
       {"changes", {{{"at", "2026-01-01T00:10:00Z"}, {"rate", 400}}, {{"at", 5}, {"burst", 50}}}}},
      "streams[0]");
  REQUIRE(ok.ok());
  CHECK(ok->rate == 250);
  CHECK(ok->changes[0].at_ms == 1'767'226'200'000);
  CHECK(ok->changes[1].burst == 50);
  auto e = SourceSpec::parse({{"name", "x"}, {"rate", -1}}, "streams[0]");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message == "streams[0].rate: expected positions per second from 0 to 10000000");
  e = SourceSpec::parse({{"name", "x"}, {"changes", {{{"rate", 5}}}}}, "streams[1]");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message == "streams[1].changes[0].at: required (epoch ms or UTC time)");
  e = SourceSpec::parse({{"name", "x"}, {"changes", {{{"at", 5}}}}}, "s");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message == "s.changes[0]: expected a rate, a burst or a pause_ms");
  e = SourceSpec::parse({{"rate", 5}}, "s");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message == "s.name: required");
  e = SourceSpec::parse({{"name", "x"}, {"speed", 5}}, "s");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message ==
        "s.speed: unknown field (expected name, rate, start_position, changes)");
}

}  // namespace fakedb::streaming
