#include "platform/runtime/kiln.h"

namespace kiln::runtime {

workspace::RetryPolicy KilnOptions::kiln_retry_policy() {
  workspace::RetryPolicy policy;
  policy.retry_creates = false;
  return policy;
}

Kiln::Kiln(core::Clock& clock, store::MetadataStore& store,
           const artifacts::ArtifactStore& artifacts, fakedb::WorkspaceApi& workspace,
           KilnOptions options)
    : clock_(clock),
      store_(store),
      artifacts_(artifacts),
      options_(std::move(options)),
      retrying_(workspace, clock, core::Random(options_.seed).stream("kiln-workspace"),
                options_.workspace_retry),
      deploy_(clock, retrying_, store, artifacts, options_.deploy),
      cd_(store, artifacts, engine_, options_.cd),
      engine_(clock, store, options_.engine) {
  deploy_.set_waker([this](std::int64_t id) { engine_.wake(id); });
  engine_.add_kind(deploy_);
  engine_.add_kind(cd_);
  engine_.on_step([this](const store::Workflow& w) { on_step(w); });
}

store::Status Kiln::start() {
  engine_.start();
  for (const auto& target : options_.cd_targets) {
    if (auto s = cd_.ensure(target, clock_.now_ms()); !s) return s;
  }
  return {};
}

store::Result<deploy::Requested> Kiln::deploy(const std::string& name, const std::string& target,
                                              const std::string& build_id,
                                              const std::string& requested_by,
                                              const std::string& reason) {
  return deploy::request_deploy(store_, artifacts_, engine_,
                                {name, target, build_id, requested_by, reason}, clock_.now_ms());
}

// When a deploy ends, the one queued behind it may start at once rather than at its next poll.
void Kiln::on_step(const store::Workflow& workflow) {
  if (workflow.kind != deploy::kDeployKind || workflow.status == store::WorkflowStatus::kOpen) {
    return;
  }
  auto deployment = store_.get_deployment(workflow.state.value("deployment_id", std::int64_t{0}));
  if (!deployment) return;
  auto queued = store_.queued_deployment(deployment->request.name, deployment->request.target);
  if (!queued) return;
  if (auto next =
          store_.find_open_workflow(deploy::kDeployKind, deploy::deploy_workflow_key(queued->id))) {
    engine_.wake(next->id);
  }
}

}  // namespace kiln::runtime
