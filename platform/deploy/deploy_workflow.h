// The deploy workflow: one workflow per deployment (key "deployment:<id>"), stepped by the
// engine. It waits while another deployment of its job runs (admit), loads the job from the
// build (prepare), then plays the deployment's strategy phase by phase: simple
// (simple_strategy.h) or blue-green (blue_green_strategy.h), as the job's config says. Every
// phase is a row of the deployment's history, committed with the step that ends it.
//
// Every call is idempotent, so a step replayed after a crash (or after a lost answer) never
// makes a second job or run. A failure ends the deployment failed with its reason (blue-green,
// before blue is touched: aborted); a failed deploy that had changed the job asks for a
// rollback to the build that was live before. Details: docs/deploys.md.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/streams/writer_lock.h"
#include "databricks/api/workspace_api.h"
#include "platform/artifacts/artifact_store.h"
#include "platform/deploy/deploy_options.h"
#include "platform/deploy/deploy_state.h"
#include "platform/store/metadata_store.h"
#include "platform/workflow/workflow_kind.h"

namespace kiln::deploy {

struct DeployParts;

// What a deploy reaches outside itself; every field may be empty.
struct DeployLinks {
  // The writer locks blue-green deploys hand over (not owned; must outlive the workflow).
  streams::LockService* locks = nullptr;
  // Wakes a workflow at once (a rollback's): Kiln passes its engine's wake.
  std::function<void(std::int64_t)> wake;
  // What a deploy blocked by the saved-jobs quota calls: Kiln wakes the cleanup workflow.
  std::function<void()> quota_exceeded;
};

class DeployWorkflow final : public workflow::WorkflowKind {
 public:
  // Everything passed must outlive this object.
  DeployWorkflow(core::Clock& clock, databricks::WorkspaceApi& workspace,
                 store::MetadataStore& store, const artifacts::ArtifactStore& artifacts,
                 const DeployOptions& options = {}, DeployLinks links = {});
  ~DeployWorkflow() override;

  std::string_view kind() const override { return kDeployKind; }
  void step(const store::Workflow& workflow, const workflow::StepContext& context,
            std::function<void(workflow::Step)> done) override;
  workflow::Step give_up(const store::Workflow& workflow, const workflow::StepContext& context,
                         const std::string& reason) override;
  workflow::RetryPolicy retry_policy() const override { return options_.retry; }

  const DeployOptions& options() const { return options_; }

 private:
  DeployOptions options_;
  std::shared_ptr<DeployParts> parts_;  // shared with the steps' callbacks
};

}  // namespace kiln::deploy
