#include "databricks/cron/quartz_cron.h"

#include <algorithm>
#include <utility>

namespace databricks::cron {
namespace {

// Inputs are clamped to a window around the supported years so the civil-date arithmetic
// never overflows: 1969-01-01 .. 2100-01-02 UTC.
constexpr std::int64_t kEarliestS = -31536000;
constexpr std::int64_t kLatestS = 4102531200;
// Matches skipped because they fall in a fall-back overlap already passed: at most one per
// second of the longest overlap (2 hours). A guard, never reached.
constexpr int kMaxRounds = 10000;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

ApiResult<QuartzCron> QuartzCron::parse(std::string_view expression) {
  auto fields = parse_cron_fields(expression);
  if (!fields) return fields.error();
  return QuartzCron(std::string(expression), *fields);
}

std::optional<std::int64_t> QuartzCron::next_after(std::int64_t after_epoch_ms,
                                                   const TimeZone& tz) const {
  // Fire times are whole seconds, so "strictly after" means from the next whole second on.
  const std::int64_t after_s = std::max(floor_div(after_epoch_ms, 1000), kEarliestS);
  if (after_s > kLatestS) return std::nullopt;
  // Search in wall-clock time, as Quartz does, from the wall-clock reading just after `after`.
  std::int64_t from = tz.to_local(after_s) + 1;
  for (int round = 0; round < kMaxRounds; ++round) {
    const std::optional<std::int64_t> local = fields_.next_match(from);
    if (!local) return std::nullopt;
    const std::int64_t utc_s = tz.to_utc(*local);
    if (utc_s > after_s) return utc_s * 1000;
    // Only when `after` lies in the second pass of a fall-back overlap: this reading resolves
    // to its first (already past) occurrence, which fired then; look further on.
    from = *local + 1;
  }
  return std::nullopt;
}

}  // namespace databricks::cron
