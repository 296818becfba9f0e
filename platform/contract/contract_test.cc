// The Workspace contract: one set of cases, run against every backend (in-process, and kiln's
// REST client against `fake-databricks serve` over HTTP and TLS). A backend that passes is one
// the platform can use.
#include <catch2/catch.hpp>

#include "databricks/client/paginate.h"
#include "platform/contract/backends_testing.h"

using namespace kiln::contract;

namespace {

json task(const std::string& key, const std::string& path = "/etl/main") {
  return {{"task_key", key}, {"notebook_task", {{"notebook_path", path}}}};
}

std::int64_t create(Backend& b, json settings) {
  const auto r = b.call(ApiRequest::post("/api/2.2/jobs/create", std::move(settings)));
  REQUIRE(r.status == 200);
  return r.body["job_id"].get<std::int64_t>();
}

json get_run(Backend& b, std::int64_t run_id) {
  const auto r =
      b.call(ApiRequest::get("/api/2.2/jobs/runs/get", {{"run_id", std::to_string(run_id)}}));
  REQUIRE(r.status == 200);
  return r.body;
}

json runs_of(Backend& b, std::int64_t job_id) {
  const auto r =
      b.call(ApiRequest::get("/api/2.2/jobs/runs/list", {{"job_id", std::to_string(job_id)}}));
  REQUIRE(r.status == 200);
  return r.body.value("runs", json::array());
}

}  // namespace

TEMPLATE_TEST_CASE("contract: jobs are created read listed to the end updated and deleted",
                   "[contract]", InProcess, RestHttp, RestTls) {
  TestType backend;
  Backend& b = backend;
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 45; ++i)
    ids.push_back(create(b, {{"name", "job-" + std::to_string(i)}, {"tasks", {task("t")}}}));
  std::optional<databricks::ListResult> all;
  databricks::list_all(b.api(), ApiRequest::get("/api/2.2/jobs/list", {{"limit", "20"}}), "jobs",
                       [&](databricks::ListResult r) { all = std::move(r); });
  for (int i = 0; i < 1000 && !all; ++i) b.advance(1);  // let the pages arrive
  REQUIRE(all->ok());
  CHECK(all->items.size() == 45);
  CHECK(all->pages == 3);
  const auto got =
      b.call(ApiRequest::get("/api/2.2/jobs/get", {{"job_id", std::to_string(ids[3])}}));
  CHECK(got.body["settings"]["name"] == "job-3");
  CHECK(b.call(ApiRequest::post("/api/2.2/jobs/update",
                                {{"job_id", ids[3]}, {"new_settings", {{"name", "renamed"}}}}))
            .ok());
  CHECK(b.call(ApiRequest::get("/api/2.2/jobs/get", {{"job_id", std::to_string(ids[3])}}))
            .body["settings"]["name"] == "renamed");
  CHECK(b.call(ApiRequest::post("/api/2.2/jobs/delete", {{"job_id", ids[3]}})).ok());
  const auto gone =
      b.call(ApiRequest::get("/api/2.2/jobs/get", {{"job_id", std::to_string(ids[3])}}));
  CHECK(gone.status == 400);
  CHECK(gone.body["error_code"] == "INVALID_PARAMETER_VALUE");
  CHECK(gone.body["message"] == "Job " + std::to_string(ids[3]) + " does not exist.");
}

TEMPLATE_TEST_CASE("contract: a run started now runs to SUCCESS as virtual time passes",
                   "[contract]", InProcess, RestHttp, RestTls) {
  TestType backend;
  Backend& b = backend;
  const auto job = create(b, {{"name", "etl"}, {"tasks", {task("a")}}});
  const auto r = b.call(ApiRequest::post("/api/2.2/jobs/run-now", {{"job_id", job}}));
  REQUIRE(r.ok());
  const auto run_id = r.body["run_id"].get<std::int64_t>();
  CHECK(get_run(b, run_id)["state"]["life_cycle_state"] != "TERMINATED");
  b.advance(10 * 60'000);
  const json run = get_run(b, run_id);
  CHECK(run["state"]["life_cycle_state"] == "TERMINATED");
  CHECK(run["state"]["result_state"] == "SUCCESS");
  CHECK(run["tasks"].size() == 1);
}

TEMPLATE_TEST_CASE("contract: a cancelled streaming run ends CANCELED", "[contract]", InProcess,
                   RestHttp, RestTls) {
  TestType backend;
  Backend& b = backend;
  const auto job =
      create(b, {{"name", "stream"}, {"tasks", {task("s", "/streams/stream_orders")}}});
  const auto run_id = b.call(ApiRequest::post("/api/2.2/jobs/run-now", {{"job_id", job}}))
                          .body["run_id"]
                          .get<std::int64_t>();
  b.advance(30 * 60'000);
  CHECK(get_run(b, run_id)["state"]["life_cycle_state"] == "RUNNING");
  CHECK(b.call(ApiRequest::post("/api/2.2/jobs/runs/cancel", {{"run_id", run_id}})).ok());
  b.advance(60'000);
  const json run = get_run(b, run_id);
  CHECK(run["state"]["result_state"] == "CANCELED");
  CHECK(run["state"]["user_cancelled_or_timedout"] == true);
}

TEMPLATE_TEST_CASE("contract: the same idempotency token starts one run", "[contract]", InProcess,
                   RestHttp, RestTls) {
  TestType backend;
  Backend& b = backend;
  const auto job = create(b, {{"name", "etl"}, {"max_concurrent_runs", 5}, {"tasks", {task("a")}}});
  const json body = {{"job_id", job}, {"idempotency_token", "deploy-42"}};
  const auto first = b.call(ApiRequest::post("/api/2.2/jobs/run-now", body));
  const auto second = b.call(ApiRequest::post("/api/2.2/jobs/run-now", body));
  CHECK(first.body["run_id"] == second.body["run_id"]);
  CHECK(runs_of(b, job).size() == 1);
}

TEMPLATE_TEST_CASE("contract: a run over max_concurrent_runs without queueing is SKIPPED",
                   "[contract]", InProcess, RestHttp, RestTls) {
  TestType backend;
  Backend& b = backend;
  const auto job = create(
      b, {{"name", "etl"}, {"queue", {{"enabled", false}}}, {"tasks", {task("s", "/stream")}}});
  b.call(ApiRequest::post("/api/2.2/jobs/run-now", {{"job_id", job}}));
  const auto second = b.call(ApiRequest::post("/api/2.2/jobs/run-now", {{"job_id", job}}))
                          .body["run_id"]
                          .get<std::int64_t>();
  const json run = get_run(b, second);
  CHECK(run["state"]["life_cycle_state"] == "SKIPPED");
  CHECK(run["state"]["state_message"] ==
        "Skipping this run because the limit of 1 maximum concurrent runs has been reached.");
}

TEMPLATE_TEST_CASE("contract: bad requests get the Databricks error body", "[contract]", InProcess,
                   RestHttp, RestTls) {
  TestType backend;
  Backend& b = backend;
  auto r = b.call(ApiRequest::get("/api/2.2/jobs/get", {{"job_id", "abc"}}));
  CHECK(r.status == 400);
  CHECK(r.body["error_code"] == "INVALID_PARAMETER_VALUE");
  r = b.call(
      ApiRequest::post("/api/2.2/jobs/create", {{"name", "x"}, {"tasks", {task("a"), task("a")}}}));
  CHECK(r.status == 400);
  r = b.call(ApiRequest::get("/api/2.2/jobs/teleport"));
  CHECK(r.status == 404);
  CHECK(r.body["message"] == "Bad Target: /api/2.2/jobs/teleport");
}

TEMPLATE_TEST_CASE("contract: a 429 storm with Retry-After is absorbed by the client",
                   "[contract][faults]", InProcess, RestHttp, RestTls) {
  TestType backend;
  Backend& b = backend;
  const auto job = create(b, {{"name", "etl"}, {"tasks", {task("a")}}});
  b.add_fault({{"pattern", "POST /api/2.2/jobs/run-now"},
               {"status", 429},
               {"retry_after_s", 1},
               {"times", 2}});
  const auto r = b.call(ApiRequest::post("/api/2.2/jobs/run-now", {{"job_id", job}}));
  CHECK(r.ok());
  CHECK(runs_of(b, job).size() == 1);
}

TEMPLATE_TEST_CASE("contract: a 503 window is absorbed by the client", "[contract][faults]",
                   InProcess, RestHttp, RestTls) {
  TestType backend;
  Backend& b = backend;
  b.add_fault({{"pattern", "GET /api/2.2/jobs/list"}, {"status", 503}, {"times", 3}});
  CHECK(b.call(ApiRequest::get("/api/2.2/jobs/list")).ok());
}

TEMPLATE_TEST_CASE("contract: a run-now whose answer is lost is retried into exactly one run",
                   "[contract][faults]", InProcess, RestHttp, RestTls) {
  TestType backend;
  Backend& b = backend;
  const auto job =
      create(b, {{"name", "etl"}, {"max_concurrent_runs", 10}, {"tasks", {task("a")}}});
  SECTION("the answer is a 503") {
    b.add_fault({{"pattern", "POST /api/2.2/jobs/run-now"},
                 {"status", 503},
                 {"after_handler", true},
                 {"times", 1}});
  }
  SECTION("the connection drops") {
    b.add_fault({{"pattern", "POST /api/2.2/jobs/run-now"},
                 {"drop", true},
                 {"after_handler", true},
                 {"times", 1}});
  }
  // No idempotency token given: the client adds one before the first attempt.
  const auto r = b.call(ApiRequest::post("/api/2.2/jobs/run-now", {{"job_id", job}}));
  REQUIRE(r.ok());
  const json runs = runs_of(b, job);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0]["run_id"] == r.body["run_id"]);
}

TEMPLATE_TEST_CASE("contract: a 500 is not retried", "[contract][faults]", InProcess, RestHttp,
                   RestTls) {
  TestType backend;
  Backend& b = backend;
  const auto job =
      create(b, {{"name", "etl"}, {"max_concurrent_runs", 10}, {"tasks", {task("a")}}});
  b.add_fault({{"pattern", "POST /api/2.2/jobs/run-now"}, {"status", 500}, {"times", 1}});
  const auto r = b.call(ApiRequest::post("/api/2.2/jobs/run-now", {{"job_id", job}}));
  CHECK(r.status == 500);
  CHECK(runs_of(b, job).empty());
}
