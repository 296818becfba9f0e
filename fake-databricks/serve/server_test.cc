// fake-databricks serve over plain HTTP: auth, routing, errors, limits, faults, admin.
#include <catch2/catch.hpp>

#include "fake-databricks/serve/test_server.h"

using namespace fakedb::serve;
using namespace fakedb::serve::testing;
using nlohmann::json;

namespace {
const json kJob = {{"name", "etl"},
                   {"tasks", {{{"task_key", "t"}, {"notebook_task", {{"notebook_path", "/x"}}}}}}};
}

TEST_CASE("an authenticated request reaches the workspace and keeps its connection") {
  Served s;
  Client c(s.port);
  const auto created = c.post("/api/2.2/jobs/create", kJob);
  REQUIRE(created.contains("job_id"));
  const auto got =
      c.get("/api/2.1/jobs/get?job_id=" + std::to_string(created["job_id"].get<std::int64_t>()));
  CHECK(got["settings"]["name"] == "etl");
  const auto listed = c.get("/api/2.0/jobs/list?name=ETL&limit=5");  // same connection
  CHECK(listed["jobs"].size() == 1);
}

TEST_CASE("a missing token is 401 and a wrong one 403 Invalid access token") {
  Served s;
  Client c(s.port);
  auto r = c.send(http::verb::get, "/api/2.2/jobs/list", "", "");
  CHECK(r.result_int() == 401);
  r = c.send(http::verb::get, "/api/2.2/jobs/list", "", "wrong");
  CHECK(r.result_int() == 403);
  CHECK(json::parse(r.body()) == json{{"error_code", 403}, {"message", "Invalid access token."}});
  CHECK(r["X-Databricks-Reason-Phrase"] == "Invalid access token.");
}

TEST_CASE("the well-known config probe answers at once without a token") {
  Served s;
  Client c(s.port);
  const auto r = c.send(http::verb::get, "/.well-known/databricks-config", "", "");
  CHECK(r.result_int() == 404);
  CHECK(json::parse(r.body())["error_code"] == "NOT_FOUND");
}

TEST_CASE("unknown routes are Bad Target and malformed JSON is MALFORMED_REQUEST") {
  Served s;
  Client c(s.port);
  auto r = c.send(http::verb::get, "/api/2.2/jobs/teleport");
  CHECK(r.result_int() == 404);
  CHECK(json::parse(r.body())["message"] == "Bad Target: /api/2.2/jobs/teleport");
  r = c.send(http::verb::post, "/api/2.2/jobs/create", "{\"name\": ");
  CHECK(r.result_int() == 400);
  CHECK(json::parse(r.body())["error_code"] == "MALFORMED_REQUEST");
  r = c.send(http::verb::post, "/api/2.2/jobs/create", "[1, 2]");
  CHECK(r.result_int() == 400);
  CHECK(json::parse(r.body())["error_code"] == "MALFORMED_REQUEST");
}

TEST_CASE("query strings are decoded") {
  Served s;
  Client c(s.port);
  json job = kJob;
  job["name"] = "nightly etl & more";
  c.post("/api/2.2/jobs/create", job);
  const auto listed = c.get("/api/2.2/jobs/list?name=nightly%20ETL%20%26%20more");
  CHECK(listed["jobs"].size() == 1);
}

TEST_CASE("an oversized body is refused with 413 and the connection closed") {
  ServeOptions o;
  o.max_body_bytes = 1024;
  Served s(o);
  Client c(s.port);
  const auto r = c.send(http::verb::post, "/api/2.2/jobs/create", std::string(4096, ' '));
  CHECK(r.result_int() == 413);
  CHECK(json::parse(r.body())["error_code"] == "RESOURCE_EXHAUSTED");
  CHECK(c.closed_by_server());
  Client again(s.port);  // the server is still serving
  CHECK(again.send(http::verb::get, "/api/2.2/jobs/list").result_int() == 200);
}

TEST_CASE("oversized headers are refused with 431") {
  ServeOptions o;
  o.max_header_bytes = 1024;
  Served s(o);
  Client c(s.port);
  http::request<http::string_body> req{http::verb::get, "/api/2.2/jobs/list", 11};
  req.set("X-Padding", std::string(4096, 'x'));
  http::write(c.stream, req);
  CHECK(c.read().result_int() == 431);
}

TEST_CASE("garbage on the wire gets 400 and never hurts the server") {
  Served s;
  {
    Client c(s.port);
    boost::asio::write(c.stream.socket(),
                       boost::asio::buffer(std::string("NOT HTTP AT ALL\r\n\r\n")));
    CHECK(c.read().result_int() == 400);
  }
  Client c(s.port);
  CHECK(c.send(http::verb::get, "/api/2.2/jobs/list").result_int() == 200);
}

TEST_CASE("an idle connection is closed after the read timeout") {
  ServeOptions o;
  o.read_timeout_ms = 100;
  Served s(o);
  Client c(s.port);
  CHECK(c.closed_by_server());  // blocks until the server gives up on it
}

TEST_CASE("over the connection cap a client gets 503 with Retry-After") {
  ServeOptions o;
  o.max_connections = 1;
  Served s(o);
  Client first(s.port);
  REQUIRE(first.send(http::verb::get, "/api/2.2/jobs/list").result_int() == 200);
  Client second(s.port);
  const auto r = second.read();
  CHECK(r.result_int() == 503);
  CHECK(r[http::field::retry_after] == "1");
}

TEST_CASE("a dropped-connection fault after the handler keeps the run and loses the answer") {
  Served s;
  Client admin(s.port);
  const auto job = admin.post("/api/2.2/jobs/create", kJob)["job_id"];
  admin.post("/__fake/faults", {{"pattern", "POST /api/2.2/jobs/run-now"},
                                {"drop", true},
                                {"after_handler", true},
                                {"times", 1}});
  Client c(s.port);
  http::request<http::string_body> req{http::verb::post, "/api/2.2/jobs/run-now", 11};
  req.set(http::field::authorization, "Bearer secret");
  req.body() = json{{"job_id", job}, {"idempotency_token", "once"}}.dump();
  req.prepare_payload();
  http::write(c.stream, req);
  CHECK(c.closed_by_server());
  // The retry with the same token finds the run the lost answer was about.
  const auto retried =
      admin.post("/api/2.2/jobs/run-now", {{"job_id", job}, {"idempotency_token", "once"}});
  const auto runs =
      admin.get("/api/2.2/jobs/runs/list?job_id=" + std::to_string(job.get<std::int64_t>()));
  REQUIRE(runs["runs"].size() == 1);
  CHECK(runs["runs"][0]["run_id"] == retried["run_id"]);
}

TEST_CASE("admin endpoints move virtual time and read the trace") {
  Served s;
  Client c(s.port);
  const auto t0 = c.get("/__fake/time")["virtual_time_ms"].get<std::int64_t>();
  const auto job = c.post("/api/2.2/jobs/create", kJob)["job_id"];
  const auto run = c.post("/api/2.2/jobs/run-now", {{"job_id", job}})["run_id"];
  const auto t1 =
      c.post("/__fake/advance", {{"ms", 3'600'000}})["virtual_time_ms"].get<std::int64_t>();
  CHECK(t1 >= t0 + 3'600'000);
  const auto got =
      c.get("/api/2.2/jobs/runs/get?run_id=" + std::to_string(run.get<std::int64_t>()));
  CHECK(got["state"]["life_cycle_state"] == "TERMINATED");
  const auto trace = c.get("/__fake/trace?since=0&limit=1000");
  CHECK(trace["events"].size() > 5);
  CHECK(trace["events"][0]["type"] == "job.created");
  CHECK(c.send(http::verb::post, "/__fake/advance", "{\"ms\": -5}").result_int() == 400);
  CHECK(c.send(http::verb::post, "/__fake/faults", "{\"status\": 200}").result_int() == 400);
}

TEST_CASE("a 429 fault carries an integer Retry-After header") {
  Served s;
  Client c(s.port);
  c.post(
      "/__fake/faults",
      {{"pattern", "GET /api/2.2/jobs/list"}, {"status", 429}, {"retry_after_s", 3}, {"times", 1}});
  const auto r = c.send(http::verb::get, "/api/2.2/jobs/list");
  CHECK(r.result_int() == 429);
  CHECK(r[http::field::retry_after] == "3");
  CHECK(json::parse(r.body())["error_code"] == "REQUEST_LIMIT_EXCEEDED");
  CHECK(c.send(http::verb::get, "/api/2.2/jobs/list").result_int() == 200);
}
