// RunEngine: task attempts. BLOCKED -> PENDING (compute) -> RUNNING (workload) -> TERMINATING
// -> TERMINATED, with WAITING_FOR_RETRY attempts after a failure while retries are left.
#include <algorithm>

#include "fake-databricks/runs/run_engine.h"
#include "fake-databricks/runs/run_rollup.h"

namespace fakedb::runs {
namespace {

bool has_object(const nlohmann::json& task, const char* field) {
  auto it = task.find(field);
  return it != task.end() && it->is_object();
}

std::string cluster_failure_message(const std::string& cluster_id,
                                    const clusters::TerminationReason& r) {
  return "Cluster " + cluster_id + " was terminated. Reason: " + r.code + " (" + r.type + ").";
}

// Condition tasks compare as strings for EQUAL_TO / NOT_EQUAL and as numbers otherwise.
std::optional<bool> evaluate_condition(const nlohmann::json& c) {
  const std::string op = c.value("op", "");
  const std::string left = c.value("left", "");
  const std::string right = c.value("right", "");
  if (op == "EQUAL_TO") return left == right;
  if (op == "NOT_EQUAL") return left != right;
  try {
    std::size_t used_l = 0, used_r = 0;
    const double l = std::stod(left, &used_l);
    const double r = std::stod(right, &used_r);
    if (used_l != left.size() || used_r != right.size()) return std::nullopt;
    if (op == "GREATER_THAN") return l > r;
    if (op == "GREATER_THAN_OR_EQUAL") return l >= r;
    if (op == "LESS_THAN") return l < r;
    if (op == "LESS_THAN_OR_EQUAL") return l <= r;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

void RunEngine::set_task_state(JobRun& run, TaskRun& t, State state) {
  t.state = std::move(state);
  nlohmann::json f{{"run_id", t.run_id},          {"job_run_id", run.run_id},
                   {"job_id", run.job_id},        {"task_key", t.task_key},
                   {"attempt", t.attempt_number}, {"state", to_string(t.state.life_cycle)}};
  if (t.state.result) f["result"] = to_string(*t.state.result);
  ctx_.publish("task.state", std::move(f));
}

std::size_t RunEngine::add_task(JobRun& run, const nlohmann::json& settings, int attempt,
                                std::int64_t original, int repair_id) {
  TaskRun t;
  t.run_id = next_id(next_run_id_);
  t.task_key = settings.value("task_key", "");
  t.attempt_number = attempt;
  t.original_attempt_run_id = original != 0 ? original : t.run_id;
  t.repair_id = repair_id;
  t.settings = settings;
  t.state.life_cycle = LifeCycle::blocked;
  run.tasks.push_back(std::move(t));
  const std::size_t index = run.tasks.size() - 1;
  task_runs_[run.tasks[index].run_id] = TaskRef{run.run_id, index};
  return index;
}

void RunEngine::start_task(std::int64_t run_id, std::size_t index) {
  JobRun* run = mutable_run(run_id);
  if (run == nullptr || is_terminal(run->tasks[index].state.life_cycle)) return;
  TaskRun& t = run->tasks[index];
  if (t.settings.value("disabled", false)) {
    State s;
    s.life_cycle = LifeCycle::terminated;
    s.result = Result::disabled;
    s.message = "This task is disabled.";
    s.termination = Termination{"DISABLED", "SUCCESS", s.message};
    t.start_time = t.end_time = ctx_.now_ms();
    set_task_state(*run, t, std::move(s));
    after_task_resolved(*run, index);
    return;
  }
  t.start_time = ctx_.now_ms();
  State s;
  s.life_cycle = LifeCycle::pending;
  set_task_state(*run, t, std::move(s));
  ++active_task_runs_;
  const auto timeout_s = t.settings.value("timeout_seconds", std::int64_t{0});
  if (timeout_s > 0) {
    const std::string msg = "Task timed out after " + std::to_string(timeout_s) + " seconds.";
    t.timeout_timer = ctx_.clock.schedule_after(timeout_s * 1000, [this, run_id, index, msg] {
      JobRun* r = mutable_run(run_id);
      if (r == nullptr || is_terminal(r->tasks[index].state.life_cycle)) return;
      r->tasks[index].timed_out = true;
      stop_task(*r, index, Result::timedout, msg, Termination{"CANCELED", "CLIENT_ERROR", msg});
    });
  }
  acquire_compute(*run, index);
}

void RunEngine::acquire_compute(JobRun& run, std::size_t index) {
  TaskRun& t = run.tasks[index];
  const std::int64_t run_id = run.run_id;
  auto ready = [this, run_id, index](const std::string& cluster_id) {
    compute_ready(run_id, index, cluster_id);
  };
  auto failed = [this, run_id, index](const clusters::TerminationReason& r) {
    compute_failed(run_id, index, r);
  };
  const std::string job_cluster_key = t.settings.value("job_cluster_key", "");
  if (!job_cluster_key.empty()) {
    t.job_cluster_key = job_cluster_key;
    auto known = run.job_clusters.find(job_cluster_key);
    if (known != run.job_clusters.end()) {
      // Shared within the run: wait for it like any existing cluster.
      clusters_.ensure_running(known->second, ready, failed);
      return;
    }
    nlohmann::json spec = nlohmann::json::object();
    for (const auto& jc : run.settings.value("job_clusters", nlohmann::json::array())) {
      if (jc.value("job_cluster_key", "") == job_cluster_key) spec = jc.value("new_cluster", spec);
    }
    run.job_clusters[job_cluster_key] =
        clusters_.launch_job_cluster(spec, run.job_id, run.run_id, ready, failed);
  } else if (has_object(t.settings, "new_cluster")) {
    t.owns_cluster = true;
    t.cluster_id = clusters_.launch_job_cluster(t.settings["new_cluster"], run.job_id, run.run_id,
                                                ready, failed);
  } else if (t.settings.contains("existing_cluster_id")) {
    t.on_all_purpose = true;
    clusters_.ensure_running(t.settings.value("existing_cluster_id", ""), ready, failed);
  } else {
    // Serverless (environment_key or no compute at all); condition tasks need no compute.
    const auto setup = has_object(t.settings, "condition_task")
                           ? 0
                           : config_.serverless_setup_ms.draw_ms(workload_seed_);
    t.timer = ctx_.clock.schedule_after(setup, [ready] { ready(""); });
  }
}

void RunEngine::compute_ready(std::int64_t run_id, std::size_t index,
                              const std::string& cluster_id) {
  JobRun* run = mutable_run(run_id);
  if (run == nullptr) return;
  TaskRun& t = run->tasks[index];
  if (t.state.life_cycle != LifeCycle::pending) return;  // cancelled or timed out meanwhile
  if (!cluster_id.empty()) t.cluster_id = cluster_id;
  if (t.on_all_purpose) clusters_.attach(t.cluster_id);
  t.running_since = ctx_.now_ms();
  State s;
  s.life_cycle = LifeCycle::running;
  set_task_state(*run, t, std::move(s));
  if (run->state.life_cycle == LifeCycle::pending) {
    State rs;
    rs.life_cycle = LifeCycle::running;
    set_run_state(*run, std::move(rs));
  }
  if (has_object(t.settings, "condition_task")) {
    const auto verdict = evaluate_condition(t.settings["condition_task"]);
    if (!verdict) {
      const std::string msg = "Condition task operands must be numbers for this operator.";
      end_task(*run, index, LifeCycle::terminated, Result::failed, msg,
               Termination{"INVALID_RUN_CONFIGURATION", "CLIENT_ERROR", msg});
      return;
    }
    t.condition_outcome = *verdict ? "true" : "false";
    end_task(*run, index, LifeCycle::terminated, Result::success, "",
             Termination{"SUCCESS", "SUCCESS", ""});
    return;
  }
  // The attempt's draws come from its own stream, so they do not depend on event order.
  kiln::core::Random random = workload_seed_.stream(std::to_string(t.run_id));
  const auto& model = workloads_.model_for(run->run_name, t.task_key, t.settings);
  t.plan = workloads::plan_attempt(model, t.attempt_number, ctx_.now_ms(), random);
  if (t.plan.run_ms) {
    const bool fails = t.plan.fails;
    t.timer = ctx_.clock.schedule_after(*t.plan.run_ms, [this, run_id, index, fails] {
      JobRun* r = mutable_run(run_id);
      if (r == nullptr || r->tasks[index].state.life_cycle != LifeCycle::running) return;
      if (fails) {
        const std::string msg = r->tasks[index].plan.error;
        end_task(*r, index, LifeCycle::terminated, Result::failed, msg,
                 Termination{"RUN_EXECUTION_ERROR", "CLIENT_ERROR", msg});
      } else {
        end_task(*r, index, LifeCycle::terminated, Result::success, "",
                 Termination{"SUCCESS", "SUCCESS", ""});
      }
    });
  }
  if (model.kind == workloads::Kind::streaming) {
    for (auto& listener : running_listeners_) listener(*run, t, model);
  }
  if (random.bernoulli(config_.driver_lost_probability)) {
    const auto horizon = t.plan.run_ms.value_or(3'600'000);
    const auto at = random.uniform_int(0, std::max<std::int64_t>(horizon - 1, 0));
    const std::int64_t task_run_id = t.run_id;
    t.fault_timer =
        ctx_.clock.schedule_after(at, [this, task_run_id] { lose_driver(task_run_id); });
  }
}

void RunEngine::compute_failed(std::int64_t run_id, std::size_t index,
                               const clusters::TerminationReason& reason) {
  JobRun* run = mutable_run(run_id);
  if (run == nullptr) return;
  TaskRun& t = run->tasks[index];
  if (t.state.life_cycle != LifeCycle::pending && t.state.life_cycle != LifeCycle::running) return;
  const std::string cluster = t.cluster_id.empty()
                                  ? t.settings.value("existing_cluster_id", t.job_cluster_key)
                                  : t.cluster_id;
  const std::string msg = cluster_failure_message(cluster, reason);
  end_task(*run, index, LifeCycle::internal_error, Result::failed, msg,
           Termination{"CLUSTER_ERROR",
                       reason.type == "CLOUD_FAILURE" ? "CLOUD_FAILURE" : "CLIENT_ERROR", msg});
}

bool RunEngine::lose_driver(std::int64_t task_run_id) {
  auto ref = task_runs_.find(task_run_id);
  if (ref == task_runs_.end()) return false;
  JobRun* run = mutable_run(ref->second.job_run_id);
  TaskRun& t = run->tasks[ref->second.index];
  if (t.state.life_cycle != LifeCycle::running) return false;
  const std::string msg =
      "The Spark driver has stopped unexpectedly and is restarting. Your notebook will be "
      "automatically reattached.";
  end_task(*run, ref->second.index, LifeCycle::internal_error, Result::failed, msg,
           Termination{"DRIVER_ERROR", "CLOUD_FAILURE", msg});
  return true;
}

void RunEngine::clusters_terminated(const std::string& cluster_id,
                                    const clusters::TerminationReason& reason) {
  // Every running attempt on that cluster fails with the cluster's reason.
  const std::vector<std::int64_t> ids(running_.begin(), running_.end());
  for (auto id : ids) {
    JobRun* run = mutable_run(id);
    if (run == nullptr) continue;
    for (std::size_t i = 0; i < run->tasks.size(); ++i) {
      const TaskRun& t = run->tasks[i];
      if (t.cluster_id == cluster_id && t.state.life_cycle == LifeCycle::running) {
        compute_failed(id, i, reason);
      }
    }
  }
}

void RunEngine::stop_task(JobRun& run, std::size_t index, Result result, const std::string& message,
                          const Termination& termination) {
  TaskRun& t = run.tasks[index];
  switch (t.state.life_cycle) {
    case LifeCycle::pending:
    case LifeCycle::running:
      end_task(run, index, LifeCycle::terminated, result, message, termination);
      return;
    case LifeCycle::blocked:
    case LifeCycle::waiting_for_retry: {
      // Never started: ends at once.
      ctx_.clock.cancel(t.timer);
      State s;
      s.life_cycle = LifeCycle::terminated;
      s.result = result == Result::timedout ? Result::canceled : result;
      s.message = message;
      s.termination = termination;
      t.end_time = ctx_.now_ms();
      if (t.start_time == 0) t.start_time = t.end_time;
      set_task_state(run, t, std::move(s));
      return;
    }
    default:
      return;  // already terminating or terminal
  }
}

void RunEngine::end_task(JobRun& run, std::size_t index, LifeCycle final_state, Result result,
                         std::string message, Termination termination) {
  TaskRun& t = run.tasks[index];
  ctx_.clock.cancel(t.timer);
  ctx_.clock.cancel(t.timeout_timer);
  ctx_.clock.cancel(t.fault_timer);
  const bool was_running = t.state.life_cycle == LifeCycle::running;
  State s;
  s.life_cycle = LifeCycle::terminating;
  s.message = std::move(message);
  set_task_state(run, t, s);
  t.terminating_since = ctx_.now_ms();
  // Kept for finalize_task: the terminal state it will show.
  s.life_cycle = final_state;
  s.result = result;
  s.user_cancelled_or_timedout = result == Result::canceled || result == Result::timedout;
  s.termination = std::move(termination);
  t.state.termination = s.termination;
  t.state.result = std::nullopt;
  if (was_running) {
    for (auto& listener : ended_listeners_) listener(run, t, result == Result::failed);
  }
  const std::int64_t run_id = run.run_id;
  const auto cleanup = was_running ? config_.task_cleanup_ms.draw_ms(workload_seed_) : 0;
  t.timer = ctx_.clock.schedule_after(cleanup, [this, run_id, index, s] {
    JobRun* r = mutable_run(run_id);
    if (r == nullptr || r->tasks[index].state.life_cycle != LifeCycle::terminating) return;
    set_task_state(*r, r->tasks[index], s);
    finalize_task(run_id, index);
  });
}

void RunEngine::finalize_task(std::int64_t run_id, std::size_t index) {
  JobRun* run = mutable_run(run_id);
  TaskRun& t = run->tasks[index];
  t.end_time = ctx_.now_ms();
  --active_task_runs_;
  if (t.on_all_purpose && t.running_since != 0) clusters_.detach(t.cluster_id);
  if (t.owns_cluster && !t.cluster_id.empty()) clusters_.finish_job_cluster(t.cluster_id);
  after_task_resolved(*run, index);
  if (!queue_.empty()) try_dequeue();
}

void RunEngine::after_task_resolved(JobRun& run, std::size_t index) {
  const TaskRun& t = run.tasks[index];
  const bool stopping = run.cancel_requested || run.timed_out || run.internal_error;
  const bool retryable =
      (t.state.result == Result::failed && t.state.life_cycle != LifeCycle::skipped) ||
      (t.state.result == Result::timedout && !t.cancel_requested &&
       t.settings.value("retry_on_timeout", false));
  const int max_retries = t.settings.value("max_retries", 0);
  // runs/submit runs do not retry (the submit docstring).
  const bool retries_left =
      run.run_type != "SUBMIT_RUN" && (max_retries == -1 || t.attempt_number < max_retries);
  if (!stopping && !t.cancel_requested && retryable && retries_left) {
    const TimeMs failed_start = t.start_time;
    const auto interval = t.settings.value("min_retry_interval_millis", std::int64_t{0});
    const std::size_t next =
        add_task(run, t.settings, t.attempt_number + 1, t.original_attempt_run_id, t.repair_id);
    TaskRun& retry = run.tasks[next];
    run.repairs.back().task_run_ids.push_back(retry.run_id);
    State s;
    s.life_cycle = LifeCycle::waiting_for_retry;
    set_task_state(run, retry, std::move(s));
    // The interval counts from the start of the failed attempt.
    const TimeMs at = std::max(ctx_.now_ms(), failed_start + interval);
    const std::int64_t run_id = run.run_id;
    retry.timer = ctx_.clock.schedule_at(at, [this, run_id, next] { start_task(run_id, next); });
    return;
  }
  unblock_downstream(run);
  maybe_finish(run);
}

void RunEngine::unblock_downstream(JobRun& run) {
  // A skipped task resolves at once and may unblock others: repeat until nothing changes
  // (bounded by the number of tasks).
  for (std::size_t pass = 0; pass <= run.tasks.size(); ++pass) {
    bool changed = false;
    const auto latest = latest_attempts(run);
    for (const auto& [key, i] : latest) {
      if (run.tasks[i].state.life_cycle != LifeCycle::blocked) continue;
      std::vector<std::pair<Upstream, const TaskRun*>> ups;
      bool ready = true;
      for (const auto& u : upstream_of(run.tasks[i].settings, run.selected)) {
        auto it = latest.find(u.task_key);
        if (it == latest.end() || !is_terminal(run.tasks[it->second].state.life_cycle)) {
          ready = false;
          break;
        }
        ups.emplace_back(u, &run.tasks[it->second]);
      }
      if (!ready) continue;
      const auto verdict = run_if_verdict(run.tasks[i].settings, ups);
      if (!verdict) {
        start_task(run.run_id, i);
      } else {
        State s;
        s.life_cycle = LifeCycle::terminated;
        s.result = *verdict;
        s.message = *verdict == Result::excluded ? "The run_if condition of this task was not met."
                                                 : "Upstream task(s) did not succeed.";
        s.termination = Termination{"SKIPPED", "SUCCESS", s.message};
        run.tasks[i].start_time = run.tasks[i].end_time = ctx_.now_ms();
        set_task_state(run, run.tasks[i], std::move(s));
      }
      changed = true;
    }
    if (!changed) return;
  }
}

}  // namespace fakedb::runs
