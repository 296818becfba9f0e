// Schedules and triggers: shapes only. The cron expression itself is parsed by
// fake-databricks/cron.
#include <vector>

#include "databricks/jobs/validate_parts.h"

namespace databricks::jobs::detail {

namespace {
const Names kPauseStatus = {"PAUSED", "UNPAUSED"};
}  // namespace

Err check_schedule(const json& v, const std::string& path) {
  if (auto e = check_object(v, path)) return e;
  return Fields(v, path)
      .str("quartz_cron_expression", Need::kRequired)
      .str("timezone_id", Need::kRequired)
      .one_of("pause_status", kPauseStatus)
      .error();
}

Err check_continuous(const json& v, const std::string& path) {
  if (auto e = check_object(v, path)) return e;
  return Fields(v, path)
      .one_of("pause_status", kPauseStatus)
      .one_of("task_retry_mode", {"NEVER", "ON_FAILURE"})
      .object("maintenance_window")
      .error();
}

Err check_trigger(const json& v, const std::string& path) {
  if (auto e = check_object(v, path)) return e;
  Fields f(v, path);
  f.one_of("pause_status", kPauseStatus)
      .object("file_arrival")
      .with("file_arrival",
            [](const json& fa, const std::string& p) {
              return Fields(fa, p)
                  .str("url", Need::kRequired)
                  .integer("min_time_between_triggers_seconds", 0)
                  .integer("wait_after_last_change_seconds", 0)
                  .error();
            })
      .object("periodic")
      .with("periodic",
            [](const json& pe, const std::string& p) {
              return Fields(pe, p)
                  .integer("interval", 1, kMaxInt, Need::kRequired)
                  .one_of("unit", {"MINUTES", "HOURS", "DAYS", "WEEKS"}, Need::kRequired)
                  .error();
            })
      .object("table_update")
      .with("table_update",
            [](const json& tu, const std::string& p) {
              return Fields(tu, p)
                  .array("table_names", Need::kRequired)
                  .one_of("condition", {"ALL_UPDATED", "ANY_UPDATED"})
                  .integer("min_time_between_triggers_seconds", 0)
                  .integer("wait_after_last_change_seconds", 0)
                  .error();
            })
      .object("table")
      .object("model")
      .object("sql_condition");
  if (!f.ok()) return f.error();
  // A trigger fires on one kind of event; a newer kind we do not know is let through.
  std::vector<std::string> kinds;
  for (const char* k :
       {"file_arrival", "periodic", "table_update", "table", "model", "sql_condition"}) {
    if (f.get(k)) kinds.emplace_back(k);
  }
  if (kinds.size() > 1) {
    // The second kind is the one to remove.
    return invalid(field_path(path, kinds[1]),
                   path + " must set at most one of file_arrival, periodic, table_update, " +
                       "table, model, sql_condition; got " + kinds[0] + " and " + kinds[1] + ".");
  }
  return std::nullopt;
}

Err check_triggers(const json& v, const std::string& path) {
  if (auto e = check_array(v, path)) return e;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (auto e = check_trigger(v[i], item_path(path, i))) return e;
  }
  return std::nullopt;
}

Err check_trigger_exclusivity(const json& settings) {
  std::vector<std::string> set;
  for (const char* k : {"schedule", "continuous", "trigger", "triggers"}) {
    if (settings.contains(k)) set.emplace_back(k);
  }
  if (set.size() <= 1) return std::nullopt;
  return invalid(set[1],
                 "At most one of schedule, continuous, trigger and triggers can be set; got " +
                     set[0] + " and " + set[1] + ".");
}

}  // namespace databricks::jobs::detail
