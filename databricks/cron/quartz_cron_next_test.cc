#include <catch2/catch.hpp>
#include <limits>

#include "databricks/cron/cron_fields.h"
#include "databricks/cron/cron_test_util.h"
#include "databricks/cron/quartz_cron.h"

namespace databricks::cron {
namespace {

using testing::cron;
using testing::next_fire;
using testing::show;
using testing::utc_ms;

std::string next_utc(std::string_view expression, const std::string& after) {
  return next_fire(expression, "UTC", after);
}

TEST_CASE("next_after an hourly schedule is the top of the next hour") {
  CHECK(next_utc("0 0 * * * ?", "2026-05-10 10:17:42") == "2026-05-10 11:00:00 +0000");
  CHECK(next_utc("0 0 * * * ?", "2026-12-31 23:59:59") == "2027-01-01 00:00:00 +0000");
  CHECK(next_utc("0 15 * * * ?", "2026-05-10 10:14:59") == "2026-05-10 10:15:00 +0000");
}

TEST_CASE("next_after is strictly after its argument, to the millisecond") {
  const QuartzCron hourly = cron("0 0 * * * ?");
  const TimeZone utc = TimeZone::utc();
  const std::int64_t fire = utc_ms("2026-05-10 11:00:00");
  CHECK(hourly.next_after(fire - 1, utc) == fire);
  CHECK(hourly.next_after(fire, utc) == fire + 3600 * 1000);
  CHECK(hourly.next_after(fire + 999, utc) == fire + 3600 * 1000);
  const QuartzCron every_second = cron("* * * * * ?");
  CHECK(every_second.next_after(fire, utc) == fire + 1000);
  CHECK(every_second.next_after(fire + 1, utc) == fire + 1000);
  CHECK(every_second.next_after(fire - 1, utc) == fire);
}

TEST_CASE("next_after results are whole seconds and strictly increasing") {
  for (const char* expression : {"0 0 * * * ?", "*/7 * * * * ?", "0 30 9 ? * MON-FRI",
                                 "0 0 0 L * ?", "0 0 12 ? * 6#3", "0 0/20 * ? * 1L"}) {
    for (const char* tz : {"UTC", "America/New_York", "Europe/Amsterdam", "Australia/Lord_Howe"}) {
      INFO(expression << " in " << tz);
      const QuartzCron c = cron(expression);
      const TimeZone zone = testing::zone(tz);
      std::int64_t t = utc_ms("2026-01-01 00:00:00") + 123;
      for (int i = 0; i < 400; ++i) {
        const auto next = c.next_after(t, zone);
        REQUIRE(next.has_value());
        REQUIRE(*next > t);
        REQUIRE(*next % 1000 == 0);
        t = *next;
      }
    }
  }
}

TEST_CASE("next_after a daily schedule is today's time if still ahead, else tomorrow's") {
  CHECK(next_utc("0 30 9 * * ?", "2026-05-10 08:00:00") == "2026-05-10 09:30:00 +0000");
  CHECK(next_utc("0 30 9 * * ?", "2026-05-10 09:30:00") == "2026-05-11 09:30:00 +0000");
  CHECK(next_utc("0 0 0 * * ?", "2026-02-28 12:00:00") == "2026-03-01 00:00:00 +0000");
  CHECK(next_utc("0 0 0 * * ?", "2028-02-28 12:00:00") == "2028-02-29 00:00:00 +0000");
}

TEST_CASE("next_after a weekly schedule lands on the named weekday") {
  // 2026-05-10 is a Sunday.
  CHECK(next_utc("0 0 8 ? * MON", "2026-05-10 12:00:00") == "2026-05-11 08:00:00 +0000");
  CHECK(next_utc("0 0 8 ? * 1", "2026-05-10 12:00:00") == "2026-05-17 08:00:00 +0000");
  CHECK(next_utc("0 0 8 ? * MON-FRI", "2026-05-15 09:00:00") == "2026-05-18 08:00:00 +0000");
  CHECK(next_utc("0 0 8 ? * FRI-MON", "2026-05-12 09:00:00") == "2026-05-15 08:00:00 +0000");
}

TEST_CASE("next_after a monthly schedule skips months without that day") {
  CHECK(next_utc("0 0 6 1 * ?", "2026-05-10 00:00:00") == "2026-06-01 06:00:00 +0000");
  CHECK(next_utc("0 0 6 31 * ?", "2026-04-01 00:00:00") == "2026-05-31 06:00:00 +0000");
  CHECK(next_utc("0 0 6 31 * ?", "2026-05-31 06:00:00") == "2026-07-31 06:00:00 +0000");
  CHECK(next_utc("0 0 0 29 2 ?", "2026-01-01 00:00:00") == "2028-02-29 00:00:00 +0000");
  CHECK(next_utc("0 0 12 1 JAN,JUL ?", "2026-02-01 00:00:00") == "2026-07-01 12:00:00 +0000");
}

TEST_CASE("next_after L is the last day of the month and L-n counts back from it") {
  CHECK(next_utc("0 0 0 L * ?", "2026-02-01 00:00:00") == "2026-02-28 00:00:00 +0000");
  CHECK(next_utc("0 0 0 L * ?", "2028-02-01 00:00:00") == "2028-02-29 00:00:00 +0000");
  CHECK(next_utc("0 0 0 L * ?", "2026-04-30 00:00:00") == "2026-05-31 00:00:00 +0000");
  CHECK(next_utc("0 0 0 L-3 * ?", "2026-02-01 00:00:00") == "2026-02-25 00:00:00 +0000");
  CHECK(next_utc("0 0 0 L-30 * ?", "2026-02-01 00:00:00") == "2026-03-01 00:00:00 +0000");
}

TEST_CASE("next_after W is the weekday nearest to the day, within the month") {
  // 2026-08-15 is a Saturday: Friday the 14th.
  CHECK(next_utc("0 0 0 15W * ?", "2026-08-01 00:00:00") == "2026-08-14 00:00:00 +0000");
  // 2026-03-15 is a Sunday: Monday the 16th.
  CHECK(next_utc("0 0 0 15W * ?", "2026-03-01 00:00:00") == "2026-03-16 00:00:00 +0000");
  // 2026-08-01 is a Saturday: not back into July but forward to Monday the 3rd.
  CHECK(next_utc("0 0 0 1W * ?", "2026-07-31 00:00:00") == "2026-08-03 00:00:00 +0000");
  // 2026-05-31 is a Sunday: not into June but back to Friday the 29th.
  CHECK(next_utc("0 0 0 31W * ?", "2026-05-01 00:00:00") == "2026-05-29 00:00:00 +0000");
  // 31W does not fire in 30-day months.
  CHECK(next_utc("0 0 0 31W * ?", "2026-06-01 00:00:00") == "2026-07-31 00:00:00 +0000");
  // LW: the last weekday; 2026-05-31 is a Sunday, 2026-06-30 a Tuesday.
  CHECK(next_utc("0 0 0 LW * ?", "2026-05-01 00:00:00") == "2026-05-29 00:00:00 +0000");
  CHECK(next_utc("0 0 0 LW * ?", "2026-06-01 00:00:00") == "2026-06-30 00:00:00 +0000");
}

TEST_CASE("next_after nL is the last such weekday and n#k the k-th") {
  CHECK(next_utc("0 0 0 ? * 6L", "2026-05-01 00:00:00") == "2026-05-29 00:00:00 +0000");
  CHECK(next_utc("0 0 0 ? * 2L", "2026-08-01 00:00:00") == "2026-08-31 00:00:00 +0000");
  CHECK(next_utc("0 0 0 ? * 6#3", "2026-05-01 00:00:00") == "2026-05-15 00:00:00 +0000");
  CHECK(next_utc("0 0 0 ? * 6#3", "2026-05-15 00:00:00") == "2026-06-19 00:00:00 +0000");
  // A fifth Monday exists only in some months: after June 2026 the next is August 31st.
  CHECK(next_utc("0 0 0 ? * MON#5", "2026-06-30 00:00:00") == "2026-08-31 00:00:00 +0000");
  CHECK(next_utc("0 0 0 ? * L", "2026-05-10 00:00:00") == "2026-05-16 00:00:00 +0000");
}

TEST_CASE("next_after honours the year field and gives up after 2099") {
  CHECK(next_utc("0 0 0 1 1 ? 2030", "2026-05-10 00:00:00") == "2030-01-01 00:00:00 +0000");
  CHECK(next_utc("0 0 0 1 1 ? 2020", "2026-05-10 00:00:00") == "never");
  CHECK(next_utc("0 0 0 1 1 ? 2030/10", "2030-01-01 00:00:00") == "2040-01-01 00:00:00 +0000");
  CHECK(next_utc("* * * * * ?", "2099-12-31 23:59:58") == "2099-12-31 23:59:59 +0000");
  CHECK(next_utc("* * * * * ?", "2099-12-31 23:59:59") == "never");
  CHECK(next_utc("0 0 0 31 2 ?", "2026-05-10 00:00:00") == "never");
  CHECK(next_utc("0 0 0 ? 2 MON#5", "2026-05-10 00:00:00") == "2044-02-29 00:00:00 +0000");
  const QuartzCron hourly = cron("0 0 * * * ?");
  CHECK_FALSE(hourly.next_after(std::numeric_limits<std::int64_t>::max(), TimeZone::utc()));
  CHECK(show(hourly.next_after(std::numeric_limits<std::int64_t>::min(), TimeZone::utc()), "UTC") ==
        "1970-01-01 00:00:00 +0000");
}

TEST_CASE("next_after steps through every fire time of an hourly schedule over a year") {
  const QuartzCron hourly = cron("0 0 * * * ?");
  const TimeZone utc = TimeZone::utc();
  std::int64_t t = utc_ms("2026-01-01 00:00:00") - 1;
  for (int i = 0; i < 365 * 24; ++i) {
    const auto next = hourly.next_after(t, utc);
    REQUIRE(next == utc_ms("2026-01-01 00:00:00") + std::int64_t{i} * 3600 * 1000);
    t = *next;
  }
}

// The first matching second in [from, to), checking each field directly, or nullopt.
std::optional<std::int64_t> scan(const CronFields& f, std::int64_t from, std::int64_t to) {
  for (std::int64_t t = from; t < to;) {
    const std::int64_t day_start = t - t % 86400;
    const date::year_month_day ymd{date::sys_days(date::days(day_start / 86400))};
    const int y = static_cast<int>(ymd.year());
    const int m = static_cast<int>(static_cast<unsigned>(ymd.month()));
    const int d = static_cast<int>(static_cast<unsigned>(ymd.day()));
    const bool day_matches =
        (f.years[static_cast<std::size_t>((y - kMinYear) / 64)] >> ((y - kMinYear) % 64) & 1) &&
        (f.months >> m & 1) && (f.day_mask(y, m) >> d & 1);
    for (; day_matches && t < std::min(to, day_start + 86400); ++t) {
      const std::int64_t sod = t - day_start;
      if ((f.hours >> (sod / 3600) & 1) && (f.minutes >> (sod / 60 % 60) & 1) &&
          (f.seconds >> (sod % 60) & 1)) {
        return t;
      }
    }
    t = day_start + 86400;
  }
  return std::nullopt;
}

TEST_CASE("next_match agrees with a second-by-second scan") {
  for (const char* expression :
       {"0 0 * * * ?", "*/7 */13 * * * ?", "30 59 23 L * ?", "0 0 0-5/2 ? * SUN,WED",
        "15,45 10 1 1W * ?", "0 0 12 ? * 1#1", "* * 3 29 2 ? 2028", "59 59 23 31 12 ?"}) {
    INFO(expression);
    const CronFields f = *parse_cron_fields(expression);
    // Starts spread over months with different lengths and weekdays, incl. a leap February.
    for (std::int64_t start = utc_ms("2027-12-30 22:58:31") / 1000;
         start < utc_ms("2028-03-05 00:00:00") / 1000; start += 4 * 86400 + 3671) {
      const std::optional<std::int64_t> expected = scan(f, start, start + 3 * 86400);
      const auto got = f.next_match(start);
      if (expected) {
        REQUIRE(got == expected);
      } else {
        REQUIRE((!got || *got >= start + 3 * 86400));
      }
    }
  }
}

}  // namespace
}  // namespace databricks::cron
