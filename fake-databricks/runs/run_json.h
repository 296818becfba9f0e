// The Run and RunTask objects as runs/get and runs/list return them.
#pragma once

#include <nlohmann/json.hpp>

#include "fake-databricks/runs/run.h"
#include "fake-databricks/workspace/context.h"

namespace fakedb::runs {

struct RenderOptions {
  bool include_tasks = true;     // runs/get always; runs/list only with expand_tasks
  bool include_history = false;  // repair_history (runs/get include_history)
  std::size_t task_offset = 0;   // 2.2 pages task arrays at 100 entries
  std::size_t task_page = 100;
};

nlohmann::json state_json(const State& s);
nlohmann::json status_json(const State& s);
nlohmann::json run_json(const WorkspaceContext& ctx, const JobRun& run, const RenderOptions& opt);
// A task run fetched by its own run id: a Run object for that one attempt.
nlohmann::json task_run_as_run_json(const WorkspaceContext& ctx, const JobRun& run,
                                    const TaskRun& task);
nlohmann::json task_json(const WorkspaceContext& ctx, const JobRun& run, const TaskRun& task);

}  // namespace fakedb::runs
