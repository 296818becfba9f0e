// The routing config: named sinks (Slack, PagerDuty, a JSON-lines file), routes that send
// notifications to them by owner, job, target, kind and severity, and delivery settings.
// Read from YAML or JSON (docs/notifications.md); every problem names its field.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock/clock.h"
#include "platform/config/diagnostic.h"
#include "platform/notify/notification.h"

namespace kiln::notify {

enum class SinkType { kSlack, kPagerDuty, kFile };
std::string_view to_string(SinkType type);

struct SinkConfig {
  std::string name;
  SinkType type = SinkType::kFile;
  std::string url;          // slack: the incoming webhook; pagerduty: the Events API v2 endpoint
  std::string routing_key;  // pagerduty: the integration key
  std::string source = "kiln";  // pagerduty: payload.source
  std::string path;             // file: appended to, one JSON line per notification
};

inline constexpr const char* kPagerDutyEventsUrl = "https://events.pagerduty.com/v2/enqueue";

struct RouteMatch {
  // Globs (core::glob_match: `*` and `?`); nullopt matches anything. An event without an owner
  // has the empty owner, which `*` matches and `?*` does not.
  std::optional<std::string> owner, job, target;
  std::vector<Kind> kinds;  // empty: every kind
  Severity min_severity = Severity::kInfo;

  bool matches(const Notification& n) const;
};

struct Route {
  RouteMatch match;
  std::vector<std::string> sinks;  // names from RoutingConfig::sinks
  bool continue_matching = false;  // `continue: true`: later routes are tried too
};

struct DeliveryOptions {
  int max_attempts = 8;                       // per notification and sink, the first included
  core::DurationMs first_backoff_ms = 2'000;  // the wait before the first retry; doubles each time
  core::DurationMs max_backoff_ms = 300'000;  // no wait is longer (Retry-After included)
  core::DurationMs dedup_window_ms = 86'400'000;  // a notification delivered is not sent again
  std::size_t queue_limit = 1'000;                // deliveries waiting or retrying, over every sink
  std::string journal;  // a file remembering what was delivered; empty: memory only
};

struct RoutingConfig {
  std::map<std::string, SinkConfig> sinks;
  std::vector<Route> routes;
  DeliveryOptions delivery;
};

// Reads environment variables (the *_env settings); the default reads the process's.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
std::optional<std::string> process_env(const std::string& name);

// Checks a routing document (already JSON), appending one diagnostic per problem, field by field
// ("routes[1].sinks[0]: unknown sink 'pager'"); file and position are left empty. Returns the
// config only when there is no problem. Secret values (webhook URLs, routing keys) never appear
// in a message.
std::optional<RoutingConfig> parse_routing(const nlohmann::json& doc,
                                           std::vector<config::Diagnostic>& diagnostics,
                                           const EnvLookup& env = process_env);

// The same from the text of a file (YAML, or JSON, which is YAML too), each diagnostic located at
// file:line:column.
std::optional<RoutingConfig> load_routing(const std::string& file, const std::string& text,
                                          std::vector<config::Diagnostic>& diagnostics,
                                          const EnvLookup& env = process_env);

// The sinks a notification goes to, in order of first mention, each once. Routes are tried in
// order; the first that matches takes the notification and ends the search unless it says
// `continue: true`. A resolving notification (deploy_succeeded, run_recovered) also goes to every
// PagerDuty sink that a trigger it closes (deploy_failed, deploy_aborted, run_failed) would have
// gone to, so an incident opened there is closed there whatever the routes say of the resolving
// kind itself.
std::vector<std::string> route(const RoutingConfig& config, const Notification& notification);

}  // namespace kiln::notify
