// The data of job runs and task runs, as the Jobs service keeps it. Rendering to the API's JSON
// is in run_json.cc; the transitions are in run_engine.cc.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock/clock.h"
#include "databricks/model/run_state.h"
#include "fake-databricks/workloads/workload.h"

namespace fakedb::runs {

using kiln::core::TimeMs;

// The states of databricks/model (one vocabulary for the emulator and kiln), by their old names.
using LifeCycle = databricks::LifeCycleState;
using Result = databricks::ResultState;
using databricks::is_active;
using databricks::is_terminal;
using databricks::to_string;

// status.termination_details.
struct Termination {
  std::string code;  // SUCCESS, RUN_EXECUTION_ERROR, USER_CANCELED, ...
  std::string type;  // SUCCESS, CLIENT_ERROR, INTERNAL_ERROR, CLOUD_FAILURE
  std::string message;
};

struct State {
  LifeCycle life_cycle = LifeCycle::pending;
  std::optional<Result> result;
  std::string message;
  bool user_cancelled_or_timedout = false;
  std::optional<Termination> termination;
  std::string queue_code;  // queue_details.code while QUEUED
};

struct TaskRun {
  std::int64_t run_id = 0;
  std::string task_key;
  int attempt_number = 0;
  std::int64_t original_attempt_run_id = 0;  // the first attempt's run id
  int repair_id = 0;                         // 0: the original run; else the repair that made it
  nlohmann::json settings;                   // the task's settings when this attempt was made
  State state;
  TimeMs start_time = 0, end_time = 0;
  TimeMs running_since = 0, terminating_since = 0;
  std::string cluster_id;
  std::string job_cluster_key;  // set if the task runs on a shared job cluster of the run
  bool owns_cluster = false;    // a new_cluster made for this task alone
  bool on_all_purpose = false;  // existing_cluster_id (attached while running)
  workloads::Plan plan;
  std::optional<std::string> condition_outcome;  // condition_task: "true" or "false"
  kiln::core::TimerId timer = 0;                 // the pending transition, if any
  kiln::core::TimerId timeout_timer = 0;
  kiln::core::TimerId fault_timer = 0;
  bool cancel_requested = false;
  bool timed_out = false;
};

struct RepairRecord {
  int id = 0;  // 0 for the ORIGINAL item
  TimeMs start_time = 0, end_time = 0;
  std::vector<std::int64_t> task_run_ids;
  State state;
};

struct JobRun {
  std::int64_t run_id = 0;
  std::int64_t job_id = 0;
  std::string run_name;
  std::string run_type = "JOB_RUN";  // JOB_RUN | SUBMIT_RUN | WORKFLOW_RUN
  std::string trigger = "ONE_TIME";  // ONE_TIME | PERIODIC | RETRY | CONTINUOUS | ...
  std::string creator_user_name;
  nlohmann::json settings;  // the job settings the run was made with (tasks, job_clusters, ...)
  nlohmann::json overriding_parameters;
  std::vector<std::string> selected;  // task keys that run (run-now `only`), in declaration order
  std::vector<TaskRun> tasks;         // every attempt of every task, in creation order
  std::map<std::string, std::string> job_clusters;  // job_cluster_key -> cluster id
  State state;
  TimeMs start_time = 0, end_time = 0;
  TimeMs queued_since = 0;
  kiln::core::DurationMs queue_duration = 0;
  std::optional<std::string> idempotency_token;
  std::vector<RepairRecord> repairs;  // ORIGINAL first, then one per repair
  bool cancel_requested = false;
  bool timed_out = false;
  bool internal_error = false;
  bool queue_enabled = false;
  kiln::core::TimerId timer = 0;
  kiln::core::TimerId timeout_timer = 0;
  kiln::core::TimerId queue_expiry_timer = 0;
  std::optional<nlohmann::json> schedule;  // the cron schedule that triggered it (PERIODIC)
};

// The value of a job parameter for this run: run-now's job_parameters override the job's
// settings.parameters defaults. nullopt when the job has no such parameter.
std::optional<std::string> job_parameter(const JobRun& run, const std::string& name);

}  // namespace fakedb::runs
