// RunEngine: job runs (creation, limits, queue, cancel, timeout, completion, retention).
// Task attempts are in run_tasks.cc, repairs in run_repair.cc.
#include "fake-databricks/runs/run_engine.h"

#include <algorithm>

#include "fake-databricks/runs/run_rollup.h"

namespace fakedb::runs {
namespace {

// Real ids are large int64s (e.g. 298120471834650); ours grow by a seeded gap from such a base.
constexpr std::int64_t kRunIdBase = 310'000'000'000'000;
constexpr std::int64_t kJobIdBase = 720'000'000'000'000;

nlohmann::json run_fields(const JobRun& run) {
  nlohmann::json f{
      {"run_id", run.run_id}, {"job_id", run.job_id}, {"state", to_string(run.state.life_cycle)}};
  if (run.state.result) f["result"] = to_string(*run.state.result);
  return f;
}

}  // namespace

RunEngine::RunEngine(WorkspaceContext& ctx, clusters::ClusterService& clusters,
                     const workloads::WorkloadCatalog& workloads, EngineConfig config)
    : ctx_(ctx),
      clusters_(clusters),
      workloads_(workloads),
      config_(config),
      ids_random_(ctx.random.stream("run-ids")),
      faults_random_(ctx.random.stream("run-faults")),
      workload_seed_(ctx.random.stream("workloads")),
      next_run_id_(kRunIdBase),
      next_job_id_(kJobIdBase) {
  clusters_.on_terminated([this](const std::string& id, const clusters::TerminationReason& r) {
    clusters_terminated(id, r);
  });
}

std::int64_t RunEngine::next_id(std::int64_t& counter) {
  counter += ids_random_.uniform_int(1, 9'973);
  return counter;
}

std::int64_t RunEngine::allocate_job_id() {
  return next_id(next_job_id_);
}

JobRun* RunEngine::mutable_run(std::int64_t run_id) {
  auto it = runs_.find(run_id);
  return it == runs_.end() ? nullptr : &it->second;
}

const JobRun* RunEngine::find(std::int64_t run_id) const {
  auto it = runs_.find(run_id);
  return it == runs_.end() ? nullptr : &it->second;
}

const JobRun* RunEngine::owner_of(std::int64_t run_id, const TaskRun** task_out) const {
  if (const JobRun* run = find(run_id)) {
    if (task_out != nullptr) *task_out = nullptr;
    return run;
  }
  auto it = task_runs_.find(run_id);
  if (it == task_runs_.end()) return nullptr;
  const JobRun* run = find(it->second.job_run_id);
  if (run != nullptr && task_out != nullptr) *task_out = &run->tasks[it->second.index];
  return run;
}

TaskRun* RunEngine::task(const TaskRef& ref) {
  JobRun* run = mutable_run(ref.job_run_id);
  return run == nullptr ? nullptr : &run->tasks[ref.index];
}

const RunEngine::RunIds& RunEngine::run_ids_of_job(std::int64_t job_id) const {
  static const RunIds kNone;
  auto it = runs_by_job_.find(job_id);
  return it == runs_by_job_.end() ? kNone : it->second;
}

int RunEngine::active_runs_of(std::int64_t job_id) const {
  auto it = active_by_job_.find(job_id);
  return it == active_by_job_.end() ? 0 : it->second;
}

void RunEngine::on_run_finished(std::function<void(const JobRun&)> listener) {
  finished_listeners_.push_back(std::move(listener));
}

void RunEngine::on_attempt_running(AttemptRunning listener) {
  running_listeners_.push_back(std::move(listener));
}

void RunEngine::on_attempt_ended(AttemptEnded listener) {
  ended_listeners_.push_back(std::move(listener));
}

void RunEngine::set_run_state(JobRun& run, State state) {
  run.state = std::move(state);
  ctx_.publish("run.state", run_fields(run));
}

ApiResult<std::int64_t> RunEngine::start(StartRequest req) {
  if (req.idempotency_token) {
    auto known = tokens_.find(*req.idempotency_token);
    if (known != tokens_.end()) {
      if (runs_.count(known->second) == 0) {
        return ApiError::invalid_state("The run created with idempotency token " +
                                       *req.idempotency_token +
                                       " has been deleted; use a new idempotency token.");
      }
      return known->second;
    }
  }
  const int max_concurrent = req.settings.value("max_concurrent_runs", 1);
  const bool job_full = begun_by_job_[req.job_id] >= max_concurrent;
  if (!job_full && !req.queue_enabled && req.trigger == "ONE_TIME" &&
      active_task_runs_ >= config_.max_active_task_runs) {
    return ApiError::rate_limited(
        "There are already " + std::to_string(active_task_runs_) +
            " active runs (limit: " + std::to_string(config_.max_active_task_runs) + ").",
        1);
  }

  const std::int64_t id = next_id(next_run_id_);
  JobRun& run = runs_[id];
  run.run_id = id;
  run.job_id = req.job_id;
  run.run_name = req.run_name;
  run.run_type = req.run_type;
  run.trigger = req.trigger;
  run.creator_user_name = ctx_.user_name;
  run.settings = std::move(req.settings);
  run.overriding_parameters = std::move(req.overriding_parameters);
  run.idempotency_token = req.idempotency_token;
  run.queue_enabled = req.queue_enabled;
  run.schedule = std::move(req.schedule);
  run.start_time = ctx_.now_ms();
  if (req.selected.empty()) {
    for (const auto& t : run.settings.value("tasks", nlohmann::json::array())) {
      run.selected.push_back(t.value("task_key", ""));
    }
  } else {
    run.selected = std::move(req.selected);
  }
  run.repairs.push_back(RepairRecord{0, run.start_time, 0, {}, {}});
  if (req.idempotency_token) tokens_[*req.idempotency_token] = id;
  runs_by_job_[run.job_id].push_back(id);
  all_run_ids_.push_back(id);
  ++active_by_job_[run.job_id];

  std::string queue_code;
  if (max_concurrent == 0 || (job_full && !run.queue_enabled)) {
    skip(run,
         "Skipping this run because the limit of " + std::to_string(max_concurrent) +
             " maximum concurrent runs has been reached.",
         "MAX_CONCURRENT_RUNS_EXCEEDED");
  } else if (!can_begin(run, &queue_code)) {
    if (run.queue_enabled) {
      enqueue(run, queue_code);
    } else {
      skip(run,
           "Skipping this run because the workspace limit of " +
               std::to_string(config_.max_active_task_runs) +
               " concurrent task runs has been reached.",
           "WORKSPACE_RUN_LIMIT_EXCEEDED");
    }
  } else {
    begin(run);
  }
  return id;
}

bool RunEngine::can_begin(const JobRun& run, std::string* queue_code) const {
  auto begun = begun_by_job_.find(run.job_id);
  const int max_concurrent = run.settings.value("max_concurrent_runs", 1);
  if (begun != begun_by_job_.end() && begun->second >= max_concurrent) {
    *queue_code = "MAX_CONCURRENT_RUNS_REACHED";
    return false;
  }
  if (active_task_runs_ >= config_.max_active_task_runs) {
    *queue_code = "ACTIVE_RUNS_LIMIT_REACHED";
    return false;
  }
  return true;
}

void RunEngine::skip(JobRun& run, const std::string& message, const std::string& code) {
  State s;
  s.life_cycle = LifeCycle::skipped;
  s.result = Result::maximum_concurrent_runs_reached;
  s.message = message;
  s.termination = Termination{code, "CLIENT_ERROR", message};
  run.end_time = ctx_.now_ms();
  run.repairs.back().end_time = run.end_time;  // close the ORIGINAL item of repair_history
  run.repairs.back().state = s;
  set_run_state(run, std::move(s));
  --active_by_job_[run.job_id];
  ended_.emplace_back(run.end_time, run.run_id);
  for (auto& listener : finished_listeners_) listener(run);
}

void RunEngine::enqueue(JobRun& run, const std::string& code) {
  State s;
  s.life_cycle = LifeCycle::queued;
  s.queue_code = code;
  s.message = code == "MAX_CONCURRENT_RUNS_REACHED"
                  ? "Queued due to reaching maximum concurrent runs of the job."
                  : "Queued due to reaching the workspace limit of active task runs.";
  run.queued_since = ctx_.now_ms();
  set_run_state(run, std::move(s));
  queue_.push_back(run.run_id);
  const std::int64_t id = run.run_id;
  run.queue_expiry_timer = ctx_.clock.schedule_after(config_.queue_max_ms, [this, id] {
    JobRun* r = mutable_run(id);
    if (r == nullptr || r->state.life_cycle != LifeCycle::queued) return;
    std::erase(queue_, id);
    r->queue_duration = ctx_.now_ms() - r->queued_since;
    skip(*r, "Run was removed from the queue after waiting 48 hours.", "SKIPPED");
  });
}

void RunEngine::try_dequeue() {
  // First in, first out; a run that still cannot begin keeps its place and does not block a
  // later run of another job that can.
  for (std::size_t i = 0; i < queue_.size();) {
    JobRun* run = mutable_run(queue_[i]);
    std::string code;
    if (run == nullptr || run->state.life_cycle != LifeCycle::queued) {
      queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    if (!can_begin(*run, &code)) {
      ++i;
      continue;
    }
    queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(i));
    ctx_.clock.cancel(run->queue_expiry_timer);
    run->queue_duration = ctx_.now_ms() - run->queued_since;
    begin(*run);
  }
}

void RunEngine::begin(JobRun& run) {
  ++begun_by_job_[run.job_id];
  running_.insert(run.run_id);
  State s;
  s.life_cycle = LifeCycle::pending;
  set_run_state(run, std::move(s));
  const std::int64_t id = run.run_id;
  const auto timeout_s = run.settings.value("timeout_seconds", std::int64_t{0});
  if (timeout_s > 0) {
    run.timeout_timer =
        ctx_.clock.schedule_after(timeout_s * 1000, [this, id] { run_timed_out(id); });
  }
  if (faults_random_.bernoulli(config_.internal_error_probability)) {
    const auto at = faults_random_.uniform_int(0, 120'000);
    ctx_.clock.schedule_after(at, [this, id] { inject_internal_error(id); });
  }
  const auto tasks = run.settings.value("tasks", nlohmann::json::array());
  for (const auto& key : run.selected) {
    for (const auto& t : tasks) {
      if (t.value("task_key", "") == key) add_task(run, t, 0, 0, 0);
    }
  }
  run.repairs.front().task_run_ids.clear();
  for (const auto& t : run.tasks) run.repairs.front().task_run_ids.push_back(t.run_id);
  // Tasks with nothing upstream start now; the rest wait BLOCKED.
  for (std::size_t i = 0; i < run.tasks.size(); ++i) {
    if (upstream_of(run.tasks[i].settings, run.selected).empty()) start_task(id, i);
  }
  maybe_finish(run);  // a run whose selection is empty ends at once
}

ApiResult<nlohmann::json> RunEngine::cancel(std::int64_t run_id) {
  auto ref = task_runs_.find(run_id);
  JobRun* run = mutable_run(ref != task_runs_.end() ? ref->second.job_run_id : run_id);
  if (run == nullptr)
    return ApiError::missing("Run " + std::to_string(run_id) + " does not exist.");
  if (ref != task_runs_.end()) {  // a task run: cancel just that attempt
    TaskRun& t = run->tasks[ref->second.index];
    if (!is_terminal(t.state.life_cycle)) {
      t.cancel_requested = true;
      stop_task(*run, ref->second.index, Result::canceled, "Task was cancelled by the user.",
                Termination{"USER_CANCELED", "SUCCESS", "Task was cancelled by the user."});
      // A task that never started ends at once; its downstream tasks resolve now.
      unblock_downstream(*run);
      maybe_finish(*run);
    }
    return nlohmann::json::object();
  }
  cancel_run(*run);
  return nlohmann::json::object();
}

void RunEngine::cancel_run(JobRun& run) {
  if (is_terminal(run.state.life_cycle) || run.cancel_requested) return;  // a no-op, as in cloud
  run.cancel_requested = true;
  if (run.state.life_cycle == LifeCycle::queued) {
    std::erase(queue_, run.run_id);
    ctx_.clock.cancel(run.queue_expiry_timer);
    run.queue_duration = ctx_.now_ms() - run.queued_since;
    run.end_time = ctx_.now_ms();
    run.repairs.back().end_time = run.end_time;
    run.repairs.back().state = roll_up(run);
    set_run_state(run, run.repairs.back().state);
    --active_by_job_[run.job_id];
    ended_.emplace_back(run.end_time, run.run_id);
    for (auto& listener : finished_listeners_) listener(run);
    return;
  }
  for (std::size_t i = 0; i < run.tasks.size(); ++i) {
    stop_task(run, i, Result::canceled, "Run was cancelled by the user.",
              Termination{"USER_CANCELED", "SUCCESS", "Run was cancelled by the user."});
  }
  maybe_finish(run);
}

void RunEngine::cancel_all(std::optional<std::int64_t> job_id, bool all_queued_runs) {
  std::vector<std::int64_t> targets;
  if (job_id) {
    for (auto id : run_ids_of_job(*job_id)) targets.push_back(id);
  } else if (all_queued_runs) {
    targets.assign(queue_.begin(), queue_.end());
  }
  for (auto id : targets) {
    JobRun* run = mutable_run(id);
    if (run == nullptr) continue;
    if (all_queued_runs && !job_id && run->state.life_cycle != LifeCycle::queued) continue;
    cancel_run(*run);
  }
}

void RunEngine::run_timed_out(std::int64_t run_id) {
  JobRun* run = mutable_run(run_id);
  if (run == nullptr || is_terminal(run->state.life_cycle) || run->cancel_requested) return;
  run->timed_out = true;
  const std::string msg = "Run timed out.";
  for (std::size_t i = 0; i < run->tasks.size(); ++i) {
    stop_task(*run, i, Result::timedout, msg, Termination{"CANCELED", "CLIENT_ERROR", msg});
  }
  maybe_finish(*run);
}

bool RunEngine::inject_internal_error(std::int64_t run_id) {
  JobRun* run = mutable_run(run_id);
  if (run == nullptr || is_terminal(run->state.life_cycle) || run->internal_error) return false;
  if (run->state.life_cycle == LifeCycle::queued) return false;
  run->internal_error = true;
  const std::string msg = "An internal error occurred in the Jobs service.";
  for (std::size_t i = 0; i < run->tasks.size(); ++i) {
    stop_task(*run, i, Result::failed, msg, Termination{"INTERNAL_ERROR", "INTERNAL_ERROR", msg});
  }
  maybe_finish(*run);
  return true;
}

void RunEngine::maybe_finish(JobRun& run) {
  if (run.state.life_cycle == LifeCycle::terminating || is_terminal(run.state.life_cycle)) return;
  if (run.state.life_cycle == LifeCycle::queued) return;
  for (const auto& t : run.tasks) {
    if (!is_terminal(t.state.life_cycle)) return;
  }
  // Every newest attempt is terminal and no retry is pending: clean up, then end.
  ctx_.clock.cancel(run.timeout_timer);
  State s = run.state;
  s.life_cycle = LifeCycle::terminating;
  set_run_state(run, std::move(s));
  for (const auto& [key, cluster_id] : run.job_clusters) clusters_.finish_job_cluster(cluster_id);
  const std::int64_t id = run.run_id;
  run.timer = ctx_.clock.schedule_after(config_.run_cleanup_ms.draw_ms(workload_seed_), [this, id] {
    if (JobRun* r = mutable_run(id)) finish(*r);
  });
}

void RunEngine::finish(JobRun& run) {
  run.end_time = ctx_.now_ms();
  State final_state = roll_up(run);
  RepairRecord& record = run.repairs.back();
  record.end_time = run.end_time;
  record.state = final_state;
  set_run_state(run, std::move(final_state));
  running_.erase(run.run_id);
  --begun_by_job_[run.job_id];
  --active_by_job_[run.job_id];
  ended_.emplace_back(run.end_time, run.run_id);
  try_dequeue();
  for (auto& listener : finished_listeners_) listener(run);
}

ApiResult<nlohmann::json> RunEngine::remove(std::int64_t run_id) {
  JobRun* run = mutable_run(run_id);
  if (run == nullptr)
    return ApiError::missing("Run " + std::to_string(run_id) + " does not exist.");
  if (!is_terminal(run->state.life_cycle)) {
    return ApiError::invalid_state("Cannot delete run " + std::to_string(run_id) +
                                   " since it is in state " + to_string(run->state.life_cycle) +
                                   ". Cancel the run first.");
  }
  for (const auto& t : run->tasks) task_runs_.erase(t.run_id);
  std::erase(runs_by_job_[run->job_id], run_id);
  std::erase(all_run_ids_, run_id);
  ctx_.publish("run.deleted", {{"run_id", run_id}, {"job_id", run->job_id}});
  runs_.erase(run_id);
  return nlohmann::json::object();
}

void RunEngine::expire_old_runs() {
  const TimeMs cutoff = ctx_.now_ms() - config_.run_retention_ms;
  while (!ended_.empty() && ended_.front().first < cutoff) {
    const std::int64_t id = ended_.front().second;
    ended_.pop_front();
    JobRun* run = mutable_run(id);
    // A repaired run ended again later; it is expired by its newer entry.
    if (run == nullptr || !is_terminal(run->state.life_cycle) || run->end_time >= cutoff) continue;
    for (const auto& t : run->tasks) task_runs_.erase(t.run_id);
    const std::int64_t job_id = run->job_id;
    runs_.erase(id);
    // Runs expire about in creation order: drop expired ids from the fronts (constant time
    // each); an id left behind a younger run is skipped by readers until it reaches the front.
    auto dead = [this](const RunIds& ids) { return !ids.empty() && runs_.count(ids.front()) == 0; };
    RunIds& of_job = runs_by_job_[job_id];
    while (dead(of_job)) of_job.pop_front();
    while (dead(all_run_ids_)) all_run_ids_.pop_front();
  }
}

}  // namespace fakedb::runs
