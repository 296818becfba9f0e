#include "databricks/client/paginate.h"

#include <catch2/catch.hpp>
#include <optional>
#include <set>

#include "fake-databricks/workspace/testing.h"

namespace databricks {
namespace {

using databricks::ApiRequest;
using databricks::ApiResponse;
using nlohmann::json;

ListResult list(fakedb::testing::Workspace& w, ApiRequest first, const std::string& field,
                ListOptions options = {}) {
  std::optional<ListResult> out;
  list_all(
      w.ws, std::move(first), field, [&](ListResult r) { out = std::move(r); }, options);
  while (!out && w.loop.step()) {
  }
  REQUIRE(out);
  return *out;
}

TEST_CASE("list_all follows next_page_token to the end", "[paginate]") {
  fakedb::testing::Workspace w;
  for (int i = 0; i < 45; ++i) w.create_job(fakedb::testing::job_spec("job-" + std::to_string(i)));
  const auto r = list(w, ApiRequest::get("/api/2.2/jobs/list", {{"limit", "20"}}), "jobs");
  REQUIRE(r.ok());
  CHECK(r.pages == 3);
  REQUIRE(r.items.size() == 45);
  std::set<std::int64_t> ids;
  for (const auto& job : r.items) ids.insert(job["job_id"].get<std::int64_t>());
  CHECK(ids.size() == 45);
}

TEST_CASE("list_all of an empty list is one page", "[paginate]") {
  fakedb::testing::Workspace w;
  const auto r = list(w, ApiRequest::get("/api/2.2/jobs/list"), "jobs");
  CHECK(r.ok());
  CHECK(r.pages == 1);
  CHECK(r.items.empty());
}

TEST_CASE("list_all names the page that failed", "[paginate]") {
  fakedb::testing::Workspace w;
  for (int i = 0; i < 45; ++i) w.create_job(fakedb::testing::job_spec("job-" + std::to_string(i)));
  databricks::faults::ApiFaultRule rule;
  rule.pattern = "GET /api/2.2/jobs/list";
  rule.offset = 1;  // the second page fails
  rule.times = 1;
  w.ws.add_api_fault(rule);
  const auto r = list(w, ApiRequest::get("/api/2.2/jobs/list", {{"limit", "20"}}), "jobs");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status == 503);
  CHECK(r.error_code == "TEMPORARILY_UNAVAILABLE");
  CHECK(r.error ==
        "listing GET /api/2.2/jobs/list, page 2: HTTP 503 TEMPORARILY_UNAVAILABLE: The service is "
        "temporarily unavailable.");
  CHECK(r.items.size() == 20);
}

TEST_CASE("list_all stops at its page bound", "[paginate]") {
  fakedb::testing::Workspace w;
  for (int i = 0; i < 10; ++i) w.create_job(fakedb::testing::job_spec("job-" + std::to_string(i)));
  const auto r =
      list(w, ApiRequest::get("/api/2.2/jobs/list", {{"limit", "2"}}), "jobs", ListOptions{3});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error_code == "TOO_MANY_PAGES");
  CHECK(r.pages == 3);
  CHECK(r.items.size() == 6);
}

// A scripted workspace for the paging shapes the emulator does not produce.
class Pages final : public databricks::WorkspaceApi {
 public:
  explicit Pages(std::vector<json> pages) : pages_(std::move(pages)) {}
  void call(ApiRequest request, std::function<void(ApiResponse)> done) override {
    seen.push_back(std::move(request));
    ApiResponse r;
    r.body = pages_.at(std::min(seen.size() - 1, pages_.size() - 1));
    done(r);  // (synchronous: fine for list_all, which never relies on the deferral)
  }
  std::vector<ApiRequest> seen;

 private:
  std::vector<json> pages_;
};

TEST_CASE("list_all pages by offset on has_more and by body for POST", "[paginate]") {
  Pages offsets({json{{"runs", {1, 2}}, {"has_more", true}}, json{{"runs", {3}}}});
  std::optional<ListResult> out;
  list_all(offsets, ApiRequest::get("/api/2.0/jobs/runs/list", {{"offset", "0"}}), "runs",
           [&](ListResult r) { out = std::move(r); });
  REQUIRE(out);
  CHECK(out->items == json({1, 2, 3}));
  CHECK(offsets.seen.at(1).query ==
        std::vector<std::pair<std::string, std::string>>{{"offset", "2"}});

  Pages tokens({json{{"items", {1}}, {"next_page_token", "a"}}, json{{"items", {2}}}});
  out.reset();
  list_all(tokens, ApiRequest::post("/api/2.0/things/search", {{"q", "x"}}), "items",
           [&](ListResult r) { out = std::move(r); });
  REQUIRE(out);
  CHECK(out->items == json({1, 2}));
  CHECK(tokens.seen.at(1).body == json({{"q", "x"}, {"page_token", "a"}}));

  Pages stuck(std::vector<json>{json{{"items", {1}}, {"next_page_token", "same"}}});
  out.reset();
  list_all(stuck, ApiRequest::get("/api/2.0/things/list"), "items",
           [&](ListResult r) { out = std::move(r); });
  REQUIRE(out);
  CHECK(out->error_code == "REPEATED_PAGE_TOKEN");
}

}  // namespace
}  // namespace databricks
