// The deploy workflow: one workflow per deployment (key "deployment:<id>"), stepped by the
// engine. It waits while another deployment of its job runs, loads the job from the build,
// then plays the deployment's strategy phase by phase; every phase is a row of the deployment's
// history, committed with the step that ends it. Phases of the simple strategy:
//
//   prepare  load the build's archive and config (checked against its hash)
//   job      create the Databricks job, or reset it to the new settings (found by its id, or by
//            its kiln tags when a create's answer was lost)
//   stop     cancel the old version's active runs and wait until they have ended
//   start    run-now with the deployment's idempotency token (a continuous job: unpause it)
//   wait     wait until the new run is RUNNING (or, with wait_for first-run-end, has ended)
//
// Phases of the blue-green strategy (blue_green_strategy.cc), for streaming jobs that share a
// writer lock and checkpoint (core/streams/writer_lock.h):
//
//   green      t0: name green (this deployment) the stream's preferred holder; create green as
//              a separate Databricks job (found by its kiln_deployment tag after a lost answer)
//              and start its run with the deployment's idempotency token. Blue is not touched.
//   running    wait until green's run is RUNNING (t1), within start_timeout_ms
//   health     from t1 for healthSeconds green must keep running, catch up and take the lock
//              and keep it; at t2 = t1 + healthSeconds it must hold the lock (or get it within
//              catch_up_timeout_ms more)
//   stop-blue  with green holding the lock: stop blue's runs, then delete (or park) blue's job;
//              green becomes the job's live Databricks job
//   abort      any failure after t0: the preferred holder goes back to blue, green's run is
//              cancelled and its job deleted; the deployment ends aborted (or superseded, when
//              a newer request for the job came in before blue was stopped). Blue runs on.
//
// Every call is idempotent, so a step replayed after a crash (or after a lost answer) never
// makes a second job or run. Failure at any phase ends the deployment failed with its reason;
// since the old run is stopped before the new one starts, two versions never run at once.
// Details: docs/deploys.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/streams/writer_lock.h"
#include "databricks/api/workspace_api.h"
#include "platform/artifacts/artifact_store.h"
#include "platform/store/metadata_store.h"
#include "platform/workflow/workflow_kind.h"

namespace kiln::deploy {

struct JobSource;

inline constexpr const char* kDeployKind = "deploy";
// The prepare phase's reason for a job read from its build.
std::string prepared_summary(const JobSource& source);
std::string deploy_workflow_key(std::int64_t deployment_id);  // "deployment:<id>"
struct DeployState;
// Fills state.settings, prepared (and for blue-green stream and health_ms) from the job's build;
// the error message if kiln refuses the config's settings, else "".
std::string prepare_state(DeployState& state, const JobSource& source, const std::string& build_id);

enum class WaitFor { kRunning, kFirstRunEnd };

struct DeployOptions {
  std::string api_version = "2.2";                // the Jobs API version of every call
  core::DurationMs queue_poll_ms = 5'000;         // a queued deploy rechecks the running one
  core::DurationMs poll_ms = 5'000;               // stop, start and wait phases poll this often
  core::DurationMs stop_timeout_ms = 600'000;     // old runs must end within this
  core::DurationMs start_timeout_ms = 1'800'000;  // the new run must be RUNNING within this
  // With kFirstRunEnd a batch job's deploy succeeds when its first run ends SUCCESS.
  WaitFor wait_for = WaitFor::kRunning;
  core::DurationMs run_timeout_ms = 7'200'000;  // kFirstRunEnd: the first run must end within
  workflow::RetryPolicy retry;                  // transient failures of a step
  // A deploy that fails after it changed the job (its settings reset, the old run stopped)
  // asks for a deploy of the build that was live before (requested_by kiln:rollback), unless a
  // newer request is already queued. A failed rollback does not roll back again.
  bool rollback_on_failure = true;
  // jobs/create refused with QUOTA_EXCEEDED: the deploy asks for a cleanup and waits (polling
  // every quota_poll_ms, without using up its retries) up to quota_wait_ms before failing.
  core::DurationMs quota_poll_ms = 60'000;
  core::DurationMs quota_wait_ms = 3'600'000;
  // blue-green: how long after t2 green may take to catch up and take the lock, and how long
  // blue's stopped job is kept (parked, for a fast rollback) before cleanup deletes it; 0
  // deletes it at once.
  core::DurationMs catch_up_timeout_ms = 600'000;
  core::DurationMs park_blue_ms = 0;
};

// The deploy workflow's state (its JSON in the workflows table).
struct DeployState {
  std::int64_t deployment_id = 0;
  std::string phase = "admit";  // admit, job, stop, start, wait
  int seq = 0;                  // the running phase's number in the deployment's history
  core::TimeMs phase_started_ms = 0;
  std::optional<std::int64_t> job_id;
  nlohmann::json settings;              // the Databricks settings being deployed
  std::vector<std::int64_t> cancelled;  // old runs already asked to stop
  bool unpaused = false;                // a continuous job was unpaused to start its run
  std::optional<std::int64_t> run_id;
  std::string run_state;       // the new run's last life_cycle_state seen
  std::string rollback_build;  // phase rollback: the build to go back to
  // How the job was read from its build ("build B (commit C): <hash>, deployVersion N"), with
  // `settings` filled in; empty until then. request_deploy fills both when it has just read
  // and checked the archive, so the workflow does not read it again.
  std::string prepared;
  std::optional<core::TimeMs> quota_since;  // when jobs/create was first refused for the quota

  // blue-green only. job_id stays blue's (the live job) until green takes over.
  std::string stream;  // whose writer lock the versions share
  core::DurationMs health_ms = 0;
  std::string blue_holder;  // the live version's holder id ("" : no blue)
  std::optional<std::int64_t> green_job_id;
  std::optional<core::TimeMs> running_ms;  // t1: green's run was first seen RUNNING
  bool green_held = false;                 // green has held the lock since t1
  std::string abort_reason;
  bool superseded = false;  // the abort is for a newer request
};
void to_json(nlohmann::json& j, const DeployState& s);
void from_json(const nlohmann::json& j, DeployState& s);

class DeployWorkflow final : public workflow::WorkflowKind {
 public:
  // Everything passed must outlive this object.
  DeployWorkflow(core::Clock& clock, databricks::WorkspaceApi& workspace,
                 store::MetadataStore& store, const artifacts::ArtifactStore& artifacts,
                 const DeployOptions& options = {});
  ~DeployWorkflow() override;

  std::string_view kind() const override { return kDeployKind; }
  void step(const store::Workflow& workflow, const workflow::StepContext& context,
            std::function<void(workflow::Step)> done) override;
  workflow::Step give_up(const store::Workflow& workflow, const workflow::StepContext& context,
                         const std::string& reason) override;
  workflow::RetryPolicy retry_policy() const override { return options_.retry; }

  const DeployOptions& options() const { return options_; }

  struct Parts {  // what a step works with; shared with its callbacks
    core::Clock& clock;
    databricks::WorkspaceApi& workspace;
    store::MetadataStore& store;
    const artifacts::ArtifactStore& artifacts;
    DeployOptions options;
    bool stopped = false;  // the workflow object is gone: late answers do nothing more
    std::function<void(std::int64_t)> wake;  // wakes a workflow (the rollback's); may be empty
    std::function<void()> quota_exceeded;    // asks for a cleanup now; may be empty
    streams::LockService* locks = nullptr;   // blue-green's writer locks; null: none
  };

  // The writer locks blue-green deploys hand over (not owned; must outlive this object).
  void set_lock_service(streams::LockService* locks) { parts_->locks = locks; }

  // What a deploy blocked by the saved-jobs quota calls (Kiln wakes the cleanup workflow).
  void on_quota_exceeded(std::function<void()> fn) { parts_->quota_exceeded = std::move(fn); }

  // How a rollback's workflow is woken at once (Kiln passes its engine's wake).
  void set_waker(std::function<void(std::int64_t)> wake) { parts_->wake = std::move(wake); }

 private:
  DeployOptions options_;
  std::shared_ptr<Parts> parts_;
};

}  // namespace kiln::deploy
