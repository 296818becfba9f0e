// Kiln: one kiln process's worth of parts, wired together. It owns the workflow engine, the
// deploy and CD workflow kinds, and the retrying layer over the workspace; it borrows the clock,
// the metadata DB, the artifact store and the workspace backend. Destroying it at any instant and
// building a new one over the same metadata DB is a crash and a restart: start() resumes every
// open workflow from its last committed step.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/clock/clock.h"
#include "core/random/random.h"
#include "databricks/api/workspace_api.h"
#include "databricks/client/retry_policy.h"
#include "databricks/client/retrying_workspace.h"
#include "platform/artifacts/artifact_store.h"
#include "platform/cd/cd_workflow.h"
#include "platform/cleanup/cleanup_workflow.h"
#include "platform/deploy/deploy_request.h"
#include "platform/deploy/deploy_workflow.h"
#include "platform/monitor/monitor_workflow.h"
#include "platform/store/metadata_store.h"
#include "platform/workflow/engine.h"

namespace kiln::runtime {

struct KilnOptions {
  std::vector<std::string> cd_targets;  // targets CD delivers to by itself (none: by hand only)
  deploy::DeployOptions deploy;
  cd::CdOptions cd;
  // Monitoring (monitor_workflow.h): on when set. kiln run and scenarios turn it on.
  std::optional<monitor::MonitorOptions> monitor;
  // Stale-job cleanup (cleanup_workflow.h): on when set; its first pass is one interval after
  // the workflow is created, or at once when a deploy hits the saved-jobs quota.
  std::optional<cleanup::CleanupOptions> cleanup;
  workflow::EngineOptions engine;
  databricks::RetryPolicy workspace_retry = kiln_retry_policy();
  std::uint64_t seed = 1;  // the retrying layer's jitter
  // The writer locks and checkpoints blue-green deploys hand over (docs/streams.md); not owned,
  // and it outlives a crash of kiln (in production it is the metadata DB, or a shared service).
  // Null: blue-green deploys fail with a clear reason.
  streams::LockService* locks = nullptr;

  // The SDKs' retry policy, except that jobs/create is never retried there (the deploy step
  // retries it, after looking for the job by its tags).
  static databricks::RetryPolicy kiln_retry_policy();
};

class Kiln {
 public:
  // With `events`, kiln publishes what it does there (docs/events.md): kiln.start,
  // kiln.deployment (every status a deployment reaches), kiln.phase (every phase it starts and
  // ends), exactly once per committed change.
  Kiln(core::Clock& clock, store::MetadataStore& store, const artifacts::ArtifactStore& artifacts,
       databricks::WorkspaceApi& workspace, KilnOptions options = {},
       core::EventLog* events = nullptr);
  Kiln(const Kiln&) = delete;
  Kiln& operator=(const Kiln&) = delete;

  // Resumes every open workflow and makes sure each CD target has its workflow.
  store::Status start();

  // A deploy by hand (or by a test): see deploy_request.h.
  store::Result<deploy::Requested> deploy(const std::string& name, const std::string& target,
                                          const std::string& build_id,
                                          const std::string& requested_by,
                                          const std::string& reason = "");

  workflow::Engine& engine() { return engine_; }
  // The workspace as kiln calls it (through its retrying layer).
  databricks::WorkspaceApi& workspace() { return retrying_; }
  const databricks::RetryCounters& workspace_counters() const { return retrying_.counters(); }

 private:
  void on_step(const store::Workflow& workflow);
  void repair_drift(const store::Job& row, const std::string& kind);
  void wake_cleanup();  // a deploy blocked by the saved-jobs quota asks for room now
  void publish_commit(const store::StepWrites& writes);
  // Creates the workflow (kind, key) unless one is open; returns its id.
  store::Result<std::int64_t> ensure(const char* kind, const char* key, core::TimeMs first_at_ms);

  core::Clock& clock_;
  store::MetadataStore& store_;
  const artifacts::ArtifactStore& artifacts_;
  KilnOptions options_;
  core::EventLog* events_;
  // Built in dependency order: the workspace layer, the engine, then the kinds, which are given
  // what they reach (the engine's wake, the lock service) as constructor arguments, and last
  // registered with the engine. Destroyed in reverse: each kind marks itself stopped, so an
  // answer arriving later does nothing, and the engine's destructor calls no kind.
  databricks::RetryingWorkspace retrying_;
  workflow::Engine engine_;
  deploy::DeployWorkflow deploy_;
  cd::CdWorkflow cd_;
  std::unique_ptr<monitor::MonitorWorkflow> monitor_;
  std::unique_ptr<cleanup::CleanupWorkflow> cleanup_;
};

}  // namespace kiln::runtime
