#include "platform/notify/notification.h"

#include <date/date.h>

#include <array>
#include <chrono>
#include <cmath>

#include "core/random/random.h"

namespace kiln::notify {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 10> kKindNames = {
    "deploy_started", "deploy_succeeded", "deploy_failed", "deploy_aborted",
    "run_failed",     "run_recovered",    "drift",         "quota_pressure",
    "quota_relieved", "cleanup_deleted"};
constexpr std::array<std::string_view, 4> kSeverityNames = {"info", "warning", "error", "critical"};
// From this fraction of the job quota on, quota pressure is an error: the next deploys may fail.
constexpr double kQuotaErrorFraction = 0.95;

// A field as text: strings as they are, numbers in decimal, anything else (or absent) empty.
std::string text_of(const json& fields, const char* key) {
  const auto it = fields.find(key);
  if (it == fields.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  if (it->is_number() || it->is_boolean()) return it->dump();
  return "";
}

std::optional<std::int64_t> integer_of(const json& fields, const char* key) {
  const auto it = fields.find(key);
  if (it == fields.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

// "850 ms", "12 s", "3 min 12 s", "2 h 5 min".
std::string duration_text(std::int64_t ms) {
  if (ms < 1'000) return std::to_string(ms) + " ms";
  const std::int64_t s = ms / 1'000;
  if (s < 60) return std::to_string(s) + " s";
  if (s < 3'600) {
    return std::to_string(s / 60) + " min" +
           (s % 60 != 0 ? " " + std::to_string(s % 60) + " s" : "");
  }
  const std::int64_t min = (s % 3'600) / 60;
  return std::to_string(s / 3'600) + " h" + (min != 0 ? " " + std::to_string(min) + " min" : "");
}

// A job-scoped notification: nullopt unless the event names its job and target.
std::optional<Notification> about_job(const core::Event& event, Kind kind, Severity severity) {
  Notification n;
  n.kind = kind;
  n.severity = severity;
  n.job = text_of(event.fields, "job");
  n.target = text_of(event.fields, "target");
  if (n.job.empty() || n.target.empty()) return std::nullopt;
  n.owner = text_of(event.fields, "owner");
  n.time_ms = event.time_ms;
  n.fields = event.fields;
  return n;
}

std::string job_key(const Notification& n, std::string_view what) {
  return "kiln/" + n.target + "/" + n.job + "/" + std::string(what);
}

std::optional<Notification> deployment(const core::Event& event) {
  static const std::array<std::pair<std::string_view, std::pair<Kind, Severity>>, 4> kStatuses = {{
      {"running", {Kind::kDeployStarted, Severity::kInfo}},
      {"succeeded", {Kind::kDeploySucceeded, Severity::kInfo}},
      {"failed", {Kind::kDeployFailed, Severity::kError}},
      {"aborted", {Kind::kDeployAborted, Severity::kWarning}},
  }};
  const std::string status = text_of(event.fields, "status");
  for (const auto& [name, mapped] : kStatuses) {
    if (name != status) continue;
    auto n = about_job(event, mapped.first, mapped.second);
    if (!n) return std::nullopt;
    const json& f = event.fields;
    const std::string what = n->job + " v" + text_of(f, "version") + " to " + n->target;
    const std::string build = "build " + text_of(f, "build");
    const std::string by = "requested by " + text_of(f, "requested_by");
    const auto latency = integer_of(f, "latency_ms");
    const std::string took = latency ? ", after " + duration_text(*latency) : "";
    const std::string reason = text_of(f, "reason");
    switch (n->kind) {
      case Kind::kDeployStarted:
        n->title = "Deploying " + what;
        n->text = "Build " + text_of(f, "build") + ", " + text_of(f, "strategy") + " strategy, " +
                  by + ".";
        break;
      case Kind::kDeploySucceeded:
        n->title = "Deployed " + what;
        n->text = "Build " + text_of(f, "build") + ", " + by + took + ".";
        break;
      default:
        n->title = "Deploy of " + what + (n->kind == Kind::kDeployFailed ? " failed" : " aborted");
        n->text = (reason.empty() ? "" : reason + "\n") + "Build " + text_of(f, "build") + ", " +
                  by + took + ".";
        break;
    }
    n->dedup_key = job_key(*n, "deploy");
    n->id = n->dedup_key + "/" + text_of(f, "deployment") + "/" + status;
    return n;
  }
  return std::nullopt;  // queued, superseded, or a status this version does not know
}

std::optional<Notification> run_failed(const core::Event& event) {
  auto n = about_job(event, Kind::kRunFailed, Severity::kError);
  if (!n) return std::nullopt;
  const std::string result = text_of(event.fields, "result");
  const std::string message = text_of(event.fields, "message");
  const std::string version = text_of(event.fields, "version");
  const std::string trigger = text_of(event.fields, "trigger");
  const std::string attempts = text_of(event.fields, "attempts");
  n->title = "Run of " + n->job + " on " + n->target + " failed" +
             (result.empty() ? "" : " (" + result + ")");
  n->text = (message.empty() ? "" : message + "\n") + "Run " + text_of(event.fields, "run_id") +
            (version.empty() ? "" : " of v" + version) +
            (trigger.empty() ? "" : ", trigger " + trigger) +
            (attempts.empty() ? "" : ", " + attempts + " attempt(s)") + ".";
  n->dedup_key = job_key(*n, "run");
  n->id = n->dedup_key + "/" + text_of(event.fields, "run_id") + "/failed";
  return n;
}

std::optional<Notification> run_recovered(const core::Event& event) {
  auto n = about_job(event, Kind::kRunRecovered, Severity::kInfo);
  if (!n) return std::nullopt;
  n->title = n->job + " on " + n->target + " recovered";
  n->text = "Run " + text_of(event.fields, "run_id") + " succeeded.";
  n->dedup_key = job_key(*n, "run");
  n->id = n->dedup_key + "/" + text_of(event.fields, "run_id") + "/recovered";
  return n;
}

std::optional<Notification> drift(const core::Event& event) {
  auto n = about_job(event, Kind::kDrift, Severity::kWarning);
  if (!n) return std::nullopt;
  const std::string kind = text_of(event.fields, "kind");
  const std::string detail = text_of(event.fields, "detail");
  std::string what = kind;
  if (kind == "deleted") what = "the job was deleted in the workspace";
  if (kind == "edited") what = "the job's settings were edited in the workspace";
  if (kind == "extra_run") what = "a run kiln did not start";
  n->title = "Drift on " + n->job + " (" + n->target + "): " + what;
  n->text = detail;
  n->dedup_key = job_key(*n, "drift");
  // The same drift seen again (a later monitoring pass) has the same id; a different one not.
  n->id = n->dedup_key + "/" + kind + "/" + std::to_string(core::stable_hash(detail));
  return n;
}

std::optional<Notification> quota(const core::Event& event) {
  const json& f = event.fields;
  const auto fraction_it = f.find("fraction");
  if (fraction_it == f.end() || !fraction_it->is_number()) return std::nullopt;
  const double fraction = fraction_it->get<double>();
  if (!std::isfinite(fraction)) return std::nullopt;
  const auto high_it = f.find("high");
  const bool relieved = high_it != f.end() && high_it->is_boolean() && !high_it->get<bool>();
  Notification n;
  n.owner = text_of(f, "owner");
  n.time_ms = event.time_ms;
  n.fields = f;
  const auto percent = static_cast<std::int64_t>(std::floor(fraction * 100));
  const std::string usage = std::to_string(percent) + "% (" + text_of(f, "saved_jobs") + " of " +
                            text_of(f, "limit") + " jobs)";
  if (relieved) {
    n.kind = Kind::kQuotaRelieved;
    n.severity = Severity::kInfo;
    n.title = "Workspace job quota back down to " + usage;
  } else {
    n.kind = Kind::kQuotaPressure;
    n.severity = fraction >= kQuotaErrorFraction ? Severity::kError : Severity::kWarning;
    n.title = "Workspace job quota at " + usage;
    n.text = "New jobs cannot be created once the limit is reached; cleanup removes stale jobs.";
  }
  n.dedup_key = "kiln/workspace/quota";
  // Monitoring publishes on each crossing; the same crossing published again has the same id.
  n.id = n.dedup_key + "/" + std::string(relieved ? "relieved" : to_string(n.severity)) + "/" +
         text_of(f, "saved_jobs");
  return n;
}

std::optional<Notification> cleanup_deleted(const core::Event& event) {
  auto n = about_job(event, Kind::kCleanupDeleted, Severity::kInfo);
  if (!n) return std::nullopt;
  auto last_active = integer_of(event.fields, "last_active_ms");
  if (!last_active) last_active = integer_of(event.fields, "last_run_ms");
  const std::string idle_days = text_of(event.fields, "idle_days");
  const std::string why = text_of(event.fields, "why");
  // why: stale (or absent: an older kiln), parked_expired, or gone (the job had already left
  // the workspace: a delete whose answer was lost, or a delete by hand; kiln recorded it).
  n->title = why == "gone" ? n->job + " on " + n->target + " is gone; cleanup recorded it removed"
                           : "Cleanup deleted " + n->job + " on " + n->target;
  const std::string reason = why == "parked_expired" ? "a parked blue past its park time; "
                             : why == "gone"         ? "already gone from the workspace; "
                                                     : "";
  n->text =
      "Databricks job " + text_of(event.fields, "job_id") + "; " + reason +
      (last_active && *last_active > 0 ? "last active " + iso8601(*last_active) : "never active") +
      (idle_days.empty() ? "" : ", idle " + idle_days + " day(s)") + ".";
  n->dedup_key = job_key(*n, "cleanup");
  n->id = n->dedup_key + "/" + text_of(event.fields, "job_id");
  return n;
}

}  // namespace

std::string_view to_string(Kind kind) {
  return kKindNames.at(static_cast<std::size_t>(kind));
}

std::string_view to_string(Severity severity) {
  return kSeverityNames.at(static_cast<std::size_t>(severity));
}

std::optional<Kind> parse_kind(std::string_view text) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == text) return static_cast<Kind>(i);
  }
  return std::nullopt;
}

std::optional<Severity> parse_severity(std::string_view text) {
  for (std::size_t i = 0; i < kSeverityNames.size(); ++i) {
    if (kSeverityNames[i] == text) return static_cast<Severity>(i);
  }
  return std::nullopt;
}

const std::vector<std::string>& kind_names() {
  static const std::vector<std::string> names(kKindNames.begin(), kKindNames.end());
  return names;
}

const std::vector<std::string>& severity_names() {
  static const std::vector<std::string> names(kSeverityNames.begin(), kSeverityNames.end());
  return names;
}

bool Notification::resolves() const {
  return !triggers_closed_by(kind).empty();
}

std::vector<std::pair<Kind, Severity>> triggers_closed_by(Kind kind) {
  switch (kind) {
    case Kind::kDeploySucceeded:
      return {{Kind::kDeployFailed, Severity::kError}, {Kind::kDeployAborted, Severity::kWarning}};
    case Kind::kRunRecovered:
      return {{Kind::kRunFailed, Severity::kError}};
    case Kind::kQuotaRelieved:
      return {{Kind::kQuotaPressure, Severity::kWarning}, {Kind::kQuotaPressure, Severity::kError}};
    default:
      return {};
  }
}

std::optional<Notification> notification_for(const core::Event& event) {
  if (!event.fields.is_object()) return std::nullopt;
  try {
    if (event.type == "kiln.deployment") return deployment(event);
    if (event.type == "job.run_failed") return run_failed(event);
    if (event.type == "job.run_recovered") return run_recovered(event);
    if (event.type == "job.drift") return drift(event);
    if (event.type == "workspace.quota") return quota(event);
    if (event.type == "cleanup.deleted") return cleanup_deleted(event);
  } catch (const std::exception&) {  // a field of an unexpected shape: nobody is told
  }
  return std::nullopt;
}

json to_json(const Notification& n) {
  return {{"action", n.resolves() ? "resolve" : "trigger"},
          {"dedup_key", n.dedup_key},
          {"fields", n.fields},
          {"id", n.id},
          {"job", n.job},
          {"kind", to_string(n.kind)},
          {"owner", n.owner},
          {"severity", to_string(n.severity)},
          {"t", n.time_ms},
          {"target", n.target},
          {"text", n.text},
          {"time", iso8601(n.time_ms)},
          {"title", n.title}};
}

std::string iso8601(core::TimeMs time_ms) {
  const date::sys_time<std::chrono::milliseconds> t{std::chrono::milliseconds(time_ms)};
  return date::format("%FT%TZ", t);
}

}  // namespace kiln::notify
