// ApiError: a Databricks REST error, as the real service sends it:
// HTTP status + {"error_code", "message", "details"}. Named factories keep the codes and statuses
// in one place; callers never build error strings to parse later: `field` says which request field
// an error concerns.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace databricks {

struct ApiError {
  int http_status = 500;
  std::string error_code;
  std::string message;
  // Seconds the client should wait; sent as the integer Retry-After header (429 and 503).
  std::optional<int> retry_after_s;
  // The request field the error concerns, as a path from the body's root
  // ("tasks[2].depends_on[0].task_key"), or "" when it concerns no single field. Never sent:
  // body() is what the real service answers, so callers locate errors without parsing message.
  std::string field;

  nlohmann::json body() const;

  // 400 INVALID_PARAMETER_VALUE: a request field is missing, of the wrong type or out of range.
  static ApiError invalid_parameter(std::string message);
  // 400 INVALID_PARAMETER_VALUE "Job N does not exist." (the legacy status the SDKs map to
  // NotFound; see docs/fake-databricks.md, "Fidelity choices").
  static ApiError missing(std::string message);
  // 400 INVALID_STATE: the resource exists but is in a state that forbids the call.
  static ApiError invalid_state(std::string message);
  // 400 QUOTA_EXCEEDED.
  static ApiError quota_exceeded(std::string message);
  // 400 MALFORMED_REQUEST: the body is not the JSON object the endpoint expects.
  static ApiError malformed(std::string message);
  // 404 ENDPOINT_NOT_FOUND "Bad Target: <path>".
  static ApiError bad_target(const std::string& path);
  // 429 REQUEST_LIMIT_EXCEEDED with Retry-After.
  static ApiError rate_limited(std::string message, int retry_after_s);
  // 503 TEMPORARILY_UNAVAILABLE.
  static ApiError unavailable(std::string message, std::optional<int> retry_after_s = std::nullopt);
  // 500 INTERNAL_ERROR.
  static ApiError internal(std::string message);
  // 404 RESOURCE_DOES_NOT_EXIST (used by newer endpoints).
  static ApiError not_found(std::string message);
};

// Either a value or an ApiError. The emulator's handlers return ApiResult<nlohmann::json>.
template <class T>
class ApiResult {
 public:
  ApiResult(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  ApiResult(ApiError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const ApiError& error() const { return std::get<ApiError>(v_); }
  const T& operator*() const { return value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, ApiError> v_;
};

// INVALID_PARAMETER_VALUE for a missing field, or one of the wrong type; both name the field in
// their message and set `field` to it.
ApiError missing_field(std::string_view name);
ApiError wrong_type(std::string_view name, std::string_view expected);

}  // namespace databricks
