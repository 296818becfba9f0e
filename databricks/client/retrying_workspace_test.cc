// RetryingWorkspace over the in-process FakeWorkspace on a SimulatedLoop: every wait is exact.
#include "databricks/client/retrying_workspace.h"

#include <catch2/catch.hpp>
#include <optional>

#include "fake-databricks/workspace/testing.h"

namespace databricks {
namespace {

using databricks::ApiRequest;
using databricks::ApiResponse;
using databricks::faults::ApiFaultRule;
using nlohmann::json;

// Records when each attempt reaches the workspace, and what it carried.
class Recorder final : public databricks::WorkspaceApi {
 public:
  Recorder(databricks::WorkspaceApi& inner, kiln::core::Clock& clock)
      : inner_(inner), clock_(clock) {}
  void call(ApiRequest request, std::function<void(ApiResponse)> done) override {
    times.push_back(clock_.now_ms());
    requests.push_back(request);
    inner_.call(std::move(request), std::move(done));
  }
  std::vector<kiln::core::TimeMs> times;
  std::vector<ApiRequest> requests;

 private:
  databricks::WorkspaceApi& inner_;
  kiln::core::Clock& clock_;
};

struct Fixture {
  explicit Fixture(RetryPolicy policy = {}, std::uint64_t seed = 1)
      : retrying(recorder, w.loop, kiln::core::Random(seed), policy) {}

  fakedb::testing::Workspace w{json{{"latency_ms", {{"fixed", 0}}}}};
  Recorder recorder{w.ws, w.loop};
  RetryingWorkspace retrying;
  kiln::core::TimeMs answered_at = -1;

  ApiResponse call(ApiRequest request) {
    std::optional<ApiResponse> out;
    retrying.call(std::move(request), [&](ApiResponse r) {
      answered_at = w.loop.now_ms();
      out = std::move(r);
    });
    while (!out && w.loop.step()) {
    }
    REQUIRE(out);
    return *out;
  }
  // Gaps between consecutive attempts.
  std::vector<kiln::core::DurationMs> gaps() const {
    std::vector<kiln::core::DurationMs> g;
    for (std::size_t i = 1; i < recorder.times.size(); ++i) {
      g.push_back(recorder.times[i] - recorder.times[i - 1]);
    }
    return g;
  }
};

ApiFaultRule fault(const std::string& pattern, int status, int times) {
  ApiFaultRule r;
  r.pattern = pattern;
  r.status = status;
  r.times = times;
  if (status == 429) {
    r.error_code = "REQUEST_LIMIT_EXCEEDED";
    r.message = "Too many requests. Please retry later.";
  } else if (status == 500) {
    r.error_code = "INTERNAL_ERROR";
    r.message = "Internal error.";
  }
  return r;
}

RetryPolicy no_jitter() {
  RetryPolicy p;
  p.jitter_min_ms = 0;
  p.jitter_max_ms = 0;
  return p;
}

const ApiRequest kList = ApiRequest::get("/api/2.2/jobs/list");

TEST_CASE("A 429 storm with Retry-After is waited out exactly", "[retrying]") {
  Fixture f({}, 11);
  auto rule = fault("GET /api/2.2/jobs/list", 429, 3);
  rule.retry_after_s = 2;
  f.w.ws.add_api_fault(rule);
  const auto r = f.call(kList);
  CHECK(r.ok());
  // Each wait is Retry-After plus the jitter drawn from the seed's "jitter" stream.
  kiln::core::Random jitter = kiln::core::Random(11).stream("jitter");
  std::vector<kiln::core::DurationMs> expected(3);
  for (auto& wait : expected) wait = 2'000 + jitter.uniform_int(50, 750);
  CHECK(f.gaps() == expected);
  CHECK(f.retrying.counters().attempts == 4);
  CHECK(f.retrying.counters().retries == 3);
  CHECK(f.retrying.counters().backoff_ms == expected[0] + expected[1] + expected[2]);
}

TEST_CASE("A 503 is retried with linear backoff", "[retrying]") {
  Fixture f(no_jitter());
  f.w.ws.add_api_fault(fault("GET /api/2.2/jobs/list", 503, 3));
  const auto r = f.call(kList);
  CHECK(r.ok());
  CHECK(f.gaps() == std::vector<kiln::core::DurationMs>{1'000, 2'000, 3'000});
}

TEST_CASE("A transient message is retried even on a 400", "[retrying]") {
  Fixture f(no_jitter());
  auto rule = fault("GET /api/2.2/jobs/list", 400, 1);
  rule.error_code = "INVALID_STATE";
  rule.message = "ClusterNotReadyException: cluster 1 is not ready";
  f.w.ws.add_api_fault(rule);
  CHECK(f.call(kList).ok());
  CHECK(f.retrying.counters().retries == 1);
}

TEST_CASE("A 500 is not retried", "[retrying]") {
  Fixture f;
  f.w.ws.add_api_fault(fault("GET /api/2.2/jobs/list", 500, 1));
  const auto r = f.call(kList);
  CHECK(r.status == 500);
  CHECK(r.body["error_code"] == "INTERNAL_ERROR");
  CHECK(f.recorder.times.size() == 1);
  CHECK(f.retrying.counters().retries == 0);
}

TEST_CASE("An exhausted budget delivers the last error", "[retrying]") {
  Fixture f(no_jitter());
  f.w.ws.add_api_fault(fault("GET /api/2.2/jobs/list", 503, -1));
  const kiln::core::TimeMs start = f.w.loop.now_ms();
  const auto r = f.call(kList);
  CHECK(r.status == 503);
  // Waits 1..10 s (55 s), then 10 s each: 24 more fit in 5 minutes (295 s); the next would not.
  CHECK(f.recorder.times.size() == 35);
  CHECK(f.answered_at - start == 295'000);
  CHECK(f.retrying.counters().gave_up == 1);

  RetryPolicy short_budget = no_jitter();
  short_budget.budget_ms = 30'000;
  Fixture g(short_budget);
  g.w.ws.add_api_fault(fault("GET /api/2.2/jobs/list", 503, -1));
  CHECK(g.call(kList).status == 503);
  CHECK(g.gaps() ==
        std::vector<kiln::core::DurationMs>{1'000, 2'000, 3'000, 4'000, 5'000, 6'000, 7'000});
}

TEST_CASE("A lost answer after run-now is retried into exactly one run", "[retrying]") {
  for (const bool tokens : {true, false}) {
    RetryPolicy p;
    p.add_idempotency_tokens = tokens;
    Fixture f(p);
    const auto job_id = f.w.create_job(fakedb::testing::job_spec("etl"));
    auto rule = fault("POST /api/2.2/jobs/run-now", 503, 2);
    rule.after_handler = true;  // the run starts; the answer is lost
    f.w.ws.add_api_fault(rule);
    const auto r = f.call(ApiRequest::post("/api/2.2/jobs/run-now", {{"job_id", job_id}}));
    REQUIRE(r.ok());
    REQUIRE(f.recorder.requests.size() == 3);
    const auto runs = f.w.listed_runs({{"job_id", fakedb::testing::str(job_id)}});
    if (tokens) {
      const json token = f.recorder.requests[0].body["idempotency_token"];
      REQUIRE(token.is_string());
      CHECK(token.get<std::string>().size() == 32);
      for (const auto& sent : f.recorder.requests) CHECK(sent.body["idempotency_token"] == token);
      CHECK(runs == std::vector<std::int64_t>{r.body["run_id"].get<std::int64_t>()});
      CHECK(f.retrying.counters().tokens_added == 1);
    } else {
      CHECK(runs.size() == 3);  // why the token matters
    }
  }
}

TEST_CASE("A failed jobs/create is delivered at once when retrying it could duplicate the job",
          "[retrying]") {
  for (const bool retry : {true, false}) {
    RetryPolicy p = no_jitter();
    p.retry_creates = retry;
    Fixture f(p);
    auto rule = fault("POST /api/2.2/jobs/create", 0, 1);
    rule.drop = true;
    rule.after_handler = true;  // the job is created; the answer is lost
    f.w.ws.add_api_fault(rule);
    const auto r = f.call(ApiRequest::post("/api/2.2/jobs/create", fakedb::testing::job_spec("a")));
    const auto listed = f.w.ok(f.w.get("list"));
    if (retry) {  // the SDKs' behaviour: the retry creates a second job
      CHECK(r.ok());
      CHECK(listed["jobs"].size() == 2);
    } else {
      CHECK(r.status == 0);
      CHECK(f.recorder.requests.size() == 1);
      CHECK(listed["jobs"].size() == 1);
    }
  }
  // A 503 on jobs/create too: the caller retries it, after looking for the job.
  {
    RetryPolicy p = no_jitter();
    p.retry_creates = false;
    Fixture f(p);
    f.w.ws.add_api_fault(fault("POST /api/2.2/jobs/create", 503, 1));
    const auto r = f.call(ApiRequest::post("/api/2.2/jobs/create", fakedb::testing::job_spec("a")));
    CHECK(r.status == 503);
    CHECK(f.recorder.requests.size() == 1);
  }
  // Other requests without an answer are still retried.
  RetryPolicy p = no_jitter();
  p.retry_creates = false;
  Fixture f(p);
  auto rule = fault("GET /api/2.2/jobs/list", 0, 1);
  rule.drop = true;
  f.w.ws.add_api_fault(rule);
  CHECK(f.call(kList).ok());
  CHECK(f.recorder.requests.size() == 2);
}

TEST_CASE("A caller's idempotency token is kept", "[retrying]") {
  Fixture f;
  const auto job_id = f.w.create_job(fakedb::testing::job_spec("etl"));
  f.call(ApiRequest::post("/api/2.2/jobs/run-now",
                          {{"job_id", job_id}, {"idempotency_token", "mine"}}));
  CHECK(f.recorder.requests.at(0).body["idempotency_token"] == "mine");
  f.call(ApiRequest::post(
      "/api/2.1/jobs/runs/submit",
      {{"run_name", "once"}, {"tasks", json::array({fakedb::testing::notebook_task("t")})}}));
  CHECK(f.recorder.requests.at(1).body["idempotency_token"].is_string());
  f.call(ApiRequest::post("/api/2.2/jobs/create", fakedb::testing::job_spec("other")));
  CHECK_FALSE(f.recorder.requests.at(2).body.contains("idempotency_token"));
  CHECK(f.retrying.counters().tokens_added == 1);
}

TEST_CASE("The client-side rate limit spaces requests at 15 per second", "[retrying]") {
  Fixture f;
  const kiln::core::TimeMs start = f.w.loop.now_ms();
  int answered = 0;
  for (int i = 0; i < 30; ++i) {
    f.retrying.call(kList, [&](const ApiResponse& r) { answered += r.ok() ? 1 : 0; });
  }
  f.w.loop.run_until(start + 5'000);
  CHECK(answered == 30);
  REQUIRE(f.recorder.times.size() == 30);
  for (int i = 0; i < 30; ++i) {
    const kiln::core::DurationMs expected = i < 15 ? 0 : std::llround((i - 14) * 1'000.0 / 15.0);
    CHECK(f.recorder.times[static_cast<std::size_t>(i)] - start == expected);
  }
  CHECK(f.recorder.times.back() - start == 1'000);
  CHECK(f.retrying.counters().throttled_waits == 15);
}

TEST_CASE("The same seed gives the same waits", "[retrying]") {
  const auto waits = [](std::uint64_t seed) {
    Fixture f({}, seed);
    f.w.ws.add_api_fault(fault("GET /api/2.2/jobs/list", 503, 6));
    CHECK(f.call(kList).ok());
    return f.gaps();
  };
  const auto first = waits(42);
  CHECK(first.size() == 6);
  CHECK(waits(42) == first);
  CHECK(waits(43) != first);
  for (std::size_t i = 0; i < first.size(); ++i) {
    const auto base = static_cast<kiln::core::DurationMs>(i + 1) * 1'000;
    CHECK(first[i] >= base + 50);
    CHECK(first[i] <= base + 750);
  }
}

TEST_CASE("Destroying the decorator drops pending waits", "[retrying]") {
  fakedb::testing::Workspace w{json{{"latency_ms", {{"fixed", 0}}}}};
  w.ws.add_api_fault(fault("GET /api/2.2/jobs/list", 503, -1));
  bool called = false;
  {
    RetryingWorkspace retrying(w.ws, w.loop, kiln::core::Random(1));
    retrying.call(kList, [&](const ApiResponse&) { called = true; });
    w.loop.run_until(w.loop.now_ms() + 1);  // the first attempt fails; a wait is pending
  }
  w.loop.run_until(w.loop.now_ms() + 600'000);
  CHECK_FALSE(called);
}

}  // namespace
}  // namespace databricks
