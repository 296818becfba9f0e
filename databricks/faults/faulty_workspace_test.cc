// FaultyWorkspace over the in-process emulator (any WorkspaceApi would do: the decorator sees
// only call()).
#include "databricks/faults/faulty_workspace.h"

#include <catch2/catch.hpp>
#include <optional>

#include "fake-databricks/workspace/testing.h"

namespace databricks::faults {
namespace {

using fakedb::testing::job_spec;
using nlohmann::json;

struct Fixture {
  fakedb::testing::Workspace w{json{{"latency_ms", {{"fixed", 0}}}}};
  FaultyWorkspace faulty{w.ws, w.loop, kiln::core::Random(7)};

  ApiResponse send(ApiRequest request, kiln::core::TimeMs* at = nullptr) {
    std::optional<ApiResponse> out;
    faulty.call(std::move(request), [&](ApiResponse r) {
      out = std::move(r);
      if (at != nullptr) *at = w.loop.now_ms();
    });
    while (!out && w.loop.step()) {
    }
    REQUIRE(out.has_value());
    return *out;
  }
  std::size_t jobs() { return w.get("list").body.value("jobs", json::array()).size(); }
};

ApiFaultRule rule(const std::string& pattern) {
  ApiFaultRule r;
  r.pattern = pattern;
  return r;
}

TEST_CASE("a fault before the handler answers for the workspace, which never sees the request") {
  Fixture f;
  auto down = rule("POST /api/2.2/jobs/create");
  down.times = 1;
  f.faulty.add(down);
  const auto first = f.send(ApiRequest::post("/api/2.2/jobs/create", job_spec("a")));
  CHECK(first.status == 503);
  CHECK(first.error()->error_code == "TEMPORARILY_UNAVAILABLE");
  CHECK(f.jobs() == 0);
  CHECK(f.send(ApiRequest::post("/api/2.2/jobs/create", job_spec("a"))).ok());  // times: 1
  CHECK(f.jobs() == 1);
  CHECK(f.faulty.faulted() == 1);
}

TEST_CASE("a fault after the handler: the job is created but the answer is lost") {
  Fixture f;
  auto lost = rule("POST /api/2.*/jobs/create");
  lost.after_handler = true;
  lost.status = 500;
  lost.error_code = "INTERNAL_ERROR";
  f.faulty.add(lost);
  const auto r = f.send(ApiRequest::post("/api/2.2/jobs/create", job_spec("a")));
  CHECK(r.status == 500);
  CHECK(f.jobs() == 1);
}

TEST_CASE("a slow-only rule delays the answer by its delay and changes nothing else") {
  Fixture f;
  auto slow = rule("GET *");
  slow.status = 0;
  slow.delay_ms = 2'500;
  f.faulty.add(slow);
  const auto start = f.w.loop.now_ms();
  kiln::core::TimeMs at = 0;
  const auto r = f.send(ApiRequest::get("/api/2.2/jobs/list"), &at);
  CHECK(r.ok());
  CHECK(at - start == 2'500);
  f.faulty.clear();
  f.send(ApiRequest::get("/api/2.2/jobs/list"), &at);
  CHECK(at == f.w.loop.now_ms());
}

}  // namespace
}  // namespace databricks::faults
