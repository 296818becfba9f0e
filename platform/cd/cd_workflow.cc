#include "platform/cd/cd_workflow.h"

#include "platform/deploy/deploy_request.h"

namespace kiln::cd {

using nlohmann::json;
using workflow::Step;

std::string cd_workflow_key(const std::string& target) {
  return "cd:" + target;
}

namespace {

// True if CD has already asked for this build of the job, or a deploy of this version or a
// newer one is under way.
bool already_asked(store::MetadataStore& store, const artifacts::JobArtifact& job,
                   const std::string& build_id, std::string& error) {
  auto open = store.open_deployment(job.name, job.target);
  if (open && open->request.version >= job.deploy_version) return true;
  if (!open && open.code() != store::ErrorCode::kNotFound) {
    error = open.error().describe();
    return true;
  }
  auto queued = store.queued_deployment(job.name, job.target);
  if (queued && queued->request.version >= job.deploy_version) return true;
  // The history is newest first; a request for this build is recent, so a short look suffices
  // unless the job was deployed by hand dozens of times since the build.
  auto history = store.deployment_history(job.name, job.target, 50);
  if (!history) {
    error = history.error().describe();
    return true;
  }
  for (const auto& d : *history) {
    if (d.request.build_id == build_id) return true;
  }
  return false;
}

}  // namespace

CdPass run_cd_pass(store::MetadataStore& store, const artifacts::ArtifactStore& artifacts,
                   workflow::Engine& engine, const std::string& target, core::TimeMs now_ms,
                   core::EventLog* events) {
  CdPass pass;
  auto latest = artifacts.latest_successful_build();
  if (!latest) {
    pass.errors.push_back("read the newest build: " + latest.error().message);
    return pass;
  }
  if (!latest->has_value()) return pass;
  const artifacts::BuildRecord& build = **latest;
  pass.build_id = build.build_id;
  for (const auto& job : build.jobs) {
    if (job.target != target) continue;
    auto row = store.get_job(job.name, target);
    if (!row && row.code() != store::ErrorCode::kNotFound) {
      pass.errors.push_back(job.name + ": " + row.error().describe());
      continue;
    }
    const std::optional<std::int64_t> deployed = row ? row->deployed_version : std::nullopt;
    if (deployed && *deployed >= job.deploy_version) continue;
    std::string error;
    if (already_asked(store, job, build.build_id, error)) {
      if (!error.empty()) pass.errors.push_back(job.name + ": " + error);
      continue;
    }
    const std::string reason = "deployVersion " +
                               (deployed ? std::to_string(*deployed) : std::string("none")) +
                               " -> " + std::to_string(job.deploy_version) + " in build " +
                               build.build_id + " (commit " + build.commit_sha.substr(0, 12) + ")";
    auto requested = deploy::request_deploy(
        store, artifacts, engine, {job.name, target, build.build_id, "cd:" + target, reason},
        now_ms, events);
    if (requested) {
      pass.requested.push_back(job.name);
    } else {
      pass.errors.push_back(job.name + ": " + requested.error().message);
    }
  }
  return pass;
}

CdWorkflow::CdWorkflow(store::MetadataStore& store, const artifacts::ArtifactStore& artifacts,
                       workflow::Engine& engine, CdOptions options, core::EventLog* events)
    : store_(store), artifacts_(artifacts), engine_(engine), options_(options), events_(events) {}

void CdWorkflow::step(const store::Workflow& workflow, const workflow::StepContext& context,
                      std::function<void(Step)> done) {
  const std::string target = workflow.state.value("target", "");
  // A build CD has already been through without errors has nothing more to ask for: every job
  // of it was asked for at most once, and is never asked for again. Only a new build does.
  auto latest = artifacts_.latest_successful_build();
  if (latest && latest->has_value() &&
      (**latest).build_id == workflow.state.value("last_build", "") &&
      workflow.state.value("last_errors", json::array()).empty()) {
    // The pass time makes this a change, so the step is committed with its next wake-up: the
    // stored wake-up stays true (kiln_workflow_due_lag_seconds reads it), where an idle poll
    // would leave the last commit's, ever further in the past. One small write per interval.
    json state = workflow.state;
    state["last_pass_ms"] = context.now_ms;
    done(Step::next(std::move(state), context.now_ms + options_.interval_ms));
    return;
  }
  const CdPass pass = run_cd_pass(store_, artifacts_, engine_, target, context.now_ms, events_);
  json state = workflow.state;
  state["last_build"] = pass.build_id;
  state["last_requested"] = pass.requested;
  state["last_errors"] = pass.errors;
  state["last_pass_ms"] = context.now_ms;
  // Errors are reported in the state and tried again on the next pass; CD itself never stops.
  done(Step::next(std::move(state), context.now_ms + options_.interval_ms));
}

Step CdWorkflow::give_up(const store::Workflow& workflow, const workflow::StepContext& context,
                         const std::string& reason) {
  // CD never ends: after giving up on one pass it waits for the next.
  json state = workflow.state;
  state["last_errors"] = json::array({reason});
  return Step::next(std::move(state), context.now_ms + options_.interval_ms);
}

store::Status CdWorkflow::ensure(const std::string& target, core::TimeMs first_at_ms) {
  auto open = store_.find_open_workflow(kCdKind, cd_workflow_key(target));
  if (open) return {};
  if (open.code() != store::ErrorCode::kNotFound) return open.error();
  auto created = engine_.create(
      {kCdKind, cd_workflow_key(target), json{{"target", target}}, first_at_ms, first_at_ms});
  if (!created && created.code() != store::ErrorCode::kAlreadyExists) return created.error();
  return {};
}

}  // namespace kiln::cd
