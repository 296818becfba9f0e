// The Jobs endpoints through the router: create, get, reset, update, delete, list, and the job
// quotas.
#include <set>

#include "fake-databricks/workspace/testing.h"

namespace fakedb::testing {
namespace {

std::vector<std::string> task_keys(const json& settings) {
  std::vector<std::string> keys;
  for (const auto& t : settings.value("tasks", json::array())) keys.push_back(t["task_key"]);
  return keys;
}

json many_tasks(int n) {
  json tasks = json::array();
  for (int i = 0; i < n; ++i) tasks.push_back(notebook_task("t" + std::to_string(i)));
  return tasks;
}

TEST_CASE("jobs create returns a large job id", "[jobs]") {
  Workspace w;
  const auto a = w.create_job(job_spec("a"));
  const auto b = w.create_job(job_spec("b"));
  CHECK(a > 100'000'000'000'000);
  CHECK(b > a);
  CHECK(w.ws.job_count() == 2);
}

TEST_CASE("jobs get echoes the server defaults", "[jobs]") {
  Workspace w;
  const auto id = w.create_job(job_spec("etl"));
  const json j = w.job(id);
  CHECK(j["job_id"] == id);
  CHECK(j["created_time"] == w.config.start_time_ms);
  CHECK(j["creator_user_name"] == w.config.user_name);
  const json& s = j["settings"];
  CHECK(s["name"] == "etl");
  CHECK(s["email_notifications"] == json::object());
  CHECK(s["webhook_notifications"] == json::object());
  CHECK(s["timeout_seconds"] == 0);
  CHECK(s["max_concurrent_runs"] == 1);
  CHECK(s["format"] == "MULTI_TASK");
  const json& task = s["tasks"][0];
  CHECK(task["run_if"] == "ALL_SUCCESS");
  CHECK(task["timeout_seconds"] == 0);
  CHECK(task["email_notifications"] == json::object());
  CHECK(task["notebook_task"]["source"] == "WORKSPACE");
}

TEST_CASE("jobs created through 2.2 queue by default and through 2.1 do not", "[jobs]") {
  Workspace w;
  const auto v22 = w.create_job(job_spec("new"), "2.2");
  const auto v21 = w.create_job(job_spec("old"), "2.1");
  CHECK(w.job(v22)["settings"]["queue"] == json{{"enabled", true}});
  CHECK_FALSE(w.job(v21)["settings"].contains("queue"));
  // The version of the read does not matter; the version of the create does.
  const json old_via_22 = Workspace::ok(w.get("get", {{"job_id", str(v21)}}, "2.2"));
  CHECK_FALSE(old_via_22["settings"].contains("queue"));
}

TEST_CASE("jobs get of a missing job is INVALID_PARAMETER_VALUE", "[jobs]") {
  Workspace w;
  const auto r = w.get("get", {{"job_id", "123"}});
  CHECK(r.status == 400);
  CHECK(error_code(r) == "INVALID_PARAMETER_VALUE");
  CHECK(message(r) == "Job 123 does not exist.");
}

TEST_CASE("jobs get without job_id names the missing field", "[jobs]") {
  Workspace w;
  const auto r = w.get("get");
  CHECK(r.status == 400);
  CHECK(error_code(r) == "INVALID_PARAMETER_VALUE");
  CHECK(message(r) == "Missing required field: job_id");
}

TEST_CASE("jobs get refuses a non-numeric job_id", "[jobs]") {
  Workspace w;
  const auto r = w.get("get", {{"job_id", "abc"}});
  CHECK(r.status == 400);
  CHECK(error_code(r) == "INVALID_PARAMETER_VALUE");
  CHECK(message(r) == "Invalid value for field job_id: expected an integer");
  const auto r2 = w.post("delete", {{"job_id", "12x"}});
  CHECK(r2.status == 400);
  CHECK(message(r2) == "Invalid value for field job_id: expected an integer");
}

TEST_CASE("jobs endpoints accept a job_id quoted as a string", "[jobs]") {
  Workspace w;
  const auto id = w.create_job(job_spec("a"));
  CHECK(w.post("reset", {{"job_id", str(id)}, {"new_settings", job_spec("b")}}).ok());
  CHECK(w.job(id)["settings"]["name"] == "b");
}

TEST_CASE("jobs reset replaces every setting", "[jobs]") {
  Workspace w;
  json first = job_spec("first", {notebook_task("a"), notebook_task("b")});
  first["max_concurrent_runs"] = 5;
  first["tags"] = {{"team", "data"}};
  first["timeout_seconds"] = 3600;
  const auto id = w.create_job(first);
  Workspace::ok(w.post("reset", {{"job_id", id}, {"new_settings", job_spec("second")}}));
  const json s = w.job(id)["settings"];
  CHECK(s["name"] == "second");
  CHECK(s["max_concurrent_runs"] == 1);
  CHECK(s["timeout_seconds"] == 0);
  CHECK_FALSE(s.contains("tags"));
  CHECK(task_keys(s) == std::vector<std::string>{"main"});
  CHECK(s["queue"]["enabled"] == true);  // still a 2.2 job

  const auto missing = w.post("reset", {{"job_id", id}});
  CHECK(missing.status == 400);
  CHECK(message(missing) == "Missing required field: new_settings");
}

TEST_CASE("jobs update merges tasks by key and removes fields", "[jobs]") {
  Workspace w;
  json settings = job_spec("etl", {notebook_task("a"), notebook_task("b"), notebook_task("c")});
  settings["tags"] = {{"team", "data"}};
  settings["max_concurrent_runs"] = 3;
  const auto id = w.create_job(settings);
  json changed_a = notebook_task("a", "/Workspace/etl/new");
  changed_a["timeout_seconds"] = 60;
  Workspace::ok(w.post(
      "update", {{"job_id", id},
                 {"new_settings", {{"tasks", {changed_a, notebook_task("d")}}, {"name", "etl2"}}},
                 {"fields_to_remove", {"tags", "tasks/b"}}}));
  const json s = w.job(id)["settings"];
  CHECK(s["name"] == "etl2");
  CHECK(s["max_concurrent_runs"] == 3);  // untouched
  CHECK_FALSE(s.contains("tags"));
  CHECK(task_keys(s) == std::vector<std::string>{"a", "c", "d"});
  CHECK(s["tasks"][0]["notebook_task"]["notebook_path"] == "/Workspace/etl/new");
  CHECK(s["tasks"][0]["timeout_seconds"] == 60);
  CHECK(s["tasks"][2]["run_if"] == "ALL_SUCCESS");  // the new task got the defaults
}

TEST_CASE("jobs delete cancels the active runs and the job leaves the list", "[jobs]") {
  Workspace w;
  const auto keep = w.create_job(job_spec("keep"));
  const auto doomed = w.create_job(job_spec("doomed"));
  const auto run_id = w.run_now(doomed);
  w.advance(kSecond);
  CHECK(w.life_cycle(run_id) == "PENDING");
  Workspace::ok(w.post("delete", {{"job_id", doomed}}));
  w.advance(kRunTime);
  const json state = w.run(run_id)["state"];
  CHECK(state["life_cycle_state"] == "TERMINATED");
  CHECK(state["result_state"] == "CANCELED");

  const json list = Workspace::ok(w.get("list"));
  REQUIRE(list["jobs"].size() == 1);
  CHECK(list["jobs"][0]["job_id"] == keep);
  CHECK(message(w.get("get", {{"job_id", str(doomed)}})) ==
        "Job " + str(doomed) + " does not exist.");
  CHECK(message(w.post("delete", {{"job_id", doomed}})) ==
        "Job " + str(doomed) + " does not exist.");
}

TEST_CASE("jobs list returns 20 jobs by default", "[jobs][list]") {
  Workspace w;
  for (int i = 0; i < 25; ++i) w.create_job(job_spec("job" + std::to_string(i)));
  const json list = Workspace::ok(w.get("list"));
  CHECK(list["jobs"].size() == 20);
  CHECK(list["has_more"] == true);
  CHECK(list.contains("next_page_token"));
}

TEST_CASE("jobs list refuses a limit of 0 or over 100", "[jobs][list]") {
  Workspace w;
  for (const char* limit : {"0", "101", "-1"}) {
    const auto r = w.get("list", {{"limit", limit}});
    CHECK(r.status == 400);
    CHECK(error_code(r) == "INVALID_PARAMETER_VALUE");
  }
  CHECK(w.get("list", {{"limit", "100"}}).ok());
  CHECK(w.get("list", {{"limit", "1"}}).ok());
}

TEST_CASE("jobs list filters by name exactly and ignoring case", "[jobs][list]") {
  Workspace w;
  const auto a = w.create_job(job_spec("Nightly ETL"));
  const auto b = w.create_job(job_spec("nightly etl"));
  w.create_job(job_spec("Nightly ETL v2"));
  w.create_job(job_spec("Nightly"));
  const json list = Workspace::ok(w.get("list", {{"name", "NIGHTLY etl"}}));
  REQUIRE(list["jobs"].size() == 2);
  CHECK(list["jobs"][0]["job_id"] == a);
  CHECK(list["jobs"][1]["job_id"] == b);
  CHECK(list["has_more"] == false);
  CHECK_FALSE(Workspace::ok(w.get("list", {{"name", "nothing"}})).contains("jobs"));
}

TEST_CASE("jobs list pages through 45 jobs covering each once", "[jobs][list]") {
  Workspace w;
  std::set<std::int64_t> created;
  for (int i = 0; i < 45; ++i) created.insert(w.create_job(job_spec("job" + std::to_string(i))));

  std::vector<json> pages;
  std::vector<std::int64_t> seen;
  Query query{{"limit", "20"}};
  for (int guard = 0; guard < 10; ++guard) {
    const json page = Workspace::ok(w.get("list", query));
    pages.push_back(page);
    for (const auto& j : page["jobs"]) seen.push_back(j["job_id"].get<std::int64_t>());
    if (!page.contains("next_page_token")) break;
    CHECK(page["has_more"] == true);
    query = {{"limit", "20"}, {"page_token", page["next_page_token"].get<std::string>()}};
  }
  REQUIRE(pages.size() == 3);
  CHECK(pages[0]["jobs"].size() == 20);
  CHECK(pages[1]["jobs"].size() == 20);
  CHECK(pages[2]["jobs"].size() == 5);
  CHECK(pages[2]["has_more"] == false);
  CHECK(seen.size() == 45);
  CHECK(std::set<std::int64_t>(seen.begin(), seen.end()) == created);
  CHECK_FALSE(pages[0].contains("prev_page_token"));

  // prev_page_token leads back to exactly the page before.
  for (std::size_t i = 1; i < pages.size(); ++i) {
    REQUIRE(pages[i].contains("prev_page_token"));
    const json back = Workspace::ok(w.get(
        "list", {{"limit", "20"}, {"page_token", pages[i]["prev_page_token"].get<std::string>()}}));
    CHECK(back["jobs"] == pages[i - 1]["jobs"]);
  }
}

TEST_CASE("jobs list refuses an invalid page token", "[jobs][list]") {
  Workspace w;
  w.create_job(job_spec("a"));
  for (const char* token : {"zz", "abc", "6a6f62733e"}) {  // not hex, odd, "jobs>" alone
    const auto r = w.get("list", {{"page_token", token}});
    CHECK(r.status == 400);
    CHECK(error_code(r) == "INVALID_PARAMETER_VALUE");
  }
}

TEST_CASE("jobs list includes tasks only with expand_tasks", "[jobs][list]") {
  Workspace w;
  w.create_job(job_spec("a", {notebook_task("x"), notebook_task("y")}));
  const json plain = Workspace::ok(w.get("list"));
  CHECK(plain["jobs"][0]["settings"]["name"] == "a");
  CHECK_FALSE(plain["jobs"][0]["settings"].contains("tasks"));
  const json expanded = Workspace::ok(w.get("list", {{"expand_tasks", "true"}}));
  CHECK(task_keys(expanded["jobs"][0]["settings"]) == std::vector<std::string>{"x", "y"});
}

TEST_CASE("jobs create over the saved jobs quota is QUOTA_EXCEEDED", "[jobs][limits]") {
  Workspace w(json{{"limits", {{"saved_jobs", 2}}}});
  const auto first = w.create_job(job_spec("a"));
  w.create_job(job_spec("b"));
  const auto r = w.post("create", job_spec("c"));
  CHECK(r.status == 400);
  CHECK(error_code(r) == "QUOTA_EXCEEDED");
  CHECK_THAT(message(r), Catch::StartsWith("The quota for the number of jobs has been reached. "
                                           "The current quota is 2."));
  CHECK(w.ws.job_count() == 2);
  // One-time runs are not counted, and a deleted job frees its place.
  CHECK(w.post("runs/submit", {{"tasks", {notebook_task("t")}}}).ok());
  Workspace::ok(w.post("delete", {{"job_id", first}}));
  CHECK(w.post("create", job_spec("c")).ok());
}

TEST_CASE("jobs creations per hour over the limit are INVALID_STATE", "[jobs][limits]") {
  Workspace w(json{{"limits", {{"job_creations_per_hour", 3}}}});
  std::int64_t first = 0;
  for (int i = 0; i < 3; ++i) {
    const auto id = w.create_job(job_spec("j" + std::to_string(i)));
    if (i == 0) first = id;
    w.advance(kMinute);
  }
  // Deleting does not give creations back.
  Workspace::ok(w.post("delete", {{"job_id", first}}));
  const auto r = w.post("create", job_spec("late"));
  CHECK(r.status == 400);
  CHECK(error_code(r) == "INVALID_STATE");
  CHECK(message(r) ==
        "There were already 3 jobs created in past 3600 seconds, exceeding rate limit: 3 job "
        "creations per 3600 seconds.");
  // An hour after the first creation, one slot is free again.
  w.advance(kHour - 3 * kMinute);
  CHECK(w.post("create", job_spec("late")).ok());
  CHECK(w.post("create", job_spec("later")).status == 400);
}

TEST_CASE("jobs get through 2.2 pages tasks at 100", "[jobs][paging]") {
  Workspace w;
  const auto id = w.create_job(job_spec("big", many_tasks(150)), "2.2");
  const json first = w.job(id);
  REQUIRE(first["settings"]["tasks"].size() == 100);
  CHECK(first["settings"]["tasks"][0]["task_key"] == "t0");
  CHECK_FALSE(first.contains("has_more"));
  REQUIRE(first.contains("next_page_token"));
  const json second = Workspace::ok(w.get(
      "get", {{"job_id", str(id)}, {"page_token", first["next_page_token"].get<std::string>()}}));
  REQUIRE(second["settings"]["tasks"].size() == 50);
  CHECK(second["settings"]["tasks"][0]["task_key"] == "t100");
  CHECK_FALSE(second.contains("next_page_token"));

  // jobs/list with expand_tasks marks the truncated job.
  const json list = Workspace::ok(w.get("list", {{"expand_tasks", "true"}}));
  CHECK(list["jobs"][0]["has_more"] == true);
  CHECK(list["jobs"][0]["settings"]["tasks"].size() == 100);

  const auto bad = w.get("get", {{"job_id", str(id)}, {"page_token", "zz"}});
  CHECK(bad.status == 400);

  // A 2.0 or 2.1 client cannot read a job of more than 100 tasks at all.
  const auto old = w.get("get", {{"job_id", str(id)}}, "2.1");
  CHECK(old.status == 400);
  CHECK(message(old) ==
        "Resources with more than 100 tasks can only be handled by API 2.2 and above");
}

TEST_CASE("jobs create through 2.1 refuses more than 100 tasks", "[jobs][paging]") {
  Workspace w;
  const auto r = w.post("create", job_spec("big", many_tasks(101)), "2.1");
  CHECK(r.status == 400);
  CHECK(error_code(r) == "INVALID_PARAMETER_VALUE");
  CHECK(message(r) ==
        "Resources with more than 100 tasks can only be handled by API 2.2 and above");
  CHECK(w.post("create", job_spec("ok", many_tasks(100)), "2.1").ok());
}

}  // namespace
}  // namespace fakedb::testing
