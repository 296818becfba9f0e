#include "platform/scenario/duration.h"

#include <catch2/catch.hpp>

namespace kiln::scenario {

TEST_CASE("Durations are read with their units and printed back", "[duration]") {
  CHECK(parse_duration("500ms") == 500);
  CHECK(parse_duration("90s") == 90'000);
  CHECK(parse_duration("10m") == 600'000);
  CHECK(parse_duration("2h") == 7'200'000);
  CHECK(parse_duration("1d") == 86'400'000);
  CHECK(parse_duration("1h30m") == 5'400'000);
  CHECK(parse_duration("0s") == 0);
  for (const char* bad : {"", "10", "m", "10x", "-5s", "1.5h", "10 m", "99999999999999999999d"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad).has_value());
  }
  CHECK(format_duration(5'400'000) == "1h30m");
  CHECK(format_duration(90'000) == "1m30s");
  CHECK(format_duration(250) == "250ms");
  CHECK(format_duration(0) == "0s");
  CHECK(format_duration(86'400'000 + 1) == "1d1ms");
}

}  // namespace kiln::scenario
