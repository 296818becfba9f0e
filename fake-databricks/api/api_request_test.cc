#include <catch2/catch.hpp>

#include "fake-databricks/api/params.h"

using namespace fakedb;
using nlohmann::json;

TEST_CASE("an error answer reads back as a typed error with status code message and Retry-After") {
  ApiResponse r = ApiResponse::from(ApiError::rate_limited("slow down", 3));
  auto e = r.error();
  REQUIRE(e.has_value());
  CHECK(e->http_status == 429);
  CHECK(e->error_code == "REQUEST_LIMIT_EXCEEDED");
  CHECK(e->message == "slow down");
  CHECK(e->retry_after_s == 3);
  CHECK_FALSE(ApiResponse{}.error().has_value());
}

namespace {
ApiResponse answer(int status, json body) {
  ApiResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}
}  // namespace

TEST_CASE("a numeric error_code and a missing one are normalised") {
  const auto forbidden = answer(403, {{"error_code", 403}, {"message", "Invalid access token."}});
  CHECK(forbidden.error()->error_code == "403");
  const auto dropped = answer(0, json::object());
  CHECK(dropped.error()->error_code == "CONNECTION_ERROR");
  const auto bare = answer(502, "Bad Gateway");
  CHECK(bare.error()->error_code == "INTERNAL_ERROR");
  CHECK(bare.error()->message.empty());
}

TEST_CASE("query parameters read as typed values with errors that name the field") {
  auto p = Params::from(ApiRequest::get("/x", {{"job_id", "12"},
                                               {"active_only", "true"},
                                               {"filter_by.cluster_states", "RUNNING"},
                                               {"filter_by.cluster_states", "PENDING"}}))
               .value();
  CHECK(p.required_int64("job_id").value() == 12);
  CHECK(p.boolean("active_only").value() == true);
  const auto filter = p.object("filter_by").value();
  REQUIRE(filter.has_value());
  CHECK(filter->strings("cluster_states").value() ==
        std::vector<std::string>{"RUNNING", "PENDING"});
  auto bad =
      Params::from(ApiRequest::get("/x", {{"job_id", "12abc"}})).value().required_int64("job_id");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "Invalid value for field job_id: expected an integer");
  CHECK(Params(json::object()).required_int64("run_id").error().message ==
        "Missing required field: run_id");
  CHECK_FALSE(Params::from(ApiRequest::post("/x", json::array())).ok());
}
