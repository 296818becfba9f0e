// Params: how the emulator reads a request's parameters (a POST body or a GET query string)
// with errors that name the field, as the real service answers.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "databricks/api/api_request.h"

namespace fakedb {

// The neutral request/answer shapes, spelt as the emulator's handlers always have.
using databricks::ApiError;
using databricks::ApiRequest;
using databricks::ApiResponse;
using databricks::ApiResult;
using databricks::missing_field;
using databricks::transport_error;
using databricks::wrong_type;

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

}  // namespace fakedb
