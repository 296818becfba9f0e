// runs/list through the router: order, filters, limits and paging.
#include <set>

#include "fake-databricks/workspace/testing.h"

namespace fakedb::testing {
namespace {

// A job that lets many runs be active at once.
json wide_job(const std::string& name) {
  json s = job_spec(name);
  s["max_concurrent_runs"] = 100;
  return s;
}

TEST_CASE("runs list is newest first and filters by job", "[runs][list]") {
  Workspace w;
  const auto a = w.create_job(wide_job("a"));
  const auto b = w.create_job(wide_job("b"));
  const auto a1 = w.run_now(a);
  w.advance(kSecond);
  const auto b1 = w.run_now(b);
  w.advance(kSecond);
  const auto a2 = w.run_now(a);
  CHECK(w.listed_runs() == std::vector<std::int64_t>{a2, b1, a1});
  CHECK(w.listed_runs({{"job_id", str(a)}}) == std::vector<std::int64_t>{a2, a1});
  CHECK(w.listed_runs({{"job_id", str(b)}}) == std::vector<std::int64_t>{b1});
  const json list = Workspace::ok(w.get("runs/list"));
  CHECK(list["has_more"] == false);
  CHECK_FALSE(list["runs"][0].contains("tasks"));  // only with expand_tasks
  const json expanded = Workspace::ok(w.get("runs/list", {{"expand_tasks", "true"}}));
  CHECK(expanded["runs"][0]["tasks"].size() == 1);
}

TEST_CASE("runs list active_only and completed_only split the runs", "[runs][list]") {
  Workspace w;
  const auto job = w.create_job(wide_job("a"));
  const auto done = w.run_now(job);
  w.advance(kRunTime);
  REQUIRE(w.life_cycle(done) == "TERMINATED");
  const auto active = w.run_now(job);
  CHECK(w.listed_runs({{"active_only", "true"}}) == std::vector<std::int64_t>{active});
  CHECK(w.listed_runs({{"completed_only", "true"}}) == std::vector<std::int64_t>{done});
  CHECK(w.listed_runs({{"active_only", "false"}}) == std::vector<std::int64_t>{active, done});
  const auto both = w.get("runs/list", {{"active_only", "true"}, {"completed_only", "true"}});
  CHECK(both.status == 400);
  CHECK(error_code(both) == "INVALID_PARAMETER_VALUE");
  CHECK(message(both) == "active_only and completed_only cannot both be true.");
}

TEST_CASE("runs list start_time_from and start_time_to are inclusive", "[runs][list]") {
  Workspace w;
  const auto job = w.create_job(wide_job("a"));
  std::vector<std::int64_t> ids, starts;
  for (int i = 0; i < 3; ++i) {
    starts.push_back(w.loop.now_ms());
    ids.push_back(w.run_now(job));
    w.advance(kMinute);
  }
  CHECK(w.listed_runs({{"start_time_from", str(starts[1])}, {"start_time_to", str(starts[1])}}) ==
        std::vector<std::int64_t>{ids[1]});
  CHECK(w.listed_runs({{"start_time_from", str(starts[1])}}) ==
        std::vector<std::int64_t>{ids[2], ids[1]});
  CHECK(w.listed_runs({{"start_time_to", str(starts[1])}}) ==
        std::vector<std::int64_t>{ids[1], ids[0]});
  CHECK(w.listed_runs({{"start_time_from", str(starts[2] + 1)}}).empty());
}

TEST_CASE("runs list filters by run_type", "[runs][list]") {
  Workspace w;
  const auto job = w.create_job(wide_job("a"));
  const auto job_run = w.run_now(job);
  const auto submitted =
      Workspace::ok(w.post("runs/submit", {{"tasks", {notebook_task("t")}}}))["run_id"];
  CHECK(w.listed_runs({{"run_type", "JOB_RUN"}}) == std::vector<std::int64_t>{job_run});
  CHECK(w.listed_runs({{"run_type", "SUBMIT_RUN"}}) ==
        std::vector<std::int64_t>{submitted.get<std::int64_t>()});
  CHECK(w.listed_runs({{"run_type", "WORKFLOW_RUN"}}).empty());
  CHECK(w.get("runs/list", {{"run_type", "NIGHTLY"}}).status == 400);
}

TEST_CASE("runs list refuses a limit over 25", "[runs][list]") {
  Workspace w;
  for (const char* limit : {"26", "100", "-1"}) {
    const auto r = w.get("runs/list", {{"limit", limit}});
    CHECK(r.status == 400);
    CHECK(error_code(r) == "INVALID_PARAMETER_VALUE");
  }
  CHECK(message(w.get("runs/list", {{"limit", "26"}})) ==
        "Invalid limit 26 - it has to be no more than 25.");
  CHECK(w.get("runs/list", {{"limit", "25"}}).ok());
  CHECK(w.get("runs/list", {{"limit", "0"}}).ok());  // 0: the maximum
}

TEST_CASE("runs list pages cover every run once", "[runs][list]") {
  Workspace w;
  const auto job = w.create_job(wide_job("a"));
  std::set<std::int64_t> started;
  for (int i = 0; i < 30; ++i) {
    started.insert(w.run_now(job));
    w.advance(kSecond);
  }
  std::vector<json> pages;
  std::vector<std::int64_t> seen;
  Query query{{"limit", "7"}};
  for (int guard = 0; guard < 10; ++guard) {
    const json page = Workspace::ok(w.get("runs/list", query));
    pages.push_back(page);
    for (const auto& r : page["runs"]) seen.push_back(r["run_id"].get<std::int64_t>());
    if (!page.contains("next_page_token")) break;
    query = {{"limit", "7"}, {"page_token", page["next_page_token"].get<std::string>()}};
  }
  CHECK(pages.size() == 5);  // 7 + 7 + 7 + 7 + 2
  CHECK(seen.size() == 30);
  CHECK(std::set<std::int64_t>(seen.begin(), seen.end()) == started);
  CHECK(std::is_sorted(seen.rbegin(), seen.rend()));  // newest first across pages
  for (std::size_t i = 1; i < pages.size(); ++i) {
    REQUIRE(pages[i].contains("prev_page_token"));
    const json back = Workspace::ok(
        w.get("runs/list",
              {{"limit", "7"}, {"page_token", pages[i]["prev_page_token"].get<std::string>()}}));
    std::vector<std::int64_t> back_ids, before_ids;
    for (const auto& r : back["runs"]) back_ids.push_back(r["run_id"]);
    for (const auto& r : pages[i - 1]["runs"]) before_ids.push_back(r["run_id"]);
    CHECK(back_ids == before_ids);
  }
  CHECK(w.get("runs/list", {{"page_token", "nonsense"}}).status == 400);
}

TEST_CASE("runs get through 2.2 pages task runs at 100", "[runs][paging]") {
  Workspace w;
  json tasks = json::array();
  for (int i = 0; i < 150; ++i) tasks.push_back(notebook_task("t" + std::to_string(i)));
  const auto run_id = w.run_now(w.create_job(job_spec("big", tasks)));
  const json first = w.run(run_id);
  CHECK(first["tasks"].size() == 100);
  CHECK_FALSE(first.contains("has_more"));
  REQUIRE(first.contains("next_page_token"));
  const json second = w.run(run_id, {{"page_token", first["next_page_token"]}});
  CHECK(second["tasks"].size() == 50);
  CHECK(second["tasks"][0]["task_key"] == "t100");
  CHECK_FALSE(second.contains("next_page_token"));
  // A 2.0 or 2.1 client cannot read a run of more than 100 tasks.
  const auto old = w.get("runs/get", {{"run_id", str(run_id)}}, "2.1");
  CHECK(old.status == 400);
  CHECK(old.body["message"] ==
        "Resources with more than 100 tasks can only be handled by API 2.2 and above");
  const json list = Workspace::ok(w.get("runs/list", {{"expand_tasks", "true"}}));
  CHECK(list["runs"][0]["has_more"] == true);
  CHECK(list["runs"][0]["tasks"].size() == 100);
}

}  // namespace
}  // namespace fakedb::testing
