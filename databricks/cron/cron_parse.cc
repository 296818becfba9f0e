// Parsing of Quartz cron expressions into CronFields. The grammar and the error messages are
// documented in docs/cron.md; every message starts "Invalid quartz_cron_expression '<expr>': ".
#include <algorithm>
#include <array>
#include <cctype>
#include <functional>
#include <string>
#include <vector>

#include "databricks/cron/cron_fields.h"

namespace databricks::cron {
namespace {

enum FieldId { kSecond, kMinute, kHour, kDayOfMonth, kMonth, kDayOfWeek, kYear };

struct FieldInfo {
  const char* name;
  int lo;
  int hi;
  int max_step;  // Quartz rejects increments above the field's largest value
};

constexpr std::array<FieldInfo, 7> kFields = {{{"seconds", 0, 59, 59},
                                               {"minutes", 0, 59, 59},
                                               {"hours", 0, 23, 23},
                                               {"day-of-month", 1, 31, 31},
                                               {"month", 1, 12, 12},
                                               {"day-of-week", 1, 7, 7},
                                               {"year", kMinYear, kMaxYear, 129}}};

constexpr std::array<std::string_view, 12> kMonthNames = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<std::string_view, 7> kDayNames = {"SUN", "MON", "TUE", "WED",
                                                       "THU", "FRI", "SAT"};

using Bits = std::array<std::uint64_t, 3>;

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class Parser {
 public:
  explicit Parser(std::string_view expression) : original_(expression) {
    upper_.reserve(expression.size());
    for (char c : expression)
      upper_ += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }

  ApiResult<CronFields> run();

 private:
  bool fail(const std::string& what) {
    if (!error_) {
      error_ = ApiError::invalid_parameter("Invalid quartz_cron_expression '" +
                                           std::string(original_) + "': " + what);
      error_->field = kQuartzCronField;
    }
    return false;
  }
  // `part` (a view into upper_) as the user wrote it, quoted.
  std::string quote(std::string_view part) const { return "'" + as_written(part) + "'"; }
  std::string as_written(std::string_view part) const {
    const std::string_view upper = upper_;
    const std::less<const char*> before;
    if (before(part.data(), upper.data()) ||
        before(upper.data() + upper.size(), part.data() + part.size())) {
      return std::string(part);
    }
    return std::string(original_.substr(part.data() - upper.data(), part.size()));
  }

  bool parse_field(FieldId f, std::string_view text, CronFields& out);
  bool parse_day_of_month_special(std::string_view text, CronFields& out);
  bool parse_day_of_week_special(std::string_view text, CronFields& out);
  bool parse_list(FieldId f, std::string_view text, Bits& bits);
  bool parse_item(FieldId f, std::string_view item, Bits& bits);
  bool parse_value(FieldId f, std::string_view token, int& value);
  bool parse_number(std::string_view what, std::string_view token, int lo, int hi, int& value);

  std::string_view original_;
  std::string upper_;
  std::optional<ApiError> error_;
};

ApiResult<CronFields> Parser::run() {
  std::vector<std::string_view> fields;
  const std::string_view text = upper_;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == ' ' || text[i] == '\t') {
      ++i;
      continue;
    }
    const std::size_t end = std::min(text.find_first_of(" \t", i), text.size());
    fields.push_back(text.substr(i, end - i));
    i = end;
  }
  if (fields.size() != 6 && fields.size() != 7) {
    fail(
        "expected 6 or 7 space-separated fields (seconds minutes hours day-of-month month "
        "day-of-week [year]) but got " +
        std::to_string(fields.size()));
    return *error_;
  }
  CronFields out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (!parse_field(static_cast<FieldId>(i), fields[i], out)) return *error_;
  }
  if (fields.size() == 6) parse_field(kYear, "*", out);
  const bool dom_any = out.dom_kind == CronFields::DayOfMonth::kAny;
  const bool dow_any = out.dow_kind == CronFields::DayOfWeek::kAny;
  if (dom_any == dow_any) {
    fail("exactly one of day-of-month (" + quote(fields[kDayOfMonth]) + ") and day-of-week (" +
         quote(fields[kDayOfWeek]) + ") must be '?'");
    return *error_;
  }
  return out;
}

bool Parser::parse_field(FieldId f, std::string_view text, CronFields& out) {
  if (text == "?") {
    if (f == kDayOfMonth) {
      out.dom_kind = CronFields::DayOfMonth::kAny;
      return true;
    }
    if (f == kDayOfWeek) {
      out.dow_kind = CronFields::DayOfWeek::kAny;
      return true;
    }
  }
  if (f == kDayOfMonth && text.find_first_of("LW") != std::string_view::npos) {
    return parse_day_of_month_special(text, out);
  }
  if (f == kDayOfWeek && text.size() > 1 &&
      (text.back() == 'L' || text.find('#') != std::string_view::npos)) {
    return parse_day_of_week_special(text, out);
  }
  if (f == kDayOfWeek && text == "L") text = "7";  // Quartz: a lone L in day-of-week is SAT
  Bits bits{};
  if (!parse_list(f, text, bits)) return false;
  if (f == kSecond) out.seconds = bits[0];
  if (f == kMinute) out.minutes = bits[0];
  if (f == kHour) out.hours = bits[0];
  if (f == kMonth) out.months = bits[0];
  if (f == kYear) out.years = bits;
  if (f == kDayOfMonth) {
    out.dom = bits[0];
    out.dom_kind = CronFields::DayOfMonth::kSet;
  }
  if (f == kDayOfWeek) {
    out.dow = bits[0];
    out.dow_kind = CronFields::DayOfWeek::kSet;
  }
  return true;
}

// "L", "L-n", "LW", "L-nW" and "nW"; each must be the whole field.
bool Parser::parse_day_of_month_special(std::string_view text, CronFields& out) {
  const std::string_view whole = text;
  const bool weekday = text.back() == 'W';
  if (weekday) text.remove_suffix(1);
  if (!text.empty() && text.front() == 'L') {
    text.remove_prefix(1);
    out.dom_value = 0;
    if (!text.empty()) {
      if (text.front() != '-' || !all_digits(text.substr(1))) {
        return fail("day-of-month " + quote(whole) +
                    " is not one of L, L-n, LW, L-nW, nW ('L' and 'W' cannot be combined with "
                    "other values)");
      }
      if (!parse_number("day-of-month 'L' offset", text.substr(1), 0, 30, out.dom_value)) {
        return false;
      }
    }
    out.dom_kind = weekday ? CronFields::DayOfMonth::kLastWeekday : CronFields::DayOfMonth::kLast;
    return true;
  }
  if (weekday && all_digits(text)) {
    out.dom_kind = CronFields::DayOfMonth::kNearestWeekday;
    return parse_number("day-of-month value", text, 1, 31, out.dom_value);
  }
  return fail("day-of-month " + quote(whole) +
              " is not one of L, L-n, LW, L-nW, nW ('L' and 'W' cannot be combined with other "
              "values)");
}

// "nL" (last weekday n of the month) and "n#k" (k-th weekday n); each must be the whole field.
bool Parser::parse_day_of_week_special(std::string_view text, CronFields& out) {
  if (text.find_first_of(",-/") != std::string_view::npos) {
    return fail("'L' and '#' cannot be combined with other values in day-of-week (" + quote(text) +
                ")");
  }
  const std::size_t hash = text.find('#');
  if (hash == std::string_view::npos) {
    out.dow_kind = CronFields::DayOfWeek::kLast;
    return parse_value(kDayOfWeek, text.substr(0, text.size() - 1), out.dow_value);
  }
  out.dow_kind = CronFields::DayOfWeek::kNth;
  return parse_value(kDayOfWeek, text.substr(0, hash), out.dow_value) &&
         parse_number("day-of-week '#' occurrence", text.substr(hash + 1), 1, 5, out.dow_nth);
}

bool Parser::parse_list(FieldId f, std::string_view text, Bits& bits) {
  for (std::size_t i = 0;;) {
    const std::size_t comma = std::min(text.find(',', i), text.size());
    const std::string_view item = text.substr(i, comma - i);
    if (item.empty()) {
      return fail(std::string(kFields[f].name) + " field " + quote(text) +
                  " has an empty list element");
    }
    if (!parse_item(f, item, bits)) return false;
    if (comma == text.size()) return true;
    i = comma + 1;
  }
}

// One list element: "*", "v", "a-b", each optionally followed by "/step" ("/n" alone = "*/n").
bool Parser::parse_item(FieldId f, std::string_view item, Bits& bits) {
  const FieldInfo& info = kFields[f];
  const std::size_t slash = item.find('/');
  const std::string_view base = item.substr(0, slash);
  int step = 1;
  if (slash != std::string_view::npos) {
    const std::string what = std::string(info.name) + " step";
    if (!parse_number(what, item.substr(slash + 1), 1, info.max_step, step)) return false;
  }
  int first = info.lo;
  int last = info.hi;
  if (base != "*" && !(base.empty() && slash != std::string_view::npos)) {
    const std::size_t dash = base.find('-');
    if (!parse_value(f, base.substr(0, dash), first)) return false;
    if (dash != std::string_view::npos) {
      if (!parse_value(f, base.substr(dash + 1), last)) return false;
    } else if (slash == std::string_view::npos) {
      last = first;
    }
  }
  // Quartz ranges may wrap around ("FRI-MON", "22-2"), except years.
  const int span = info.hi - info.lo + 1;
  if (last < first) {
    if (f == kYear) return fail("year range " + quote(base) + " goes backwards");
    last += span;
  }
  for (int v = first; v <= last; v += step) {
    const int index = (v > info.hi ? v - span : v) - (f == kYear ? kMinYear : 0);
    bits[static_cast<std::size_t>(index / 64)] |= std::uint64_t{1} << (index % 64);
  }
  return true;
}

// A number, or for month and day-of-week a three-letter English name.
bool Parser::parse_value(FieldId f, std::string_view token, int& value) {
  const FieldInfo& info = kFields[f];
  const std::string name(info.name);
  if (token.empty()) return fail(name + " field has an empty value");
  if (all_digits(token)) return parse_number(name + " value", token, info.lo, info.hi, value);
  if (f == kMonth || f == kDayOfWeek) {
    const auto* names = f == kMonth ? kMonthNames.data() : kDayNames.data();
    const int count = f == kMonth ? 12 : 7;
    for (int i = 0; i < count; ++i) {
      if (token == names[i]) {
        value = i + 1;
        return true;
      }
    }
  }
  if (token.find('?') != std::string_view::npos) {
    return fail(f == kDayOfMonth || f == kDayOfWeek
                    ? "'?' must be the whole " + name + " field"
                    : "'?' is only allowed in day-of-month or day-of-week, not in " + name);
  }
  const bool letters =
      std::all_of(token.begin(), token.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  if (f == kMonth && letters) {
    return fail("month value " + quote(token) + " is not a number or a name JAN-DEC");
  }
  if (f == kDayOfWeek && letters && token != "L" && token != "W") {
    return fail("day-of-week value " + quote(token) + " is not a number or a name SUN-SAT");
  }
  for (const char c : {'L', 'W', '#'}) {
    if (token.find(c) == std::string_view::npos) continue;
    const bool allowed = c == 'L' ? (f == kDayOfMonth || f == kDayOfWeek)
                                  : (c == 'W' ? f == kDayOfMonth : f == kDayOfWeek);
    if (!allowed) {
      return fail(std::string("'") + c + "' is only allowed in " +
                  (c == 'L'   ? "day-of-month or day-of-week"
                   : c == 'W' ? "day-of-month"
                              : "day-of-week") +
                  ", not in " + name);
    }
    return fail(std::string("'") + c + "' cannot be combined with other values in " + name + " (" +
                quote(token) + ")");
  }
  if (f == kMonth)
    return fail("month value " + quote(token) + " is not a number or a name JAN-DEC");
  if (f == kDayOfWeek) {
    return fail("day-of-week value " + quote(token) + " is not a number or a name SUN-SAT");
  }
  return fail(name + " value " + quote(token) + " is not a number");
}

bool Parser::parse_number(std::string_view what, std::string_view token, int lo, int hi,
                          int& value) {
  const std::string prefix(what);
  if (!all_digits(token)) return fail(prefix + " " + quote(token) + " is not a number");
  int v = 0;
  // Nine digits cannot overflow an int; anything longer is out of range anyway.
  for (const char c : token.substr(0, 9)) v = v * 10 + (c - '0');
  if (token.size() > 9 || v < lo || v > hi) {
    return fail(prefix + " " + as_written(token) + " is out of range " + std::to_string(lo) + "-" +
                std::to_string(hi));
  }
  value = v;
  return true;
}

}  // namespace

ApiResult<CronFields> parse_cron_fields(std::string_view expression) {
  return Parser(expression).run();
}

}  // namespace databricks::cron
