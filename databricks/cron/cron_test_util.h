// Test helpers: readable instants for the cron tests ("2026-03-08 03:30:00 -0400").
#pragma once

#include <date/tz.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "databricks/cron/quartz_cron.h"

namespace databricks::cron::testing {

// Epoch milliseconds of a UTC reading "YYYY-MM-DD HH:MM:SS".
inline std::int64_t utc_ms(const std::string& text) {
  std::istringstream in(text);
  date::sys_seconds t;
  in >> date::parse("%F %T", t);
  if (in.fail()) throw std::invalid_argument("bad time " + text);
  return std::int64_t{t.time_since_epoch().count()} * 1000;
}

// Epoch milliseconds of a wall-clock reading in `zone`; ambiguous readings take the earlier.
inline std::int64_t local_ms(const std::string& text, std::string_view zone) {
  std::istringstream in(text);
  date::local_seconds t;
  in >> date::parse("%F %T", t);
  if (in.fail()) throw std::invalid_argument("bad time " + text);
  const auto z = date::make_zoned(date::locate_zone(zone), t, date::choose::earliest);
  return std::int64_t{z.get_sys_time().time_since_epoch().count()} * 1000;
}

// "YYYY-MM-DD HH:MM:SS +hhmm" in `zone`, or "never".
inline std::string show(std::optional<std::int64_t> ms, std::string_view zone) {
  if (!ms) return "never";
  const date::sys_seconds t{std::chrono::seconds(*ms / 1000)};
  return date::format("%F %T %z", date::make_zoned(date::locate_zone(zone), t));
}

inline QuartzCron cron(std::string_view expression) {
  auto parsed = QuartzCron::parse(expression);
  if (!parsed) throw std::invalid_argument(parsed.error().message);
  return *parsed;
}

inline TimeZone zone(std::string_view id) {
  auto found = TimeZone::find(id);
  if (!found) throw std::invalid_argument(found.error().message);
  return *found;
}

// The next fire of `expression` after the wall-clock reading `after` in `zone_id`, shown there.
inline std::string next_fire(std::string_view expression, std::string_view zone_id,
                             const std::string& after) {
  return show(cron(expression).next_after(local_ms(after, zone_id), zone(zone_id)), zone_id);
}

}  // namespace databricks::cron::testing
