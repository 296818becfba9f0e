// The `settings` of a job config, checked with the emulator's own JobSettings and cron rules, so
// kiln validate and a real jobs/create agree; each error is located back in the YAML at the field
// it names (ApiError::field), never by reading its message.
#include <string>
#include <utility>

#include "databricks/api/api_error.h"
#include "databricks/cron/quartz_cron.h"
#include "databricks/cron/time_zone.h"
#include "databricks/jobs/job_settings.h"
#include "platform/config/config_file.h"
#include "platform/config/yaml_document.h"

namespace kiln::config::detail {
namespace {

using nlohmann::json;

void report(std::vector<Diagnostic>& diagnostics, const std::string& file, const YAML::Node& root,
            const std::string& field, std::string message) {
  diagnostics.push_back(diagnostic_at(file, locate(root, field), field, std::move(message)));
}

// A rule's error, at the settings field it concerns (`settings` itself when it names none).
void report(std::vector<Diagnostic>& diagnostics, const std::string& file, const YAML::Node& root,
            const databricks::ApiError& error) {
  const std::string field = error.field.empty() ? "settings" : child_path("settings", error.field);
  report(diagnostics, file, root, field, error.message);
}

void check_schedule(const std::string& file, const YAML::Node& root, const json& settings,
                    std::vector<Diagnostic>& diagnostics) {
  const auto schedule = settings.find("schedule");
  if (schedule == settings.end() || !schedule->is_object()) return;
  if (auto cron = schedule->find("quartz_cron_expression");
      cron != schedule->end() && cron->is_string()) {
    auto parsed = databricks::cron::QuartzCron::parse(cron->get<std::string>());
    if (!parsed) report(diagnostics, file, root, parsed.error());
  }
  if (auto zone = schedule->find("timezone_id"); zone != schedule->end() && zone->is_string()) {
    auto found = databricks::cron::TimeZone::find(zone->get<std::string>());
    if (!found) report(diagnostics, file, root, found.error());
  }
}

}  // namespace

void check_settings(const std::string& file, const YAML::Node& root, const json& settings,
                    const std::string& job_name, std::vector<Diagnostic>& diagnostics) {
  if (!settings.is_object()) {
    report(diagnostics, file, root, "settings",
           "expected the Databricks JobSettings (a mapping with tasks), got " + describe(settings));
    return;
  }
  const auto tasks = settings.find("tasks");
  if (tasks == settings.end()) {
    report(diagnostics, file, root, "settings.tasks",
           "required key is missing; expected a sequence of at least one task");
  } else if (tasks->is_array() && tasks->empty()) {
    report(diagnostics, file, root, "settings.tasks",
           "expected at least one task, got an empty sequence");
  }
  if (auto err =
          databricks::jobs::validate_settings(settings, databricks::jobs::ApiVersion::v2_2)) {
    report(diagnostics, file, root, *err);
  } else if (const auto name = settings.find("name");
             name != settings.end() && !job_name.empty() && *name != job_name) {
    report(
        diagnostics, file, root, "settings.name",
        "expected '" + job_name +
            "' (the job's name) or no settings.name: kiln names the Databricks job itself; got " +
            describe(*name));
  }
  check_schedule(file, root, settings, diagnostics);
}

}  // namespace kiln::config::detail
