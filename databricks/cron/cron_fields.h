// CronFields: the parsed form of a Quartz cron expression, one bitset per field plus the special
// day-of-month / day-of-week rules (L, W, #), and the field-by-field search for the next match.
// Internal to fakedb_cron; callers use QuartzCron.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "databricks/api/api_error.h"

namespace databricks::cron {

inline constexpr int kMinYear = 1970;
inline constexpr int kMaxYear = 2099;

struct CronFields {
  enum class DayOfMonth {
    kAny,             // '?': day-of-week decides
    kSet,             // dom bits
    kLast,            // "L" / "L-n": last day minus dom_value
    kLastWeekday,     // "LW" / "L-nW": the weekday nearest to (last day minus dom_value)
    kNearestWeekday,  // "nW": the weekday nearest to day dom_value, within the month
  };
  enum class DayOfWeek {
    kAny,   // '?': day-of-month decides
    kSet,   // dow bits
    kLast,  // "nL": the last weekday dow_value of the month
    kNth,   // "n#k": the dow_nth-th weekday dow_value of the month
  };

  std::uint64_t seconds = 0;             // bit s, 0-59
  std::uint64_t minutes = 0;             // bit m, 0-59
  std::uint64_t hours = 0;               // bit h, 0-23
  std::uint64_t months = 0;              // bit m, 1-12
  std::array<std::uint64_t, 3> years{};  // bit (year - kMinYear)
  DayOfMonth dom_kind = DayOfMonth::kSet;
  std::uint64_t dom = 0;  // bit d, 1-31
  int dom_value = 0;
  DayOfWeek dow_kind = DayOfWeek::kAny;
  std::uint64_t dow = 0;  // bit w, 1-7 with 1 = SUN (Quartz numbering)
  int dow_value = 0;
  int dow_nth = 0;

  // The first local time (local seconds, see time_zone.h) at or after `local_s` that matches,
  // or nullopt if there is none up to the end of kMaxYear.
  std::optional<std::int64_t> next_match(std::int64_t local_s) const;
  // The days of the month that match both day fields, as bits 1-31.
  std::uint64_t day_mask(int year, int month) const;
};

// Where a Jobs API request holds the expression: the ApiError::field of every parse error.
inline constexpr std::string_view kQuartzCronField = "schedule.quartz_cron_expression";

// Parses the text of a Quartz expression; errors are ApiError::invalid_parameter (docs/cron.md)
// with field kQuartzCronField.
ApiResult<CronFields> parse_cron_fields(std::string_view expression);

}  // namespace databricks::cron
