// TimeZone: a resolved IANA time zone (Databricks `schedule.timezone_id`), wrapping a
// date::time_zone from Howard Hinnant's tz library over the OS database (/usr/share/zoneinfo).
// All times are whole seconds: "UTC seconds" since the Unix epoch, and "local seconds", the
// wall-clock reading in this zone counted as if it were UTC (so 1970-01-01 00:00 local = 0).
#pragma once

#include <cstdint>
#include <string_view>

#include "databricks/api/api_error.h"

namespace date {
class time_zone;
}  // namespace date

namespace databricks::cron {

// Where a Jobs API request holds the zone: the ApiError::field of TimeZone::find's error.
inline constexpr std::string_view kTimeZoneField = "schedule.timezone_id";

class TimeZone {
 public:
  // Looks up an IANA id ("UTC", "Europe/Amsterdam", links such as "US/Eastern" too), case
  // sensitive. Unknown ids: ApiError::invalid_parameter("Invalid timezone_id '<id>'"), field
  // kTimeZoneField.
  static ApiResult<TimeZone> find(std::string_view timezone_id);
  static TimeZone utc();

  // The id as the tz database spells it (a link resolves to itself, e.g. "US/Eastern").
  std::string_view id() const;

  std::int64_t to_local(std::int64_t utc_s) const;
  // Resolves a wall-clock reading the way java.util.Calendar (and so Quartz) does for a time in
  // a spring-forward gap: it is read with the offset before the gap, i.e. moved forward by the
  // gap length. An ambiguous reading (fall-back overlap) resolves to the earlier instant.
  std::int64_t to_utc(std::int64_t local_s) const;

 private:
  TimeZone(const date::time_zone* zone, bool extrapolate)
      : zone_(zone), extrapolate_(extrapolate) {}

  const date::time_zone* zone_;
  // The OS zoneinfo files list transitions only up to 2037 and the date library ignores their
  // POSIX-rule footer, so zones that still change offsets in 2037 repeat the 2010-2037 pattern
  // afterwards (the Gregorian calendar repeats every 28 years between 1901 and 2099).
  bool extrapolate_;
};

}  // namespace databricks::cron
