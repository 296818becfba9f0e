// The router of FakeWorkspace: API versions, unknown targets and methods, malformed bodies, API
// fault rules, request rate limits, call() latency, and config errors.
#include <optional>

#include "fake-databricks/workspace/testing.h"

namespace fakedb::testing {
namespace {

ApiResponse raw(Workspace& w, const std::string& method, const std::string& path,
                json body = nullptr) {
  ApiRequest r;
  r.method = method;
  r.path = path;
  r.body = std::move(body);
  return w.ws.handle(r);
}

void check_bad_target(const ApiResponse& r, const std::string& path) {
  CHECK(r.status == 404);
  CHECK(error_code(r) == "ENDPOINT_NOT_FOUND");
  CHECK(message(r) == "Bad Target: " + path);
}

databricks::faults::ApiFaultRule rule(const std::string& pattern, int status = 503) {
  databricks::faults::ApiFaultRule r;
  r.pattern = pattern;
  r.status = status;
  return r;
}

std::string config_error(const json& spec) {
  auto c = WorkspaceConfig::from_json(spec);
  return c ? "<ok>" : c.error().message;
}

TEST_CASE("jobs endpoints answer under 2.0 and 2.1 and 2.2", "[router]") {
  Workspace w;
  for (const char* v : {"2.0", "2.1", "2.2"}) {
    INFO("version " << v);
    const auto id = w.create_job(job_spec(std::string("job-") + v), v);
    CHECK(Workspace::ok(w.get("get", {{"job_id", str(id)}}, v))["job_id"] == id);
    const auto run = Workspace::ok(w.post("run-now", {{"job_id", id}}, v))["run_id"];
    CHECK(Workspace::ok(w.get("runs/get", {{"run_id", str(run)}}, v))["run_id"] == run);
    CHECK(w.get("runs/list", {}, v).ok());
    CHECK(w.get("list", {}, v).ok());
  }
  CHECK(w.ws.job_count() == 3);
}

TEST_CASE("clusters under 2.2 is Bad Target", "[router]") {
  Workspace w;
  check_bad_target(w.ws.handle(ApiRequest::get("/api/2.2/clusters/list")),
                   "/api/2.2/clusters/list");
  CHECK(w.ws.handle(ApiRequest::get("/api/2.1/clusters/list")).ok());
  CHECK(w.ws.handle(ApiRequest::get("/api/2.0/clusters/list")).ok());
}

TEST_CASE("an unknown path is 404 Bad Target", "[router]") {
  Workspace w;
  for (const char* path : {"/api/2.2/jobs/nope", "/api/2.3/jobs/list", "/api/2.2/jobs", "/healthz",
                           "/api/2.2/workspace/list", "/api/2.2/jobs/runs/nope"}) {
    INFO(path);
    check_bad_target(w.ws.handle(ApiRequest::get(path)), path);
  }
  CHECK(w.ws.handle(ApiRequest::get("/api/2.2/jobs/list/")).ok());  // a trailing slash is fine
}

TEST_CASE("a wrong method is 404 Bad Target", "[router]") {
  Workspace w;
  check_bad_target(w.ws.handle(ApiRequest::get("/api/2.2/jobs/create")), "/api/2.2/jobs/create");
  check_bad_target(w.ws.handle(ApiRequest::post("/api/2.2/jobs/get", {{"job_id", 1}})),
                   "/api/2.2/jobs/get");
  check_bad_target(raw(w, "PUT", "/api/2.2/jobs/list"), "/api/2.2/jobs/list");
  CHECK(w.ws.job_count() == 0);
}

TEST_CASE("a POST body that is not an object is MALFORMED_REQUEST", "[router]") {
  Workspace w;
  for (const json& body : {json::array({1, 2}), json("text"), json(42)}) {
    const auto r = w.post("create", body);
    CHECK(r.status == 400);
    CHECK(error_code(r) == "MALFORMED_REQUEST");
  }
  CHECK(w.ws.job_count() == 0);
}

TEST_CASE("ids outside the int64 range are refused", "[router]") {
  Workspace w;
  for (const char* body : {R"({"job_id": 18446744073709551615})", R"({"job_id": 1e20})",
                           R"({"job_id": -1e300})", R"({"job_id": 1.5})"}) {
    INFO(body);
    const auto r = w.post("delete", json::parse(body));
    CHECK(r.status == 400);
    CHECK(message(r) == "Invalid value for field job_id: expected an integer");
  }
  CHECK(message(w.post("delete", json::parse(R"({"job_id": 7.0})"))) == "Job 7 does not exist.");
}

TEST_CASE("an API fault fails N times and then lets requests through", "[router][faults]") {
  Workspace w;
  const auto id = w.create_job(job_spec("a"));
  auto r = rule("GET /api/2.2/jobs/get");
  r.times = 2;
  r.retry_after_s = 3;
  w.ws.add_api_fault(r);
  for (int i = 0; i < 2; ++i) {
    const auto failed = w.get("get", {{"job_id", str(id)}});
    CHECK(failed.status == 503);
    CHECK(error_code(failed) == "TEMPORARILY_UNAVAILABLE");
    CHECK(failed.retry_after_s == std::optional<int>(3));
  }
  CHECK(w.get("get", {{"job_id", str(id)}}).ok());
  CHECK(w.get("list").ok());  // other endpoints were never affected
}

TEST_CASE("an API fault offset lets the first requests through", "[router][faults]") {
  Workspace w;
  auto r = rule("GET /api/*/jobs/list", 500);
  r.offset = 2;
  r.times = 1;
  r.error_code = "INTERNAL_ERROR";
  w.ws.add_api_fault(r);
  std::vector<int> statuses;
  for (int i = 0; i < 4; ++i) statuses.push_back(w.get("list").status);
  CHECK(statuses == std::vector<int>{200, 200, 500, 200});
}

TEST_CASE("an after_handler fault keeps the run and the token retry returns it",
          "[router][faults]") {
  Workspace w;
  const auto job = w.create_job(job_spec("a"));
  auto r = rule("POST /api/2.2/jobs/run-now");
  r.after_handler = true;
  r.times = 1;
  w.ws.add_api_fault(r);
  const json body = {{"job_id", job}, {"idempotency_token", "retry-me"}};
  const auto lost = w.post("run-now", body);
  CHECK(lost.status == 503);
  const auto runs = w.listed_runs({{"job_id", str(job)}});
  REQUIRE(runs.size() == 1);  // the run started although the answer was lost
  const json retried = Workspace::ok(w.post("run-now", body));
  CHECK(retried["run_id"] == runs[0]);
  CHECK(w.listed_runs({{"job_id", str(job)}}).size() == 1);
}

TEST_CASE("a delay_ms fault adds to the answer delay", "[router][faults]") {
  Workspace w;
  auto slow = rule("GET /api/2.2/jobs/list", 0);
  slow.delay_ms = 1'500;
  w.ws.add_api_fault(slow);
  const auto r = w.get("list");
  CHECK(r.ok());
  CHECK(r.delay_ms == 1'500);

  // call() delivers the answer after the delay plus the modelled latency (20-80 ms).
  const auto sent = w.loop.now_ms();
  std::optional<std::int64_t> arrived;
  w.ws.call(ApiRequest::get("/api/2.2/jobs/list"), [&](const ApiResponse& a) {
    CHECK(a.ok());
    arrived = w.loop.now_ms();
  });
  CHECK_FALSE(arrived);  // never inside call()
  w.advance(10 * kSecond);
  REQUIRE(arrived);
  CHECK(*arrived - sent >= 1'520);
  CHECK(*arrived - sent <= 1'580);
}

TEST_CASE("an API fault bites only inside its time window", "[router][faults]") {
  Workspace w;
  const auto t0 = w.loop.now_ms();
  auto r = rule("*", 503);
  r.from_ms = t0 + kSecond;
  r.until_ms = t0 + 2 * kSecond;
  w.ws.add_api_fault(r);
  CHECK(w.get("list").ok());
  w.advance(kSecond);
  CHECK(w.get("list").status == 503);
  w.advance(kSecond - 1);
  CHECK(w.get("list").status == 503);
  w.advance(1);
  CHECK(w.get("list").ok());
}

TEST_CASE("API fault rules from the config apply", "[router][faults]") {
  Workspace w(json{{"faults", {{"api", {{{"pattern", "POST *jobs/create"}, {"status", 429}}}}}}});
  const auto r = w.post("create", job_spec("a"));
  CHECK(r.status == 429);
  CHECK(error_code(r) == "REQUEST_LIMIT_EXCEEDED");
  CHECK(r.retry_after_s == std::optional<int>(1));
  CHECK(w.ws.job_count() == 0);
  w.ws.clear_api_faults();
  CHECK(w.post("create", job_spec("a")).ok());
}

TEST_CASE("25 jobs get calls in one millisecond hit the rate limit", "[router][limits]") {
  Workspace w(json{{"limits", {{"rate_limits", true}}}});
  const auto id = w.create_job(job_spec("a"));
  int ok = 0;
  std::optional<ApiResponse> limited;
  for (int i = 0; i < 25; ++i) {
    const auto r = w.get("get", {{"job_id", str(id)}});
    if (r.ok()) {
      ++ok;
    } else {
      limited = r;
    }
  }
  CHECK(ok == 20);  // a burst of one second's worth at 20 requests per second
  REQUIRE(limited);
  CHECK(limited->status == 429);
  CHECK(error_code(*limited) == "REQUEST_LIMIT_EXCEEDED");
  REQUIRE(limited->retry_after_s);
  CHECK(*limited->retry_after_s >= 1);
  CHECK(w.get("list").ok());  // each endpoint has its own budget
  w.advance(kSecond);
  CHECK(w.get("get", {{"job_id", str(id)}}).ok());
}

TEST_CASE("per endpoint rate limits come from the config", "[router][limits]") {
  Workspace w(json{{"limits", {{"rate_limits", {{"jobs/list", 2}}}}}});
  CHECK(w.get("list").ok());
  CHECK(w.get("list").ok());
  CHECK(w.get("list").status == 429);
  w.advance(kSecond / 2);  // one token back at 2 per second
  CHECK(w.get("list").ok());
}

TEST_CASE("inspect reads without faults, rate limits or events", "[router]") {
  Workspace w(json{{"limits", {{"rate_limits", {{"jobs/list", 1}}}}}});
  CHECK(w.get("list").ok());
  databricks::faults::ApiFaultRule down;
  down.pattern = "*";
  w.ws.add_api_fault(down);
  std::uint64_t events = 0;
  w.events.subscribe([&](const kiln::core::Event&) { ++events; });
  const auto looked = w.ws.inspect(ApiRequest::get("/api/2.2/jobs/list"));
  CHECK(looked.ok());
  CHECK(events == 0);
  CHECK(w.get("list").status == 503);  // the fault still bites real callers
  CHECK(w.ws.inspect(ApiRequest::post("/api/2.2/jobs/create", job_spec("x"))).status == 400);
  CHECK(w.ws.job_count() == 0);
}

TEST_CASE("config errors name the field", "[router][config]") {
  CHECK(config_error(json(nullptr)) == "<ok>");
  CHECK(config_error(test_config_json()) == "<ok>");
  CHECK_THAT(config_error({{"limits", {{"saved_job", 5}}}}),
             Catch::StartsWith("limits.saved_job: unknown field"));
  CHECK_THAT(config_error({{"limits", {{"saved_jobs", -1}}}}),
             Catch::StartsWith("limits.saved_jobs: expected an integer"));
  CHECK_THAT(config_error({{"latency_ms", {{"weird", 5}}}}), Catch::Contains("latency_ms"));
  CHECK_THAT(config_error({{"runs", {{"attach_setup_ms", {{"uniform", {5, 1}}}}}}}),
             Catch::StartsWith("runs.attach_setup_ms.uniform: expected 0 <= lo <= hi"));
  CHECK_THAT(config_error({{"faults", {{"api", {{{"status", 200}}}}}}}),
             Catch::StartsWith("faults.api[0].status"));
  CHECK_THAT(config_error({{"limits", {{"rate_limits", {{"jobs/get", "fast"}}}}}}),
             Catch::StartsWith("limits.rate_limits.jobs/get"));
  CHECK_THAT(config_error({{"nonsense", 1}}), Catch::StartsWith("nonsense: unknown field"));
  CHECK_THAT(config_error({{"limits", {{"saved_jobs", 2.5}}}}),
             Catch::StartsWith("limits.saved_jobs: expected an integer"));
  const auto c = WorkspaceConfig::from_json({{"limits", {{"bogus", 1}}}});
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().http_status == 400);
  CHECK(c.error().error_code == "INVALID_PARAMETER_VALUE");
}

TEST_CASE("text that is not UTF-8 is refused before any handler and the log keeps working",
          "[router]") {
  Workspace w;
  std::vector<std::string> paths;
  w.events.subscribe([&](const kiln::core::Event& e) {
    if (e.type == "api.call") paths.push_back(e.to_json_line());  // throws if not UTF-8 safe
  });
  check_bad_target(raw(w, "GET", "/api/2.2/jobs/\xff"), "/api/2.2/jobs/\\xFF");
  check_bad_target(raw(w, "GET", "/api/2.2/jobs/\xed\xa0\x80"), "/api/2.2/jobs/\\xED\\xA0\\x80");
  auto r = w.get("list", {{"name", "\xc0\xaf"}});
  CHECK(r.status == 400);
  CHECK(error_code(r) == "MALFORMED_REQUEST");
  r = w.post("create", {{"name", "etl\xff"}});
  CHECK(r.status == 400);
  CHECK(message(r) ==
        "Malformed request: a string in the request body is not valid UTF-8 (byte \\xFF at offset "
        "3)");
  CHECK(w.get("list").status == 200);
  CHECK(paths.size() == 5);
}

TEST_CASE("JSON nested deeper than 100 levels is refused, from a body or from dotted query keys",
          "[router]") {
  Workspace w;
  json deep = json::array();
  for (int i = 0; i < 1000; ++i) deep = json::array({std::move(deep)});
  auto r = w.post("create", {{"name", "deep"}, {"tags", std::move(deep)}});
  CHECK(r.status == 400);
  CHECK(message(r) == "Malformed request: the request body is nested deeper than 100 levels");
  std::string key = "filter_by";
  for (int i = 0; i < 100; ++i) key += ".x";
  r = w.get("list", {{key, "1"}});
  CHECK(r.status == 400);
  CHECK(error_code(r) == "MALFORMED_REQUEST");
  CHECK(w.get("list").status == 200);
}

}  // namespace
}  // namespace fakedb::testing
