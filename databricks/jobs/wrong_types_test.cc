// Malformed input never throws and never gets a silent default.
#include <catch2/catch.hpp>

#include "databricks/jobs/test_util.h"

using namespace databricks::jobs;           // NOLINT(google-build-using-namespace)
using namespace databricks::jobs::testing;  // NOLINT(google-build-using-namespace)

namespace {
// A job touching most of the validated fields, so replacing any leaf exercises its checks.
json rich_job() {
  json a = notebook("a");
  a["job_cluster_key"] = "c";
  a["libraries"] = {{{"pypi", {{"package", "x"}}}}};
  a["webhook_notifications"] = {{"on_failure", {{{"id", "h"}}}}};
  json b = depends(notebook("b"), {"a"});
  b["new_cluster"] = {{"num_workers", 1}, {"autoscale", {{"min_workers", 1}, {"max_workers", 2}}}};
  b["max_retries"] = 1;
  json loop = {{"task_key", "loop"},
               {"depends_on", {{{"task_key", "b"}}}},
               {"for_each_task", {{"inputs", "[1]"}, {"task", notebook("inner")}}}};
  json s = job({a, b, loop});
  s["job_clusters"] = {{{"job_cluster_key", "c"}, {"new_cluster", {{"num_workers", 1}}}}};
  s["schedule"] = {{"quartz_cron_expression", "0 0 * * * ?"}, {"timezone_id", "UTC"}};
  s["tags"] = {{"k", "v"}};
  s["queue"] = {{"enabled", true}};
  s["git_source"] = {{"git_url", "u"}, {"git_provider", "gitHub"}};
  s["health"] = {
      {"rules", {{{"metric", "RUN_DURATION_SECONDS"}, {"op", "GREATER_THAN"}, {"value", 1}}}}};
  s["parameters"] = {{{"name", "p"}, {"default", "d"}}};
  s["environments"] = {{{"environment_key", "e"}, {"spec", json::object()}}};
  return s;
}

const json kOddValues[] = {json(),
                           json("s"),
                           json(-1),
                           json(1.5),
                           json(true),
                           json::array(),
                           json::object(),
                           json(18446744073709551615ULL),
                           json::array({json()})};

// Every (pointer, value) pair: each node of `doc` replaced by each odd value.
template <class F>
void for_each_mutation(const json& doc, F&& f) {
  const json flat = doc.flatten();
  for (auto it = flat.begin(); it != flat.end(); ++it) {
    json::json_pointer leaf(it.key());
    for (json::json_pointer p = leaf; !p.empty(); p = p.parent_pointer()) {
      for (const json& odd : kOddValues) {
        json copy = doc;
        copy[p] = odd;
        f(copy);
      }
    }
  }
}
}  // namespace

TEST_CASE("the rich fixture is valid") {
  CHECK(check(rich_job()) == "<ok>");
}

TEST_CASE("no malformed settings make any function throw") {
  std::size_t errors = 0;
  for_each_mutation(rich_job(), [&](const json& s) {
    REQUIRE_NOTHROW(errors += validate_settings(s, ApiVersion::v2_2) ? 1 : 0);
    REQUIRE_NOTHROW(with_server_defaults(s, ApiVersion::v2_2));
    REQUIRE_NOTHROW(validate_submit(s, ApiVersion::v2_2));
    REQUIRE_NOTHROW(apply_update(rich_job(), &s, nullptr, ApiVersion::v2_2));
    REQUIRE_NOTHROW(apply_update(s, &s, nullptr, ApiVersion::v2_2));
    const json& tasks = s.contains("tasks") ? s["tasks"] : s;
    REQUIRE_NOTHROW(select_tasks(build_task_graph(tasks), {"+b+", "a"}));
  });
  CHECK(errors > 0);
}

TEST_CASE("non-object top-level inputs are errors, not crashes") {
  for (const json& odd : kOddValues) {
    if (odd.is_object()) continue;
    CHECK(validate_settings(odd, ApiVersion::v2_2));
    CHECK(validate_submit(odd, ApiVersion::v2_2));
    CHECK(with_server_defaults(odd, ApiVersion::v2_2) == odd);
    CHECK_FALSE(apply_update(odd, nullptr, nullptr, ApiVersion::v2_2).ok());
    CHECK_FALSE(apply_update(rich_job(), &odd, nullptr, ApiVersion::v2_2).ok());
  }
}

TEST_CASE("a string where an integer is required is an error naming the field") {
  json s = rich_job();
  s["tasks"][1]["max_retries"] = "3";
  CHECK(check(s) == "tasks[1].max_retries must be an integer, got string.");
  s = rich_job();
  s["timeout_seconds"] = "60";
  CHECK(check(s) == "timeout_seconds must be an integer, got string.");
}

TEST_CASE("null is not taken for an absent field") {
  CHECK(check({{"name", nullptr}}) == "name must be a string, got null.");
  CHECK(check({{"schedule", nullptr}}) == "schedule must be an object, got null.");
}

TEST_CASE("integers beyond int64 are out of range, not wrapped") {
  CHECK(check({{"max_concurrent_runs", 18446744073709551615ULL}}) ==
        "max_concurrent_runs must be between 0 and 1000, got 18446744073709551615.");
}
