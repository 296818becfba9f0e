// Task rules: one task's shape, then the array-wide rules (unique keys, dependency graph).
#include <map>
#include <vector>

#include "databricks/jobs/validate_parts.h"

namespace databricks::jobs::detail {

namespace {

const Names kTaskTypes = {"notebook_task",
                          "spark_python_task",
                          "spark_jar_task",
                          "python_wheel_task",
                          "spark_submit_task",
                          "sql_task",
                          "dbt_task",
                          "pipeline_task",
                          "run_job_task",
                          "condition_task",
                          "for_each_task",
                          "dashboard_task",
                          "power_bi_task",
                          "alert_task",
                          "clean_rooms_notebook_task",
                          "dbt_cloud_task",
                          "dbt_platform_task",
                          "gen_ai_compute_task",
                          "genie_task",
                          "agentic_task",
                          "ai_runtime_task",
                          "python_operator_task"};
const Names kCompute = {"existing_cluster_id", "new_cluster", "job_cluster_key", "environment_key",
                        "compute"};
const Names kRunIf = {"ALL_SUCCESS", "AT_LEAST_ONE_SUCCESS", "NONE_FAILED",
                      "ALL_DONE",    "AT_LEAST_ONE_FAILED",  "ALL_FAILED"};
const Names kSource = {"WORKSPACE", "GIT"};
constexpr std::size_t kMaxTaskKeyBytes = 100;
constexpr std::int64_t kMaxForEachConcurrency = 100;
constexpr std::size_t kLegacyMaxTasks = 100;
constexpr std::size_t kMaxTasks = 1000;

Err strings(const json& v, const std::string& path) {
  if (auto e = check_array(v, path)) return e;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (auto e = check_string(v[i], item_path(path, i))) return e;
  }
  return std::nullopt;
}

// The entries of `keys` present in `obj`, in the order of `keys`.
std::vector<std::string> present(const json& obj, Names keys) {
  std::vector<std::string> out;
  for (std::string_view k : keys) {
    if (obj.contains(k)) out.emplace_back(k);
  }
  return out;
}

Err check_task(const json& t, const std::string& path, const TaskScope& scope, bool nested);

Err check_source(Fields& f, const json& body, const std::string& path, const TaskScope& scope) {
  f.one_of("source", kSource);
  if (f.ok() && body.contains("source") && body["source"] == "GIT" && !scope.has_git_source) {
    const std::string source_path = field_path(path, "source");
    return invalid(source_path, source_path + " is GIT but the job has no git_source.");
  }
  return f.error();
}

Err check_type_body(const std::string& type, const json& body, const std::string& path,
                    const TaskScope& scope, bool nested) {
  if (auto e = check_object(body, path)) return e;
  Fields f(body, path);
  if (type == "notebook_task") {
    f.str("notebook_path", Need::kRequired).object("base_parameters").str("warehouse_id");
    return check_source(f, body, path, scope);
  }
  if (type == "spark_python_task") {
    f.str("python_file", Need::kRequired).with("parameters", strings);
    return check_source(f, body, path, scope);
  }
  if (type == "spark_jar_task") {
    return f.str("main_class_name").str("jar_uri").with("parameters", strings).error();
  }
  if (type == "python_wheel_task") {
    f.str("package_name", Need::kRequired)
        .str("entry_point", Need::kRequired)
        .with("parameters", strings)
        .object("named_parameters");
    if (f.ok() && body.contains("parameters") && body.contains("named_parameters")) {
      return invalid(path, path + " must set at most one of parameters, named_parameters.");
    }
    return f.error();
  }
  if (type == "spark_submit_task") return f.with("parameters", strings).error();
  if (type == "sql_task") {
    f.str("warehouse_id", Need::kRequired).object("parameters");
    for (const char* k : {"query", "dashboard", "alert", "file"}) f.object(k);
    if (f.ok() && present(body, {"query", "dashboard", "alert", "file"}).size() != 1) {
      return invalid(path, path + " must set exactly one of query, dashboard, alert, file.");
    }
    return f.error();
  }
  if (type == "dbt_task") return f.with("commands", strings, Need::kRequired).error();
  if (type == "pipeline_task") {
    return f.str("pipeline_id", Need::kRequired).boolean("full_refresh").error();
  }
  if (type == "run_job_task") {
    return f.integer("job_id", 1, kMaxInt, Need::kRequired).object("job_parameters").error();
  }
  if (type == "condition_task") {
    return f.str("left", Need::kRequired)
        .str("right", Need::kRequired)
        .one_of("op",
                {"EQUAL_TO", "NOT_EQUAL", "GREATER_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN",
                 "LESS_THAN_OR_EQUAL"},
                Need::kRequired)
        .error();
  }
  if (type == "for_each_task") {
    if (nested) return invalid(path, path + ": nested for_each_task is not supported.");
    f.str("inputs", Need::kRequired)
        .integer("concurrency", 1, kMaxForEachConcurrency)
        .with(
            "task",
            [&scope](const json& inner, const std::string& p) {
              return check_task(inner, p, scope, true);
            },
            Need::kRequired);
    return f.error();
  }
  return std::nullopt;  // newer task types: the object check above is all we know
}

Err check_dependency(const json& d, const std::string& path) {
  if (auto e = check_object(d, path)) return e;
  return Fields(d, path)
      .str("task_key", Need::kRequired)
      .one_of("outcome", {"true", "false"})
      .error();
}

Err check_compute(const json& t, const std::string& path, const std::string& type,
                  const TaskScope& scope) {
  const auto compute = present(t, kCompute);
  if (type == "condition_task" && !compute.empty()) {
    return invalid(
        path, path + " is a condition_task, which runs on no compute; remove " + compute[0] + ".");
  }
  if (compute.size() > 1) {
    // The second compute field is the one to remove.
    return invalid(field_path(path, compute[1]), path + " must set at most one of " +
                                                     join(kCompute, ", ") + "; got " + compute[0] +
                                                     " and " + compute[1] + ".");
  }
  if (auto it = t.find("job_cluster_key"); it != t.end()) {
    if (scope.submit) return invalid("", std::string(kSharedClusterMessage));
    const auto& key = it->get_ref<const std::string&>();
    if (!scope.job_cluster_keys.count(key)) {
      const std::string key_path = field_path(path, "job_cluster_key");
      return invalid(key_path, key_path + " references unknown job cluster '" + key + "'.");
    }
  }
  if (auto it = t.find("environment_key"); it != t.end()) {
    const auto& key = it->get_ref<const std::string&>();
    if (!scope.environment_keys.count(key)) {
      const std::string key_path = field_path(path, "environment_key");
      return invalid(key_path, key_path + " references unknown environment '" + key + "'.");
    }
  }
  return std::nullopt;
}

Err check_task(const json& t, const std::string& path, const TaskScope& scope, bool nested) {
  if (auto e = check_object(t, path)) return e;
  Fields f(t, path);
  f.str("task_key", Need::kRequired, kMaxTaskKeyBytes)
      .str("description")
      .one_of("run_if", kRunIf)
      .integer("max_retries", -1)
      .integer("min_retry_interval_millis", 0)
      .boolean("retry_on_timeout")
      .integer("timeout_seconds", 0)
      .boolean("disabled")
      .array("depends_on")
      .with("depends_on",
            [](const json& deps, const std::string& p) -> Err {
              for (std::size_t i = 0; i < deps.size(); ++i) {
                if (auto e = check_dependency(deps[i], item_path(p, i))) return e;
              }
              return std::nullopt;
            })
      .with("libraries", check_libraries)
      .with("email_notifications", check_email_notifications)
      .with("webhook_notifications", check_webhook_notifications)
      .with("notification_settings", check_notification_settings)
      .with("health", check_health)
      .str("existing_cluster_id")
      .with("new_cluster", check_cluster_spec)
      .str("job_cluster_key")
      .str("environment_key")
      .object("compute");
  if (!f.ok()) return f.error();

  const auto types = present(t, kTaskTypes);
  if (types.size() != 1) {
    // With two types, the second is the one to remove.
    return invalid(types.empty() ? path : field_path(path, types[1]),
                   path + " must set exactly one task type (" + join(kTaskTypes, ", ") + "); got " +
                       (types.empty() ? "none" : types[0] + " and " + types[1]) + ".");
  }
  const std::string& type = types[0];
  if (auto e = check_type_body(type, t[type], field_path(path, type), scope, nested)) return e;
  return check_compute(t, path, type, scope);
}

// Cross-task rules: references resolve, no task depends on itself, and no cycle.
Err check_graph(const json& tasks) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const auto& key = tasks[i]["task_key"].get_ref<const std::string&>();
    if (!index.emplace(key, i).second) {
      const std::string key_path = field_path(item_path("tasks", i), "task_key");
      return invalid(key_path, "Duplicate task key: " + key + " (" + key_path + ").");
    }
  }
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const auto& key = tasks[i]["task_key"].get_ref<const std::string&>();
    auto deps = tasks[i].find("depends_on");
    if (deps == tasks[i].end()) continue;
    const std::string deps_path = field_path(item_path("tasks", i), "depends_on");
    for (std::size_t j = 0; j < deps->size(); ++j) {
      const std::string p = item_path(deps_path, j);
      const auto& up = (*deps)[j]["task_key"].get_ref<const std::string&>();
      if (up == key) {
        return invalid(deps_path,
                       "Invalid dependency graph, task '" + key + "' can not reference itself.");
      }
      auto it = index.find(up);
      if (it == index.end()) {
        const std::string up_path = field_path(p, "task_key");
        return invalid(up_path, "Invalid dependency graph, task '" + key + "' depends on task '" +
                                    up + "', which does not exist (" + up_path + ").");
      }
      if ((*deps)[j].contains("outcome") && !tasks[it->second].contains("condition_task")) {
        const std::string outcome_path = field_path(p, "outcome");
        return invalid(outcome_path, outcome_path + " is only allowed on a dependency on a " +
                                         "condition_task; task '" + up + "' is not one.");
      }
    }
  }
  const TaskGraph g = build_task_graph(tasks);
  const auto cycle = find_cycle(g);
  if (cycle.empty()) return std::nullopt;
  std::string chain;
  for (std::size_t i : cycle) chain += (chain.empty() ? "" : " -> ") + g.keys[i];
  const std::string cycle_path = field_path(item_path("tasks", cycle[0]), "depends_on");
  return invalid(cycle_path,
                 "Invalid dependency graph, cycle detected: " + chain + " (" + cycle_path + ").");
}

}  // namespace

Err check_tasks(const json& tasks, const TaskScope& scope, ApiVersion version) {
  if (auto e = check_array(tasks, "tasks")) return e;
  if (version != ApiVersion::v2_2 && tasks.size() > kLegacyMaxTasks) {
    return invalid("",
                   "Resources with more than 100 tasks can only be handled by API 2.2 and above");
  }
  if (auto e = check_array(tasks, "tasks", kMaxTasks)) return e;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    if (auto e = check_task(tasks[i], item_path("tasks", i), scope, false)) return e;
  }
  return check_graph(tasks);
}

}  // namespace databricks::jobs::detail
