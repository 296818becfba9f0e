#include "fake-databricks/runs/run_json.h"

#include <algorithm>

namespace fakedb::runs {
namespace {

// status.state (RunLifecycleStateV2State): the legacy names, except that every terminal state
// is TERMINATED and WAITING_FOR_RETRY is WAITING.
const char* status_state(LifeCycle s) {
  if (is_terminal(s)) return "TERMINATED";
  if (s == LifeCycle::waiting_for_retry) return "WAITING";
  return to_string(s);
}

std::string page_url(const WorkspaceContext& ctx, std::int64_t job_id, std::int64_t run_id) {
  return ctx.host + "/?o=" + std::to_string(ctx.workspace_id) + "#job/" + std::to_string(job_id) +
         "/run/" + std::to_string(run_id);
}

void put_durations(nlohmann::json& j, const TaskRun& t, kiln::core::TimeMs now) {
  const auto end_or_now = [&](kiln::core::TimeMs end) { return end != 0 ? end : now; };
  std::int64_t setup = 0, execution = 0, cleanup = 0;
  if (t.running_since != 0) {
    setup = t.running_since - t.start_time;
    if (t.terminating_since != 0) {
      execution = t.terminating_since - t.running_since;
      if (t.end_time != 0) cleanup = t.end_time - t.terminating_since;
    }
  } else if (t.start_time != 0 && t.end_time == 0) {
    setup = now - t.start_time;
  }
  j["setup_duration"] = setup;
  j["execution_duration"] = execution;
  j["cleanup_duration"] = cleanup;
  j["run_duration"] = t.start_time == 0 ? 0 : end_or_now(t.end_time) - t.start_time;
}

}  // namespace

nlohmann::json state_json(const State& s) {
  nlohmann::json j{{"life_cycle_state", to_string(s.life_cycle)},
                   {"state_message", s.message},
                   {"user_cancelled_or_timedout", s.user_cancelled_or_timedout}};
  if (s.result && is_terminal(s.life_cycle)) j["result_state"] = to_string(*s.result);
  if (s.life_cycle == LifeCycle::queued && !s.queue_code.empty()) {
    j["queue_reason"] = s.message;
  }
  return j;
}

nlohmann::json status_json(const State& s) {
  nlohmann::json j{{"state", status_state(s.life_cycle)}};
  if (s.life_cycle == LifeCycle::queued && !s.queue_code.empty()) {
    j["queue_details"] = {{"code", s.queue_code}, {"message", s.message}};
  }
  if (is_terminal(s.life_cycle) && s.termination) {
    j["termination_details"] = {{"code", s.termination->code},
                                {"type", s.termination->type},
                                {"message", s.termination->message}};
  }
  return j;
}

nlohmann::json task_json(const WorkspaceContext& ctx, const JobRun& run, const TaskRun& t) {
  nlohmann::json j = t.settings;  // a RunTask carries its task's settings
  j["run_id"] = t.run_id;
  j["attempt_number"] = t.attempt_number;
  j["state"] = state_json(t.state);
  j["status"] = status_json(t.state);
  j["start_time"] = t.start_time;
  j["end_time"] = t.end_time;
  put_durations(j, t, ctx.now_ms());
  j["run_page_url"] = page_url(ctx, run.job_id, t.run_id);
  if (!t.cluster_id.empty()) j["cluster_instance"] = {{"cluster_id", t.cluster_id}};
  if (t.condition_outcome) j["condition_task"]["outcome"] = *t.condition_outcome;
  return j;
}

nlohmann::json run_json(const WorkspaceContext& ctx, const JobRun& run, const RenderOptions& opt) {
  nlohmann::json j{{"job_id", run.job_id},
                   {"run_id", run.run_id},
                   {"number_in_job", run.run_id},
                   {"original_attempt_run_id", run.run_id},
                   {"attempt_number", 0},
                   {"creator_user_name", run.creator_user_name},
                   {"run_name", run.run_name},
                   {"run_type", run.run_type},
                   {"trigger", run.trigger},
                   {"format", "MULTI_TASK"},
                   {"state", state_json(run.state)},
                   {"status", status_json(run.state)},
                   {"start_time", run.start_time},
                   {"end_time", run.end_time},
                   // Multi-task runs carry their durations on the tasks.
                   {"setup_duration", 0},
                   {"execution_duration", 0},
                   {"cleanup_duration", 0},
                   {"run_page_url", page_url(ctx, run.job_id, run.run_id)}};
  const auto now = ctx.now_ms();
  j["run_duration"] = (run.end_time != 0 ? run.end_time : now) - run.start_time;
  if (run.queue_duration != 0 || run.state.life_cycle == LifeCycle::queued) {
    j["queue_duration"] =
        run.state.life_cycle == LifeCycle::queued ? now - run.queued_since : run.queue_duration;
  }
  if (run.schedule) j["schedule"] = *run.schedule;
  if (!run.overriding_parameters.is_null() && !run.overriding_parameters.empty()) {
    j["overriding_parameters"] = run.overriding_parameters;
  }
  if (run.settings.contains("parameters")) {
    nlohmann::json params = nlohmann::json::array();
    // A run a trigger started (a schedule, a continuous restart) has no overriding parameters.
    const auto overrides =
        run.overriding_parameters.is_object()
            ? run.overriding_parameters.value("job_parameters", nlohmann::json::object())
            : nlohmann::json::object();
    for (const auto& p : run.settings["parameters"]) {
      const std::string name = p.value("name", "");
      nlohmann::json item{{"name", name}, {"default", p.value("default", "")}};
      item["value"] = overrides.contains(name) ? overrides[name] : item["default"];
      params.push_back(item);
    }
    j["job_parameters"] = params;
  }
  if (opt.include_tasks) {
    nlohmann::json tasks = nlohmann::json::array();
    const std::size_t end = std::min(run.tasks.size(), opt.task_offset + opt.task_page);
    for (std::size_t i = opt.task_offset; i < end; ++i)
      tasks.push_back(task_json(ctx, run, run.tasks[i]));
    j["tasks"] = std::move(tasks);
    if (run.settings.contains("job_clusters")) j["job_clusters"] = run.settings["job_clusters"];
    if (end < run.tasks.size()) j["has_more"] = true;
  }
  if (opt.include_history) {
    nlohmann::json history = nlohmann::json::array();
    for (const auto& r : run.repairs) {
      nlohmann::json item{{"type", r.id == 0 ? "ORIGINAL" : "REPAIR"},
                          {"start_time", r.start_time},
                          {"end_time", r.end_time},
                          {"task_run_ids", r.task_run_ids}};
      if (r.id != 0) item["id"] = r.id;
      const State& s = r.end_time != 0 ? r.state : run.state;
      item["state"] = state_json(s);
      item["status"] = status_json(s);
      history.push_back(std::move(item));
    }
    j["repair_history"] = std::move(history);
  }
  return j;
}

nlohmann::json task_run_as_run_json(const WorkspaceContext& ctx, const JobRun& run,
                                    const TaskRun& t) {
  nlohmann::json j = task_json(ctx, run, t);
  j["job_id"] = run.job_id;
  j["job_run_id"] = run.run_id;
  j["original_attempt_run_id"] = t.original_attempt_run_id;
  j["number_in_job"] = t.run_id;
  j["run_name"] = run.run_name;
  j["run_type"] = run.run_type;
  j["trigger"] = t.attempt_number > 0 ? "RETRY" : run.trigger;
  j["creator_user_name"] = run.creator_user_name;
  j["tasks"] = nlohmann::json::array({task_json(ctx, run, t)});
  return j;
}

}  // namespace fakedb::runs
