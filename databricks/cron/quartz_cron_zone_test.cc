// next_after in zones with offsets and daylight-saving changes. The DST rules (docs/cron.md):
// a wall-clock time inside a spring-forward gap fires moved forward by the gap length, as Quartz
// (java.util.Calendar) does; a wall-clock time repeated by a fall-back fires once, at the first
// occurrence.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "databricks/cron/cron_test_util.h"
#include "databricks/cron/quartz_cron.h"

namespace databricks::cron {
namespace {

using testing::cron;
using testing::next_fire;
using testing::show;
using testing::utc_ms;

// The fire times after `after` (a wall-clock reading in `tz`), shown in `tz`.
std::vector<std::string> fires(std::string_view expression, std::string_view tz,
                               const std::string& after, int count) {
  const QuartzCron c = cron(expression);
  const TimeZone zone = testing::zone(tz);
  std::vector<std::string> out;
  std::int64_t t = testing::local_ms(after, tz);
  for (int i = 0; i < count; ++i) {
    const auto next = c.next_after(t, zone);
    out.push_back(show(next, tz));
    if (!next) break;
    t = *next;
  }
  return out;
}

using Fires = std::vector<std::string>;

TEST_CASE("next_after evaluates the expression in the schedule's time zone") {
  CHECK(next_fire("0 0 9 * * ?", "UTC", "2026-01-15 00:00:00") == "2026-01-15 09:00:00 +0000");
  CHECK(next_fire("0 0 9 * * ?", "America/New_York", "2026-01-15 00:00:00") ==
        "2026-01-15 09:00:00 -0500");
  CHECK(next_fire("0 0 9 * * ?", "America/New_York", "2026-07-15 00:00:00") ==
        "2026-07-15 09:00:00 -0400");
  CHECK(next_fire("0 0 9 * * ?", "Europe/Amsterdam", "2026-01-15 00:00:00") ==
        "2026-01-15 09:00:00 +0100");
  CHECK(next_fire("0 0 9 * * ?", "Europe/Amsterdam", "2026-07-15 00:00:00") ==
        "2026-07-15 09:00:00 +0200");
  CHECK(next_fire("0 0 9 * * ?", "Australia/Lord_Howe", "2026-01-15 00:00:00") ==
        "2026-01-15 09:00:00 +1100");
  CHECK(next_fire("0 0 9 * * ?", "Australia/Lord_Howe", "2026-07-15 00:00:00") ==
        "2026-07-15 09:00:00 +1030");
}

TEST_CASE("next_after in Asia/Kolkata fires on the local hour, half past the UTC hour") {
  const QuartzCron hourly = cron("0 0 * * * ?");
  const TimeZone kolkata = testing::zone("Asia/Kolkata");
  const auto next = hourly.next_after(utc_ms("2026-05-10 04:47:00"), kolkata);
  CHECK(show(next, "Asia/Kolkata") == "2026-05-10 11:00:00 +0530");
  CHECK(show(next, "UTC") == "2026-05-10 05:30:00 +0000");
  CHECK(show(cron("0 0 9 * * ?").next_after(utc_ms("2026-05-10 00:00:00"), kolkata), "UTC") ==
        "2026-05-10 03:30:00 +0000");
}

TEST_CASE("next_after the day-of-week is the local one, not UTC's") {
  // 2026-05-15 is a Friday; 23:30 Friday in New York is already Saturday in UTC.
  CHECK(next_fire("0 30 23 ? * FRI", "America/New_York", "2026-05-11 00:00:00") ==
        "2026-05-15 23:30:00 -0400");
  CHECK(next_fire("0 30 0 ? * SAT", "Asia/Kolkata", "2026-05-11 00:00:00") ==
        "2026-05-16 00:30:00 +0530");
}

TEST_CASE("next_after a time in the New York spring-forward gap fires moved forward by an hour") {
  // 2026-03-08 02:00 EST becomes 03:00 EDT: 02:30 does not exist that day.
  CHECK(fires("0 30 2 * * ?", "America/New_York", "2026-03-07 12:00:00", 2) ==
        Fires{"2026-03-08 03:30:00 -0400", "2026-03-09 02:30:00 -0400"});
  CHECK(fires("0 0 2 * * ?", "America/New_York", "2026-03-07 12:00:00", 2) ==
        Fires{"2026-03-08 03:00:00 -0400", "2026-03-09 02:00:00 -0400"});
}

TEST_CASE("next_after an hourly schedule runs once per real hour across the spring-forward") {
  CHECK(
      fires("0 0 * * * ?", "America/New_York", "2026-03-08 00:30:00", 3) ==
      Fires{"2026-03-08 01:00:00 -0500", "2026-03-08 03:00:00 -0400", "2026-03-08 04:00:00 -0400"});
  // 02:00 and 02:30 are shifted to 03:00 and 03:30, which coincide with the real 03:00 and
  // 03:30: each instant fires once.
  CHECK(fires("0 0,30 * * * ?", "America/New_York", "2026-03-08 01:15:00", 4) ==
        Fires{"2026-03-08 01:30:00 -0500", "2026-03-08 03:00:00 -0400", "2026-03-08 03:30:00 -0400",
              "2026-03-08 04:00:00 -0400"});
}

TEST_CASE("next_after a time repeated by the New York fall-back fires once, the first time") {
  // 2026-11-01 02:00 EDT becomes 01:00 EST: 01:00-01:59 happens twice.
  CHECK(fires("0 30 1 * * ?", "America/New_York", "2026-10-31 12:00:00", 2) ==
        Fires{"2026-11-01 01:30:00 -0400", "2026-11-02 01:30:00 -0500"});
  CHECK(
      fires("0 0 * * * ?", "America/New_York", "2026-11-01 00:30:00", 3) ==
      Fires{"2026-11-01 01:00:00 -0400", "2026-11-01 02:00:00 -0500", "2026-11-01 03:00:00 -0500"});
}

TEST_CASE("next_after from inside the repeated hour skips the times that already fired") {
  const TimeZone new_york = testing::zone("America/New_York");
  const std::int64_t second_pass = utc_ms("2026-11-01 06:10:00");  // 01:10 EST
  CHECK(show(cron("0 30 1 * * ?").next_after(second_pass, new_york), "America/New_York") ==
        "2026-11-02 01:30:00 -0500");
  CHECK(show(cron("0 */15 * * * ?").next_after(second_pass, new_york), "America/New_York") ==
        "2026-11-01 02:00:00 -0500");
  const std::int64_t first_pass = utc_ms("2026-11-01 05:10:00");  // 01:10 EDT
  CHECK(show(cron("0 30 1 * * ?").next_after(first_pass, new_york), "America/New_York") ==
        "2026-11-01 01:30:00 -0400");
}

TEST_CASE("next_after handles Europe/Amsterdam's DST changes at 02:00 and 03:00") {
  CHECK(fires("0 30 2 * * ?", "Europe/Amsterdam", "2026-03-28 12:00:00", 2) ==
        Fires{"2026-03-29 03:30:00 +0200", "2026-03-30 02:30:00 +0200"});
  CHECK(fires("0 30 2 * * ?", "Europe/Amsterdam", "2026-10-24 12:00:00", 2) ==
        Fires{"2026-10-25 02:30:00 +0200", "2026-10-26 02:30:00 +0100"});
}

TEST_CASE("next_after handles Australia/Lord_Howe's half-hour DST shift") {
  // 2026-10-04 02:00 (+10:30) becomes 02:30 (+11:00): 02:15 is moved forward 30 minutes.
  CHECK(fires("0 15 2 * * ?", "Australia/Lord_Howe", "2026-10-03 12:00:00", 2) ==
        Fires{"2026-10-04 02:45:00 +1100", "2026-10-05 02:15:00 +1100"});
  // 2026-04-05 02:00 (+11:00) becomes 01:30 (+10:30): 01:45 happens twice and fires once.
  CHECK(fires("0 45 1 * * ?", "Australia/Lord_Howe", "2026-04-04 12:00:00", 2) ==
        Fires{"2026-04-05 01:45:00 +1100", "2026-04-06 01:45:00 +1030"});
  CHECK(
      fires("0 0,30 * * * ?", "Australia/Lord_Howe", "2026-04-05 01:15:00", 3) ==
      Fires{"2026-04-05 01:30:00 +1100", "2026-04-05 02:00:00 +1030", "2026-04-05 02:30:00 +1030"});
}

TEST_CASE("next_after applies DST rules beyond 2037") {
  const TimeZone new_york = testing::zone("America/New_York");
  const QuartzCron noon = cron("0 0 12 * * ?");
  CHECK(show(noon.next_after(utc_ms("2050-07-01 00:00:00"), new_york), "UTC") ==
        "2050-07-01 16:00:00 +0000");
  CHECK(show(noon.next_after(utc_ms("2050-01-15 00:00:00"), new_york), "UTC") ==
        "2050-01-15 17:00:00 +0000");
  CHECK(show(noon.next_after(utc_ms("2099-07-01 00:00:00"), new_york), "UTC") ==
        "2099-07-01 16:00:00 +0000");
}

}  // namespace
}  // namespace databricks::cron
