#include "platform/scenario/loader.h"

#include <algorithm>
#include <exception>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/text/glob.h"
#include "platform/config/key_suggestion.h"
#include "platform/config/yaml_document.h"
#include "platform/notify/routing.h"
#include "platform/scenario/duration.h"
#include "platform/scenario/expectation_fields.h"
#include "platform/scenario/field_reader.h"
#include "platform/scenario/stream_fields.h"

namespace kiln::scenario {
namespace {

using config::Diagnostic;
using nlohmann::json;
namespace d = config::detail;

const std::vector<std::string> kTopKeys = {"name", "description",   "seed", "duration", "workspace",
                                           "kiln", "notifications", "repo", "timeline", "expect"};
const std::vector<std::string> kKilnKeys = {"cd_targets",       "cd_interval",      "poll",
                                            "queue_poll",       "wait_for",         "stop_timeout",
                                            "start_timeout",    "run_timeout",      "first_backoff",
                                            "max_backoff",      "max_attempts",     "step_timeout",
                                            "monitor_interval", "cleanup_interval", "stale_after",
                                            "cleanup_dry_run",  "quota_wait",       "lease",
                                            "catch_up_timeout", "park_blue"};
const std::vector<std::string> kJobKeys = {"name",          "target", "deployVersion", "strategy",
                                           "healthSeconds", "stream", "owner",         "settings",
                                           "workload",      "count"};
const std::vector<std::string> kEventKinds = [] {
  std::vector<std::string> kinds = {"merge",      "deploy",           "crash",
                                    "api_outage", "rate_limit_storm", "cluster_launch_failure",
                                    "run_fails",  "receiver_down",    "note"};
  for (const auto& k : stream_event_kinds()) kinds.push_back(k);
  return kinds;
}();

class Loader : public detail::FieldReader {
 public:
  Loader(std::string file, const YAML::Node& root, json doc, std::optional<std::uint64_t> seed)
      : FieldReader(file, root, std::move(doc)), file_(std::move(file)), seed_(seed) {}

  std::optional<Scenario> load() {
    if (!doc().is_object()) {
      error("",
            "expected a mapping with name, description, seed, duration, repo, timeline "
            "and expect; got " +
                d::describe(doc()));
      return std::nullopt;
    }
    unknown_keys("", doc(), kTopKeys);
    Scenario s;
    s.file = file_;
    s.name = required_string("", "name");
    if (!s.name.empty() && !std::regex_match(s.name, std::regex("[A-Za-z0-9_-]+"))) {
      error("name", "expected letters, digits, '_' and '-' only; got '" + s.name + "'");
    }
    s.description = required_string("", "description");
    if (const json* seed = required("", "seed")) {
      if (seed->is_number_unsigned() ||
          (seed->is_number_integer() && seed->get<std::int64_t>() >= 0)) {
        s.seed = seed->get<std::uint64_t>();
      } else {
        error("seed", "expected an integer >= 0; got " + d::describe(*seed));
      }
    }
    if (seed_) s.seed = *seed_;
    seed(s.seed);
    if (required("", "duration")) s.duration_ms = duration("duration", false).value_or(0);
    if (s.duration_ms <= 0 && !failed()) error("duration", "expected more than 0s");
    s.workspace = workspace();
    s.kiln = kiln();
    s.repo = repo();
    std::set<std::string> targets;
    for (const auto& j : s.repo) targets.insert(j.target);
    if (s.kiln.cd_targets.empty()) s.kiln.cd_targets.assign(targets.begin(), targets.end());
    s.notifications = notifications();
    s.timeline = timeline(s);
    s.expectations = detail::read_expectations(*this, s);
    if (failed()) return std::nullopt;
    return s;
  }

 private:
  // --- sections ------------------------------------------------------------------------------
  // The emulator's config (stream_fields.cc): checked now, so a problem is located in the file.
  json workspace() { return read_workspace(*this); }

  // The routing of notifications, checked with the notifier's own rules; each problem located
  // under `notifications` in the file.
  json notifications() {
    const json* v = get(doc(), "notifications");
    if (v == nullptr || v->is_null()) return json();
    std::vector<Diagnostic> problems;
    notify::parse_routing(*v, problems,
                          [](const std::string&) -> std::optional<std::string> { return {}; });
    for (const auto& p : problems) error(d::child_path("notifications", p.field), p.message);
    return *v;
  }

  KilnSettings kiln() {
    KilnSettings k;
    const json* v = get(doc(), "kiln");
    if (v == nullptr) return k;
    if (!v->is_object()) {
      error("kiln", "expected a mapping; got " + d::describe(*v));
      return k;
    }
    unknown_keys("kiln", *v, kKilnKeys);
    if (const json* t = get(*v, "cd_targets")) {
      if (!t->is_array()) {
        error("kiln.cd_targets", "expected a list of targets; got " + d::describe(*t));
      } else {
        for (std::size_t i = 0; i < t->size(); ++i) {
          if ((*t)[i].is_string())
            k.cd_targets.push_back((*t)[i].get<std::string>());
          else
            error(d::item_path("kiln.cd_targets", i), "expected a target name");
        }
      }
    }
    auto set = [&](const char* key, DurationMs& out) {
      if (auto ms = optional_duration("kiln", *v, key, false)) out = *ms;
    };
    set("cd_interval", k.cd_interval_ms);
    set("poll", k.poll_ms);
    set("queue_poll", k.queue_poll_ms);
    set("stop_timeout", k.stop_timeout_ms);
    set("start_timeout", k.start_timeout_ms);
    set("run_timeout", k.run_timeout_ms);
    set("first_backoff", k.first_backoff_ms);
    set("max_backoff", k.max_backoff_ms);
    set("step_timeout", k.step_timeout_ms);
    set("monitor_interval", k.monitor_interval_ms);
    set("cleanup_interval", k.cleanup_interval_ms);
    set("stale_after", k.stale_after_ms);
    set("quota_wait", k.quota_wait_ms);
    set("lease", k.lease_ms);
    set("catch_up_timeout", k.catch_up_timeout_ms);
    set("park_blue", k.park_blue_ms);
    if (const json* dry = get(*v, "cleanup_dry_run")) {
      if (dry->is_boolean())
        k.cleanup_dry_run = dry->get<bool>();
      else
        error("kiln.cleanup_dry_run", "expected true or false; got " + d::describe(*dry));
    }
    if (v->contains("max_attempts")) {
      k.max_attempts = static_cast<int>(integer("kiln.max_attempts", 1, 1000, false).value_or(8));
    }
    if (auto w = optional_string("kiln", *v, "wait_for")) {
      if (*w != "running" && *w != "first-run-end") {
        error("kiln.wait_for", "expected running or first-run-end; got '" + *w + "'");
      }
      k.wait_for = *w;
    }
    for (const auto* key : {"cd_interval", "poll", "queue_poll", "lease"}) {
      if (v->contains(key) && !failed()) {
        const auto ms = parse_duration(at(d::child_path("kiln", key)).get<std::string>());
        if (ms && *ms == 0) error(d::child_path("kiln", key), "expected more than 0s");
      }
    }
    return k;
  }

  std::vector<RepoJob> repo() {
    std::vector<RepoJob> jobs;
    const json* v = required("", "repo");
    if (v == nullptr) return jobs;
    if (!v->is_array() || v->empty()) {
      error("repo", "expected a list of at least one job; got " + d::describe(*v));
      return jobs;
    }
    std::set<std::pair<std::string, std::string>> seen;
    for (std::size_t i = 0; i < v->size(); ++i) {
      const std::string path = d::item_path("repo", i);
      auto job = repo_job(path, (*v)[i], true);
      if (!job) continue;
      // count: N declares N such jobs, named <name>-0001 .. <name>-N.
      std::int64_t count = 1;
      if ((*v)[i].contains("count")) {
        count = integer(d::child_path(path, "count"), 1, 100'000, false).value_or(1);
      }
      for (std::int64_t n = 1; n <= count; ++n) {
        RepoJob copy = *job;
        if ((*v)[i].contains("count")) {
          char suffix[32];
          std::snprintf(suffix, sizeof suffix, "-%04lld", static_cast<long long>(n));
          copy.name += suffix;
        }
        if (!seen.insert({copy.name, copy.target}).second) {
          error(d::child_path(path, "name"),
                "job " + copy.name + " on target " + copy.target + " is declared twice");
          break;
        }
        jobs.push_back(std::move(copy));
      }
    }
    return jobs;
  }

  std::optional<RepoJob> repo_job(const std::string& path, const json& v, bool complete) {
    if (!v.is_object()) {
      error(path,
            "expected a mapping (a job: name, target, deployVersion, ...); got " + d::describe(v));
      return std::nullopt;
    }
    if (complete) {
      unknown_keys(path, v, kJobKeys);
    } else {  // a merge's change may also remove the job from the repository
      auto keys = kJobKeys;
      keys.push_back("removed");
      unknown_keys(path, v, keys);
      if (v.contains("removed") && !v["removed"].is_boolean()) {
        error(d::child_path(path, "removed"),
              "expected true or false; got " + d::describe(v["removed"]));
      }
    }
    RepoJob job;
    job.where = where(path);
    job.name = required_string(path, "name");
    const std::regex allowed(complete ? "[A-Za-z0-9_-]+" : "[A-Za-z0-9_*?-]+");
    if (!job.name.empty() && !std::regex_match(job.name, allowed)) {
      error(d::child_path(path, "name"), complete
                                             ? "expected letters, digits, '_' and '-' only"
                                             : "expected a job name or a glob (letters, digits, "
                                               "'_', '-', '*', '?')");
    }
    job.target = required_string(path, "target");
    if (complete || v.contains("deployVersion")) {
      if (required(path, "deployVersion")) {
        job.deploy_version =
            integer(d::child_path(path, "deployVersion"), 0, 1'000'000'000, false).value_or(0);
      }
    }
    if (auto s = optional_string(path, v, "strategy")) {
      if (*s != "simple" && *s != "blue-green") {
        error(d::child_path(path, "strategy"), "expected simple or blue-green; got '" + *s + "'");
      }
      job.strategy = *s;
    }
    if (v.contains("healthSeconds")) {
      job.health_seconds = integer(d::child_path(path, "healthSeconds"), 0, 86'400, false);
    }
    if (auto o = optional_string(path, v, "owner")) job.owner = *o;
    if (const json* s = get(v, "settings")) {
      if (!s->is_object()) {
        error(d::child_path(path, "settings"),
              "expected a mapping (Jobs API JobSettings); got " + d::describe(*s));
      }
      job.settings = *s;
    }
    detail::read_job_stream_fields(*this, path, v, job);  // stream, workload
    return job;
  }

  std::vector<TimelineEvent> timeline(const Scenario& s) {
    std::vector<TimelineEvent> events;
    const json* v = get(doc(), "timeline");
    if (v == nullptr || v->is_null()) return events;  // `timeline:` with nothing under it
    if (!v->is_array()) {
      error("timeline", "expected a list of events; got " + d::describe(*v));
      return events;
    }
    for (std::size_t i = 0; i < v->size(); ++i) {
      const std::string path = d::item_path("timeline", i);
      if (auto e = timeline_event(path, (*v)[i], s)) events.push_back(std::move(*e));
    }
    std::stable_sort(events.begin(), events.end(),
                     [](const auto& a, const auto& b) { return a.at_ms < b.at_ms; });
    // Build 1 is the first commit; each merge makes the next.
    int builds = 1;
    for (const auto& e : events) {
      if (e.kind == "merge") ++builds;
      if (e.kind == "deploy" && e.build > builds) {
        error(d::child_path(d::child_path(e.field, "deploy"), "build"),
              "build " + std::to_string(e.build) + " does not exist at " +
                  format_duration(e.at_ms) + " (" + std::to_string(builds) +
                  " build(s) by then: the first commit, then one per merge)");
      }
    }
    return events;
  }

  std::optional<TimelineEvent> timeline_event(const std::string& path, const json& v,
                                              const Scenario& s) {
    if (!v.is_object()) {
      error(path, "expected a mapping: at, and one event (merge, deploy, crash, ...); got " +
                      d::describe(v));
      return std::nullopt;
    }
    TimelineEvent e;
    e.where = where(path);
    e.field = path;
    std::vector<std::string> keys = kEventKinds;
    keys.push_back("at");
    unknown_keys(path, v, keys);
    if (!required(path, "at")) return std::nullopt;
    e.at_ms = duration(d::child_path(path, "at"), true).value_or(0);
    if (e.at_ms > s.duration_ms && s.duration_ms > 0) {
      error(d::child_path(path, "at"),
            "after the scenario's end (" + format_duration(s.duration_ms) + ")");
    }
    int kinds = 0;
    for (const auto& k : kEventKinds) {
      if (v.contains(k)) {
        e.kind = k;
        ++kinds;
      }
    }
    if (kinds != 1) {
      std::string names;
      for (std::size_t i = 0; i < kEventKinds.size(); ++i) {
        names += (i == 0 ? "" : i + 1 == kEventKinds.size() ? " or " : ", ") + kEventKinds[i];
      }
      error(path, "expected exactly one event: " + names);
      return std::nullopt;
    }
    const std::string body_path = d::child_path(path, e.kind);
    const json& body = v[e.kind];
    if (e.kind == "note") {
      if (!body.is_string())
        error(body_path, "expected a string; got " + d::describe(body));
      else
        e.text = body.get<std::string>();
      return e;
    }
    if (e.kind == "merge") {
      const json list = body.is_array() ? body : json::array({body});
      for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string item = body.is_array() ? d::item_path(body_path, i) : body_path;
        if (auto change = repo_job(item, list[i], false)) {
          if (list[i].contains("count")) {
            error(d::child_path(item, "count"), "a merge changes jobs; it does not add them");
          }
          if (!detail::known_job(s, change->name, change->target)) {
            error(item, "no job " + change->name + " on target " + change->target +
                            " in the repo (a merge changes a job the repo declares; the name " +
                            "may be a glob such as etl-00*)");
          }
          e.changes.push_back(list[i]);
          if (list[i].contains("workload")) e.changes.back()["workload"] = change->workload;
        }
      }
      return e;
    }
    if (!body.is_object()) {
      error(body_path, "expected a mapping; got " + d::describe(body));
      return std::nullopt;
    }
    if (is_stream_event(e.kind)) {
      detail::read_stream_event(*this, body_path, body, e, s);
    } else if (e.kind == "deploy") {
      unknown_keys(body_path, body, {"job", "target", "build", "reason"});
      e.job = required_string(body_path, "job");
      e.target = required_string(body_path, "target");
      if (!e.job.empty() && !e.target.empty() && !detail::known_job(s, e.job, e.target)) {
        error(body_path, "no job " + e.job + " on target " + e.target + " in the repo");
      }
      if (body.contains("build")) {
        const json& b = body["build"];
        if (b == "latest")
          e.build = 0;
        else
          e.build = static_cast<int>(
              integer(d::child_path(body_path, "build"), 1, 1'000'000, false).value_or(0));
      }
      if (auto r = optional_string(body_path, body, "reason")) e.reason = *r;
    } else if (e.kind == "crash") {
      unknown_keys(body_path, body, {"restart_after"});
      e.restart_after_ms = optional_duration(body_path, body, "restart_after", true).value_or(0);
    } else if (e.kind == "api_outage" || e.kind == "rate_limit_storm") {
      unknown_keys(body_path, body, {"for", "pattern", "status", "retry_after"});
      if (required(body_path, "for"))
        e.for_ms = duration(d::child_path(body_path, "for"), true).value_or(0);
      if (auto p = optional_string(body_path, body, "pattern")) e.pattern = *p;
      e.status = e.kind == "api_outage" ? 503 : 429;
      if (body.contains("status")) {
        e.status = static_cast<int>(
            integer(d::child_path(body_path, "status"), 400, 599, false).value_or(503));
      }
      if (body.contains("retry_after")) {
        e.retry_after_s = static_cast<int>(
            integer(d::child_path(body_path, "retry_after"), 1, 3600, true).value_or(1));
      }
    } else if (e.kind == "receiver_down") {
      unknown_keys(body_path, body, {"for", "status"});
      if (required(body_path, "for")) {
        e.for_ms = duration(d::child_path(body_path, "for"), true).value_or(0);
      }
      e.status = 503;
      if (body.contains("status")) {
        e.status = static_cast<int>(
            integer(d::child_path(body_path, "status"), 0, 599, false).value_or(503));
      }
    } else if (e.kind == "cluster_launch_failure") {
      unknown_keys(body_path, body, {"count"});
      if (body.contains("count")) {
        e.count = static_cast<int>(
            integer(d::child_path(body_path, "count"), 1, 100'000, true).value_or(1));
      }
    } else if (e.kind == "run_fails") {
      unknown_keys(body_path, body, {"job", "how"});
      e.job = required_string(body_path, "job");
      if (auto h = optional_string(body_path, body, "how")) {
        if (*h != "driver_lost" && *h != "internal_error") {
          error(d::child_path(body_path, "how"),
                "expected driver_lost or internal_error; got '" + *h + "'");
        }
        e.how = *h;
      }
    }
    return e;
  }

  // True if `name` (a glob in a merge) names a job of the repo on `target`.

  std::string file_;
  std::optional<std::uint64_t> seed_;
};

}  // namespace

Loaded load_scenario_text(const std::string& file, const std::string& text,
                          std::optional<std::uint64_t> seed) {
  Loaded out;
  if (text.size() > kScenarioBytesMax) {
    out.diagnostics.push_back(
        {file, 0, 0, "",
         "the file is " + std::to_string(text.size()) + " bytes; expected at most 4 MiB"});
    return out;
  }
  auto root = d::parse_document(file, text, out.diagnostics);
  if (!root) return out;
  json doc = d::to_json(*root, file, "", out.diagnostics);
  if (!out.diagnostics.empty()) return out;
  Loader loader(file, *root, std::move(doc), seed);
  try {
    out.scenario = loader.load();
    out.diagnostics = std::move(loader.diagnostics());
  } catch (const std::exception& e) {
    // A field read as a type it was not checked to have: a loader bug, but still an answer
    // at the file rather than an abort (the fuzz target treats this message as a failure).
    out.scenario.reset();
    out.diagnostics = std::move(loader.diagnostics());
    out.diagnostics.push_back({file, 0, 0, "", std::string(kInternalError) + e.what()});
  }
  config::sort_diagnostics(out.diagnostics);
  if (!out.diagnostics.empty()) out.scenario.reset();
  return out;
}

Loaded load_scenario(const std::string& path, std::optional<std::uint64_t> seed) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    Loaded out;
    out.diagnostics.push_back({path, 0, 0, "", "cannot read the file"});
    return out;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load_scenario_text(path, text.str(), seed);
}

std::string Where::to_string() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace kiln::scenario
