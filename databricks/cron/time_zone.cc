#include "databricks/cron/time_zone.h"

#include <date/tz.h>

#include <chrono>
#include <stdexcept>
#include <string>

namespace databricks::cron {
namespace {

using Seconds = std::chrono::seconds;

// 28 Gregorian years (7 of them leap) = 10227 days = 1461 weeks: dates and weekdays repeat.
constexpr std::int64_t kCycleS = std::int64_t{10227} * 86400;
// 2038-01-01T00:00:00Z: the zoneinfo files carry explicit transitions up to here.
constexpr std::int64_t kLastListedS = 2145916800;
constexpr std::int64_t kYear2037S = 2114380800;  // 2037-01-01T00:00:00Z

// How far to move `t` back (whole cycles) so it lands before kLastListedS.
std::int64_t cycle_shift(std::int64_t t) {
  if (t < kLastListedS) return 0;
  return ((t - kLastListedS) / kCycleS + 1) * kCycleS;
}

}  // namespace

ApiResult<TimeZone> TimeZone::find(std::string_view timezone_id) {
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(timezone_id);
  } catch (const std::runtime_error&) {
    auto e = ApiError::invalid_parameter("Invalid timezone_id '" + std::string(timezone_id) + "'");
    e.field = kTimeZoneField;
    return e;
  }
  // A zone with a transition during 2037 still has DST rules in force when the listing stops.
  const auto last =
      zone->get_info(date::sys_seconds(Seconds(kLastListedS))).begin.time_since_epoch().count();
  return TimeZone(zone, last >= kYear2037S);
}

TimeZone TimeZone::utc() {
  return TimeZone(date::locate_zone("Etc/UTC"), false);
}

std::string_view TimeZone::id() const {
  return zone_->name();
}

std::int64_t TimeZone::to_local(std::int64_t utc_s) const {
  const std::int64_t shift = extrapolate_ ? cycle_shift(utc_s) : 0;
  const auto info = zone_->get_info(date::sys_seconds(Seconds(utc_s - shift)));
  return utc_s + info.offset.count();
}

std::int64_t TimeZone::to_utc(std::int64_t local_s) const {
  const std::int64_t shift = extrapolate_ ? cycle_shift(local_s) : 0;
  const auto info = zone_->get_info(date::local_seconds(Seconds(local_s - shift)));
  // For every result `first` is what we want: for `nonexistent` it is the period before the gap
  // (Calendar's reading), for `ambiguous` the earlier of the two instants.
  return local_s - info.first.offset.count();
}

}  // namespace databricks::cron
