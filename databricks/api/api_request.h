// ApiRequest / ApiResponse: one Databricks REST call, transport-free. The in-process workspace,
// the HTTP server (fake-databricks serve) and kiln's backends all speak in these, so the same
// request shapes flow in-process and over the wire.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock/clock.h"
#include "databricks/api/api_error.h"

namespace databricks {

struct ApiRequest {
  std::string method;  // "GET" or "POST" (any other is refused)
  std::string path;    // "/api/2.2/jobs/create"
  // Query string pairs as sent, in order; a key may repeat (list parameters).
  std::vector<std::pair<std::string, std::string>> query;
  nlohmann::json body;  // the JSON body of a POST; null for none

  static ApiRequest get(std::string path,
                        std::vector<std::pair<std::string, std::string>> query = {});
  static ApiRequest post(std::string path, nlohmann::json body);
};

struct ApiResponse {
  // The HTTP status; 0 means no answer arrived (the connection was dropped or timed out), and
  // the body then says why: {"error_code": "CONNECTION_ERROR" | "TIMEOUT", "message": ...}.
  int status = 200;
  nlohmann::json body = nlohmann::json::object();
  std::optional<int> retry_after_s;  // the Retry-After header, integer seconds
  // How long after the request the answer reaches the caller (a slow-answer fault or latency
  // model). The state change happened at the request; only the answer is late.
  kiln::core::DurationMs delay_ms = 0;

  bool ok() const { return status == 200; }
  // The answer as a typed error (status, error_code, message, Retry-After), or nullopt for a
  // 200. A numeric error_code (the 403 "Invalid access token." body) becomes its digits; a body
  // without one gets the status's generic code.
  std::optional<ApiError> error() const;
  static ApiResponse from(ApiResult<nlohmann::json> result);
};

// A transport failure: status 0 with {"error_code": code, "message": message}. Codes:
// CONNECTION_ERROR (refused, reset, TLS, DNS), TIMEOUT, INVALID_RESPONSE (a 200 whose body is
// not JSON: the request may have taken effect, so it is never retried), TLS_VERIFY_FAILED (the
// server's certificate was refused: unknown CA, name mismatch, expired; a configuration error
// that no retry fixes, so it is never retried).
ApiResponse transport_error(std::string code, std::string message);
inline constexpr const char* kTlsVerifyFailed = "TLS_VERIFY_FAILED";

}  // namespace databricks
