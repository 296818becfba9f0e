#include "platform/metrics/event_collector.h"

#include <string>

#include "platform/metrics/families.h"

namespace kiln::metrics {
namespace {

// A field as text: strings as they are, numbers as their JSON text, "" if absent.
std::string text(const nlohmann::json& fields, const char* key) {
  auto it = fields.find(key);
  if (it == fields.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// A numeric field, or nullptr if absent or not a number.
const nlohmann::json* number(const nlohmann::json& fields, const char* key) {
  auto it = fields.find(key);
  return it != fields.end() && it->is_number() ? &*it : nullptr;
}

double seconds(const nlohmann::json& ms) {
  return ms.get<double>() / 1000.0;
}

Labels job_target(const nlohmann::json& fields) {
  return {{"job", text(fields, "job")}, {"target", text(fields, "target")}};
}

}  // namespace

EventCollector::EventCollector(core::EventLog& events, Registry& registry,
                               EventCollectorOptions options)
    : events_(events),
      subscription_(0),
      starts_(registry.counter("kiln_starts_total", "Times kiln started or restarted.")),
      phase_duration_(registry.histogram("kiln_deploy_phase_duration_seconds",
                                         "Duration of ended deploy phases, by outcome.",
                                         families::kPhaseDurationBuckets)),
      run_failures_(registry.counter("kiln_job_run_failures_total",
                                     "Runs of a deployed job that monitoring saw fail.")),
      run_recoveries_(
          registry.counter("kiln_job_run_recoveries_total",
                           "Times a job's runs succeeded again after a failure (monitoring).")),
      job_failing_(registry.gauge("kiln_job_failing",
                                  "1 while a job's latest ended run failed (monitoring), else 0.")),
      drift_(registry.counter("kiln_job_drift_total",
                              "Times a deployed job was found changed outside kiln, by kind.")),
      cleanup_deleted_(registry.counter("kiln_cleanup_deleted_jobs_total",
                                        "Stale jobs the cleanup workflow deleted.")),
      quota_warnings_(registry.counter(
          "kiln_workspace_quota_warnings_total",
          "Times the workspace's saved jobs crossed the warning fraction of the quota.")),
      saved_jobs_limit_(registry.gauge("kiln_workspace_saved_jobs_limit",
                                       "The workspace's quota of saved jobs.")) {
  if (options.deployments) {
    deployments_ = families::deployments(registry);
    deployment_duration_ = families::deployment_duration(registry);
  }
  starts_.inc({}, 0);  // totals with no labels exist from the start
  quota_warnings_.inc({}, 0);
  subscription_ = events_.subscribe([this](const core::Event& event) { on_event(event); });
}

EventCollector::~EventCollector() {
  events_.unsubscribe(subscription_);
}

void EventCollector::on_event(const core::Event& event) {
  const auto& f = event.fields;
  if (event.type == "kiln.deployment") {
    if (!deployments_) return;
    const std::string status = text(f, "status");
    deployments_->inc({{"job", text(f, "job")},
                       {"target", text(f, "target")},
                       {"strategy", text(f, "strategy")},
                       {"status", status}});
    if (const auto* latency = number(f, "latency_ms");
        latency != nullptr && status != "queued" && status != "running") {
      deployment_duration_->observe(
          {{"strategy", text(f, "strategy")}, {"target", text(f, "target")}, {"status", status}},
          seconds(*latency));
    }
  } else if (event.type == "kiln.phase") {
    const auto* took = number(f, "took_ms");
    const std::string outcome = text(f, "outcome");
    if (took != nullptr && outcome != "running") {
      phase_duration_.observe({{"phase", text(f, "phase")}, {"outcome", outcome}}, seconds(*took));
    }
  } else if (event.type == "kiln.start") {
    starts_.inc({});
  } else if (event.type == "job.run_failed") {
    run_failures_.inc(job_target(f));
    job_failing_.set(job_target(f), 1);
  } else if (event.type == "job.run_recovered") {
    run_recoveries_.inc(job_target(f));
    job_failing_.set(job_target(f), 0);
  } else if (event.type == "job.drift") {
    Labels labels = job_target(f);
    labels["kind"] = text(f, "kind");
    drift_.inc(labels);
  } else if (event.type == "cleanup.deleted") {
    cleanup_deleted_.inc({{"target", text(f, "target")}});
  } else if (event.type == "workspace.quota") {
    // Published when the quota use crosses the warning fraction, either way; the current count
    // is the DB's (collect_from_db), as this one goes stale between crossings.
    if (f.value("high", false)) quota_warnings_.inc({});
    if (const auto* limit = number(f, "limit")) saved_jobs_limit_.set({}, limit->get<double>());
  }
}

}  // namespace kiln::metrics
