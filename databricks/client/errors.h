// What an answer means to a caller, decided in one place: is the thing missing, and may trying
// again succeed. Every kiln workflow and the retry decorator ask these, never the message text.
#pragma once

#include <string>

#include "databricks/api/api_request.h"

namespace databricks {

// The job, run or cluster the request named does not exist: 404 RESOURCE_DOES_NOT_EXIST, or the
// legacy 400 INVALID_PARAMETER_VALUE "Job 12 does not exist." that the Jobs API still sends
// (databricks-api.md; the SDKs map both to NotFound).
bool is_missing(const ApiResponse& response);

// How a failed answer may be tried again.
enum class Retry {
  kNever,  // the request itself is wrong, or a retry cannot fix it (a refused certificate)
  kNow,    // the SDKs retry it at once with backoff (is_retriable: 429, 503, no answer, ...)
  kLater,  // not at once, but a later attempt may succeed: 500/502/504, quotas, the workspace's
           // hourly limit on job creations. A workflow step retries these; the client does not.
};
Retry retry_of(const ApiResponse& response);

// Worth another attempt at all (kNow or kLater): how a workflow step decides to retry.
inline bool is_transient(const ApiResponse& response) {
  return retry_of(response) != Retry::kNever;
}

// "HTTP 400 INVALID_PARAMETER_VALUE: message", or "no answer (message)" for status 0.
std::string describe(const ApiResponse& response);

// A failed answer as the ApiError the client delivers (never called for a 200).
ApiError error_of(const ApiResponse& response);

// The same questions of an ApiError (the typed client's failures; http_status 0 for no answer).
ApiResponse as_response(const ApiError& error);
inline bool is_missing(const ApiError& error) {
  return is_missing(as_response(error));
}
inline Retry retry_of(const ApiError& error) {
  return retry_of(as_response(error));
}
inline bool is_transient(const ApiError& error) {
  return is_transient(as_response(error));
}
inline std::string describe(const ApiError& error) {
  return describe(as_response(error));
}

}  // namespace databricks
