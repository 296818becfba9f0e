#include "databricks/client/errors.h"

#include <catch2/catch.hpp>

namespace databricks {
namespace {

ApiResponse answer(int status, const std::string& code, const std::string& message) {
  ApiResponse r;
  r.status = status;
  r.body = {{"error_code", code}, {"message", message}};
  return r;
}

TEST_CASE("missing is the 404 code or the Jobs API's legacy 400 text, nothing else") {
  CHECK(is_missing(answer(400, "INVALID_PARAMETER_VALUE", "Job 12 does not exist.")));
  CHECK(is_missing(answer(404, "RESOURCE_DOES_NOT_EXIST", "Run 3 is gone")));
  CHECK_FALSE(is_missing(answer(400, "INVALID_PARAMETER_VALUE", "Missing required field: x")));
  CHECK_FALSE(is_missing(answer(500, "INTERNAL_ERROR", "Job 12 does not exist.")));
  CHECK_FALSE(is_missing(ApiResponse{}));  // a 200
  CHECK(is_missing(ApiError::missing("Job 12 does not exist.")));
}

TEST_CASE("one classification: what the SDKs retry now, what a later try may fix, what is final") {
  CHECK(retry_of(answer(503, "TEMPORARILY_UNAVAILABLE", "busy")) == Retry::kNow);
  CHECK(retry_of(answer(429, "REQUEST_LIMIT_EXCEEDED", "slow down")) == Retry::kNow);
  CHECK(retry_of(transport_error("CONNECTION_ERROR", "refused")) == Retry::kNow);
  CHECK(retry_of(answer(500, "INTERNAL_ERROR", "oops")) == Retry::kLater);
  CHECK(retry_of(answer(504, "DEADLINE_EXCEEDED", "slow")) == Retry::kLater);
  CHECK(retry_of(transport_error("INVALID_RESPONSE", "not JSON")) == Retry::kLater);
  CHECK(retry_of(answer(400, "QUOTA_EXCEEDED", "too many jobs")) == Retry::kLater);
  CHECK(retry_of(answer(400, "INVALID_PARAMETER_VALUE",
                        "The number of jobs created in past hour exceeds 10000")) == Retry::kLater);
  CHECK(retry_of(answer(400, "INVALID_PARAMETER_VALUE", "bad field")) == Retry::kNever);
  CHECK(retry_of(transport_error(kTlsVerifyFailed, "unknown CA")) == Retry::kNever);
  CHECK(retry_of(ApiResponse{}) == Retry::kNever);
  CHECK(is_transient(answer(502, "BAD_GATEWAY", "")));
  CHECK_FALSE(is_transient(answer(403, "PERMISSION_DENIED", "no")));
}

TEST_CASE("a failure is described with its status, code and message") {
  CHECK(describe(answer(400, "INVALID_STATE", "paused")) == "HTTP 400 INVALID_STATE: paused");
  CHECK(describe(transport_error("TIMEOUT", "after 30 s")) == "no answer (after 30 s)");
  ApiError lost;
  lost.http_status = 0;
  lost.error_code = "CONNECTION_ERROR";
  CHECK(describe(lost) == "no answer (connection lost)");
}

}  // namespace
}  // namespace databricks
