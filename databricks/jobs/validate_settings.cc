// validate_settings (jobs/create, jobs/reset, jobs/update) and validate_submit (runs/submit).
#include <set>
#include <utility>
#include <vector>

#include "databricks/jobs/job_settings.h"
#include "databricks/jobs/validate_parts.h"

namespace databricks::jobs {

using namespace detail;  // NOLINT(google-build-using-namespace): this file assembles detail parts

namespace {

constexpr std::size_t kMaxNameBytes = 4096;
constexpr std::size_t kMaxDescriptionChars = 27'700;
constexpr std::int64_t kMaxConcurrentRuns = 1000;
constexpr std::size_t kMaxEnvironmentVariables = 10;
constexpr std::size_t kMaxIdempotencyTokenChars = 64;

// An error about the body as a whole concerns no field of it.
ApiError whole_body_error(ApiError e) {
  e.field.clear();
  return e;
}

// The Jobs 2.0 single-task format put the task at the top level. We only accept tasks[]; a
// legacy body gets a clear error instead of silently becoming a job without tasks.
Err check_not_single_task_format(const json& obj) {
  if (obj.contains("tasks")) return std::nullopt;
  for (const char* k : {"notebook_task", "spark_python_task", "spark_jar_task", "python_wheel_task",
                        "spark_submit_task", "pipeline_task"}) {
    if (obj.contains(k)) {
      return invalid("", std::string("Single-task job format is not supported: declare ") + k +
                             " inside tasks[].");
    }
  }
  return std::nullopt;
}

Err check_description(const json& v, const std::string& path) {
  if (auto e = check_string(v, path)) return e;
  const std::size_t n = utf8_length(v.get_ref<const std::string&>());
  if (n <= kMaxDescriptionChars) return std::nullopt;
  return invalid(path, path + " must be at most " + std::to_string(kMaxDescriptionChars) +
                           " characters, got " + std::to_string(n) + ".");
}

Err check_parameters(const json& v, const std::string& path) {
  if (auto e = check_array(v, path)) return e;
  std::set<std::string> names;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string p = item_path(path, i);
    if (auto e = check_object(v[i], p)) return e;
    if (auto e =
            Fields(v[i], p).str("name", Need::kRequired).str("default", Need::kRequired).error()) {
      return e;
    }
    const auto& name = v[i]["name"].get_ref<const std::string&>();
    if (!names.insert(name).second) {
      const std::string name_path = field_path(p, "name");
      return invalid(name_path, "Duplicate job parameter name: " + name + " (" + name_path + ").");
    }
  }
  return std::nullopt;
}

// The reference gives only the limit (10); accept the list form and the map form.
Err check_environment_variables(const json& v, const std::string& path) {
  if (!v.is_array() && !v.is_object()) return wrong_type(path, "an array or an object", v);
  if (v.size() <= kMaxEnvironmentVariables) return std::nullopt;
  return invalid(path, path + " must have at most " + std::to_string(kMaxEnvironmentVariables) +
                           " entries, got " + std::to_string(v.size()) + ".");
}

Err check_deployment(const json& v, const std::string& path) {
  if (auto e = check_object(v, path)) return e;
  return Fields(v, path)
      .one_of("kind", {"BUNDLE", "SYSTEM_MANAGED"}, Need::kRequired)
      .str("metadata_file_path")
      .error();
}

Err check_job_clusters(const json& v, std::set<std::string>& keys) {
  if (auto e = check_array(v, "job_clusters")) return e;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string p = item_path("job_clusters", i);
    if (auto e = check_object(v[i], p)) return e;
    Fields f(v[i], p);
    f.str("job_cluster_key", Need::kRequired)
        .with("new_cluster", check_cluster_spec, Need::kRequired);
    if (!f.ok()) return f.error();
    // Libraries belong to tasks: a shared cluster is set up before any task's libraries are known.
    const std::string nc = field_path(p, "new_cluster");
    for (const auto& [owner, path] : {std::pair{&v[i], p}, std::pair{&v[i]["new_cluster"], nc}}) {
      if (owner->contains("libraries")) {
        const std::string libraries_path = field_path(path, "libraries");
        return invalid(libraries_path, "Libraries cannot be declared on a shared job cluster (" +
                                           libraries_path + ").");
      }
    }
    const auto& key = v[i]["job_cluster_key"].get_ref<const std::string&>();
    if (!keys.insert(key).second) {
      const std::string key_path = field_path(p, "job_cluster_key");
      return invalid(key_path, "Duplicate job cluster key: " + key + " (" + key_path + ").");
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<ApiError> validate_settings(const json& settings, ApiVersion version) {
  if (!settings.is_object()) return whole_body_error(wrong_type("settings", "an object", settings));
  Fields f(settings, "");
  f.add(check_not_single_task_format(settings))
      .str("name", Need::kOptional, kMaxNameBytes)
      .with("description", check_description)
      .integer("max_concurrent_runs", 0, kMaxConcurrentRuns)
      .add(check_shared_job_fields(settings))
      .with("schedule", check_schedule)
      .with("continuous", check_continuous)
      .with("trigger", check_trigger)
      .with("triggers", check_triggers)
      .add(check_trigger_exclusivity(settings))
      .with("parameters", check_parameters)
      .with("environment_variables", check_environment_variables)
      .one_of("format", {"SINGLE_TASK", "MULTI_TASK"})
      .one_of("edit_mode", {"UI_LOCKED", "EDITABLE"})
      .with("deployment", check_deployment)
      .str("parent_path");
  if (!f.ok()) return f.error();

  TaskScope scope;
  scope.has_git_source = settings.contains("git_source");
  if (auto it = settings.find("job_clusters"); it != settings.end()) {
    if (auto e = check_job_clusters(*it, scope.job_cluster_keys)) return e;
  }
  if (auto it = settings.find("environments"); it != settings.end()) {
    if (auto e = check_environments(*it, "environments", scope.environment_keys)) return e;
  }
  const json* tasks = f.get("tasks");
  if (tasks) {
    if (auto e = check_tasks(*tasks, scope, version)) return e;
  }
  // Seen on a real jobs/create: job clusters with nothing to share them ("multi-task" there
  // means a job with tasks[], as opposed to the legacy single-task format).
  if (!scope.job_cluster_keys.empty() && (!tasks || tasks->empty())) {
    return invalid("", std::string(kSharedClusterMessage));
  }
  return std::nullopt;
}

std::optional<ApiError> validate_submit(const json& request, ApiVersion version) {
  if (!request.is_object()) return whole_body_error(wrong_type("request", "an object", request));
  Fields f(request, "");
  f.add(check_not_single_task_format(request))
      .str("run_name", Need::kOptional, kMaxNameBytes)
      .add(check_shared_job_fields(request));
  if (f.ok() && request.contains("idempotency_token")) {
    const json& token = request["idempotency_token"];
    if (auto e = check_string(token, "idempotency_token")) return e;
    if (const std::size_t n = utf8_length(token.get_ref<const std::string&>());
        n > kMaxIdempotencyTokenChars) {
      return invalid("idempotency_token", "idempotency_token must be at most " +
                                              std::to_string(kMaxIdempotencyTokenChars) +
                                              " characters, got " + std::to_string(n) + ".");
    }
  }
  if (!f.ok()) return f.error();
  // A one-time run has no job to hold shared clusters.
  if (request.contains("job_clusters")) return invalid("", std::string(kSharedClusterMessage));

  TaskScope scope;
  scope.submit = true;
  scope.has_git_source = request.contains("git_source");
  if (auto it = request.find("environments"); it != request.end()) {
    if (auto e = check_environments(*it, "environments", scope.environment_keys)) return e;
  }
  const json* tasks = f.get("tasks");
  if (!tasks) return missing_field("tasks");
  if (auto e = check_tasks(*tasks, scope, version)) return e;
  if (tasks->empty()) return invalid("tasks", "tasks must contain at least one task.");
  return std::nullopt;
}

}  // namespace databricks::jobs
