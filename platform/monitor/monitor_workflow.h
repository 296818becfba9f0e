// Monitoring: one workflow (key "monitor") that keeps the metadata DB true to the workspace for
// every job kiln manages, on a schedule. Each pass reads the workspace with list calls (jobs/list,
// runs/list of active runs, runs/list of runs started since the last pass; runs/get only for the
// few runs kiln knew as unfinished that are neither), so its cost does not grow with one call per
// job, and its calls go through kiln's retrying client (429s are absorbed, not fatal).
//
// It records every run of a managed job (whoever started it: a deploy, a schedule, a retry, a
// continuous restart), so "the latest run" in the DB is the real one, and gives each run that
// ended its verdict once, remembered in the workflow's state (not in whether the pass changed
// the run's row: a deploy often records a run's end first). It publishes:
//   job.run_failed     a run ended failed for good (Databricks' own retries are attempts of that
//                      run, not new failures); once per run
//   job.run_recovered  a successful run whose predecessor (with a verdict) had failed for good;
//                      a failure and its recovery first seen in one pass publish both, in order
//   job.drift          kind deleted: a managed job is gone from the workspace;
//                      kind edited: its settings (as jobs/list shows them) changed while the
//                      deployment that wrote them stayed (compared with the first look after
//                      the deploy, so no per-job call is made);
//                      kind extra_run: a job allowed one run has two active (a run QUEUED
//                      or BLOCKED behind the active one is waiting its turn: not counted)
//   workspace.quota    saved jobs crossed the warning fraction of the limit (and back)
// A run kiln recorded of a job that is gone from the workspace (deleted outside kiln, a green
// removed) is recorded as it was last listed if it ended, else ended now (TERMINATED): no run
// stays RUNNING in the DB after its job is gone.
// A store error (other than "no such row") fails the pass, which the engine retries.
// See docs/operations.md.
#pragma once

#include <functional>
#include <string>

#include "core/clock/clock.h"
#include "core/events/event.h"
#include "databricks/api/workspace_api.h"
#include "platform/store/metadata_store.h"
#include "platform/workflow/workflow_kind.h"

namespace kiln::monitor {

inline constexpr const char* kMonitorKind = "monitor";
inline constexpr const char* kMonitorKey = "monitor";

struct MonitorOptions {
  core::DurationMs interval_ms = 60'000;
  std::string api_version = "2.2";
  std::int64_t saved_jobs_limit = 10'000;  // the workspace's quota on saved jobs
  double quota_warning_fraction = 0.9;
  workflow::RetryPolicy retry;
  // Called once per deleted or edited drift reported (after it is published), with the job's
  // row and the kind: Kiln redeploys the live build when the job's config says onDrift:
  // redeploy. May be empty.
  std::function<void(const store::Job& row, const std::string& kind)> on_drift;
};

class MonitorWorkflow final : public workflow::WorkflowKind {
 public:
  // Everything passed must outlive this object; `events` may be null. The workspace is read
  // through a databricks::JobsClient at options.api_version.
  MonitorWorkflow(core::Clock& clock, databricks::WorkspaceApi& workspace,
                  store::MetadataStore& store, const MonitorOptions& options,
                  core::EventLog* events = nullptr);
  ~MonitorWorkflow() override;

  std::string_view kind() const override { return kMonitorKind; }
  void step(const store::Workflow& workflow, const workflow::StepContext& context,
            std::function<void(workflow::Step)> done) override;
  workflow::Step give_up(const store::Workflow& workflow, const workflow::StepContext& context,
                         const std::string& reason) override;
  workflow::RetryPolicy retry_policy() const override { return options_.retry; }

  struct Parts;

 private:
  MonitorOptions options_;
  std::shared_ptr<Parts> parts_;
};

}  // namespace kiln::monitor
