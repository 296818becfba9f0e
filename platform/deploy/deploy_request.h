// Asking for a deploy: by a person (`kiln deploy JOB --target T --build B`, any past build, which
// is how a rollback is done) or by CD (cd_workflow.h). The request is checked against the build,
// then recorded as a queued deployment with its deploy workflow, in one transaction.
//
// At most one deployment of a (job, target) runs and at most one waits behind it: a request
// made while one is queued supersedes that one (it ends "superseded by deployment N" and its
// workflow finishes without touching the workspace). A running deployment is never interrupted.
#pragma once

#include <string>

#include "core/clock/clock.h"
#include "core/events/event.h"
#include "platform/artifacts/artifact_store.h"
#include "platform/store/metadata_store.h"
#include "platform/workflow/engine.h"

namespace kiln::deploy {

struct DeployRequest {
  std::string name;
  std::string target;
  std::string build_id;
  std::string requested_by;  // "user:<name>", "cd:<target>"
  std::string reason;        // "" for a person who gave none
};

struct Requested {
  store::Deployment deployment;            // queued
  std::optional<std::int64_t> superseded;  // the queued deployment it replaced
  std::int64_t workflow_id = 0;
};

// Records the request and wakes the engine. kNotFound with a message naming the build, job and
// target if the build (a published, successful one) has no such job; any store error as is.
// With `events`, publishes kiln.deployment (status queued, and superseded for the one it
// replaced).
store::Result<Requested> request_deploy(store::MetadataStore& store,
                                        const artifacts::ArtifactStore& artifacts,
                                        workflow::Engine& engine, const DeployRequest& request,
                                        core::TimeMs now_ms, core::EventLog* events = nullptr);

// kiln.deployment's fields for a deployment (its status, and how it ended if it has).
nlohmann::json deployment_event_fields(const store::Deployment& deployment);

// The same without waking an engine (the caller wakes the workflow: Requested::workflow_id).
store::Result<Requested> record_deploy(store::MetadataStore& store,
                                       const artifacts::ArtifactStore& artifacts,
                                       const DeployRequest& request, core::TimeMs now_ms);

// Who asks for the rollback of a failed deploy (deploy_workflow.h).
inline constexpr const char* kRollbackBy = "kiln:rollback";
// requested_by of a redeploy that repairs drift (a job config with onDrift: redeploy).
inline constexpr const char* kRepairBy = "kiln:repair";

// The build record mirrored into the metadata DB (deployments name their build).
store::Build build_row(const artifacts::BuildRecord& record);

}  // namespace kiln::deploy
