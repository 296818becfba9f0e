// Pure rules of a multi-task run: which attempt of a task counts, whether a task's run_if lets
// it run once its upstream tasks are done, and how task results roll up to the run's state
// (as observed on real workspaces; see docs/fake-databricks.md, "Fidelity choices").
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fake-databricks/runs/run.h"

namespace fakedb::runs {

// Index in run.tasks of the newest attempt of each task key.
std::map<std::string, std::size_t> latest_attempts(const JobRun& run);

// FAILED or TIMEDOUT result, INTERNAL_ERROR life cycle, or skipped for an upstream failure.
bool counts_as_failed(const TaskRun& task);

// The selected upstream tasks of `task_settings` (depends_on), with the required outcome of a
// condition-task edge ("" if none).
struct Upstream {
  std::string task_key;
  std::string outcome;
};
std::vector<Upstream> upstream_of(const nlohmann::json& task_settings,
                                  const std::vector<std::string>& selected);

// nullopt: the task may run. Otherwise the result it ends with without running:
// UPSTREAM_FAILED / UPSTREAM_CANCELED (ALL_SUCCESS with a failed or cancelled upstream) or
// EXCLUDED (another run_if not met, or a condition edge whose outcome did not match).
std::optional<Result> run_if_verdict(const nlohmann::json& task_settings,
                                     const std::vector<std::pair<Upstream, const TaskRun*>>& ups);

// The run's final state from its tasks' newest attempts (and cancel/timeout/internal error).
State roll_up(const JobRun& run);

}  // namespace fakedb::runs
