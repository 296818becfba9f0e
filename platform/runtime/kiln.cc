#include "platform/runtime/kiln.h"

#include "platform/deploy/job_source.h"

namespace kiln::runtime {

// A deployed job deleted or edited outside kiln, whose live build's config says onDrift:
// redeploy: ask for a deploy of that build again (supersedes a queued one; a running deploy
// is not disturbed). A build that cannot be read now is left to the next drift report.
void Kiln::repair_drift(const store::Job& row, const std::string& kind) {
  if (!row.deployed_build_id) return;
  auto source = deploy::load_job_source(artifacts_, *row.deployed_build_id, row.name, row.target);
  if (!source || source->config.on_drift != "redeploy") return;
  auto requested =
      deploy::record_deploy(store_, artifacts_,
                            {row.name, row.target, *row.deployed_build_id, deploy::kRepairBy,
                             "repair drift (" + kind + ") of deployVersion " +
                                 std::to_string(row.deployed_version.value_or(0))},
                            clock_.now_ms());
  if (requested) engine_.wake(requested->workflow_id);
}

databricks::RetryPolicy KilnOptions::kiln_retry_policy() {
  databricks::RetryPolicy policy;
  policy.retry_creates = false;
  return policy;
}

Kiln::Kiln(core::Clock& clock, store::MetadataStore& store,
           const artifacts::ArtifactStore& artifacts, databricks::WorkspaceApi& workspace,
           KilnOptions options, core::EventLog* events)
    : clock_(clock),
      store_(store),
      artifacts_(artifacts),
      options_(std::move(options)),
      events_(events),
      retrying_(workspace, clock, core::Random(options_.seed).stream("kiln-workspace"),
                options_.workspace_retry),
      engine_(clock, store, options_.engine),
      deploy_(clock, retrying_, store, artifacts, options_.deploy,
              deploy::DeployLinks{options_.locks, [this](std::int64_t id) { engine_.wake(id); },
                                  [this] { wake_cleanup(); }}),
      cd_(store, artifacts, engine_, options_.cd, events) {
  engine_.add_kind(deploy_);
  engine_.add_kind(cd_);
  if (options_.monitor) {
    auto monitor_options = *options_.monitor;
    if (!monitor_options.on_drift) {
      monitor_options.on_drift = [this](const store::Job& row, const std::string& kind) {
        repair_drift(row, kind);
      };
    }
    monitor_ = std::make_unique<monitor::MonitorWorkflow>(clock, retrying_, store, monitor_options,
                                                          events);
    engine_.add_kind(*monitor_);
  }
  if (options_.cleanup) {
    cleanup_ = std::make_unique<cleanup::CleanupWorkflow>(clock, retrying_, store, artifacts,
                                                          *options_.cleanup, events);
    engine_.add_kind(*cleanup_);
  }
  engine_.on_step([this](const store::Workflow& w) { on_step(w); });
  if (events_ != nullptr) {
    engine_.on_commit([this](const store::Workflow&, const store::StepWrites& writes) {
      publish_commit(writes);
    });
  }
}

void Kiln::wake_cleanup() {
  if (!cleanup_) return;  // without cleanup, a deploy blocked by the quota waits on its timer
  if (auto open = store_.find_open_workflow(cleanup::kCleanupKind, cleanup::kCleanupKey)) {
    engine_.wake(open->id);
  }
}

store::Status Kiln::start() {
  engine_.start();
  if (events_ != nullptr) {
    events_->publish({clock_.now_ms(), "kiln.start", {{"open_workflows", engine_.tracked()}}});
  }
  for (const auto& target : options_.cd_targets) {
    if (auto s = cd_.ensure(target, clock_.now_ms()); !s) return s;
  }
  if (monitor_) {
    if (auto id = ensure(monitor::kMonitorKind, monitor::kMonitorKey, clock_.now_ms()); !id) {
      return id.error();
    }
  }
  if (cleanup_) {
    const auto first = clock_.now_ms() + options_.cleanup->interval_ms;
    if (auto id = ensure(cleanup::kCleanupKind, cleanup::kCleanupKey, first); !id) {
      return id.error();
    }
  }
  return {};
}

store::Result<deploy::Requested> Kiln::deploy(const std::string& name, const std::string& target,
                                              const std::string& build_id,
                                              const std::string& requested_by,
                                              const std::string& reason) {
  return deploy::request_deploy(store_, artifacts_, engine_,
                                {name, target, build_id, requested_by, reason}, clock_.now_ms(),
                                events_);
}

store::Result<std::int64_t> Kiln::ensure(const char* kind, const char* key,
                                         core::TimeMs first_at_ms) {
  auto open = store_.find_open_workflow(kind, key);
  if (open) return open->id;
  if (open.code() != store::ErrorCode::kNotFound) return open.error();
  auto created =
      engine_.create({kind, key, nlohmann::json::object(), first_at_ms, clock_.now_ms()});
  if (!created) return created.error();
  return created->id;
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

// What a committed step changed, as events: its phases, then its deployment's new status (a
// step that starts a deployment writes its status first: then the status comes first).
void Kiln::publish_commit(const store::StepWrites& writes) {
  std::optional<store::Deployment> deployment;
  auto load = [&](std::int64_t id) -> const store::Deployment* {
    if (!deployment || deployment->id != id) {
      auto d = store_.get_deployment(id);
      if (!d) return nullptr;
      deployment = std::move(d).value();
    }
    return &*deployment;
  };
  const core::TimeMs now = clock_.now_ms();
  auto publish_status = [&] {
    if (const auto* d = load(writes.deployment->deployment_id)) {
      events_->publish({now, "kiln.deployment", deploy::deployment_event_fields(*d)});
    }
  };
  const bool starts =
      writes.deployment && writes.deployment->status == store::DeploymentStatus::kRunning;
  if (starts) publish_status();
  for (const auto& p : writes.phases) {
    const auto* d = load(p.deployment_id);
    if (d == nullptr) continue;
    nlohmann::json fields = {{"deployment", d->id},
                             {"job", d->request.name},
                             {"target", d->request.target},
                             {"version", d->request.version},
                             {"phase", p.phase},
                             {"outcome", store::to_string(p.outcome)}};
    if (!p.reason.empty()) fields["reason"] = p.reason;
    if (p.finished_ms) fields["took_ms"] = *p.finished_ms - p.started_ms;
    events_->publish({now, "kiln.phase", std::move(fields)});
  }
  if (writes.deployment && !starts) publish_status();
}

}  // namespace kiln::runtime
