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
// Every call is idempotent, so a step replayed after a crash (or after a lost answer) never
// makes a second job or run. Failure at any phase ends the deployment failed with its reason;
// since the old run is stopped before the new one starts, two versions never run at once.
// Details: docs/deploys.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "fake-databricks/api/workspace_api.h"
#include "platform/artifacts/artifact_store.h"
#include "platform/store/metadata_store.h"
#include "platform/workflow/workflow_kind.h"

namespace kiln::deploy {

struct JobSource;

inline constexpr const char* kDeployKind = "deploy";
// The prepare phase's reason for a job read from its build.
std::string prepared_summary(const JobSource& source);
std::string deploy_workflow_key(std::int64_t deployment_id);  // "deployment:<id>"

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
};
void to_json(nlohmann::json& j, const DeployState& s);
void from_json(const nlohmann::json& j, DeployState& s);

class DeployWorkflow final : public workflow::WorkflowKind {
 public:
  // Everything passed must outlive this object.
  DeployWorkflow(core::Clock& clock, fakedb::WorkspaceApi& workspace, store::MetadataStore& store,
                 const artifacts::ArtifactStore& artifacts, const DeployOptions& options = {});
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
    fakedb::WorkspaceApi& workspace;
    store::MetadataStore& store;
    const artifacts::ArtifactStore& artifacts;
    DeployOptions options;
    bool stopped = false;  // the workflow object is gone: late answers do nothing more
    std::function<void(std::int64_t)> wake;  // wakes a workflow (the rollback's); may be empty
    std::function<void()> quota_exceeded;    // asks for a cleanup now; may be empty
  };

  // What a deploy blocked by the saved-jobs quota calls (Kiln wakes the cleanup workflow).
  void on_quota_exceeded(std::function<void()> fn) { parts_->quota_exceeded = std::move(fn); }

  // How a rollback's workflow is woken at once (Kiln passes its engine's wake).
  void set_waker(std::function<void(std::int64_t)> wake) { parts_->wake = std::move(wake); }

 private:
  DeployOptions options_;
  std::shared_ptr<Parts> parts_;
};

}  // namespace kiln::deploy
