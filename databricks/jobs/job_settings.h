// Jobs API settings: pure functions over the JSON the real Jobs API accepts and echoes.
// No state, no clock, no randomness: the handlers own storage; this module owns the rules.
// Every error comes back as a value (ApiError, 400 INVALID_PARAMETER_VALUE); malformed input
// never throws. The rules, messages and defaults are listed in docs/job-settings.md.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "databricks/api/api_error.h"

namespace databricks::jobs {

// The API prefix a request came through (/api/2.0, /api/2.1, /api/2.2). It changes the task
// limit (100 before 2.2, 1000 from 2.2) and whether queueing defaults on.
enum class ApiVersion { v2_0, v2_1, v2_2 };

// Validates a JobSettings object as jobs/create (the body) and jobs/reset (new_settings) would.
std::optional<ApiError> validate_settings(const nlohmann::json& settings, ApiVersion version);

// Validates a runs/submit request body (run_name, SubmitTask tasks, and the job-level fields a
// one-time run accepts). Shared job clusters are rejected, as for any job without tasks to share.
std::optional<ApiError> validate_submit(const nlohmann::json& request, ApiVersion version);

// The settings as a real jobs/get echoes them: the server-side defaults filled in and the
// write-only fields (run_as, access_control_list) dropped. Expects validated settings; anything
// else is returned with only the defaults that fit its shape.
nlohmann::json with_server_defaults(nlohmann::json settings, ApiVersion created_with);

// jobs/update: merges new_settings into current (top-level fields replaced; tasks merged by
// task_key and job_clusters by job_cluster_key), then applies fields_to_remove ("name",
// "tasks/<task_key>", "job_clusters/<job_cluster_key>"). Either pointer may be null. Returns the
// merged settings (before defaults) once they pass validate_settings, or the first error.
ApiResult<nlohmann::json> apply_update(const nlohmann::json& current,
                                       const nlohmann::json* new_settings,
                                       const nlohmann::json* fields_to_remove, ApiVersion version);

// The dependency graph of a tasks array. Built defensively: entries that are not objects or lack
// a string task_key get the key "", unknown or duplicate depends_on entries are skipped, and a
// task's key resolves to its first declaration. Tasks on a cycle are left out of
// topological_order (validated settings have none).
struct TaskGraph {
  std::vector<std::string> keys;                   // in declaration order
  std::vector<std::vector<std::size_t>> upstream;  // indices of depends_on, per task
  std::vector<std::vector<std::size_t>> downstream;
  std::vector<std::size_t> topological_order;  // deterministic: ties by declaration order

  // Index of the task with this key, if any.
  std::optional<std::size_t> index_of(const std::string& key) const;
};
TaskGraph build_task_graph(const nlohmann::json& tasks);

// run-now `only`: task keys to run; "+key" also runs its upstream closure, "key+" its
// downstream closure ("+key+" both). Null or an empty array selects every task. Unknown key ->
// INVALID_PARAMETER_VALUE. Returns the selected indices in declaration order.
ApiResult<std::vector<std::size_t>> select_tasks(const TaskGraph& graph,
                                                 const nlohmann::json& only);

}  // namespace databricks::jobs
