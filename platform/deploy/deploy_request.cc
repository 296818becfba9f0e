#include "platform/deploy/deploy_request.h"

#include "platform/deploy/databricks_job.h"
#include "platform/deploy/deploy_state.h"
#include "platform/deploy/job_source.h"
#include "platform/deploy/strategy.h"

namespace kiln::deploy {

store::Build build_row(const artifacts::BuildRecord& record) {
  return store::Build{record.build_id,
                      record.commit_sha,
                      record.created_ms,
                      record.status == artifacts::kBuildSucceeded ? store::BuildStatus::kSucceeded
                                                                  : store::BuildStatus::kFailed,
                      record.error,
                      static_cast<std::int64_t>(record.jobs.size())};
}

store::Result<Requested> request_deploy(store::MetadataStore& store,
                                        const artifacts::ArtifactStore& artifacts,
                                        workflow::Engine& engine, const DeployRequest& request,
                                        core::TimeMs now_ms, core::EventLog* events) {
  auto out = record_deploy(store, artifacts, request, now_ms);
  if (!out) return out;
  if (events != nullptr) {
    if (out->superseded) {
      if (auto old = store.get_deployment(*out->superseded)) {
        events->publish({now_ms, "kiln.deployment", deployment_event_fields(*old)});
      }
    }
    events->publish({now_ms, "kiln.deployment", deployment_event_fields(out->deployment)});
  }
  engine.wake(out->workflow_id);
  if (out->superseded) {
    if (auto old = store.find_open_workflow(kDeployKind, deploy_workflow_key(*out->superseded))) {
      engine.wake(old->id);  // it finds itself superseded and ends
    }
  }
  return out;
}

nlohmann::json deployment_event_fields(const store::Deployment& d) {
  const auto& r = d.request;
  nlohmann::json fields = {{"deployment", d.id},
                           {"job", r.name},
                           {"target", r.target},
                           {"version", r.version},
                           {"build", r.build_id},
                           {"strategy", store::to_string(r.strategy)},
                           {"requested_by", r.requested_by},
                           {"owner", r.owner},
                           {"status", store::to_string(d.status)}};
  if (!d.outcome_reason.empty()) fields["reason"] = d.outcome_reason;
  if (d.finished_ms) fields["latency_ms"] = *d.finished_ms - r.created_ms;
  return fields;
}

store::Result<Requested> record_deploy(store::MetadataStore& store,
                                       const artifacts::ArtifactStore& artifacts,
                                       const DeployRequest& request, core::TimeMs now_ms) {
  // The build is read (and its archive verified) now, so a bad request fails here, to the
  // person who made it, rather than later in a workflow.
  auto source = load_job_source(artifacts, request.build_id, request.name, request.target);
  if (!source) return store::Error::not_found(source.error().message);

  Requested out;
  auto written = store.transaction([&]() -> store::Status {
    if (auto s = store.upsert_build(build_row(source->build)); !s) return s;
    auto queued = store.queued_deployment(request.name, request.target);
    if (queued) {
      out.superseded = queued->id;
    } else if (queued.code() != store::ErrorCode::kNotFound) {
      return queued.error();
    }
    if (out.superseded) {
      if (auto s = store.transition_deployment(
              {*out.superseded, store::DeploymentStatus::kSuperseded, now_ms,
               "superseded by a newer request (build " + request.build_id + ")"});
          !s) {
        return s;
      }
    }
    store::DeploymentRequest row{request.name,
                                 request.target,
                                 request.build_id,
                                 source->config.deploy_version,
                                 source->config.strategy == "blue-green"
                                     ? store::Strategy::kBlueGreen
                                     : store::Strategy::kSimple,
                                 request.requested_by,
                                 request.reason,
                                 now_ms,
                                 source->config.owner};
    auto created = store.create_deployment(row);
    if (!created) return created.error();
    out.deployment = *created;
    // The archive was read and checked just now: hand the workflow what it needs.
    const auto state = queued_state(created->id, row.strategy, *source, request.build_id);
    auto workflow = store.create_workflow(
        {kDeployKind, deploy_workflow_key(created->id), state, now_ms, now_ms});
    if (!workflow) return workflow.error();
    out.workflow_id = workflow->id;
    return {};
  });
  if (!written) return written.error();
  return out;
}

}  // namespace kiln::deploy
