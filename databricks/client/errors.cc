#include "databricks/client/errors.h"

#include <utility>

#include "databricks/client/retry_policy.h"

namespace databricks {

bool is_missing(const ApiResponse& response) {
  if (response.status != 400 && response.status != 404) return false;
  const auto error = response.error();
  if (!error) return false;
  if (error->error_code == "RESOURCE_DOES_NOT_EXIST") return true;
  return error->message.find("does not exist") != std::string::npos;
}

Retry retry_of(const ApiResponse& response) {
  if (response.ok()) return Retry::kNever;
  // A refused server certificate is a configuration error: fail now, saying so.
  if (tls_verify_failed(response)) return Retry::kNever;
  if (is_retriable(response)) return Retry::kNow;
  if (response.status == 0 || response.status == 429 || response.status >= 500) {
    return Retry::kLater;
  }
  const auto error = response.error();
  if (!error) return Retry::kNever;
  if (error->error_code == "REQUEST_LIMIT_EXCEEDED" || error->error_code == "RESOURCE_EXHAUSTED" ||
      error->error_code == "TEMPORARILY_UNAVAILABLE" || error->error_code == "QUOTA_EXCEEDED") {
    return Retry::kLater;
  }
  // The hourly limit on job creations: a later try succeeds.
  if (error->message.find("jobs created in past") != std::string::npos) return Retry::kLater;
  return Retry::kNever;
}

std::string describe(const ApiResponse& response) {
  if (response.status == 0) {
    return "no answer (" + response.body.value("message", "connection lost") + ")";
  }
  const auto error = response.error();
  std::string out = "HTTP " + std::to_string(response.status);
  if (error) out += " " + error->error_code + ": " + error->message;
  return out;
}

ApiError error_of(const ApiResponse& response) {
  if (auto e = response.error()) return std::move(*e);
  return ApiError::internal("HTTP " + std::to_string(response.status));
}

ApiResponse as_response(const ApiError& error) {
  ApiResponse r;
  r.status = error.http_status;
  r.body = error.body();
  if (error.message.empty()) r.body.erase("message");  // describe() then says "connection lost"
  r.retry_after_s = error.retry_after_s;
  return r;
}

}  // namespace databricks
