// Internal helpers for the Jobs validators: typed field checks that never throw and that name
// the field path ("tasks[2].depends_on[0].task_key") in every message and in ApiError::field.
// Not part of the module's public API; include only from fake-databricks/jobs/*.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "databricks/api/api_error.h"

namespace databricks::jobs::detail {

using json = nlohmann::json;
using Err = std::optional<ApiError>;
using Names = std::initializer_list<std::string_view>;

inline constexpr std::size_t kNoLimit = std::numeric_limits<std::size_t>::max();
inline constexpr std::int64_t kMaxInt = std::numeric_limits<std::int64_t>::max();

// "base.key", or "key" at the top level.
std::string field_path(const std::string& base, std::string_view key);
// "base[i]".
std::string item_path(const std::string& base, std::size_t i);
// "object", "array", "string", "integer", "number", "boolean" or "null".
std::string_view type_name(const json& v);
// Number of Unicode code points of a UTF-8 string (description limits count characters).
std::size_t utf8_length(std::string_view s);
// "a,b,c": the separator the real git_provider message uses.
std::string join(Names names, std::string_view sep = ",");

// 400 INVALID_PARAMETER_VALUE about the field at `path` ("" for none): `path` becomes
// ApiError::field, so a caller finds the field without reading `message`.
ApiError invalid(std::string path, std::string message);
ApiError missing_field(const std::string& path);
ApiError wrong_type(const std::string& path, std::string_view expected, const json& got);

Err check_object(const json& v, const std::string& path);
Err check_array(const json& v, const std::string& path, std::size_t max_items = kNoLimit);
Err check_string(const json& v, const std::string& path, std::size_t max_bytes = kNoLimit);
Err check_bool(const json& v, const std::string& path);
Err check_int(const json& v, const std::string& path, std::int64_t lo, std::int64_t hi = kMaxInt);
// The value must be a string equal to one of `allowed` (ASCII case-insensitively if asked).
Err check_enum(const json& v, const std::string& path, Names allowed, bool ignore_case = false);

enum class Need { kOptional, kRequired };

// Checks the fields of one JSON object in sequence and keeps the first error. Every method is a
// no-op once an error is recorded, so a validator reads as a flat list of rules.
class Fields {
 public:
  // `obj` must be an object (check it first with check_object); `base` is its path.
  Fields(const json& obj, std::string base) : obj_(obj), base_(std::move(base)) {}

  Fields& str(std::string_view key, Need need = Need::kOptional, std::size_t max_bytes = kNoLimit);
  Fields& integer(std::string_view key, std::int64_t lo, std::int64_t hi = kMaxInt,
                  Need need = Need::kOptional);
  Fields& boolean(std::string_view key, Need need = Need::kOptional);
  Fields& object(std::string_view key, Need need = Need::kOptional);
  Fields& array(std::string_view key, Need need = Need::kOptional, std::size_t max = kNoLimit);
  Fields& one_of(std::string_view key, Names allowed, Need need = Need::kOptional);
  // Runs `check(value, path)` on the field when present (or reports it missing when required).
  template <class F>
  Fields& with(std::string_view key, F&& check, Need need = Need::kOptional) {
    if (err_) return *this;
    if (const json* v = get(key)) {
      err_ = check(*v, path(key));
    } else if (need == Need::kRequired) {
      err_ = missing_field(path(key));
    }
    return *this;
  }
  Fields& add(Err e) {
    if (!err_) err_ = std::move(e);
    return *this;
  }

  const json* get(std::string_view key) const;
  std::string path(std::string_view key) const { return field_path(base_, key); }
  bool ok() const { return !err_.has_value(); }
  Err error() const { return err_; }

 private:
  bool present(std::string_view key, Need need);

  const json& obj_;
  std::string base_;
  Err err_;
};

}  // namespace databricks::jobs::detail
