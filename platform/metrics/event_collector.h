// EventCollector: counts what kiln does from the event stream (docs/events.md) into a Registry.
// It only reads events (a subscriber must not publish), so it sees exactly what the trace sees:
// each deployment status and phase once per committed change, whatever crashed in between.
// The families it fills are declared when it is constructed, so they are listed (HELP and TYPE)
// before the first event. See docs/metrics.md.
#pragma once

#include <optional>

#include "core/events/event.h"
#include "platform/metrics/registry.h"

namespace kiln::metrics {

struct EventCollectorOptions {
  // Count kiln.deployment events into kiln_deployments_total and
  // kiln_deployment_duration_seconds. A process that reads these from the DB (collect_from_db,
  // durable across restarts) turns this off, so the two families have one source.
  bool deployments = true;
};

class EventCollector {
 public:
  // Subscribes to `events`. Both must outlive the collector, which unsubscribes when destroyed.
  EventCollector(core::EventLog& events, Registry& registry, EventCollectorOptions options = {});
  ~EventCollector();
  EventCollector(const EventCollector&) = delete;
  EventCollector& operator=(const EventCollector&) = delete;

  // What the subscription calls; public so that a recorded trace can be replayed into a registry.
  void on_event(const core::Event& event);

 private:
  core::EventLog& events_;
  core::EventLog::SubscriptionId subscription_;
  Counter starts_;
  std::optional<Counter> deployments_;
  std::optional<Histogram> deployment_duration_;
  Histogram phase_duration_;
  Counter run_failures_;
  Counter run_recoveries_;
  Gauge job_failing_;
  Counter drift_;
  Counter cleanup_deleted_;
  Counter quota_warnings_;
  Gauge saved_jobs_limit_;
};

}  // namespace kiln::metrics
