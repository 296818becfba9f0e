// with_server_defaults: what a real jobs/get echoes for stored settings. The defaults follow the
// Databricks CLI test server's fix-ups, which were derived by diffing against a real (AWS)
// workspace; see docs/job-settings.md for the list and the evidence.
#include <algorithm>

#include "databricks/jobs/checks.h"
#include "databricks/jobs/job_settings.h"

namespace databricks::jobs {

using detail::json;

namespace {

void set_if_absent(json& obj, const char* key, json value) {
  if (!obj.contains(key)) obj[key] = std::move(value);
}

std::string dependency_key(const json& d) {
  if (!d.is_object()) return {};
  auto it = d.find("task_key");
  return it != d.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The cluster a task launches for itself. Job clusters and for_each inner tasks only lose
// apply_policy_default_values (consumed on write, never echoed).
void task_cluster_defaults(json& cluster) {
  if (!cluster.is_object()) return;
  // The emulated workspace is on AWS; a spec written for another cloud keeps its own attributes.
  if (!cluster.contains("azure_attributes") && !cluster.contains("gcp_attributes")) {
    set_if_absent(cluster, "aws_attributes",
                  json{{"availability", "SPOT_WITH_FALLBACK"}, {"zone_id", "us-east-1c"}});
  }
  set_if_absent(cluster, "data_security_mode", "SINGLE_USER");
  set_if_absent(cluster, "enable_elastic_disk", false);
  cluster.erase("apply_policy_default_values");
}

void drop_policy_flag(json& cluster) {
  if (cluster.is_object()) cluster.erase("apply_policy_default_values");
}

void source_defaults(json& task, bool has_git_source) {
  for (const char* type : {"notebook_task", "spark_python_task"}) {
    auto it = task.find(type);
    if (it != task.end() && it->is_object()) {
      set_if_absent(*it, "source", has_git_source ? "GIT" : "WORKSPACE");
    }
  }
}

void task_defaults(json& task, bool has_git_source) {
  if (!task.is_object()) return;
  set_if_absent(task, "run_if", "ALL_SUCCESS");
  set_if_absent(task, "timeout_seconds", 0);
  set_if_absent(task, "email_notifications", json::object());
  if (auto deps = task.find("depends_on"); deps != task.end() && deps->is_array()) {
    std::stable_sort(deps->begin(), deps->end(), [](const json& a, const json& b) {
      return dependency_key(a) < dependency_key(b);
    });
  }
  if (auto nc = task.find("new_cluster"); nc != task.end()) task_cluster_defaults(*nc);
  source_defaults(task, has_git_source);
  if (auto fe = task.find("for_each_task"); fe != task.end() && fe->is_object()) {
    if (auto inner = fe->find("task"); inner != fe->end() && inner->is_object()) {
      if (auto nc = inner->find("new_cluster"); nc != inner->end()) drop_policy_flag(*nc);
      source_defaults(*inner, has_git_source);
    }
  }
}

// trigger.table_update.condition is accepted on write but not returned by GET.
void trigger_defaults(json& trigger) {
  if (!trigger.is_object()) return;
  if (auto tu = trigger.find("table_update"); tu != trigger.end() && tu->is_object()) {
    tu->erase("condition");
  }
}

}  // namespace

json with_server_defaults(json settings, ApiVersion created_with) {
  if (!settings.is_object()) return settings;
  // Write-only: run_as is reported as the Job's run_as_user_name; the ACL lives in permissions.
  settings.erase("run_as");
  settings.erase("access_control_list");

  set_if_absent(settings, "email_notifications", json::object());
  set_if_absent(settings, "webhook_notifications", json::object());
  set_if_absent(settings, "timeout_seconds", 0);
  set_if_absent(settings, "max_concurrent_runs", 1);
  settings["format"] = "MULTI_TASK";  // ignored on write; every tasks[] job is multi-task
  // Queueing defaults on only for jobs created through 2.2; older jobs without `queue` have it
  // off, and the real GET then echoes nothing.
  if (created_with == ApiVersion::v2_2) set_if_absent(settings, "queue", json{{"enabled", true}});

  const bool has_git_source = settings.contains("git_source");
  if (auto tasks = settings.find("tasks"); tasks != settings.end() && tasks->is_array()) {
    for (json& t : *tasks) task_defaults(t, has_git_source);
  }
  if (auto jcs = settings.find("job_clusters"); jcs != settings.end() && jcs->is_array()) {
    for (json& jc : *jcs) {
      if (jc.is_object() && jc.contains("new_cluster")) drop_policy_flag(jc["new_cluster"]);
    }
  }
  if (auto tr = settings.find("trigger"); tr != settings.end()) trigger_defaults(*tr);
  if (auto trs = settings.find("triggers"); trs != settings.end() && trs->is_array()) {
    for (json& tr : *trs) trigger_defaults(tr);
  }
  return settings;
}

}  // namespace databricks::jobs
