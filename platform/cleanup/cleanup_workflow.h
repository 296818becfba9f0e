// Stale-job cleanup: a workflow (key "cleanup") that runs once a day and deletes kiln-managed
// Databricks jobs nobody needs any more, to keep the workspace under its saved-jobs quota. A
// job is deleted only if all of these hold:
//   - kiln manages it (its kiln_managed/kiln_job/kiln_target tags);
//   - its (job, target) is not in the newest successful build of its target (its config is
//     gone from the repository);
//   - it is not the job of a deployment still under way;
//   - it has no active run;
//   - its newest run started more than `stale_after` ago (90 days), or it never ran and was
//     created that long ago.
// A parked blue (the blue-green strategy's stopped old job, kept for a fast rollback) is never
// deleted before its park time is up, and is deleted once it is (unless a run of it is active),
// however recently it ran and even though its config is in the build. A row whose job is no
// longer listed (a delete whose answer was lost), whose config is gone and that no deployment
// uses is marked removed too (why "gone"). Every
// deletion is recorded (the job row becomes removed) and published (cleanup.deleted); a dry
// run publishes cleanup.would_delete and deletes nothing. A deploy blocked by QUOTA_EXCEEDED
// wakes this workflow (wake_now) and waits for the room it makes. docs/operations.md.
#pragma once

#include <string>

#include "core/clock/clock.h"
#include "core/events/event.h"
#include "databricks/api/workspace_api.h"
#include "platform/artifacts/artifact_store.h"
#include "platform/store/metadata_store.h"
#include "platform/workflow/workflow_kind.h"

namespace kiln::cleanup {

inline constexpr const char* kCleanupKind = "cleanup";
inline constexpr const char* kCleanupKey = "cleanup";

struct CleanupOptions {
  core::DurationMs interval_ms = 86'400'000;            // once a day
  core::DurationMs stale_after_ms = 90LL * 86'400'000;  // no run for 90 days
  bool dry_run = false;
  std::string api_version = "2.2";
  workflow::RetryPolicy retry;
};

// What one pass decided, for `kiln cleanup` and tests.
struct CleanupPass {
  std::vector<std::string> deleted;  // "name/target (job id)"
  std::vector<std::string> kept;     // "name/target (job id): why"
};

class CleanupWorkflow final : public workflow::WorkflowKind {
 public:
  // Everything passed must outlive this object; `events` may be null. The workspace is read
  // through a databricks::JobsClient at options.api_version.
  CleanupWorkflow(core::Clock& clock, databricks::WorkspaceApi& workspace,
                  store::MetadataStore& store, const artifacts::ArtifactStore& artifacts,
                  const CleanupOptions& options, core::EventLog* events = nullptr);
  ~CleanupWorkflow() override;

  std::string_view kind() const override { return kCleanupKind; }
  void step(const store::Workflow& workflow, const workflow::StepContext& context,
            std::function<void(workflow::Step)> done) override;
  workflow::Step give_up(const store::Workflow& workflow, const workflow::StepContext& context,
                         const std::string& reason) override;
  workflow::RetryPolicy retry_policy() const override { return options_.retry; }

  // Runs one pass now, outside any workflow (kiln cleanup): `done` gets what it decided.
  void run_once(std::function<void(CleanupPass, std::string error)> done);

  struct Parts;

 private:
  CleanupOptions options_;
  std::shared_ptr<Parts> parts_;
};

}  // namespace kiln::cleanup
