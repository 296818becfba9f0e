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
#include "fake-databricks/api/api_error.h"

namespace fakedb {

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

// Params: the request's parameters, read the same way whether they came in a POST body (typed
// JSON) or a GET query string (strings, nested fields as dotted names such as
// filter_by.cluster_states, lists as repeated keys). Every getter returns a clear
// INVALID_PARAMETER_VALUE naming the field when the value has the wrong type.
class Params {
 public:
  // Fails with MALFORMED_REQUEST if a POST body is not a JSON object.
  static ApiResult<Params> from(const ApiRequest& request);
  explicit Params(nlohmann::json values, bool from_query = false)
      : values_(std::move(values)), from_query_(from_query) {}

  bool has(std::string_view name) const;
  const nlohmann::json& json() const { return values_; }
  // The raw value (nullptr if absent or null).
  const nlohmann::json* find(std::string_view name) const;

  ApiResult<std::optional<std::int64_t>> int64(std::string_view name) const;
  ApiResult<std::int64_t> required_int64(std::string_view name) const;
  ApiResult<std::optional<bool>> boolean(std::string_view name) const;
  ApiResult<std::optional<std::string>> string(std::string_view name) const;
  ApiResult<std::string> required_string(std::string_view name) const;
  // A list of strings: a JSON array, or in a query string repeated keys.
  ApiResult<std::optional<std::vector<std::string>>> strings(std::string_view name) const;
  // A nested object's fields, read with the same rules (e.g. filter_by).
  ApiResult<std::optional<Params>> object(std::string_view name) const;

 private:
  nlohmann::json values_;
  bool from_query_;
};

// Error helpers shared by the handlers.
ApiError missing_field(std::string_view name);
ApiError wrong_type(std::string_view name, std::string_view expected);

}  // namespace fakedb
