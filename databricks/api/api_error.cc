#include "databricks/api/api_error.h"

namespace databricks {
namespace {
ApiError make(int status, const char* code, std::string message) {
  ApiError e;
  e.http_status = status;
  e.error_code = code;
  e.message = std::move(message);
  return e;
}
}  // namespace

nlohmann::json ApiError::body() const {
  return nlohmann::json{{"error_code", error_code}, {"message", message}};
}

ApiError ApiError::invalid_parameter(std::string m) {
  return make(400, "INVALID_PARAMETER_VALUE", std::move(m));
}
ApiError ApiError::missing(std::string m) {
  return make(400, "INVALID_PARAMETER_VALUE", std::move(m));
}
ApiError ApiError::invalid_state(std::string m) {
  return make(400, "INVALID_STATE", std::move(m));
}
ApiError ApiError::quota_exceeded(std::string m) {
  return make(400, "QUOTA_EXCEEDED", std::move(m));
}
ApiError ApiError::malformed(std::string m) {
  return make(400, "MALFORMED_REQUEST", std::move(m));
}
ApiError ApiError::bad_target(const std::string& path) {
  return make(404, "ENDPOINT_NOT_FOUND", "Bad Target: " + path);
}
ApiError ApiError::rate_limited(std::string m, int retry_after) {
  auto e = make(429, "REQUEST_LIMIT_EXCEEDED", std::move(m));
  e.retry_after_s = retry_after;
  return e;
}
ApiError ApiError::unavailable(std::string m, std::optional<int> retry_after) {
  auto e = make(503, "TEMPORARILY_UNAVAILABLE", std::move(m));
  e.retry_after_s = retry_after;
  return e;
}
ApiError ApiError::internal(std::string m) {
  return make(500, "INTERNAL_ERROR", std::move(m));
}
ApiError ApiError::not_found(std::string m) {
  return make(404, "RESOURCE_DOES_NOT_EXIST", std::move(m));
}

ApiError missing_field(std::string_view name) {
  auto e = ApiError::invalid_parameter("Missing required field: " + std::string(name));
  e.field = name;
  return e;
}

ApiError wrong_type(std::string_view name, std::string_view expected) {
  auto e = ApiError::invalid_parameter("Invalid value for field " + std::string(name) +
                                       ": expected " + std::string(expected));
  e.field = name;
  return e;
}

}  // namespace databricks
