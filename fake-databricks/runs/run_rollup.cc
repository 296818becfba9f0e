#include "fake-databricks/runs/run_rollup.h"

#include <algorithm>
#include <set>

namespace fakedb::runs {

std::map<std::string, std::size_t> latest_attempts(const JobRun& run) {
  std::map<std::string, std::size_t> latest;
  for (std::size_t i = 0; i < run.tasks.size(); ++i) latest[run.tasks[i].task_key] = i;
  return latest;
}

bool counts_as_failed(const TaskRun& t) {
  if (t.state.life_cycle == LifeCycle::internal_error) return true;
  if (!t.state.result) return false;
  const Result r = *t.state.result;
  return r == Result::failed || r == Result::timedout || r == Result::upstream_failed;
}

std::vector<Upstream> upstream_of(const nlohmann::json& task_settings,
                                  const std::vector<std::string>& selected) {
  std::vector<Upstream> out;
  auto deps = task_settings.find("depends_on");
  if (deps == task_settings.end() || !deps->is_array()) return out;
  for (const auto& d : *deps) {
    const std::string key = d.value("task_key", "");
    if (std::find(selected.begin(), selected.end(), key) == selected.end()) continue;
    out.push_back({key, d.value("outcome", "")});
  }
  return out;
}

std::optional<Result> run_if_verdict(const nlohmann::json& task_settings,
                                     const std::vector<std::pair<Upstream, const TaskRun*>>& ups) {
  int succeeded = 0, failed = 0, cancelled = 0;
  for (const auto& [edge, t] : ups) {
    if (!edge.outcome.empty()) {
      // A condition-task edge: followed only when the condition came out as required.
      if (!t->condition_outcome || *t->condition_outcome != edge.outcome) return Result::excluded;
    }
    if (counts_as_failed(*t)) {
      ++failed;
    } else if (t->state.result == Result::canceled ||
               t->state.result == Result::upstream_canceled) {
      ++cancelled;
    } else if (t->state.result == Result::success || t->state.result == Result::disabled ||
               t->state.result == Result::success_with_failures) {
      ++succeeded;
    }
  }
  const int total = static_cast<int>(ups.size());
  const std::string run_if = task_settings.value("run_if", "ALL_SUCCESS");
  if (run_if == "ALL_DONE" || total == 0) return std::nullopt;
  if (run_if == "ALL_SUCCESS") {
    if (failed > 0) return Result::upstream_failed;
    if (cancelled > 0) return Result::upstream_canceled;
    return succeeded == total ? std::nullopt : std::optional<Result>(Result::excluded);
  }
  bool ok = true;
  if (run_if == "AT_LEAST_ONE_SUCCESS") ok = succeeded > 0;
  if (run_if == "NONE_FAILED") ok = failed == 0;
  if (run_if == "AT_LEAST_ONE_FAILED") ok = failed > 0;
  if (run_if == "ALL_FAILED") ok = failed == total;
  return ok ? std::nullopt : std::optional<Result>(Result::excluded);
}

State roll_up(const JobRun& run) {
  State s;
  s.life_cycle = LifeCycle::terminated;
  if (run.internal_error) {
    s.life_cycle = LifeCycle::internal_error;
    s.result = Result::failed;
    s.message = "An internal error occurred in the Jobs service. Please retry the run.";
    s.termination = Termination{"INTERNAL_ERROR", "INTERNAL_ERROR", s.message};
    return s;
  }
  if (run.cancel_requested) {
    s.result = Result::canceled;
    s.user_cancelled_or_timedout = true;
    s.message = "Run was cancelled by the user.";
    s.termination = Termination{"USER_CANCELED", "SUCCESS", s.message};
    return s;
  }
  if (run.timed_out) {
    const auto seconds = run.settings.value("timeout_seconds", 0);
    s.result = Result::timedout;
    s.user_cancelled_or_timedout = true;
    s.message = "Run timed out after " + std::to_string(seconds) + " seconds.";
    s.termination = Termination{"CANCELED", "CLIENT_ERROR", s.message};
    return s;
  }
  const auto latest = latest_attempts(run);
  std::set<std::string> has_downstream;
  for (const auto& [key, index] : latest) {
    for (const auto& u : upstream_of(run.tasks[index].settings, run.selected)) {
      has_downstream.insert(u.task_key);
    }
  }
  const TaskRun* first_failed = nullptr;
  bool leaves_ok = true;
  // Declaration order decides which failure the message names.
  for (const auto& key : run.selected) {
    auto it = latest.find(key);
    if (it == latest.end()) continue;
    const TaskRun& t = run.tasks[it->second];
    const bool failed = counts_as_failed(t) && t.state.result != Result::upstream_failed;
    if (failed && first_failed == nullptr) first_failed = &t;
    if (has_downstream.count(key) == 0 && t.state.result != Result::success &&
        t.state.result != Result::excluded && t.state.result != Result::disabled) {
      leaves_ok = false;
    }
  }
  if (first_failed == nullptr) {
    s.result = Result::success;
    s.termination = Termination{"SUCCESS", "SUCCESS", ""};
    return s;
  }
  if (leaves_ok) {
    s.result = Result::success_with_failures;
    s.termination = Termination{"SUCCESS_WITH_FAILURES", "SUCCESS", ""};
    return s;
  }
  // Observed on real workspaces: the legacy state says INTERNAL_ERROR + FAILED, the new status
  // says TERMINATED with RUN_EXECUTION_ERROR.
  s.life_cycle = LifeCycle::internal_error;
  s.result = Result::failed;
  std::string reason = first_failed->state.message;
  if (!reason.empty() && reason.back() != '.') reason += '.';
  s.message = "Task " + first_failed->task_key + " failed with message: " + reason +
              " This caused all downstream tasks to get skipped.";
  s.termination = Termination{"RUN_EXECUTION_ERROR", "CLIENT_ERROR", s.message};
  return s;
}

}  // namespace fakedb::runs
