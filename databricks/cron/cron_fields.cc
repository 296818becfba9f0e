#include "databricks/cron/cron_fields.h"

#include <date/date.h>

#include <bit>

namespace databricks::cron {
namespace {

constexpr std::int64_t kDayS = 86400;
// Every restart of the search moves to a later second, minute, hour, day, month or year and
// there are at most a few per month, so this bound is never reached; it only guards against bugs.
constexpr int kMaxSteps = 100000;

// The lowest set bit of `mask` at index >= from, or -1.
int next_bit(std::uint64_t mask, int from) {
  if (from >= 64) return -1;
  mask &= ~std::uint64_t{0} << from;
  return mask == 0 ? -1 : std::countr_zero(mask);
}

int next_year(const std::array<std::uint64_t, 3>& years, int from) {
  for (int i = from - kMinYear; i <= kMaxYear - kMinYear; i = (i / 64 + 1) * 64) {
    const int bit = next_bit(years[static_cast<std::size_t>(i / 64)], i % 64);
    if (bit >= 0) return kMinYear + i / 64 * 64 + bit;
  }
  return -1;
}

std::uint64_t day_bit(int day) {
  return day >= 1 && day <= 31 ? std::uint64_t{1} << day : 0;
}

// Quartz weekday (1 = SUN ... 7 = SAT) of `day`, given the weekday of the 1st.
int weekday_of(int day, int first_weekday) {
  return (first_weekday - 1 + day - 1) % 7 + 1;
}

// "nW": a Saturday moves to Friday and a Sunday to Monday, but never out of the month.
int nearest_weekday(int day, int days_in_month, int first_weekday) {
  const int weekday = weekday_of(day, first_weekday);
  if (weekday == 7) return day == 1 ? day + 2 : day - 1;
  if (weekday == 1) return day == days_in_month ? day - 2 : day + 1;
  return day;
}

// A local date-time being advanced; setting a field resets the finer ones to their minimum.
struct Cursor {
  int y, m, d, h, mi, s;

  void set_year(int v) {
    y = v;
    set_month(1);
  }
  void set_month(int v) {
    m = v;
    set_day(1);
  }
  void set_day(int v) {
    d = v;
    set_hour(0);
  }
  void set_hour(int v) {
    h = v;
    set_minute(0);
  }
  void set_minute(int v) {
    mi = v;
    s = 0;
  }
};

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

std::uint64_t CronFields::day_mask(int year, int month) const {
  const date::year_month ym = date::year(year) / date::month(static_cast<unsigned>(month));
  const int days = static_cast<int>(static_cast<unsigned>((ym / date::last).day()));
  const int first = static_cast<int>(date::weekday(date::sys_days(ym / 1)).c_encoding()) + 1;
  switch (dom_kind) {
    case DayOfMonth::kSet:
      return dom & ((std::uint64_t{1} << (days + 1)) - 2);
    case DayOfMonth::kLast:
      return day_bit(days - dom_value);
    case DayOfMonth::kLastWeekday:
      return days - dom_value < 1 ? 0 : day_bit(nearest_weekday(days - dom_value, days, first));
    case DayOfMonth::kNearestWeekday:
      return dom_value > days ? 0 : day_bit(nearest_weekday(dom_value, days, first));
    case DayOfMonth::kAny:
      break;
  }
  // The first day of the month that falls on Quartz weekday w.
  const auto first_on = [first](int w) { return 1 + (w - first + 7) % 7; };
  switch (dow_kind) {
    case DayOfWeek::kSet: {
      std::uint64_t mask = 0;
      for (int w = 1; w <= 7; ++w) {
        if ((dow >> w & 1) == 0) continue;
        for (int d = first_on(w); d <= days; d += 7) mask |= day_bit(d);
      }
      return mask;
    }
    case DayOfWeek::kLast: {
      const int d = first_on(dow_value);
      return day_bit(d + (days - d) / 7 * 7);
    }
    case DayOfWeek::kNth: {
      const int d = first_on(dow_value) + 7 * (dow_nth - 1);
      return d <= days ? day_bit(d) : 0;
    }
    case DayOfWeek::kAny:
      break;
  }
  return 0;  // unreachable: the parser requires exactly one day field to be '?'
}

std::optional<std::int64_t> CronFields::next_match(std::int64_t local_s) const {
  const std::int64_t start_day = floor_div(local_s, kDayS);
  if (start_day < 0) local_s = 0;  // nothing fires before 1970
  if (start_day > date::sys_days(date::year(kMaxYear + 1) / 1 / 1).time_since_epoch().count()) {
    return std::nullopt;
  }
  const std::int64_t day_no = floor_div(local_s, kDayS);
  const std::int64_t second_of_day = local_s - day_no * kDayS;
  const date::year_month_day ymd{date::sys_days(date::days(static_cast<int>(day_no)))};
  Cursor c{static_cast<int>(ymd.year()),
           static_cast<int>(static_cast<unsigned>(ymd.month())),
           static_cast<int>(static_cast<unsigned>(ymd.day())),
           static_cast<int>(second_of_day / 3600),
           static_cast<int>(second_of_day / 60 % 60),
           static_cast<int>(second_of_day % 60)};

  // Advance field by field, coarsest first; when a field has no match left, bump the next
  // coarser one (which resets the finer ones) and start over.
  for (int step = 0; step < kMaxSteps; ++step) {
    const int next_y = c.y > kMaxYear ? -1 : next_year(years, c.y);
    if (next_y < 0) return std::nullopt;
    if (next_y != c.y) c.set_year(next_y);

    const int next_m = next_bit(months, c.m);
    if (next_m < 0) {
      c.set_year(c.y + 1);
      continue;
    }
    if (next_m != c.m) c.set_month(next_m);

    const int next_d = next_bit(day_mask(c.y, c.m), c.d);
    if (next_d < 0) {
      if (c.m == 12) {
        c.set_year(c.y + 1);
      } else {
        c.set_month(c.m + 1);
      }
      continue;
    }
    if (next_d != c.d) c.set_day(next_d);

    const int next_h = next_bit(hours, c.h);
    if (next_h < 0) {
      c.set_day(c.d + 1);  // past the month's end: the next day_mask lookup moves on
      continue;
    }
    if (next_h != c.h) c.set_hour(next_h);

    const int next_mi = next_bit(minutes, c.mi);
    if (next_mi < 0) {
      c.set_hour(c.h + 1);
      continue;
    }
    if (next_mi != c.mi) c.set_minute(next_mi);

    const int next_s = next_bit(seconds, c.s);
    if (next_s < 0) {
      c.set_minute(c.mi + 1);
      continue;
    }
    const date::sys_days day = date::year(c.y) / date::month(static_cast<unsigned>(c.m)) /
                               date::day(static_cast<unsigned>(c.d));
    return std::int64_t{day.time_since_epoch().count()} * kDayS + std::int64_t{c.h} * 3600 +
           std::int64_t{c.mi} * 60 + next_s;
  }
  return std::nullopt;
}

}  // namespace databricks::cron
