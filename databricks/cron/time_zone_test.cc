#include "databricks/cron/time_zone.h"

#include <catch2/catch.hpp>

#include "databricks/cron/cron_test_util.h"

namespace databricks::cron {
namespace {

std::int64_t utc_s(const std::string& text) {
  return testing::utc_ms(text) / 1000;
}

TEST_CASE("TimeZone::find resolves IANA ids and links") {
  for (const char* id : {"UTC", "Etc/UTC", "America/New_York", "Europe/Amsterdam", "Asia/Kolkata",
                         "Australia/Lord_Howe", "US/Eastern", "GMT"}) {
    INFO(id);
    auto found = TimeZone::find(id);
    REQUIRE(found.ok());
    CHECK(found->id() == id);
  }
  CHECK(TimeZone::utc().id() == "Etc/UTC");
}

TEST_CASE("TimeZone::find rejects unknown ids with INVALID_PARAMETER_VALUE") {
  for (const char* id : {"Mars/Olympus_Mons", "", "europe/amsterdam", "EST5"}) {
    INFO(id);
    auto found = TimeZone::find(id);
    REQUIRE_FALSE(found.ok());
    CHECK(found.error().http_status == 400);
    CHECK(found.error().error_code == "INVALID_PARAMETER_VALUE");
    CHECK(found.error().message == std::string("Invalid timezone_id '") + id + "'");
    CHECK(found.error().field == "schedule.timezone_id");
  }
}

TEST_CASE("TimeZone converts between UTC and wall-clock seconds") {
  const TimeZone kolkata = testing::zone("Asia/Kolkata");
  const std::int64_t t = utc_s("2026-05-10 03:30:00");
  CHECK(kolkata.to_local(t) == utc_s("2026-05-10 09:00:00"));
  CHECK(kolkata.to_utc(utc_s("2026-05-10 09:00:00")) == t);
  CHECK(TimeZone::utc().to_local(t) == t);
}

TEST_CASE("TimeZone reads a wall-clock time in a spring-forward gap with the earlier offset") {
  const TimeZone new_york = testing::zone("America/New_York");
  // 02:30 on 2026-03-08 does not exist; read as EST it is 07:30Z = 03:30 EDT.
  CHECK(new_york.to_utc(utc_s("2026-03-08 02:30:00")) == utc_s("2026-03-08 07:30:00"));
  CHECK(new_york.to_utc(utc_s("2026-03-08 03:00:00")) == utc_s("2026-03-08 07:00:00"));
}

TEST_CASE("TimeZone reads a repeated wall-clock time as its first occurrence") {
  const TimeZone new_york = testing::zone("America/New_York");
  CHECK(new_york.to_utc(utc_s("2026-11-01 01:30:00")) == utc_s("2026-11-01 05:30:00"));
  CHECK(new_york.to_local(utc_s("2026-11-01 06:30:00")) == utc_s("2026-11-01 01:30:00"));
}

TEST_CASE("TimeZone repeats the 2010-2037 DST pattern after 2037") {
  const TimeZone new_york = testing::zone("America/New_York");
  // 2050: DST from Sunday March 13 to Sunday November 6.
  CHECK(new_york.to_local(utc_s("2050-07-01 16:00:00")) == utc_s("2050-07-01 12:00:00"));
  CHECK(new_york.to_local(utc_s("2050-03-13 06:59:59")) == utc_s("2050-03-13 01:59:59"));
  CHECK(new_york.to_local(utc_s("2050-03-13 07:00:00")) == utc_s("2050-03-13 03:00:00"));
  CHECK(new_york.to_utc(utc_s("2050-11-06 01:30:00")) == utc_s("2050-11-06 05:30:00"));
  CHECK(new_york.to_local(utc_s("2050-11-06 06:00:00")) == utc_s("2050-11-06 01:00:00"));
  const TimeZone lord_howe = testing::zone("Australia/Lord_Howe");
  CHECK(lord_howe.to_local(utc_s("2060-01-15 00:00:00")) == utc_s("2060-01-15 11:00:00"));
  CHECK(lord_howe.to_local(utc_s("2060-07-15 00:00:00")) == utc_s("2060-07-15 10:30:00"));
  // Zones without DST are not affected.
  const TimeZone kolkata = testing::zone("Asia/Kolkata");
  CHECK(kolkata.to_local(utc_s("2060-07-15 00:00:00")) == utc_s("2060-07-15 05:30:00"));
}

}  // namespace
}  // namespace databricks::cron
