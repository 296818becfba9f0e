// RunEngine: the Jobs service's run state machine on virtual time. It creates job runs and their
// task runs, drives each task attempt through PENDING (compute), RUNNING (the workload),
// TERMINATING and TERMINATED, makes retry attempts, queues or skips runs at the concurrency
// limits, rolls task results up to the run, and keeps idempotency tokens and run retention.
//
// Every timer callback names its run by id and re-checks the state it expects, so a cancel,
// delete or fault that got there first makes it a no-op.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <set>

#include "fake-databricks/api/params.h"
#include "fake-databricks/clusters/cluster_service.h"
#include "fake-databricks/runs/run.h"
#include "fake-databricks/workloads/workload.h"
#include "fake-databricks/workspace/context.h"

namespace fakedb::runs {

struct EngineConfig {
  workloads::Distribution serverless_setup_ms = workloads::Distribution::uniform(5'000, 15'000);
  workloads::Distribution attach_setup_ms = workloads::Distribution::uniform(1'000, 3'000);
  workloads::Distribution task_cleanup_ms = workloads::Distribution::uniform(1'000, 4'000);
  workloads::Distribution run_cleanup_ms = workloads::Distribution::uniform(500, 2'000);
  std::int64_t max_active_task_runs = 2'000;
  kiln::core::DurationMs queue_max_ms = 48LL * 3600 * 1000;
  kiln::core::DurationMs run_retention_ms = 60LL * 24 * 3600 * 1000;
  double internal_error_probability = 0;  // per run: the Jobs service fails it (INTERNAL_ERROR)
  double driver_lost_probability = 0;     // per task attempt: the driver is lost mid-run
};

// What to start: made by run-now, runs/submit, a cron trigger or a continuous restart.
struct StartRequest {
  std::int64_t job_id = 0;
  std::string job_name;
  std::string run_name;
  std::string run_type = "JOB_RUN";
  std::string trigger = "ONE_TIME";
  nlohmann::json settings;            // job settings with server defaults
  std::vector<std::string> selected;  // empty: every task
  nlohmann::json overriding_parameters;
  std::optional<std::string> idempotency_token;
  bool queue_enabled = false;
  std::optional<nlohmann::json> schedule;
};

class RunEngine {
 public:
  RunEngine(WorkspaceContext& ctx, clusters::ClusterService& clusters,
            const workloads::WorkloadCatalog& workloads, EngineConfig config);

  // Creates a run: started, QUEUED or SKIPPED as the limits say. With queueing off, a run-now
  // over the workspace's active task-run limit is refused with 429 and no run is made.
  // A known idempotency token returns its run instead (or an error if that run was deleted).
  ApiResult<std::int64_t> start(StartRequest request);

  // A job run, or nullptr (never for a deleted or expired run).
  const JobRun* find(std::int64_t run_id) const;
  // The job run that owns `run_id` as its own id or as one of its task runs' ids.
  const JobRun* owner_of(std::int64_t run_id, const TaskRun** task = nullptr) const;

  // runs/cancel (a job run or a task run), asynchronous: the run passes through TERMINATING.
  ApiResult<nlohmann::json> cancel(std::int64_t run_id);
  void cancel_all(std::optional<std::int64_t> job_id, bool all_queued_runs);
  // runs/delete: only runs that are not active.
  ApiResult<nlohmann::json> remove(std::int64_t run_id);
  // runs/repair: reruns tasks of a finished run with the job's current task settings.
  ApiResult<nlohmann::json> repair(std::int64_t run_id, const nlohmann::json& current_settings,
                                   const nlohmann::json& request);

  // Run ids in creation order (oldest first), of one job or of the whole workspace. May hold
  // ids of runs that expired or were deleted: find() answers nullptr for those.
  using RunIds = std::deque<std::int64_t>;
  const RunIds& run_ids_of_job(std::int64_t job_id) const;
  const RunIds& all_run_ids() const { return all_run_ids_; }
  // Active job runs of a job (QUEUED included).
  int active_runs_of(std::int64_t job_id) const;
  std::int64_t active_task_runs() const { return active_task_runs_; }
  std::size_t run_count() const { return runs_.size(); }

  // Forgets runs that ended more than the retention period ago (called before each API call).
  void expire_old_runs();

  // Called after every job run reaches a terminal state (continuous jobs restart from here).
  void on_run_finished(std::function<void(const JobRun&)> listener);

  // Called when a task attempt of a streaming workload enters RUNNING (with its model), and
  // when any task attempt leaves RUNNING: `failed` is true when it failed (a lost driver, an
  // internal error, its cluster), false when it was cancelled, timed out or ended by itself.
  // A listener must not start, cancel or fail runs from inside the call.
  using AttemptRunning =
      std::function<void(const JobRun&, const TaskRun&, const workloads::Model&)>;
  using AttemptEnded = std::function<void(const JobRun&, const TaskRun&, bool failed)>;
  void on_attempt_running(AttemptRunning listener);
  void on_attempt_ended(AttemptEnded listener);

  // Faults placed by a scenario: the Jobs service fails this run now (INTERNAL_ERROR), or the
  // driver under this task run is lost.
  bool inject_internal_error(std::int64_t run_id);
  bool lose_driver(std::int64_t task_run_id);

  std::int64_t allocate_job_id();

 private:
  struct TaskRef {
    std::int64_t job_run_id;
    std::size_t index;
  };
  JobRun* mutable_run(std::int64_t run_id);
  TaskRun* task(const TaskRef& ref);
  std::int64_t next_id(std::int64_t& counter);

  // run_engine.cc: runs
  bool can_begin(const JobRun& run, std::string* queue_code) const;
  void begin(JobRun& run);
  void enqueue(JobRun& run, const std::string& code);
  void skip(JobRun& run, const std::string& message, const std::string& code);
  void try_dequeue();
  void cancel_run(JobRun& run);
  void run_timed_out(std::int64_t run_id);
  void maybe_finish(JobRun& run);
  void finish(JobRun& run);
  void set_run_state(JobRun& run, State state);

  // run_tasks.cc: task attempts
  std::size_t add_task(JobRun& run, const nlohmann::json& settings, int attempt,
                       std::int64_t original, int repair_id);
  void start_task(std::int64_t run_id, std::size_t index);
  void acquire_compute(JobRun& run, std::size_t index);
  void compute_ready(std::int64_t run_id, std::size_t index, const std::string& cluster_id);
  void compute_failed(std::int64_t run_id, std::size_t index,
                      const clusters::TerminationReason& reason);
  void end_task(JobRun& run, std::size_t index, LifeCycle final_state, Result result,
                std::string message, Termination termination);
  void finalize_task(std::int64_t run_id, std::size_t index);
  void after_task_resolved(JobRun& run, std::size_t index);
  void unblock_downstream(JobRun& run);
  void stop_task(JobRun& run, std::size_t index, Result result, const std::string& message,
                 const Termination& termination);
  void clusters_terminated(const std::string& cluster_id,
                           const clusters::TerminationReason& reason);
  void set_task_state(JobRun& run, TaskRun& t, State state);

  WorkspaceContext& ctx_;
  clusters::ClusterService& clusters_;
  const workloads::WorkloadCatalog& workloads_;
  EngineConfig config_;
  kiln::core::Random ids_random_;
  kiln::core::Random faults_random_;
  kiln::core::Random workload_seed_;
  std::int64_t next_run_id_ = 0;
  std::int64_t next_job_id_ = 0;

  std::map<std::int64_t, JobRun> runs_;        // node-based: pointers stay valid
  std::map<std::int64_t, TaskRef> task_runs_;  // task run id -> owner
  std::map<std::int64_t, RunIds> runs_by_job_;
  RunIds all_run_ids_;
  std::map<std::int64_t, int> begun_by_job_;           // runs begun and not yet terminal
  std::map<std::int64_t, int> active_by_job_;          // including QUEUED
  std::set<std::int64_t> running_;                     // runs begun and not yet terminal
  std::deque<std::int64_t> queue_;                     // QUEUED runs, first in first out
  std::deque<std::pair<TimeMs, std::int64_t>> ended_;  // (end_time, run id), in end order
  std::map<std::string, std::int64_t> tokens_;         // idempotency token -> run id
  std::int64_t active_task_runs_ = 0;
  std::vector<std::function<void(const JobRun&)>> finished_listeners_;
  std::vector<AttemptRunning> running_listeners_;
  std::vector<AttemptEnded> ended_listeners_;
};

}  // namespace fakedb::runs
