#include "databricks/api/api_request.h"

#include <charconv>
#include <limits>

namespace databricks {
ApiRequest ApiRequest::get(std::string path,
                           std::vector<std::pair<std::string, std::string>> query) {
  return ApiRequest{"GET", std::move(path), std::move(query), nullptr};
}

ApiRequest ApiRequest::post(std::string path, nlohmann::json body) {
  return ApiRequest{"POST", std::move(path), {}, std::move(body)};
}

ApiResponse ApiResponse::from(ApiResult<nlohmann::json> result) {
  ApiResponse r;
  if (result.ok()) {
    r.body = std::move(result).value();
  } else {
    r.status = result.error().http_status;
    r.body = result.error().body();
    r.retry_after_s = result.error().retry_after_s;
  }
  return r;
}

std::optional<ApiError> ApiResponse::error() const {
  if (ok()) return std::nullopt;
  ApiError e;
  e.http_status = status;
  e.retry_after_s = retry_after_s;
  const auto code = body.is_object() ? body.find("error_code") : body.end();
  if (body.is_object() && code != body.end() && code->is_string()) {
    e.error_code = code->get<std::string>();
  } else if (body.is_object() && code != body.end() && code->is_number_integer()) {
    e.error_code = std::to_string(code->get<std::int64_t>());
  } else {
    e.error_code = status == 0     ? "CONNECTION_ERROR"
                   : status == 429 ? "REQUEST_LIMIT_EXCEEDED"
                   : status >= 500 ? "INTERNAL_ERROR"
                                   : "BAD_REQUEST";
  }
  if (body.is_object() && body.contains("message") && body["message"].is_string()) {
    e.message = body["message"].get<std::string>();
  }
  return e;
}

ApiResponse transport_error(std::string code, std::string message) {
  ApiResponse r;
  r.status = 0;
  r.body = {{"error_code", std::move(code)}, {"message", std::move(message)}};
  return r;
}

}  // namespace databricks
