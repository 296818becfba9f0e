#include "databricks/jobs/checks.h"

#include <algorithm>
#include <cctype>

namespace databricks::jobs::detail {

std::string field_path(const std::string& base, std::string_view key) {
  if (base.empty()) return std::string(key);
  std::string p = base;
  p += '.';
  p += key;
  return p;
}

std::string item_path(const std::string& base, std::size_t i) {
  return base + "[" + std::to_string(i) + "]";
}

std::string_view type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::object:
      return "object";
    case json::value_t::array:
      return "array";
    case json::value_t::string:
      return "string";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    case json::value_t::null:
      return "null";
    default:
      return "binary";
  }
}

std::size_t utf8_length(std::string_view s) {
  // Count every byte that does not continue a multi-byte sequence (10xxxxxx).
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

std::string join(Names names, std::string_view sep) {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += sep;
    out += n;
  }
  return out;
}

ApiError invalid(std::string path, std::string message) {
  auto e = ApiError::invalid_parameter(std::move(message));
  e.field = std::move(path);
  return e;
}

ApiError missing_field(const std::string& path) {
  return invalid(path, "Missing required field: " + path);
}

ApiError wrong_type(const std::string& path, std::string_view expected, const json& got) {
  return invalid(path, path + " must be " + std::string(expected) + ", got " +
                           std::string(type_name(got)) + ".");
}

Err check_object(const json& v, const std::string& path) {
  if (!v.is_object()) return wrong_type(path, "an object", v);
  return std::nullopt;
}

Err check_array(const json& v, const std::string& path, std::size_t max_items) {
  if (!v.is_array()) return wrong_type(path, "an array", v);
  if (v.size() > max_items) {
    return invalid(path, path + " must have at most " + std::to_string(max_items) +
                             " entries, got " + std::to_string(v.size()) + ".");
  }
  return std::nullopt;
}

Err check_string(const json& v, const std::string& path, std::size_t max_bytes) {
  if (!v.is_string()) return wrong_type(path, "a string", v);
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() > max_bytes) {
    return invalid(path, path + " must be at most " + std::to_string(max_bytes) + " bytes, got " +
                             std::to_string(s.size()) + ".");
  }
  return std::nullopt;
}

Err check_bool(const json& v, const std::string& path) {
  if (!v.is_boolean()) return wrong_type(path, "a boolean", v);
  return std::nullopt;
}

Err check_int(const json& v, const std::string& path, std::int64_t lo, std::int64_t hi) {
  if (!v.is_number_integer()) return wrong_type(path, "an integer", v);
  bool in_range = false;
  if (v.is_number_unsigned()) {
    // Unsigned values above INT64_MAX are out of every range we use.
    const auto u = v.get<std::uint64_t>();
    in_range = u <= static_cast<std::uint64_t>(kMaxInt) && static_cast<std::int64_t>(u) >= lo &&
               static_cast<std::int64_t>(u) <= hi;
  } else {
    const auto i = v.get<std::int64_t>();
    in_range = i >= lo && i <= hi;
  }
  if (in_range) return std::nullopt;
  if (hi == kMaxInt) {
    return invalid(path, path + " must be greater than or equal to " + std::to_string(lo) +
                             ", got " + v.dump() + ".");
  }
  return invalid(path, path + " must be between " + std::to_string(lo) + " and " +
                           std::to_string(hi) + ", got " + v.dump() + ".");
}

namespace {
bool equal_ignore_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}
}  // namespace

Err check_enum(const json& v, const std::string& path, Names allowed, bool ignore_case) {
  if (!v.is_string()) return wrong_type(path, "a string", v);
  const auto& s = v.get_ref<const std::string&>();
  for (std::string_view a : allowed) {
    if (ignore_case ? equal_ignore_case(s, a) : s == a) return std::nullopt;
  }
  // Same shape as the real "git_source.git_provider must be one of: github,gitlab,...".
  return invalid(path, path + " must be one of: " + join(allowed));
}

const json* Fields::get(std::string_view key) const {
  auto it = obj_.find(key);
  return it == obj_.end() ? nullptr : &*it;
}

bool Fields::present(std::string_view key, Need need) {
  if (err_) return false;
  if (get(key) != nullptr) return true;
  if (need == Need::kRequired) err_ = missing_field(path(key));
  return false;
}

Fields& Fields::str(std::string_view key, Need need, std::size_t max_bytes) {
  if (present(key, need)) err_ = check_string(*get(key), path(key), max_bytes);
  return *this;
}

Fields& Fields::integer(std::string_view key, std::int64_t lo, std::int64_t hi, Need need) {
  if (present(key, need)) err_ = check_int(*get(key), path(key), lo, hi);
  return *this;
}

Fields& Fields::boolean(std::string_view key, Need need) {
  if (present(key, need)) err_ = check_bool(*get(key), path(key));
  return *this;
}

Fields& Fields::object(std::string_view key, Need need) {
  if (present(key, need)) err_ = check_object(*get(key), path(key));
  return *this;
}

Fields& Fields::array(std::string_view key, Need need, std::size_t max) {
  if (present(key, need)) err_ = check_array(*get(key), path(key), max);
  return *this;
}

Fields& Fields::one_of(std::string_view key, Names allowed, Need need) {
  if (present(key, need)) err_ = check_enum(*get(key), path(key), allowed);
  return *this;
}

}  // namespace databricks::jobs::detail
