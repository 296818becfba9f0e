// Internal: the validators validate_settings and validate_submit are assembled from.
// Each takes the value and its field path and returns the first problem found.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "databricks/jobs/checks.h"
#include "databricks/jobs/job_settings.h"

namespace databricks::jobs::detail {

// The real message for a job (or one-time run) that declares shared job clusters but has no
// tasks able to share them.
inline constexpr std::string_view kSharedClusterMessage =
    "Shared job cluster feature is only supported in multi-task jobs.";

// Job-level pieces (validate_common.cc).
Err check_email_notifications(const json& v, const std::string& path);
Err check_webhook_notifications(const json& v, const std::string& path);
Err check_notification_settings(const json& v, const std::string& path);
Err check_health(const json& v, const std::string& path);
Err check_git_source(const json& v, const std::string& path);
Err check_queue(const json& v, const std::string& path);
Err check_run_as(const json& v, const std::string& path);
Err check_tags(const json& v, const std::string& path);
Err check_cluster_spec(const json& v, const std::string& path);
Err check_libraries(const json& v, const std::string& path);
// Collects the environment_key of every entry into `keys`.
Err check_environments(const json& v, const std::string& path, std::set<std::string>& keys);
// The settings/submit fields both endpoints share (notifications, git_source, queue, ...).
Err check_shared_job_fields(const json& obj);

// Schedules and triggers (validate_schedule.cc).
Err check_schedule(const json& v, const std::string& path);
Err check_continuous(const json& v, const std::string& path);
Err check_trigger(const json& v, const std::string& path);
Err check_triggers(const json& v, const std::string& path);
// At most one of schedule, continuous, trigger and triggers.
Err check_trigger_exclusivity(const json& settings);

// What a task may refer to outside itself.
struct TaskScope {
  std::set<std::string> job_cluster_keys;
  std::set<std::string> environment_keys;
  bool has_git_source = false;
  bool submit = false;  // runs/submit: job_cluster_key is not available
};

// Tasks (validate_tasks.cc): the array, each task, unique keys and the dependency graph.
Err check_tasks(const json& tasks, const TaskScope& scope, ApiVersion version);

// Task graph helpers (task_graph.cc): the task indices around one cycle, first node repeated at
// the end, or empty when the graph is acyclic.
std::vector<std::size_t> find_cycle(const TaskGraph& graph);

}  // namespace databricks::jobs::detail
