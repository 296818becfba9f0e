// Notification: what a person is told about one event (a deploy that failed, a job that drifted),
// made from a core::Event by a pure function. Routing (routing.h) decides who hears it; sinks
// (payloads.h) decide how it looks on Slack, PagerDuty or in a file.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock/clock.h"
#include "core/events/event.h"

namespace kiln::notify {

enum class Kind {
  kDeployStarted,    // kiln.deployment running
  kDeploySucceeded,  // kiln.deployment succeeded (resolves a failed or aborted deploy)
  kDeployFailed,     // kiln.deployment failed
  kDeployAborted,    // kiln.deployment aborted
  kRunFailed,        // job.run_failed: a run failed for good (retries spent)
  kRunRecovered,     // job.run_recovered (resolves run_failed)
  kDrift,            // job.drift: the workspace no longer matches what kiln deployed
  kQuotaPressure,    // workspace.quota high: saved jobs near the workspace's limit
  kQuotaRelieved,    // workspace.quota high: false: back under it (resolves quota_pressure)
  kCleanupDeleted,   // cleanup.deleted: a stale job was removed
};

// Ordered: a route's min_severity keeps a notification at or above it.
enum class Severity { kInfo, kWarning, kError, kCritical };

// The API strings: "deploy_failed", "error". Used in config files, payloads and metrics.
std::string_view to_string(Kind kind);
std::string_view to_string(Severity severity);
std::optional<Kind> parse_kind(std::string_view text);
std::optional<Severity> parse_severity(std::string_view text);
const std::vector<std::string>& kind_names();      // every kind, in declaration order
const std::vector<std::string>& severity_names();  // info, warning, error, critical

struct Notification {
  Kind kind = Kind::kDeployStarted;
  Severity severity = Severity::kInfo;
  std::string owner;   // the job config's owner; empty when the event names none
  std::string job;     // empty for workspace-wide notifications (quota)
  std::string target;  // likewise
  std::string title;   // one line: "Deploy of etl v4 to production failed"
  std::string text;    // detail, plain text (sinks escape it for their format)
  // The incident this belongs to: a trigger and the notification that resolves it share it
  // ("kiln/production/etl/run"), so PagerDuty's resolve closes what the trigger opened.
  std::string dedup_key;
  // This notification's identity: the same event always gives the same id (a deployment's id
  // and status, a run's id), so a replayed event is recognised and not delivered twice.
  std::string id;
  core::TimeMs time_ms = 0;
  nlohmann::json fields = nlohmann::json::object();  // the event's fields, as published

  // True for the notifications that close an incident (deploy_succeeded, run_recovered,
  // quota_relieved).
  bool resolves() const;
};

// The trigger kinds a resolving kind closes, each with the severity it is raised at:
// deploy_succeeded closes deploy_failed (error) and deploy_aborted (warning); run_recovered
// closes run_failed (error); quota_relieved closes quota_pressure (warning, error); every other
// kind closes nothing.
std::vector<std::pair<Kind, Severity>> triggers_closed_by(Kind kind);

// The notification an event calls for, or nullopt for events nobody is told about: every event
// type but the five below, kiln.deployment with status queued or superseded (a request, not an
// outcome), and an event missing the job or target it must name. Never throws.
//
//   kiln.deployment  running -> deploy_started (info), succeeded -> deploy_succeeded (info),
//                    failed -> deploy_failed (error), aborted -> deploy_aborted (warning)
//   job.run_failed   -> run_failed (error)        job.run_recovered -> run_recovered (info)
//   job.drift        -> drift (warning)           cleanup.deleted   -> cleanup_deleted (info)
//   workspace.quota  -> quota_pressure (warning; error from 95% of the limit), or with
//                       high: false -> quota_relieved (info)
std::optional<Notification> notification_for(const core::Event& event);

// The notification as one JSON object (the file sink's line), keys in sorted order:
// action (trigger|resolve), dedup_key, fields, id, job, kind, owner, severity, t, target, text,
// time (ISO 8601), title.
nlohmann::json to_json(const Notification& notification);

// "2024-05-01T12:00:03.250Z".
std::string iso8601(core::TimeMs time_ms);

}  // namespace kiln::notify
