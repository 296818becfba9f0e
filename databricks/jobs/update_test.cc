// apply_update: jobs/update merging and fields_to_remove.
#include <catch2/catch.hpp>

#include "databricks/jobs/test_util.h"

using namespace databricks::jobs;           // NOLINT(google-build-using-namespace)
using namespace databricks::jobs::testing;  // NOLINT(google-build-using-namespace)

namespace {
json current() {
  json s = job({notebook("a"), depends(notebook("b"), {"a"})});
  s["max_concurrent_runs"] = 2;
  s["tags"] = {{"team", "x"}};
  s["job_clusters"] = {{{"job_cluster_key", "c1"}, {"new_cluster", {{"num_workers", 1}}}},
                       {{"job_cluster_key", "c2"}, {"new_cluster", {{"num_workers", 2}}}}};
  return s;
}

json update(const json* ns, const json* remove) {
  auto r = apply_update(current(), ns, remove, ApiVersion::v2_2);
  if (!r.ok()) FAIL(r.error().message);
  return r.value();
}

std::string update_error(const json* ns, const json* remove) {
  auto r = apply_update(current(), ns, remove, ApiVersion::v2_2);
  return r.ok() ? "<ok>" : r.error().message;
}

std::vector<std::string> task_keys(const json& s) {
  std::vector<std::string> keys;
  for (const json& t : s["tasks"]) keys.push_back(t["task_key"]);
  return keys;
}
}  // namespace

TEST_CASE("update with nothing returns the current settings") {
  CHECK(update(nullptr, nullptr) == current());
}

TEST_CASE("update replaces top-level fields whole and keeps the others") {
  const json ns = {{"name", "renamed"}, {"tags", {{"owner", "y"}}}};
  const json out = update(&ns, nullptr);
  CHECK(out["name"] == "renamed");
  CHECK(out["tags"] == json{{"owner", "y"}});  // replaced, not merged
  CHECK(out["max_concurrent_runs"] == 2);
  CHECK(task_keys(out) == std::vector<std::string>{"a", "b"});
}

TEST_CASE("update replaces a matching task whole, keeps the others, appends new ones") {
  json a2 = {{"task_key", "a"}, {"spark_python_task", {{"python_file", "x.py"}}}};
  const json ns = {{"tasks", {depends(notebook("c"), {"b"}), a2}}};
  const json out = update(&ns, nullptr);
  CHECK(task_keys(out) == std::vector<std::string>{"a", "b", "c"});
  CHECK(out["tasks"][0] == a2);  // no nested partial update: notebook_task is gone
}

TEST_CASE("update merges job_clusters by job_cluster_key") {
  const json ns = {{"job_clusters",
                    {{{"job_cluster_key", "c2"}, {"new_cluster", {{"num_workers", 9}}}},
                     {{"job_cluster_key", "c3"}, {"new_cluster", {{"num_workers", 3}}}}}}};
  const json out = update(&ns, nullptr);
  REQUIRE(out["job_clusters"].size() == 3);
  CHECK(out["job_clusters"][0]["new_cluster"]["num_workers"] == 1);
  CHECK(out["job_clusters"][1]["new_cluster"]["num_workers"] == 9);
  CHECK(out["job_clusters"][2]["job_cluster_key"] == "c3");
}

TEST_CASE("fields_to_remove removes top-level fields; an absent one is a no-op") {
  const json remove = {"tags", "schedule"};
  const json out = update(nullptr, &remove);
  CHECK_FALSE(out.contains("tags"));
  CHECK(out["max_concurrent_runs"] == 2);
}

TEST_CASE("fields_to_remove removes a task by nested path") {
  const json remove = {"tasks/b"};
  CHECK(task_keys(update(nullptr, &remove)) == std::vector<std::string>{"a"});
}

TEST_CASE("fields_to_remove removes a job cluster by nested path") {
  const json remove = {"job_clusters/c1"};
  const json out = update(nullptr, &remove);
  REQUIRE(out["job_clusters"].size() == 1);
  CHECK(out["job_clusters"][0]["job_cluster_key"] == "c2");
}

TEST_CASE("fields_to_remove of a task or job cluster that does not exist is an error") {
  const json task = {"tasks/zzz"};
  CHECK(update_error(nullptr, &task) ==
        "fields_to_remove[0]: task 'zzz' does not exist in the job.");
  const json cluster = {"name", "job_clusters/zzz"};
  CHECK(update_error(nullptr, &cluster) ==
        "fields_to_remove[1]: job cluster 'zzz' does not exist in the job.");
}

TEST_CASE("fields_to_remove supports nested paths only for tasks and job_clusters") {
  const json remove = {"schedule/pause_status"};
  CHECK(update_error(nullptr, &remove) ==
        "fields_to_remove[0]: only tasks/<task_key> and job_clusters/<job_cluster_key> can be "
        "removed by nested path, got 'schedule/pause_status'.");
  const json empty_key = {"tasks/"};
  CHECK(update_error(nullptr, &empty_key).rfind("fields_to_remove[0]: only tasks/", 0) == 0);
  const json empty = {""};
  CHECK(update_error(nullptr, &empty) == "fields_to_remove[0] must not be empty.");
}

TEST_CASE("a field can not be both set and removed") {
  const json ns = {{"tags", json::object()}, {"tasks", {notebook("b")}}};
  const json top = {"tags"};
  CHECK(update_error(&ns, &top) == "fields_to_remove[0]: 'tags' is also set in new_settings.");
  const json nested = {"tasks/b"};
  CHECK(update_error(&ns, &nested) ==
        "fields_to_remove[0]: task 'b' is also set in new_settings.tasks.");
}

TEST_CASE("the merged settings are validated") {
  const json remove = {"tasks/a"};  // b depends on a
  CHECK(update_error(nullptr, &remove) ==
        "Invalid dependency graph, task 'b' depends on task 'a', which does not exist "
        "(tasks[0].depends_on[0].task_key).");
  const json ns = {{"max_concurrent_runs", 5000}};
  CHECK(update_error(&ns, nullptr) == "max_concurrent_runs must be between 0 and 1000, got 5000.");
}

TEST_CASE("new_settings and fields_to_remove are type-checked") {
  const json not_object = json::array();
  CHECK(update_error(&not_object, nullptr) == "new_settings must be an object, got array.");
  const json not_array = "tags";
  CHECK(update_error(nullptr, &not_array) == "fields_to_remove must be an array, got string.");
  const json not_string = {7};
  CHECK(update_error(nullptr, &not_string) == "fields_to_remove[0] must be a string, got integer.");
  const json bad_tasks = {{"tasks", {{{"notebook_task", json::object()}}}}};
  CHECK(update_error(&bad_tasks, nullptr) ==
        "Missing required field: new_settings.tasks[0].task_key");
  const json dup = {{"tasks", {notebook("x"), notebook("x")}}};
  CHECK(update_error(&dup, nullptr) == "Duplicate task key: x (new_settings.tasks[1].task_key).");
}
