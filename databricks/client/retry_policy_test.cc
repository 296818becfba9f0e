#include "databricks/client/retry_policy.h"

#include <catch2/catch.hpp>

#include "databricks/api/api_request.h"

namespace databricks {
namespace {

using databricks::ApiRequest;
using databricks::ApiResponse;

ApiResponse answer(int status, const std::string& code, const std::string& message = "m") {
  ApiResponse r;
  r.status = status;
  r.body = {{"error_code", code}, {"message", message}};
  return r;
}

TEST_CASE("Throttling unavailability and connection failures are retried", "[retry]") {
  CHECK(is_retriable(answer(429, "REQUEST_LIMIT_EXCEEDED")));
  CHECK(is_retriable(answer(429, "TOO_MANY_REQUESTS")));
  CHECK(is_retriable(answer(429, "")));
  CHECK(is_retriable(answer(400, "RESOURCE_EXHAUSTED")));
  CHECK(is_retriable(answer(400, "REQUEST_LIMIT_EXCEEDED")));
  CHECK(is_retriable(answer(503, "TEMPORARILY_UNAVAILABLE")));
  CHECK(is_retriable(transport_error("CONNECTION_ERROR", "refused")));
  CHECK(is_retriable(transport_error("TIMEOUT", "slow")));
}

TEST_CASE("Other errors are final", "[retry]") {
  CHECK_FALSE(is_retriable(ApiResponse{}));
  CHECK_FALSE(is_retriable(answer(500, "INTERNAL_ERROR")));
  CHECK_FALSE(is_retriable(answer(502, "BAD_GATEWAY")));
  CHECK_FALSE(is_retriable(answer(504, "DEADLINE_EXCEEDED")));
  CHECK_FALSE(is_retriable(answer(400, "INVALID_PARAMETER_VALUE")));
  CHECK_FALSE(is_retriable(answer(404, "RESOURCE_DOES_NOT_EXIST")));
  CHECK_FALSE(is_retriable(answer(401, "UNAUTHENTICATED")));
  // The error_code mapping wins over the status (sdk-go).
  CHECK_FALSE(is_retriable(answer(429, "INVALID_STATE")));
  CHECK_FALSE(is_retriable(transport_error("INVALID_RESPONSE", "not JSON")));
}

TEST_CASE("A refused server certificate is final, a dropped connection is not", "[retry]") {
  const auto refused = transport_error(
      kTlsVerifyFailed, "TLS: certificate verify failed (hostname mismatch) for host h:443");
  CHECK_FALSE(is_retriable(refused));
  CHECK(tls_verify_failed(refused));
  CHECK(is_retriable(transport_error("CONNECTION_ERROR", "connecting to h:443: reset")));
  CHECK_FALSE(tls_verify_failed(transport_error("CONNECTION_ERROR", "connecting to h:443")));
}

TEST_CASE("Known transient messages are retried whatever the status", "[retry]") {
  CHECK(is_retriable(answer(400, "INVALID_STATE", "ClusterNotReadyException: not yet")));
  CHECK(is_retriable(answer(500, "INTERNAL_ERROR", "Unexpected error happened")));
  CHECK(is_retriable(answer(400, "X",
                            "Workspace 1 does not have any associated worker "
                            "environments")));
  CHECK(is_retriable(answer(400, "X", "worker env WE-12 not found")));
  CHECK(is_retriable(answer(500, "X", "RPC token bucket limit has been exceeded")));
  CHECK(transient_message("com.databricks.backend.manager.util.UnknownWorkerEnvironmentException"));
  CHECK(transient_message("Please try again later or try a faster operation."));
  CHECK_FALSE(transient_message("Job 1 does not exist."));
  CHECK_FALSE(transient_message("worker environment"));
}

TEST_CASE("The base wait is Retry-After or a linear backoff capped at 10 s", "[retry]") {
  const RetryPolicy p;
  auto r = answer(503, "TEMPORARILY_UNAVAILABLE");
  CHECK(base_wait_ms(p, 1, r) == 1'000);
  CHECK(base_wait_ms(p, 3, r) == 3'000);
  CHECK(base_wait_ms(p, 25, r) == 10'000);
  r.retry_after_s = 7;
  CHECK(base_wait_ms(p, 3, r) == 7'000);
  r.retry_after_s = 0;
  CHECK(base_wait_ms(p, 3, r) == 0);
}

TEST_CASE("Run-starting requests are recognised", "[retry]") {
  CHECK(starts_run(ApiRequest::post("/api/2.2/jobs/run-now", {})));
  CHECK(starts_run(ApiRequest::post("/api/2.0/jobs/runs/submit", {})));
  CHECK_FALSE(starts_run(ApiRequest::get("/api/2.2/jobs/run-now")));
  CHECK_FALSE(starts_run(ApiRequest::post("/api/2.2/jobs/runs/cancel", {})));
  CHECK_FALSE(starts_run(ApiRequest::post("/api/2.2/jobs/create", {})));
}

TEST_CASE("Idempotency tokens are 32 hex characters from the seed", "[retry]") {
  kiln::core::Random a(7);
  kiln::core::Random b(7);
  const auto token = random_token(a);
  CHECK(token.size() == 32);
  CHECK(token.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(random_token(b) == token);
  CHECK(random_token(a) != token);
}

TEST_CASE("The token bucket allows a burst then one request per interval", "[retry]") {
  TokenBucket bucket(15, 15);
  for (int i = 0; i < 15; ++i) CHECK(bucket.reserve(0) == 0);
  CHECK(bucket.reserve(0) == 67);
  CHECK(bucket.reserve(0) == 133);
  CHECK(bucket.reserve(0) == 200);
  // After a quiet second the burst is back.
  TokenBucket refilled(15, 15);
  for (int i = 0; i < 15; ++i) refilled.reserve(0);
  for (int i = 0; i < 15; ++i) CHECK(refilled.reserve(2'000) == 2'000);
  CHECK(refilled.reserve(2'000) == 2'067);
  TokenBucket off(0, 15);
  CHECK_FALSE(off.enabled());
  CHECK(off.reserve(5) == 5);
}

}  // namespace
}  // namespace databricks
