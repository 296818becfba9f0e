// The `settings` of a job config, checked with the emulator's own JobSettings and cron rules, so
// kiln validate and a real jobs/create agree; their messages are located back in the YAML.
#include <cctype>
#include <string_view>
#include <utility>

#include "databricks/cron/quartz_cron.h"
#include "databricks/cron/time_zone.h"
#include "databricks/jobs/job_settings.h"
#include "platform/config/config_file.h"
#include "platform/config/yaml_document.h"

namespace kiln::config::detail {
namespace {

using nlohmann::json;

bool is_path_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '[' ||
         c == ']' || c == '-';
}

// The longest prefix of text that reads as a field path.
std::string_view leading_path(std::string_view text) {
  std::size_t n = 0;
  while (n < text.size() && is_path_char(text[n])) ++n;
  while (n > 0 && text[n - 1] == '.') --n;
  return text.substr(0, n);
}

// True when the first segment of path is a field of settings (so "Invalid dependency graph"
// does not read as a path).
bool names_a_field(std::string_view path, const json& settings) {
  const std::size_t end = path.find_first_of(".[");
  const std::string first(path.substr(0, end));
  return !first.empty() && settings.is_object() && settings.contains(first);
}

// "Invalid dependency graph, task 'a' can not reference itself.": the depends_on of task a.
std::string self_dependency_field(std::string_view message, const json& settings) {
  const std::string_view marker = "task '";
  const std::size_t start = message.find(marker);
  if (start == std::string_view::npos || !settings.contains("tasks")) return "";
  const std::size_t from = start + marker.size();
  const std::size_t end = message.find('\'', from);
  if (end == std::string_view::npos) return "";
  const std::string key(message.substr(from, end - from));
  const json& tasks = settings["tasks"];
  if (!tasks.is_array()) return "tasks";
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const json& task = tasks[i];
    if (task.is_object() && task.value("task_key", json()) == key) {
      return item_path("tasks", i) + ".depends_on";
    }
  }
  return "tasks";
}

void report(std::vector<Diagnostic>& diagnostics, const std::string& file, const YAML::Node& root,
            const std::string& field, std::string message) {
  diagnostics.push_back(diagnostic_at(file, locate(root, field), field, std::move(message)));
}

void check_schedule(const std::string& file, const YAML::Node& root, const json& settings,
                    std::vector<Diagnostic>& diagnostics) {
  const auto schedule = settings.find("schedule");
  if (schedule == settings.end() || !schedule->is_object()) return;
  if (auto cron = schedule->find("quartz_cron_expression");
      cron != schedule->end() && cron->is_string()) {
    auto parsed = databricks::cron::QuartzCron::parse(cron->get<std::string>());
    if (!parsed) {
      report(diagnostics, file, root, "settings.schedule.quartz_cron_expression",
             parsed.error().message);
    }
  }
  if (auto zone = schedule->find("timezone_id"); zone != schedule->end() && zone->is_string()) {
    auto found = databricks::cron::TimeZone::find(zone->get<std::string>());
    if (!found) {
      report(diagnostics, file, root, "settings.schedule.timezone_id", found.error().message);
    }
  }
}

}  // namespace

std::string settings_field_of(const std::string& message, const json& settings) {
  const std::string_view text = message;
  std::string path;
  if (text.size() > 2 && (text.ends_with(").") || text.ends_with(")"))) {
    const std::size_t open = text.rfind('(');
    const std::size_t close = text.rfind(')');
    if (open != std::string_view::npos && open < close) {
      const std::string_view inside = text.substr(open + 1, close - open - 1);
      if (leading_path(inside) == inside) path = inside;
    }
  }
  const std::string_view missing = "Missing required field: ";
  if (path.empty() && text.starts_with(missing)) path = leading_path(text.substr(missing.size()));
  if (path.empty() && names_a_field(leading_path(text), settings)) path = leading_path(text);
  if (path.empty() && text.starts_with("Invalid dependency graph, task '")) {
    return self_dependency_field(text, settings);
  }
  // "...; got X and Y.": the second field named is the one to remove.
  if (const std::size_t got = text.rfind("; got "); got != std::string_view::npos) {
    const std::size_t last = text.rfind(" and ");
    if (last != std::string_view::npos && last > got) {
      std::string second(leading_path(text.substr(last + 5)));
      if (path.empty() && settings.is_object() && settings.contains(second)) return second;
      if (!path.empty()) return child_path(path, second);
    }
  }
  return path;
}

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
    const std::string path = settings_field_of(err->message, settings);
    report(diagnostics, file, root, path.empty() ? "settings" : "settings." + path, err->message);
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
