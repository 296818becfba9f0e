// RunEngine::repair: reruns chosen tasks of a finished run inside the same run, with the job's
// current task settings. New attempts are appended; the task's newest attempt decides its result.
#include <algorithm>
#include <set>

#include "fake-databricks/api/params.h"
#include "fake-databricks/runs/run_engine.h"
#include "fake-databricks/runs/run_rollup.h"

namespace fakedb::runs {
namespace {

ApiResult<std::vector<std::string>> string_list(const nlohmann::json& request, const char* field) {
  std::vector<std::string> out;
  auto it = request.find(field);
  if (it == request.end() || it->is_null()) return out;
  if (!it->is_array()) return wrong_type(field, "a list of task keys");
  for (const auto& v : *it) {
    if (!v.is_string()) return wrong_type(field, "a list of task keys");
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

ApiResult<nlohmann::json> RunEngine::repair(std::int64_t run_id,
                                            const nlohmann::json& current_settings,
                                            const nlohmann::json& request) {
  JobRun* run = mutable_run(run_id);
  if (run == nullptr)
    return ApiError::missing("Run " + std::to_string(run_id) + " does not exist.");
  if (!is_terminal(run->state.life_cycle)) {
    return ApiError::invalid_state("Run " + std::to_string(run_id) +
                                   " is still in progress. Only finished runs can be repaired.");
  }
  // A run skipped at creation (or cancelled while queued) has no task runs to repair.
  if (run->tasks.empty()) {
    return ApiError::invalid_state("Run " + std::to_string(run_id) +
                                   " never started any task, so it cannot be repaired.");
  }
  const Params params(request);
  auto rerun = string_list(request, "rerun_tasks");
  if (!rerun) return rerun.error();
  auto all_failed_flag = params.boolean("rerun_all_failed_tasks");
  if (!all_failed_flag) return all_failed_flag.error();
  auto dependents_flag = params.boolean("rerun_dependent_tasks");
  if (!dependents_flag) return dependents_flag.error();
  auto given = params.int64("latest_repair_id");
  if (!given) return given.error();
  const bool all_failed = all_failed_flag->value_or(false);
  const bool dependents = dependents_flag->value_or(false);
  if (!rerun->empty() && all_failed) {
    return ApiError::invalid_parameter(
        "rerun_tasks and rerun_all_failed_tasks cannot be set at the same time.");
  }
  if (rerun->empty() && !all_failed) {
    return ApiError::invalid_parameter(
        "Either rerun_tasks or rerun_all_failed_tasks must be specified.");
  }
  std::set<std::string> seen;
  for (const auto& key : *rerun) {
    if (!seen.insert(key).second) {
      return ApiError::invalid_parameter("rerun_tasks cannot contain duplicate task keys.");
    }
    if (std::find(run->selected.begin(), run->selected.end(), key) == run->selected.end()) {
      return ApiError::invalid_parameter("Task " + key + " is not part of run " +
                                         std::to_string(run_id) + ".");
    }
  }
  const int latest_repair = run->repairs.back().id;
  if (latest_repair != 0) {
    if (!*given) {
      return ApiError::invalid_parameter(
          "latest_repair_id must be set when repairing a run that has been repaired before.");
    }
    if (**given != latest_repair) {
      return ApiError::invalid_parameter(
          "latest_repair_id " + std::to_string(**given) + " is not the latest repair of run " +
          std::to_string(run_id) + " (" + std::to_string(latest_repair) + ").");
    }
  }

  const auto latest = latest_attempts(*run);
  std::set<std::string> keys(rerun->begin(), rerun->end());
  if (all_failed) {
    for (const auto& [key, i] : latest) {
      const auto& r = run->tasks[i].state.result;
      if (r != Result::success && r != Result::excluded && r != Result::disabled) keys.insert(key);
    }
  }
  if (dependents) {  // downstream closure within the run's selection
    for (bool grew = true; grew;) {
      grew = false;
      for (const auto& [key, i] : latest) {
        if (keys.count(key) != 0) continue;
        for (const auto& u : upstream_of(run->tasks[i].settings, run->selected)) {
          if (keys.count(u.task_key) != 0) {
            keys.insert(key);
            grew = true;
            break;
          }
        }
      }
    }
  }

  const int repair_id = static_cast<int>(run->repairs.size());
  RepairRecord record;
  record.id = repair_id;
  record.start_time = ctx_.now_ms();
  for (const auto& key : run->selected) {  // declaration order
    if (keys.count(key) == 0) continue;
    const TaskRun& last = run->tasks[latest.at(key)];
    nlohmann::json settings = last.settings;
    for (const auto& t : current_settings.value("tasks", nlohmann::json::array())) {
      if (t.value("task_key", "") == key) settings = t;
    }
    const std::size_t i =
        add_task(*run, settings, last.attempt_number + 1, last.original_attempt_run_id, repair_id);
    record.task_run_ids.push_back(run->tasks[i].run_id);
  }
  run->repairs.push_back(std::move(record));
  run->cancel_requested = run->timed_out = run->internal_error = false;
  run->end_time = 0;
  ++begun_by_job_[run->job_id];
  ++active_by_job_[run->job_id];
  running_.insert(run_id);
  State s;
  s.life_cycle = LifeCycle::pending;
  set_run_state(*run, std::move(s));
  ctx_.publish("run.repair", {{"run_id", run_id}, {"repair_id", repair_id}});
  unblock_downstream(*run);
  maybe_finish(*run);
  return nlohmann::json{{"repair_id", repair_id}};
}

}  // namespace fakedb::runs
