// Internal: one step of one deploy workflow, alive while its calls are in flight.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "databricks/api/api_request.h"
#include "platform/deploy/deploy_workflow.h"

namespace kiln::deploy::detail {

class DeployStep : public std::enable_shared_from_this<DeployStep> {
 public:
  DeployStep(std::shared_ptr<DeployWorkflow::Parts> parts, store::Workflow workflow,
             workflow::StepContext context, std::function<void(workflow::Step)> done);

  void run();

  // The failure of the deployment, as one final step: the running phase (if any) failed, the
  // deployment failed, the job row marked failed.
  static workflow::Step fail(const DeployWorkflow::Parts& parts, const store::Workflow& workflow,
                             DeployState state, const store::Deployment& deployment,
                             core::TimeMs now, const std::string& reason);

  // Blue-green: the step that ends the running phase failed and opens the abort phase.
  static workflow::Step abort_step(DeployState state, const store::Deployment& deployment,
                                   core::TimeMs now, const std::string& reason, bool superseded);

 private:
  using Json = nlohmann::json;
  // Phases (simple_strategy.cc, except admit).
  void admit();
  void create_or_reset();
  void find_or_create(const std::string& note);
  void create(const std::string& note);
  bool wait_for_quota(const databricks::ApiResponse& response);
  void reset(std::int64_t job_id, const std::string& how);
  void stop_old_runs();
  void stop_runs_of(std::int64_t job_id, const std::string& what,
                    const std::function<void()>& stopped);
  void cancel_next(std::vector<std::int64_t> to_cancel);
  void start_new_run();
  void find_continuous_run();
  void wait_for_run();
  void request_rollback();
  // Blue-green phases (blue_green_strategy.cc).
  std::string admit_blue_green();
  void start_green();
  void find_green(std::function<void(std::optional<std::int64_t>)> found);
  void find_green_or_create();
  void start_green_run(std::optional<std::int64_t> unparked = std::nullopt);
  void find_green_continuous_run();
  void wait_for_green();
  void check_health();
  void stop_blue();
  void remove_blue();
  void abort(const std::string& reason, bool superseded = false);

  void abort_green();
  void end_aborted();
  store::Run green_run_row(const Json& run) const;
  std::optional<streams::LockState> lock_state(std::string* error) const;

  // Sends a request; on 200 calls `ok` with the body, otherwise ends the step: a transient
  // failure retries it, a permanent one fails the deployment. `failed`, if given, sees a
  // non-200 answer first and returns true if it handled it.
  void call(databricks::ApiRequest request, std::function<void(const Json&)> ok,
            std::function<bool(const databricks::ApiResponse&)> failed = nullptr);
  void list(databricks::ApiRequest request, const std::string& field,
            std::function<void(const Json&)> ok);
  std::string path(const std::string& endpoint) const;  // "/api/2.2/jobs/<endpoint>"

  // Ends the running phase succeeded with `reason` and opens `next` (state.phase = next).
  void advance(const std::string& next, const std::string& reason, store::StepWrites writes = {});
  void finish_succeeded(const std::string& reason, store::StepWrites writes);
  void again_after(core::DurationMs wait, store::StepWrites writes = {});
  void failed(const std::string& reason);
  void retry(const std::string& reason);
  void answer(workflow::Step step);
  core::TimeMs now() const { return parts_->clock.now_ms(); }
  bool timed_out(core::DurationMs limit) const { return now() - state_.phase_started_ms > limit; }
  store::Job job_row(store::JobState state) const;
  store::Run run_row(const Json& run) const;

  std::shared_ptr<DeployWorkflow::Parts> parts_;
  const DeployOptions& options_;
  store::Workflow workflow_;
  workflow::StepContext context_;
  std::function<void(workflow::Step)> done_;
  DeployState state_;
  store::Deployment deployment_;
  bool answered_ = false;
};

// "POST /api/2.2/jobs/create: HTTP 400 INVALID_PARAMETER_VALUE: <message>"
std::string describe_failure(const databricks::ApiRequest& request,
                             const databricks::ApiResponse& response);
// A blue-green phase after which a failure aborts (green goes, blue stays) rather than fails.
bool is_abortable_phase(const std::string& phase);

// Shared by the strategies (simple_strategy.cc).
std::string ids(const std::vector<std::int64_t>& list);  // "3, 5, 8"
bool says_missing(const databricks::ApiResponse& r);     // "... does not exist."
bool is_terminal(const std::string& life_cycle_state);
std::string seconds(core::DurationMs ms);  // "600 s"

// True if trying again later may succeed: no answer, 429, 5xx, the workspace's limits on job
// creations and quotas.
bool is_transient(const databricks::ApiResponse& response);

}  // namespace kiln::deploy::detail
