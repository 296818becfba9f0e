#include "platform/deploy/deploy_workflow.h"

#include "platform/deploy/deploy_step.h"

namespace kiln::deploy {

using nlohmann::json;
using workflow::Step;

DeployWorkflow::DeployWorkflow(core::Clock& clock, databricks::WorkspaceApi& workspace,
                               store::MetadataStore& store,
                               const artifacts::ArtifactStore& artifacts,
                               const DeployOptions& options, DeployLinks links)
    : options_(options),
      parts_(std::make_shared<DeployParts>(
          DeployParts{clock, workspace, store, artifacts, options, false, std::move(links.wake),
                      std::move(links.quota_exceeded), links.locks})) {}

DeployWorkflow::~DeployWorkflow() {
  parts_->stopped = true;
}

void DeployWorkflow::step(const store::Workflow& workflow, const workflow::StepContext& context,
                          std::function<void(Step)> done) {
  std::make_shared<DeployStep>(parts_, workflow, context, std::move(done))->run();
}

Step DeployWorkflow::give_up(const store::Workflow& workflow, const workflow::StepContext& context,
                             const std::string& reason) {
  DeployState state;
  try {
    state = workflow.state.get<DeployState>();
  } catch (const json::exception& e) {
    return Step::finish(workflow.state, store::WorkflowStatus::kFailed);
  }
  auto deployment = parts_->store.get_deployment(state.deployment_id);
  if (!deployment) {
    // Not readable now: finishing here would leave the deployment open forever and block its
    // job; try again later (the attempt count starts over).
    return Step::next(workflow.state, context.now_ms + options_.retry.max_backoff_ms);
  }
  auto strategy = make_strategy(deployment->request.strategy);
  bool known_phase = false;
  try {
    known_phase = strategy->load(workflow.state);
  } catch (const json::exception& e) {
    return Step::finish(workflow.state, store::WorkflowStatus::kFailed);
  }
  if (state.stage == Stage::kRollback || !store::is_open(deployment->status)) {
    // Already failed (only asking for the rollback failed): nothing more to record.
    state.stage = Stage::kFailed;
    return Step::finish(stored_state(state, *strategy), store::WorkflowStatus::kFailed);
  }
  PhaseEnd end{*parts_, state, *deployment, context.now_ms};
  if (state.stage != Stage::kPlaying) return fail_deployment(end, *strategy, reason);
  if (known_phase) return strategy->gave_up(end, reason);
  return fail_deployment(end, *strategy, reason, workflow.state.value("phase", ""));
}

}  // namespace kiln::deploy
