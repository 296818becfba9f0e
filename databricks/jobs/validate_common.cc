// Job-level building blocks shared by jobs/create, jobs/reset, jobs/update and runs/submit.
#include "databricks/jobs/validate_parts.h"

namespace databricks::jobs::detail {

namespace {
const Names kEmailEvents = {"on_start", "on_success", "on_failure",
                            "on_duration_warning_threshold_exceeded",
                            "on_streaming_backlog_exceeded"};
constexpr std::size_t kMaxWebhooksPerEvent = 3;
constexpr std::size_t kMaxTags = 25;

// Each element of an array field passes `check(element, path)`.
template <class F>
Err each(const json& arr, const std::string& path, F&& check) {
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (auto e = check(arr[i], item_path(path, i))) return e;
  }
  return std::nullopt;
}

Err string_item(const json& v, const std::string& p) {
  return check_string(v, p);
}
}  // namespace

Err check_email_notifications(const json& v, const std::string& path) {
  if (auto e = check_object(v, path)) return e;
  Fields f(v, path);
  for (std::string_view ev : kEmailEvents) {
    f.array(ev).with(ev,
                     [](const json& a, const std::string& p) { return each(a, p, string_item); });
  }
  return f.boolean("no_alert_for_skipped_runs").error();
}

Err check_webhook_notifications(const json& v, const std::string& path) {
  if (auto e = check_object(v, path)) return e;
  Fields f(v, path);
  for (std::string_view ev : kEmailEvents) {
    f.array(ev, Need::kOptional, kMaxWebhooksPerEvent)
        .with(ev, [](const json& a, const std::string& p) {
          return each(a, p, [](const json& hook, const std::string& hp) -> Err {
            if (auto e = check_object(hook, hp)) return e;
            return Fields(hook, hp).str("id", Need::kRequired).error();
          });
        });
  }
  return f.error();
}

Err check_notification_settings(const json& v, const std::string& path) {
  if (auto e = check_object(v, path)) return e;
  return Fields(v, path)
      .boolean("no_alert_for_skipped_runs")
      .boolean("no_alert_for_canceled_runs")
      .boolean("alert_on_last_attempt")
      .error();
}

Err check_health(const json& v, const std::string& path) {
  if (auto e = check_object(v, path)) return e;
  return Fields(v, path)
      .array("rules")
      .with("rules",
            [](const json& rules, const std::string& p) {
              return each(rules, p, [](const json& r, const std::string& rp) -> Err {
                if (auto e = check_object(r, rp)) return e;
                return Fields(r, rp)
                    .one_of("metric",
                            {"RUN_DURATION_SECONDS", "STREAMING_BACKLOG_BYTES",
                             "STREAMING_BACKLOG_RECORDS", "STREAMING_BACKLOG_SECONDS",
                             "STREAMING_BACKLOG_FILES"},
                            Need::kRequired)
                    .one_of("op", {"GREATER_THAN"}, Need::kRequired)
                    .integer("value", 0, kMaxInt, Need::kRequired)
                    .error();
              });
            })
      .error();
}

Err check_git_source(const json& v, const std::string& path) {
  if (auto e = check_object(v, path)) return e;
  // The real server answers a missing or unknown provider with one fixed message listing the
  // lower-case names; the SDK enums spell them in camelCase ("gitHub"), so compare ignoring case.
  static const Names kProviders = {"github",           "gitlab",
                                   "bitbucketcloud",   "gitlabenterpriseedition",
                                   "bitbucketserver",  "azuredevopsservices",
                                   "githubenterprise", "awscodecommit"};
  const std::string provider_path = field_path(path, "git_provider");
  auto p = v.find("git_provider");
  if (p == v.end() || check_enum(*p, provider_path, kProviders, true)) {
    return invalid(provider_path, provider_path + " must be one of: " + join(kProviders));
  }
  Fields f(v, path);
  f.str("git_url", Need::kRequired).str("git_branch").str("git_tag").str("git_commit");
  int refs = 0;
  for (const char* k : {"git_branch", "git_tag", "git_commit"}) refs += f.get(k) ? 1 : 0;
  if (f.ok() && refs > 1) {
    return invalid(path, path + " must set at most one of git_branch, git_tag, git_commit.");
  }
  return f.error();
}

Err check_queue(const json& v, const std::string& path) {
  if (auto e = check_object(v, path)) return e;
  return Fields(v, path).boolean("enabled", Need::kRequired).error();
}

Err check_run_as(const json& v, const std::string& path) {
  if (auto e = check_object(v, path)) return e;
  Fields f(v, path);
  f.str("user_name").str("service_principal_name").str("group_name");
  int set = 0;
  for (const char* k : {"user_name", "service_principal_name", "group_name"}) {
    set += f.get(k) ? 1 : 0;
  }
  if (f.ok() && set != 1) {
    return invalid(
        path, path + " must set exactly one of user_name, service_principal_name, group_name.");
  }
  return f.error();
}

Err check_tags(const json& v, const std::string& path) {
  if (auto e = check_object(v, path)) return e;
  if (v.size() > kMaxTags) {
    return invalid(path, path + " must have at most " + std::to_string(kMaxTags) +
                             " entries, got " + std::to_string(v.size()) + ".");
  }
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (auto e = check_string(it.value(), field_path(path, it.key()))) return e;
  }
  return std::nullopt;
}

Err check_cluster_spec(const json& v, const std::string& path) {
  if (auto e = check_object(v, path)) return e;
  Fields f(v, path);
  f.str("spark_version")
      .str("node_type_id")
      .str("driver_node_type_id")
      .str("policy_id")
      .str("instance_pool_id")
      .str("data_security_mode")
      .str("single_user_name")
      .integer("num_workers", 0)
      .boolean("enable_elastic_disk")
      .boolean("apply_policy_default_values")
      .object("spark_conf")
      .object("spark_env_vars")
      .object("custom_tags")
      .object("aws_attributes")
      .object("azure_attributes")
      .object("gcp_attributes")
      .object("autoscale")
      .with("autoscale", [](const json& a, const std::string& p) -> Err {
        Fields af(a, p);
        af.integer("min_workers", 0, kMaxInt, Need::kRequired)
            .integer("max_workers", 0, kMaxInt, Need::kRequired);
        if (af.ok() &&
            a["max_workers"].get<std::int64_t>() < a["min_workers"].get<std::int64_t>()) {
          const std::string max_path = field_path(p, "max_workers");
          return invalid(max_path, max_path + " must be greater than or equal to min_workers.");
        }
        return af.error();
      });
  return f.error();
}

Err check_libraries(const json& v, const std::string& path) {
  if (auto e = check_array(v, path)) return e;
  return each(v, path, [](const json& lib, const std::string& p) -> Err {
    if (auto e = check_object(lib, p)) return e;
    static const Names kKinds = {"jar", "whl", "egg", "pypi", "maven", "cran", "requirements"};
    int kinds = 0;
    for (std::string_view k : kKinds) kinds += lib.contains(k) ? 1 : 0;
    if (kinds != 1) return invalid(p, p + " must set exactly one of: " + join(kKinds, ", ") + ".");
    auto package = [](const json& o, const std::string& op) -> Err {
      if (auto e = check_object(o, op)) return e;
      return Fields(o, op).str("package", Need::kRequired).str("repo").error();
    };
    return Fields(lib, p)
        .str("jar")
        .str("whl")
        .str("egg")
        .str("requirements")
        .with("pypi", package)
        .with("cran", package)
        .with("maven",
              [](const json& o, const std::string& op) -> Err {
                if (auto e = check_object(o, op)) return e;
                return Fields(o, op).str("coordinates", Need::kRequired).str("repo").error();
              })
        .error();
  });
}

Err check_environments(const json& v, const std::string& path, std::set<std::string>& keys) {
  if (auto e = check_array(v, path)) return e;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string p = item_path(path, i);
    if (auto e = check_object(v[i], p)) return e;
    if (auto e = Fields(v[i], p).str("environment_key", Need::kRequired).object("spec").error()) {
      return e;
    }
    const auto& key = v[i]["environment_key"].get_ref<const std::string&>();
    if (!keys.insert(key).second) {
      const std::string key_path = field_path(p, "environment_key");
      return invalid(key_path, "Duplicate environment key: " + key + " (" + key_path + ").");
    }
  }
  return std::nullopt;
}

Err check_shared_job_fields(const json& obj) {
  return Fields(obj, "")
      .integer("timeout_seconds", 0)
      .with("tags", check_tags)
      .with("email_notifications", check_email_notifications)
      .with("webhook_notifications", check_webhook_notifications)
      .with("notification_settings", check_notification_settings)
      .with("health", check_health)
      .with("git_source", check_git_source)
      .with("queue", check_queue)
      .with("run_as", check_run_as)
      .str("budget_policy_id")
      .str("usage_policy_id")
      .array("access_control_list")
      .one_of("performance_target", {"PERFORMANCE_OPTIMIZED", "STANDARD"})
      .error();
}

}  // namespace databricks::jobs::detail
