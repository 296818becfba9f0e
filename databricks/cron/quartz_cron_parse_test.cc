#include <catch2/catch.hpp>
#include <initializer_list>
#include <string>

#include "databricks/cron/cron_fields.h"
#include "databricks/cron/quartz_cron.h"

namespace databricks::cron {
namespace {

using Kind = CronFields::DayOfMonth;
using WeekKind = CronFields::DayOfWeek;

std::uint64_t bits(std::initializer_list<int> values) {
  std::uint64_t out = 0;
  for (int v : values) out |= std::uint64_t{1} << v;
  return out;
}

CronFields fields(std::string_view expression) {
  auto parsed = parse_cron_fields(expression);
  if (!parsed) FAIL(parsed.error().message);
  return *parsed;
}

std::string error_of(std::string_view expression) {
  auto parsed = QuartzCron::parse(expression);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().http_status == 400);
  CHECK(parsed.error().error_code == "INVALID_PARAMETER_VALUE");
  // Every parse error concerns the schedule's expression, whatever it says.
  CHECK(parsed.error().field == "schedule.quartz_cron_expression");
  return parsed.error().message;
}

TEST_CASE("parse accepts six fields and defaults the year to every year") {
  const CronFields f = fields("0 0 * * * ?");
  CHECK(f.seconds == bits({0}));
  CHECK(f.minutes == bits({0}));
  CHECK(f.hours == (std::uint64_t{1} << 24) - 1);
  CHECK(f.dom == ((std::uint64_t{1} << 32) - 2));
  CHECK(f.months == ((std::uint64_t{1} << 13) - 2));
  CHECK(f.dow_kind == WeekKind::kAny);
  CHECK(f.years[0] == ~std::uint64_t{0});
  CHECK(f.years[1] == ~std::uint64_t{0});
  CHECK(f.years[2] == (std::uint64_t{1} << 2) - 1);  // 2098, 2099
}

TEST_CASE("parse accepts a seventh year field") {
  const CronFields f = fields("0 0 12 ? * MON 2026,2030-2031");
  CHECK(f.years[0] == bits({56, 60, 61}));
  CHECK(f.years[1] == 0);
}

TEST_CASE("parse keeps the expression as written and tolerates extra whitespace") {
  auto parsed = QuartzCron::parse("  0  30\t9 ? * mon-fri ");
  REQUIRE(parsed.ok());
  CHECK(parsed->expression() == "  0  30\t9 ? * mon-fri ");
}

TEST_CASE("parse reads lists, ranges and steps") {
  CHECK(fields("1,2,3 * * * * ?").seconds == bits({1, 2, 3}));
  CHECK(fields("10-12 * * * * ?").seconds == bits({10, 11, 12}));
  CHECK(fields("*/15 * * * * ?").seconds == bits({0, 15, 30, 45}));
  CHECK(fields("/20 * * * * ?").seconds == bits({0, 20, 40}));
  CHECK(fields("0 7/20 * * * ?").minutes == bits({7, 27, 47}));
  CHECK(fields("0 0 1-10/4 * * ?").hours == bits({1, 5, 9}));
  CHECK(fields("0 0 1,3-4,20/2 * * ?").hours == bits({1, 3, 4, 20, 22}));
  CHECK(fields("0 0 0 */10 * ?").dom == bits({1, 11, 21, 31}));
}

TEST_CASE("parse wraps ranges whose end is below their start") {
  CHECK(fields("0 0 22-2 * * ?").hours == bits({22, 23, 0, 1, 2}));
  CHECK(fields("0 50-10/5 * * * ?").minutes == bits({50, 55, 0, 5, 10}));
  CHECK(fields("0 0 0 ? NOV-FEB *").months == bits({11, 12, 1, 2}));
  CHECK(fields("0 0 0 ? * FRI-MON").dow == bits({6, 7, 1, 2}));
}

TEST_CASE("parse reads month and day names case-insensitively with Quartz numbering") {
  CHECK(fields("0 0 0 1 jan,Mar,DEC ?").months == bits({1, 3, 12}));
  CHECK(fields("0 0 0 ? * sun").dow == bits({1}));
  CHECK(fields("0 0 0 ? * Mon-Fri").dow == bits({2, 3, 4, 5, 6}));
  CHECK(fields("0 0 0 ? * SAT").dow == bits({7}));
  CHECK(fields("0 0 0 ? * 1,7").dow == bits({1, 7}));
}

TEST_CASE("parse reads L, L-n, LW, L-nW and nW in day-of-month") {
  CronFields f = fields("0 0 0 L * ?");
  CHECK(f.dom_kind == Kind::kLast);
  CHECK(f.dom_value == 0);
  f = fields("0 0 0 l-3 * ?");
  CHECK(f.dom_kind == Kind::kLast);
  CHECK(f.dom_value == 3);
  f = fields("0 0 0 LW * ?");
  CHECK(f.dom_kind == Kind::kLastWeekday);
  CHECK(f.dom_value == 0);
  f = fields("0 0 0 L-2W * ?");
  CHECK(f.dom_kind == Kind::kLastWeekday);
  CHECK(f.dom_value == 2);
  f = fields("0 0 0 15W * ?");
  CHECK(f.dom_kind == Kind::kNearestWeekday);
  CHECK(f.dom_value == 15);
}

TEST_CASE("parse reads nL, n#k and a lone L in day-of-week") {
  CronFields f = fields("0 0 0 ? * 6L");
  CHECK(f.dow_kind == WeekKind::kLast);
  CHECK(f.dow_value == 6);
  f = fields("0 0 0 ? * friL");
  CHECK(f.dow_kind == WeekKind::kLast);
  CHECK(f.dow_value == 6);
  f = fields("0 0 0 ? * 6#3");
  CHECK(f.dow_kind == WeekKind::kNth);
  CHECK(f.dow_value == 6);
  CHECK(f.dow_nth == 3);
  f = fields("0 0 0 ? * MON#1");
  CHECK(f.dow_value == 2);
  CHECK(f.dow_nth == 1);
  f = fields("0 0 0 ? * L");  // Quartz: L alone means the last day of the week, SAT
  CHECK(f.dow_kind == WeekKind::kSet);
  CHECK(f.dow == bits({7}));
}

TEST_CASE("parse rejects a wrong number of fields") {
  CHECK(error_of("0 0 * * *") ==
        "Invalid quartz_cron_expression '0 0 * * *': expected 6 or 7 space-separated fields "
        "(seconds minutes hours day-of-month month day-of-week [year]) but got 5");
  CHECK(error_of("") ==
        "Invalid quartz_cron_expression '': expected 6 or 7 space-separated fields "
        "(seconds minutes hours day-of-month month day-of-week [year]) but got 0");
  CHECK_THAT(error_of("0 0 * * * ? 2026 1"), Catch::EndsWith("but got 8"));
}

TEST_CASE("parse rejects values out of each field's range") {
  CHECK(error_of("0 61 * * * ?") ==
        "Invalid quartz_cron_expression '0 61 * * * ?': minutes value 61 is out of range 0-59");
  CHECK_THAT(error_of("60 * * * * ?"), Catch::EndsWith(": seconds value 60 is out of range 0-59"));
  CHECK_THAT(error_of("0 0 24 * * ?"), Catch::EndsWith(": hours value 24 is out of range 0-23"));
  CHECK_THAT(error_of("0 0 0 32 * ?"),
             Catch::EndsWith(": day-of-month value 32 is out of range 1-31"));
  CHECK_THAT(error_of("0 0 0 0 * ?"),
             Catch::EndsWith(": day-of-month value 0 is out of range 1-31"));
  CHECK_THAT(error_of("0 0 0 1 13 ?"), Catch::EndsWith(": month value 13 is out of range 1-12"));
  CHECK_THAT(error_of("0 0 0 ? * 8"), Catch::EndsWith(": day-of-week value 8 is out of range 1-7"));
  CHECK_THAT(error_of("0 0 0 ? * 0"), Catch::EndsWith(": day-of-week value 0 is out of range 1-7"));
  CHECK_THAT(error_of("0 0 0 1 * ? 1969"),
             Catch::EndsWith(": year value 1969 is out of range 1970-2099"));
  CHECK_THAT(error_of("0 0 0 1 * ? 2100"),
             Catch::EndsWith(": year value 2100 is out of range 1970-2099"));
  CHECK_THAT(error_of("0 0 1-99999999999 * * ?"),
             Catch::EndsWith(": hours value 99999999999 is out of range 0-23"));
}

TEST_CASE("parse rejects bad steps") {
  CHECK_THAT(error_of("0 */0 * * * ?"), Catch::EndsWith(": minutes step 0 is out of range 1-59"));
  CHECK_THAT(error_of("0 0/60 * * * ?"), Catch::EndsWith(": minutes step 60 is out of range 1-59"));
  CHECK_THAT(error_of("0 0 */x * * ?"), Catch::EndsWith(": hours step 'x' is not a number"));
  CHECK_THAT(error_of("0 0 */ * * ?"), Catch::EndsWith(": hours step '' is not a number"));
}

TEST_CASE("parse rejects words that are not numbers or names, quoting them as written") {
  CHECK_THAT(error_of("0 abc * * * ?"), Catch::EndsWith(": minutes value 'abc' is not a number"));
  CHECK_THAT(error_of("0 0 0 1 Janu ?"),
             Catch::EndsWith(": month value 'Janu' is not a number or a name JAN-DEC"));
  CHECK_THAT(error_of("0 0 0 ? * Mo"),
             Catch::EndsWith(": day-of-week value 'Mo' is not a number or a name SUN-SAT"));
  CHECK_THAT(error_of("0 0 0 ? * MON-"), Catch::EndsWith(": day-of-week field has an empty value"));
  CHECK_THAT(error_of("0 1,,2 * * * ?"),
             Catch::EndsWith(": minutes field '1,,2' has an empty list element"));
  CHECK_THAT(error_of("0 0 0 1 * ? 2030-2026"),
             Catch::EndsWith(": year range '2030-2026' goes backwards"));
}

TEST_CASE("parse requires exactly one of day-of-month and day-of-week to be '?'") {
  CHECK(error_of("0 0 12 * * MON") ==
        "Invalid quartz_cron_expression '0 0 12 * * MON': exactly one of day-of-month ('*') and "
        "day-of-week ('MON') must be '?'");
  CHECK_THAT(error_of("0 0 12 ? * ?"),
             Catch::EndsWith(": exactly one of day-of-month ('?') and day-of-week ('?') must be "
                             "'?'"));
}

TEST_CASE("parse rejects ?, L, W and # where Quartz does not allow them") {
  CHECK_THAT(error_of("? 0 0 * * ?"),
             Catch::EndsWith(": '?' is only allowed in day-of-month or day-of-week, not in "
                             "seconds"));
  CHECK_THAT(error_of("0 0 0 1,? * ?"),
             Catch::EndsWith(": '?' must be the whole day-of-month field"));
  CHECK_THAT(error_of("0 0 L * * ?"),
             Catch::EndsWith(": 'L' is only allowed in day-of-month or day-of-week, not in hours"));
  CHECK_THAT(error_of("0 0 0 ? * 2W"),
             Catch::EndsWith(": 'W' is only allowed in day-of-month, not in day-of-week"));
  CHECK_THAT(error_of("0 0 0 1#2 * ?"),
             Catch::EndsWith(": '#' is only allowed in day-of-week, not in day-of-month"));
  CHECK_THAT(error_of("0 0 0 L,15 * ?"),
             Catch::EndsWith(": day-of-month 'L,15' is not one of L, L-n, LW, L-nW, nW ('L' and "
                             "'W' cannot be combined with other values)"));
  CHECK_THAT(error_of("0 0 0 ? * 2,6L"),
             Catch::EndsWith(": 'L' and '#' cannot be combined with other values in day-of-week "
                             "('2,6L')"));
  CHECK_THAT(error_of("0 0 0 ? * 6#6"),
             Catch::EndsWith(": day-of-week '#' occurrence 6 is out of range 1-5"));
  CHECK_THAT(error_of("0 0 0 L-31 * ?"),
             Catch::EndsWith(": day-of-month 'L' offset 31 is out of range 0-30"));
  CHECK_THAT(error_of("0 0 0 32W * ?"),
             Catch::EndsWith(": day-of-month value 32 is out of range 1-31"));
}

}  // namespace
}  // namespace databricks::cron
