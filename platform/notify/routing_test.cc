// The routing config: good files, every bad field named (and located in a file), and the
// first-match-unless-continue rule with PagerDuty resolves following their triggers.
#include "platform/notify/routing.h"

#include <catch2/catch.hpp>

namespace kiln::notify {
namespace {

using nlohmann::json;
using Errors = std::vector<std::string>;

std::optional<std::string> fake_env(const std::string& name) {
  if (name == "PD_KEY") return "R0UTINGKEY";
  if (name == "SLACK_URL") return "https://hooks.slack.com/services/T0/B0/secret";
  if (name == "NOT_A_URL") return "hooks.slack.com/services/secret";
  return std::nullopt;
}

const char* const kGood = R"(
sinks:
  data-slack:
    type: slack
    url_env: SLACK_URL
  oncall:
    type: pagerduty
    routing_key_env: PD_KEY
  audit:
    type: file
    path: /var/log/kiln/notifications.jsonl
routes:
  - match: {owner: "data-*", kinds: [deploy_failed, run_failed, drift], min_severity: warning}
    sinks: [data-slack, oncall]
    continue: true
  - match: {target: production, min_severity: error}
    sinks: [oncall]
  - sinks: [audit]
delivery:
  max_attempts: 5
  first_backoff_ms: 500
  max_backoff_ms: 60000
  dedup_window_ms: 3600000
  queue_limit: 50
  journal: /var/lib/kiln/notify-journal.jsonl
)";

Errors errors_of(const json& doc) {
  std::vector<config::Diagnostic> diagnostics;
  const auto config = parse_routing(doc, diagnostics, fake_env);
  CHECK(config.has_value() == diagnostics.empty());
  Errors out;
  for (const auto& d : diagnostics) out.push_back(d.to_string());
  return out;
}

std::string joined(const Errors& errors) {
  std::string out;
  for (const auto& e : errors) out += (out.empty() ? "" : "\n") + e;
  return out;
}

json minimal() {
  return {{"sinks", {{"audit", {{"type", "file"}, {"path", "/tmp/n.jsonl"}}}}},
          {"routes", json::array({{{"sinks", {"audit"}}}})}};
}

RoutingConfig load(const std::string& text) {
  std::vector<config::Diagnostic> diagnostics;
  auto config = load_routing("notify.yaml", text, diagnostics, fake_env);
  for (const auto& d : diagnostics) FAIL_CHECK(d.to_string());
  REQUIRE(config);
  return *config;
}

Notification note(Kind kind, Severity severity, const std::string& owner = "",
                  const std::string& target = "dev") {
  Notification n;
  n.kind = kind;
  n.severity = severity;
  n.owner = owner;
  n.job = "etl";
  n.target = target;
  return n;
}

TEST_CASE("a good routing file gives its sinks routes and delivery settings") {
  const auto config = load(kGood);
  REQUIRE(config.sinks.size() == 3);
  const auto& slack = config.sinks.at("data-slack");
  CHECK(slack.type == SinkType::kSlack);
  CHECK(slack.url == "https://hooks.slack.com/services/T0/B0/secret");
  const auto& pd = config.sinks.at("oncall");
  CHECK(pd.type == SinkType::kPagerDuty);
  CHECK(pd.routing_key == "R0UTINGKEY");
  CHECK(pd.url == "https://events.pagerduty.com/v2/enqueue");
  CHECK(pd.source == "kiln");
  CHECK(config.sinks.at("audit").path == "/var/log/kiln/notifications.jsonl");
  REQUIRE(config.routes.size() == 3);
  CHECK(config.routes[0].match.owner == "data-*");
  CHECK(config.routes[0].match.kinds ==
        std::vector<Kind>{Kind::kDeployFailed, Kind::kRunFailed, Kind::kDrift});
  CHECK(config.routes[0].match.min_severity == Severity::kWarning);
  CHECK(config.routes[0].continue_matching);
  CHECK(config.routes[0].sinks == std::vector<std::string>{"data-slack", "oncall"});
  CHECK_FALSE(config.routes[1].continue_matching);
  CHECK_FALSE(config.routes[2].match.owner);
  CHECK(config.delivery.max_attempts == 5);
  CHECK(config.delivery.first_backoff_ms == 500);
  CHECK(config.delivery.max_backoff_ms == 60'000);
  CHECK(config.delivery.dedup_window_ms == 3'600'000);
  CHECK(config.delivery.queue_limit == 50);
  CHECK(config.delivery.journal == "/var/lib/kiln/notify-journal.jsonl");
}

TEST_CASE("JSON routing files are read too and delivery has defaults") {
  const auto config = load(minimal().dump());
  CHECK(config.delivery.max_attempts == 8);
  CHECK(config.delivery.first_backoff_ms == 2'000);
  CHECK(config.delivery.dedup_window_ms == 86'400'000);
  CHECK(config.delivery.journal.empty());
}

TEST_CASE("a route naming an unknown sink is an error naming the field") {
  json doc = minimal();
  doc["sinks"]["oncall"] = {{"type", "pagerduty"}, {"routing_key", "k"}};
  doc["routes"].push_back({{"sinks", {"pager", "oncal"}}});
  CHECK(errors_of(doc) ==
        Errors{": routes[1].sinks[0]: unknown sink 'pager'; the sinks are: audit, oncall",
               ": routes[1].sinks[1]: unknown sink 'oncal'; did you mean 'oncall'?"});
}

TEST_CASE("bad sinks are errors naming the field without echoing secrets") {
  json doc = minimal();
  doc["sinks"]["a"] = {{"type", "slak"}};
  doc["sinks"]["b"] = {{"type", "slack"}};
  doc["sinks"]["c"] = {{"type", "slack"}, {"url", "ftp://hooks.example.com/secret"}};
  doc["sinks"]["d"] = {{"type", "pagerduty"}, {"routing_key", "k"}, {"routing_key_env", "PD_KEY"}};
  doc["sinks"]["e"] = {{"type", "pagerduty"}, {"routing_key_env", "UNSET"}};
  doc["sinks"]["f"] = {{"type", "file"}, {"path", "x"}, {"url", "https://a/b"}};
  doc["sinks"]["g"] = {{"type", "file"}};
  doc["sinks"]["h"] = {{"type", "slack"}, {"url_env", "NOT_A_URL"}};
  doc["sinks"]["i"] = "slack";
  doc["sinks"]["j"] = {{"type", "pagerduty"}};
  CHECK(
      joined(errors_of(doc)) ==
      ": sinks.a.type: expected one of: slack, pagerduty, file (did you mean 'slack'?), got a "
      "string ('slak')\n"
      ": sinks.b.url: required key is missing; give url or url_env (the name of an environment "
      "variable holding it)\n"
      ": sinks.c.url: expected an http:// or https:// URL\n"
      ": sinks.d.routing_key_env: give routing_key or routing_key_env, not both\n"
      ": sinks.e.routing_key_env: environment variable UNSET is not set\n"
      ": sinks.f.url: unknown key 'url'; expected one of: type, path\n"
      ": sinks.g.path: required key is missing; expected the file to append to\n"
      ": sinks.h.url_env: expected an http:// or https:// URL\n"
      ": sinks.i: expected a mapping with a type (slack, pagerduty, file), got a string ('slack')\n"
      ": sinks.j.routing_key: required key is missing; give routing_key or routing_key_env (the "
      "name of an environment variable holding it)");
}

TEST_CASE("bad routes and delivery settings are errors naming the field") {
  json doc = minimal();
  doc["route"] = json::array();
  doc["routes"].push_back(
      {{"match", {{"kinds", {"deploy_fail", 3}}, {"min_severity", "loud"}, {"ownr", "x"}}},
       {"sinks", json::array()},
       {"continue", "yes"}});
  doc["routes"].push_back({{"match", {{"job", ""}}}});
  doc["delivery"] = {{"max_attempts", 0}, {"first_backoff_ms", 5000}, {"max_backoff_ms", 1000}};
  CHECK(joined(errors_of(doc)) ==
        ": route: unknown key 'route'; did you mean 'routes'?\n"
        ": routes[1].match.ownr: unknown key 'ownr'; did you mean 'owner'?\n"
        ": routes[1].match.kinds[0]: unknown kind 'deploy_fail'; did you mean 'deploy_failed'?\n"
        ": routes[1].match.kinds[1]: expected a kind (deploy_started, deploy_succeeded, "
        "deploy_failed, deploy_aborted, run_failed, run_recovered, drift, quota_pressure, "
        "quota_relieved, cleanup_deleted), got an integer (3)\n"
        ": routes[1].match.min_severity: expected one of: info, warning, error, critical, got a "
        "string ('loud')\n"
        ": routes[1].sinks: expected a non-empty list of sink names, got a sequence\n"
        ": routes[1].continue: expected true or false, got a string ('yes')\n"
        ": routes[2].match.job: expected a non-empty string, got a string ('')\n"
        ": routes[2].sinks: required key is missing; expected a list of sink names\n"
        ": delivery.max_attempts: expected an integer from 1 to 100, got an integer (0)\n"
        ": delivery.max_backoff_ms: must be at least first_backoff_ms (5000)");
}

TEST_CASE("a document that is not a routing config says what was expected") {
  CHECK(errors_of(json::array()) ==
        Errors{": expected a mapping with sinks and routes, got a sequence"});
  CHECK(errors_of(json::object()) ==
        Errors{": sinks: required key is missing; expected a mapping of sink names to sinks",
               ": routes: required key is missing; expected a list of routes"});
}

TEST_CASE("errors in a routing file carry its line and column") {
  std::vector<config::Diagnostic> diagnostics;
  const auto config = load_routing("notify.yaml",
                                   "sinks:\n"
                                   "  audit: {type: file, path: /tmp/x}\n"
                                   "routes:\n"
                                   "  - sinks: [audit]\n"
                                   "  - sinks: [audit, pager]\n"
                                   "    colour: red\n",
                                   diagnostics, fake_env);
  CHECK_FALSE(config);
  Errors got;
  for (const auto& d : diagnostics) got.push_back(d.to_string());
  CHECK(got ==
        Errors{"notify.yaml:5:20: routes[1].sinks[1]: unknown sink 'pager'; the sinks are: audit",
               "notify.yaml:6:5: routes[1].colour: unknown key 'colour'; expected one of: "
               "match, sinks, continue"});
  diagnostics.clear();
  CHECK_FALSE(load_routing("notify.yaml", "sinks: [\n", diagnostics, fake_env));
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].line > 0);
}

TEST_CASE("the first matching route ends the search unless it continues") {
  const auto config = load(kGood);
  // data-team's failure: their Slack and on-call (route 1 continues), then route 2 takes it.
  CHECK(route(config, note(Kind::kDeployFailed, Severity::kError, "data-team", "production")) ==
        std::vector<std::string>{"data-slack", "oncall"});
  // Not theirs, in production: on-call only; route 2 ends the search before the audit file.
  CHECK(route(config, note(Kind::kDeployFailed, Severity::kError, "web", "production")) ==
        std::vector<std::string>{"oncall"});
  // Below route 1's severity: only the audit file.
  CHECK(route(config, note(Kind::kDeployStarted, Severity::kInfo, "data-team")) ==
        std::vector<std::string>{"audit"});
  // No owner: the owner glob does not match; `*` would.
  CHECK(route(config, note(Kind::kRunFailed, Severity::kError, "", "dev")) ==
        std::vector<std::string>{"audit"});
  auto star = config;
  star.routes[0].match.owner = "*";
  CHECK(route(star, note(Kind::kRunFailed, Severity::kError, "", "dev")) ==
        std::vector<std::string>{"data-slack", "oncall", "audit"});
}

TEST_CASE("a resolve follows its trigger to PagerDuty but not to Slack") {
  const auto config = load(kGood);
  // run_recovered is info and not in route 1's kinds, yet on-call heard of run_failed.
  CHECK(route(config, note(Kind::kRunRecovered, Severity::kInfo, "data-team", "dev")) ==
        std::vector<std::string>{"audit", "oncall"});
  CHECK(route(config, note(Kind::kDeploySucceeded, Severity::kInfo, "web", "production")) ==
        std::vector<std::string>{"audit", "oncall"});
  CHECK(route(config, note(Kind::kDeploySucceeded, Severity::kInfo, "web", "dev")) ==
        std::vector<std::string>{"audit"});
}

}  // namespace
}  // namespace kiln::notify
