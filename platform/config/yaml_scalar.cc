#include "platform/config/yaml_scalar.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <system_error>

namespace kiln::config::detail {
namespace {

using nlohmann::json;
using Resolved = std::variant<json, std::string>;

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool all_of(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_octal(char c) {
  return c >= '0' && c <= '7';
}

std::string_view unsigned_part(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return s;
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool looks_like_float(std::string_view s) {
  s = unsigned_part(s);
  std::size_t i = 0;
  std::size_t digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (!all_of(s.substr(i), is_digit)) return false;
    i = s.size();
  }
  return i == s.size();
}

Resolved integer(std::string_view text) {
  const bool negative = !text.empty() && text[0] == '-';
  std::string_view digits = unsigned_part(text);
  int base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'o')) {
    base = digits[1] == 'x' ? 16 : 8;
    digits.remove_prefix(2);
  }
  std::uint64_t magnitude = 0;
  const auto [end, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  const std::uint64_t limit = negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1;
  if (ec != std::errc() || end != digits.data() + digits.size() || magnitude > limit) {
    return "integer " + std::string(text) + " is out of range (64-bit signed)";
  }
  if (negative) return json(magnitude == limit ? INT64_MIN : -static_cast<std::int64_t>(magnitude));
  return json(static_cast<std::int64_t>(magnitude));
}

Resolved floating(std::string_view text) {
  std::string_view s = text;
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) {
    return "number " + std::string(text) + " is out of range";
  }
  return json(value);
}

bool is_int_text(std::string_view s) {
  const std::string_view u = unsigned_part(s);
  if (all_of(u, is_digit)) return true;
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x') return all_of(s.substr(2), is_hex);
  if (s.size() > 2 && s[0] == '0' && s[1] == 'o') return all_of(s.substr(2), is_octal);
  return false;
}

Resolved plain(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return json(nullptr);
  }
  if (text == "true" || text == "True" || text == "TRUE") return json(true);
  if (text == "false" || text == "False" || text == "FALSE") return json(false);
  if (is_int_text(text)) return integer(text);
  if (looks_like_float(text)) return floating(text);
  const std::string_view u = unsigned_part(text);
  if (u == ".inf" || u == ".Inf" || u == ".INF" || text == ".nan" || text == ".NaN" ||
      text == ".NAN") {
    return "'" + text + "' (infinity or not-a-number) has no JSON equivalent";
  }
  return json(text);
}

}  // namespace

std::variant<json, std::string> resolve_scalar(const std::string& tag, const std::string& text) {
  if (tag == "!" || tag == std::string(kTagPrefix) + "str") return json(text);
  if (tag == "?" || tag.empty()) return plain(text);
  const std::string_view kind = std::string_view(tag).substr(0, kTagPrefix.size()) == kTagPrefix
                                    ? std::string_view(tag).substr(kTagPrefix.size())
                                    : std::string_view();
  Resolved value = plain(text);
  if (const auto* v = std::get_if<json>(&value)) {
    const bool fits = (kind == "int" && v->is_number_integer()) ||
                      (kind == "float" && v->is_number()) || (kind == "bool" && v->is_boolean()) ||
                      (kind == "null" && v->is_null());
    if (fits) return kind == "float" ? json(v->get<double>()) : *v;
    if (kind == "int" || kind == "float" || kind == "bool" || kind == "null") {
      return "'" + text + "' is not a valid !!" + std::string(kind);
    }
  } else if (kind == "int" || kind == "float") {
    return value;
  }
  return "unsupported tag '" + tag + "'; expected plain YAML (strings, numbers, booleans, null)";
}

}  // namespace kiln::config::detail
