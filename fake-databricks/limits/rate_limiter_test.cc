#include "fake-databricks/limits/rate_limiter.h"

#include <catch2/catch.hpp>

using namespace fakedb::limits;

TEST_CASE("a bucket admits one second of requests then answers 429 with Retry-After") {
  RateLimits l;
  l.per_endpoint_rps = {{"jobs/get", 20}};
  RateLimiter r(l);
  for (int i = 0; i < 20; ++i) REQUIRE_FALSE(r.admit("jobs/get", 0).has_value());
  auto refused = r.admit("jobs/get", 0);
  REQUIRE(refused.has_value());
  CHECK(refused->http_status == 429);
  CHECK(refused->error_code == "REQUEST_LIMIT_EXCEEDED");
  CHECK(refused->retry_after_s == 1);
  CHECK_FALSE(r.admit("jobs/get", 50).has_value());  // one token back after 50 ms at 20/s
}

TEST_CASE("a rate below one request a second still admits one request then waits") {
  RateLimits l;
  l.per_endpoint_rps = {{"jobs/delete", 0.5}};
  RateLimiter r(l);
  CHECK_FALSE(r.admit("jobs/delete", 0).has_value());
  auto refused = r.admit("jobs/delete", 0);
  REQUIRE(refused.has_value());
  CHECK(refused->retry_after_s == 2);
  CHECK_FALSE(r.admit("jobs/delete", 2000).has_value());
}

TEST_CASE("endpoints have separate buckets and 0 means unlimited") {
  RateLimits l;
  l.per_endpoint_rps = {{"a", 1}, {"b", 0}};
  RateLimiter r(l);
  CHECK_FALSE(r.admit("a", 0).has_value());
  CHECK(r.admit("a", 0).has_value());
  for (int i = 0; i < 1000; ++i) REQUIRE_FALSE(r.admit("b", 0).has_value());
}

TEST_CASE("job creations are limited over a sliding hour with the real message") {
  CreationWindow w(2);
  w.record(0);
  w.record(1000);
  auto refused = w.check(2000);
  REQUIRE(refused.has_value());
  CHECK(refused->error_code == "INVALID_STATE");
  CHECK(refused->message ==
        "There were already 2 jobs created in past 3600 seconds, exceeding rate limit: 2 job "
        "creations per 3600 seconds.");
  CHECK_FALSE(w.check(3'600'001).has_value());
}
