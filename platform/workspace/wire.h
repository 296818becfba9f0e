// Wire helpers for the REST backend: query-string encoding, the Retry-After header, and the
// Databricks error body as the official SDKs read it (JSON, API 1.2, SCIM, "CODE: message" text,
// HTML, empty), so every non-200 answer reaches kiln as {"error_code": <string>, "message"}.
// Pure functions, no I/O.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "databricks/api/api_request.h"

namespace kiln::workspace {

using databricks::kTlsVerifyFailed;
using databricks::transport_error;

// Percent-encodes everything but the RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~).
std::string url_encode(std::string_view text);

// "a=1&b=x%20y": pairs in order, keys and values URL-encoded. Empty for no pairs.
std::string encode_query(const std::vector<std::pair<std::string, std::string>>& query);

// The Retry-After header as integer seconds (the form Databricks sends); nullopt for anything
// else (an HTTP date, a negative or malformed value), as the SDKs treat it.
std::optional<int> parse_retry_after(std::string_view value);

// The error code the SDKs map a status to when the body names none (400 BAD_REQUEST,
// 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 NOT_FOUND, 409 RESOURCE_CONFLICT,
// 429 TOO_MANY_REQUESTS, 499 CANCELLED, 500 INTERNAL_ERROR, 501 NOT_IMPLEMENTED,
// 503 TEMPORARILY_UNAVAILABLE, 504 DEADLINE_EXCEEDED; otherwise UNKNOWN).
std::string error_code_for_status(int status);

// A non-200 answer as it came off the wire.
struct RawError {
  int status = 0;
  std::string_view reason;  // the status line's reason phrase ("Forbidden"), may be empty
  std::string_view body;    // the body bytes
  std::string_view databricks_reason;  // the X-Databricks-Reason-Phrase header, may be empty
};

// The error body normalised as the SDKs read it: a JSON object with a string "error_code" and a
// "message"; other fields of a JSON body (such as "details") are kept.
// - JSON: a numeric error_code (403 {"error_code": 403}) becomes its decimal string; API 1.2
//   {"error": m} gives the message; SCIM {detail, status, scimType} gives "SCIM_<status>".
// - text "SOME_CODE: message" gives both; HTML gives the <pre> (else <title>) text.
// - a missing code comes from the reason phrase ("Service Unavailable" -> SERVICE_UNAVAILABLE,
//   as sdk-go does), else from the status (error_code_for_status); a missing message from
//   X-Databricks-Reason-Phrase, else the body's first 200 bytes, else "HTTP <status>".
nlohmann::json parse_error_body(const RawError& raw);

}  // namespace kiln::workspace
