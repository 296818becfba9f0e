#include "platform/metrics/db_collector.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "platform/metrics/families.h"
#include "platform/metrics/stream_metrics.h"

namespace kiln::metrics {
namespace {

constexpr std::size_t kAll = 1'000'000;
// Runs read per job, newest first: enough for the last success and the failure streak of any
// job that runs less often than every few minutes for a few days.
constexpr std::size_t kRunsScanned = 1'000;
// The deploy workflow's kind; its state names its deployment (platform/deploy/deploy_workflow.h).
constexpr const char* kDeployKind = "deploy";
// The monitor workflow's kind; its state keeps the saved-jobs count of its last pass and whether
// that is over the quota's warning fraction (platform/monitor/monitor_workflow.h).
constexpr const char* kMonitorKind = "monitor";

using JobKey = std::pair<std::string, std::string>;  // (job, target)

double seconds(std::int64_t ms) {
  return static_cast<double>(ms) / 1000.0;
}

enum class RunEnd { kSucceeded, kFailed, kNeither };

// How an ended run counts for a job's health, as monitoring judges it (job.run_failed and
// job.run_recovered, platform/monitor/): FAILED, TIMEDOUT and a life cycle INTERNAL_ERROR have
// failed for good; SUCCESS_WITH_FAILURES is a success (its leaf tasks succeeded); CANCELED,
// SKIPPED and the like are neither: kiln itself cancels runs when it deploys.
RunEnd classify(const store::Run& run) {
  const std::string& r = run.result_state;
  if (run.life_cycle_state == "INTERNAL_ERROR" || r == "FAILED" || r == "TIMEDOUT") {
    return RunEnd::kFailed;
  }
  if (r == "SUCCESS" || r == "SUCCESS_WITH_FAILURES") return RunEnd::kSucceeded;
  return RunEnd::kNeither;
}

class DbCollection {
 public:
  DbCollection(store::MetadataStore& db, const artifacts::ArtifactStore* artifacts,
               core::TimeMs now_ms, Registry& r)
      : db_(db),
        artifacts_(artifacts),
        now_ms_(now_ms),
        registry_(r),
        source_up_(r.gauge("kiln_metrics_source_up",
                           "1 if the source of these metrics could be read, else 0.")),
        builds_(r.counter("kiln_builds_total", "CI builds, by status (succeeded, failed).")),
        build_info_(r.gauge("kiln_build_info",
                            "1 for the newest successful build (per target it packaged jobs "
                            "for), naming its build id and commit.")),
        job_info_(r.gauge("kiln_job_info",
                          "1 for each job on each target, naming its strategy, the build it "
                          "runs and its Databricks job id.")),
        deployed_version_(
            r.gauge("kiln_job_deployed_version", "The deployVersion live on the target.")),
        job_state_(r.gauge("kiln_job_state",
                           "1 for the job's state on the target (deploying, deployed, failed, "
                           "removed), 0 for the others.")),
        last_run_end_(r.gauge("kiln_job_last_run_end_timestamp_seconds",
                              "When the job's latest ended run ended (Unix time).")),
        last_success_(r.gauge("kiln_job_last_success_timestamp_seconds",
                              "When the job's latest successful run ended (Unix time).")),
        consecutive_failures_(r.gauge("kiln_job_consecutive_failures",
                                      "Failed runs since the job's latest successful run.")),
        runs_active_(r.gauge("kiln_job_runs_active",
                             "Runs of the job started and not ended (not the queued ones).")),
        runs_queued_(r.gauge("kiln_job_runs_queued",
                             "Runs of the job waiting for their turn (QUEUED or BLOCKED).")),
        deployments_(families::deployments(r)),
        deployment_duration_(families::deployment_duration(r)),
        deployments_open_(r.gauge("kiln_deployments_open",
                                  "Deployments of the job under way: queued or running (0 or 1 "
                                  "each).")),
        workflows_open_(r.gauge("kiln_workflow_open", "Open workflows, by kind.")),
        workflows_due_(r.gauge("kiln_workflow_due",
                               "Open workflows whose next step is due: the engine's queue.")),
        due_lag_(r.gauge("kiln_workflow_due_lag_seconds",
                         "How long the most overdue open workflow of the kind has been due.")),
        saved_jobs_(r.gauge("kiln_workspace_saved_jobs",
                            "Jobs saved in the workspace at monitoring's last pass (quota use).")),
        quota_high_(r.gauge("kiln_workspace_quota_high",
                            "1 if the saved jobs were over the quota's warning fraction at "
                            "monitoring's last pass, else 0.")) {}

  std::vector<std::string> run() {
    bool db_ok = true;
    auto check = [&](bool ok) { db_ok = db_ok && ok; };
    check(workflows());
    check(builds_from_db());
    check(jobs());
    check(deployments());
    check(stream_locks());
    source_up_.set({{"source", "db"}}, db_ok ? 1 : 0);
    if (artifacts_ != nullptr) {
      source_up_.set({{"source", "artifacts"}}, builds_from_artifacts() ? 1 : 0);
    }
    return std::move(errors_);
  }

 private:
  template <class T>
  bool read(const store::Result<T>& result, const std::string& what) {
    if (!result) errors_.push_back("metadata DB: " + what + ": " + result.error().describe());
    return result.ok();
  }

  // Open workflows per kind, and the deployments the open deploy workflows work on (a queued
  // deployment of a job kiln has never deployed has no jobs row yet).
  bool workflows() {
    auto open = db_.list_open_workflows(kAll);
    if (!read(open, "open workflows")) return false;
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> per_kind;  // open, due
    std::map<std::string, core::TimeMs> lag_ms;
    for (const auto& w : *open) {
      auto& [count, due] = per_kind[w.kind];
      ++count;
      if (w.wake_at_ms <= now_ms_) {
        ++due;
        lag_ms[w.kind] = std::max(lag_ms[w.kind], now_ms_ - w.wake_at_ms);
      }
      if (w.kind == kDeployKind) {
        const auto id = w.state.value("deployment_id", std::int64_t{0});
        if (auto d = db_.get_deployment(id)) {
          job_keys_.insert({d->request.name, d->request.target});
        }
      } else if (w.kind == kMonitorKind) {
        if (auto it = w.state.find("saved_jobs"); it != w.state.end() && it->is_number()) {
          saved_jobs_.set({}, it->get<double>());
        }
        if (auto it = w.state.find("quota_high"); it != w.state.end() && it->is_boolean()) {
          quota_high_.set({}, it->get<bool>() ? 1 : 0);
        }
      }
    }
    for (const auto& [kind, counts] : per_kind) {
      workflows_open_.set({{"kind", kind}}, static_cast<double>(counts.first));
      workflows_due_.set({{"kind", kind}}, static_cast<double>(counts.second));
      due_lag_.set({{"kind", kind}}, seconds(lag_ms[kind]));
    }
    return true;
  }

  // The DB's builds are those that were deployed: the CI counts only if there is no artifact
  // store to read.
  bool builds_from_db() {
    if (artifacts_ != nullptr) return true;
    auto counts = db_.count_builds();
    if (!read(counts, "count builds")) return false;
    for (auto status : {store::BuildStatus::kSucceeded, store::BuildStatus::kFailed}) {
      auto it = counts->find(status);
      builds_.set_total({{"status", std::string(store::to_string(status))}},
                        it == counts->end() ? 0 : static_cast<double>(it->second));
    }
    auto latest = db_.list_builds(store::BuildStatus::kSucceeded, 1);
    if (!read(latest, "latest successful build")) return false;
    if (!latest->empty()) {
      build_info_.set({{"build", latest->front().build_id}, {"commit", latest->front().commit_sha}},
                      1);
    }
    return true;
  }

  bool builds_from_artifacts() {
    auto builds = artifacts_->list_builds();  // oldest first
    if (!builds) {
      errors_.push_back("artifact store: " + builds.error().message);
      return false;
    }
    double succeeded = 0;
    double failed = 0;
    std::map<std::string, const artifacts::BuildRecord*> latest;  // per target
    for (const auto& b : *builds) {
      if (b.status != artifacts::kBuildSucceeded) {
        ++failed;
        continue;
      }
      ++succeeded;
      for (const auto& job : b.jobs) latest[job.target] = &b;
    }
    builds_.set_total({{"status", artifacts::kBuildSucceeded}}, succeeded);
    builds_.set_total({{"status", artifacts::kBuildFailed}}, failed);
    for (const auto& [target, b] : latest) {
      build_info_.set({{"target", target}, {"build", b->build_id}, {"commit", b->commit_sha}}, 1);
    }
    return true;
  }

  bool jobs() {
    auto jobs = db_.list_all_jobs(kAll);
    if (!read(jobs, "jobs")) return false;
    bool ok = true;
    for (const auto& job : *jobs) {
      job_keys_.insert({job.name, job.target});
      const Labels labels{{"job", job.name}, {"target", job.target}};
      Labels info = labels;
      info["strategy"] = std::string(store::to_string(job.strategy));
      info["build"] = job.deployed_build_id.value_or("");
      info["databricks_job_id"] =
          job.databricks_job_id ? std::to_string(*job.databricks_job_id) : "";
      job_info_.set(info, 1);
      if (job.deployed_version) {
        deployed_version_.set(labels, static_cast<double>(*job.deployed_version));
      }
      for (auto state : {store::JobState::kDeploying, store::JobState::kDeployed,
                         store::JobState::kFailed, store::JobState::kRemoved}) {
        Labels with_state = labels;
        with_state["state"] = std::string(store::to_string(state));
        job_state_.set(with_state, job.state == state ? 1 : 0);
      }
      ok = runs(job.name, job.target, labels) && ok;
    }
    return ok;
  }

  bool runs(const std::string& job, const std::string& target, const Labels& labels) {
    auto runs = db_.list_runs(job, target, kRunsScanned);  // newest first
    if (!read(runs, "runs of " + job + " on " + target)) return false;
    std::optional<std::int64_t> last_end_ms;
    std::optional<std::int64_t> last_success_ms;
    std::int64_t failures = 0;
    std::int64_t active = 0;
    std::int64_t queued = 0;
    bool streak = true;  // still counting failures back from the newest run
    for (const auto& run : *runs) {
      if (!run.end_ms) {
        // A run waiting behind an active one (max_concurrent_runs) is not active.
        const bool waits = run.life_cycle_state == "QUEUED" || run.life_cycle_state == "BLOCKED";
        ++(waits ? queued : active);
        continue;
      }
      last_end_ms = std::max(last_end_ms.value_or(*run.end_ms), *run.end_ms);
      const RunEnd end = classify(run);
      if (end == RunEnd::kSucceeded) {
        last_success_ms = std::max(last_success_ms.value_or(*run.end_ms), *run.end_ms);
        streak = false;
      } else if (end == RunEnd::kFailed && streak) {
        ++failures;
      }
    }
    if (last_end_ms) last_run_end_.set(labels, seconds(*last_end_ms));
    if (last_success_ms) last_success_.set(labels, seconds(*last_success_ms));
    consecutive_failures_.set(labels, static_cast<double>(failures));
    runs_active_.set(labels, static_cast<double>(active));
    runs_queued_.set(labels, static_cast<double>(queued));
    return true;
  }

  // Deployments that reached each status, recounted from the records so they mean what the
  // event counters mean: every deployment was queued, those with a start time ran, and a final
  // status is reached once.
  bool deployments() {
    std::map<Labels, double> reached;
    bool ok = true;
    for (const auto& [job, target] : job_keys_) {
      auto history = db_.deployment_history(job, target, kAll);
      if (!read(history, "deployments of " + job + " on " + target)) {
        ok = false;
        continue;
      }
      const Labels key{{"job", job}, {"target", target}};
      std::map<std::string, double> open{{"queued", 0}, {"running", 0}};
      for (const auto& d : *history) {
        const std::string strategy(store::to_string(d.request.strategy));
        const std::string status(store::to_string(d.status));
        Labels labels = key;
        labels["strategy"] = strategy;
        auto count = [&](const std::string& reached_status) {
          labels["status"] = reached_status;
          reached[labels] += 1;
        };
        count("queued");
        if (d.started_ms) count("running");
        if (store::is_open(d.status)) {
          open[status] += 1;
          continue;
        }
        count(status);
        if (d.finished_ms) {
          deployment_duration_.observe(
              {{"strategy", strategy}, {"target", target}, {"status", status}},
              seconds(*d.finished_ms - d.request.created_ms));
        }
      }
      for (const auto& [status, n] : open) {
        Labels labels = key;
        labels["status"] = status;
        deployments_open_.set(labels, n);
      }
    }
    for (const auto& [labels, n] : reached) deployments_.set_total(labels, n);
    return ok;
  }

  // Each stream's writer lock and checkpoint; the families are declared even if the read fails.
  bool stream_locks() {
    auto listed = db_.list_streams(kAll);
    collect_streams(listed ? *listed : std::vector<streams::LockState>{}, now_ms_, registry_);
    return read(listed, "streams");
  }

  store::MetadataStore& db_;
  const artifacts::ArtifactStore* artifacts_;
  core::TimeMs now_ms_;
  Registry& registry_;
  std::vector<std::string> errors_;
  std::set<JobKey> job_keys_;  // every (job, target) with a jobs row or an open deployment

  Gauge source_up_;
  Counter builds_;
  Gauge build_info_;
  Gauge job_info_;
  Gauge deployed_version_;
  Gauge job_state_;
  Gauge last_run_end_;
  Gauge last_success_;
  Gauge consecutive_failures_;
  Gauge runs_active_;
  Gauge runs_queued_;
  Counter deployments_;
  Histogram deployment_duration_;
  Gauge deployments_open_;
  Gauge workflows_open_;
  Gauge workflows_due_;
  Gauge due_lag_;
  Gauge saved_jobs_;
  Gauge quota_high_;
};

}  // namespace

std::vector<std::string> collect_from_db(store::MetadataStore& db,
                                         const artifacts::ArtifactStore* artifacts,
                                         core::TimeMs now_ms, Registry& registry) {
  return DbCollection(db, artifacts, now_ms, registry).run();
}

}  // namespace kiln::metrics
