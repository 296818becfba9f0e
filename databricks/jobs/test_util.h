// Shared builders for the fakedb_jobs tests.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "databricks/api/api_error.h"
#include "databricks/jobs/job_settings.h"

namespace databricks::jobs::testing {

using json = nlohmann::json;

inline json notebook(const std::string& key) {
  return {{"task_key", key}, {"notebook_task", {{"notebook_path", "/Users/me/nb"}}}};
}

inline json depends(json task, std::initializer_list<const char*> upstream) {
  for (const char* u : upstream) task["depends_on"].push_back({{"task_key", u}});
  return task;
}

inline json job(json tasks) {
  return {{"name", "job"}, {"tasks", std::move(tasks)}};
}

// "<ok>" when there is no error, so a failing REQUIRE prints something useful.
inline std::string message(const std::optional<ApiError>& e) {
  return e ? e->message : "<ok>";
}

inline std::string check(const json& settings, ApiVersion v = ApiVersion::v2_2) {
  return message(validate_settings(settings, v));
}

inline std::string check_submit(const json& request, ApiVersion v = ApiVersion::v2_2) {
  return message(validate_submit(request, v));
}

}  // namespace databricks::jobs::testing
