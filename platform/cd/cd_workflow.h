// Continuous delivery: one workflow per target (key "cd:<target>") that wakes on a schedule,
// reads the newest successful build, and asks for a deploy of every job of that target whose
// deployVersion in the build is above the deployed one. Raising deployVersion in a merged change
// is how a team asks for a deploy; a build that changes nothing else deploys nothing.
//
// It never asks twice for one (job, build): a deployment of that build in the job's history
// (whatever its outcome) means CD has already asked, so a failed deploy is retried by the next
// build or by hand, never in a loop. Nor does it queue behind a deployment of the same or a
// newer version already under way. Every check reads the metadata DB, so a crash between two
// requests simply asks for the rest on the next step. Every pass is committed (its time in
// last_pass_ms), so the workflow's stored wake-up is always the next pass's.
#pragma once

#include <string>

#include "core/events/event.h"
#include "platform/artifacts/artifact_store.h"
#include "platform/store/metadata_store.h"
#include "platform/workflow/engine.h"

namespace kiln::cd {

inline constexpr const char* kCdKind = "cd";
std::string cd_workflow_key(const std::string& target);  // "cd:<target>"

struct CdOptions {
  core::DurationMs interval_ms = 60'000;  // how often each target looks for a new build
  workflow::RetryPolicy retry;
};

// What one CD pass did, for logs and tests.
struct CdPass {
  std::string build_id;                // "" if there is no successful build
  std::vector<std::string> requested;  // jobs a deploy was asked for
  std::vector<std::string> errors;     // requests that could not be recorded
};

// One pass over the newest successful build for `target` (the CD workflow's step, also usable
// on its own, e.g. `kiln cd --once`).
CdPass run_cd_pass(store::MetadataStore& store, const artifacts::ArtifactStore& artifacts,
                   workflow::Engine& engine, const std::string& target, core::TimeMs now_ms,
                   core::EventLog* events = nullptr);

class CdWorkflow final : public workflow::WorkflowKind {
 public:
  // Everything passed must outlive this object.
  CdWorkflow(store::MetadataStore& store, const artifacts::ArtifactStore& artifacts,
             workflow::Engine& engine, CdOptions options = {}, core::EventLog* events = nullptr);

  std::string_view kind() const override { return kCdKind; }
  void step(const store::Workflow& workflow, const workflow::StepContext& context,
            std::function<void(workflow::Step)> done) override;
  workflow::Step give_up(const store::Workflow& workflow, const workflow::StepContext& context,
                         const std::string& reason) override;
  workflow::RetryPolicy retry_policy() const override { return options_.retry; }

  // Creates the CD workflow of `target` if it has none open (it first runs at `first_at_ms`).
  store::Status ensure(const std::string& target, core::TimeMs first_at_ms);

 private:
  store::MetadataStore& store_;
  const artifacts::ArtifactStore& artifacts_;
  workflow::Engine& engine_;
  CdOptions options_;
  core::EventLog* events_;
};

}  // namespace kiln::cd
