#include "platform/scenario/stream_fields.h"

#include <algorithm>
#include <regex>
#include <set>

#include "core/text/glob.h"
#include "fake-databricks/workloads/workload.h"
#include "fake-databricks/workspace/workspace_config.h"
#include "platform/config/key_suggestion.h"
#include "platform/config/yaml_document.h"
#include "platform/scenario/duration.h"

namespace kiln::scenario {

using nlohmann::json;
namespace d = config::detail;

const std::vector<std::string>& stream_event_kinds() {
  static const std::vector<std::string> kKinds = {"stream_rate",  "lock_partition", "stream_stall",
                                                  "stream_crash", "stream_slow",    "run_hang"};
  return kKinds;
}

bool is_stream_event(const std::string& kind) {
  const auto& kinds = stream_event_kinds();
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

bool is_stream_predicate(const std::string& that) {
  return that == "lock" || that == "lag" || that == "writes" || that == "stream_invariants";
}

namespace detail {
namespace {

// The merge changes written in the file's timeline (read before the timeline is loaded: a
// stream event may name a version or a stream that a later merge brings).
std::vector<json> merge_changes(const FieldReader& r) {
  std::vector<json> out;
  const json* timeline = FieldReader::get(r.doc(), "timeline");
  if (timeline == nullptr || !timeline->is_array()) return out;
  for (const auto& entry : *timeline) {
    const json* merge = FieldReader::get(entry, "merge");
    if (merge == nullptr) continue;
    for (const auto& c : merge->is_array() ? *merge : json::array({*merge})) {
      if (c.is_object()) out.push_back(c);
    }
  }
  return out;
}

// Read before the merges are checked (a wrong type is reported there): only typed fields count.
std::string string_field(const json& object, const char* key, const std::string& otherwise) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : otherwise;
}

bool names_job(const json& change, const RepoJob& job) {
  if (!change.contains("name") || !change["name"].is_string()) return false;
  const std::string name = change["name"].get<std::string>();
  return string_field(change, "target", job.target) == job.target &&
         (name == job.name || core::glob_match(name, job.name));
}

// Every stream the scenario can have: those of the repo's blue-green jobs (and jobs a merge
// makes blue-green or gives a stream), and the workspace's configured sources.
std::set<std::string> known_streams(const FieldReader& r, const Scenario& s) {
  std::set<std::string> out;
  const auto changes = merge_changes(r);
  for (const auto& job : s.repo) {
    bool streams = job.strategy == "blue-green" || !job.stream.empty();
    for (const auto& c : changes) {
      if (!names_job(c, job)) continue;
      if (string_field(c, "strategy", "") == "blue-green") streams = true;
      if (c.contains("stream") && c["stream"].is_string())
        out.insert(c["stream"].get<std::string>());
    }
    if (streams) out.insert(job.stream_name());
  }
  for (const auto& source : s.workspace.value("streams", json::array())) {
    if (source.is_object() && source.contains("name") && source["name"].is_string()) {
      out.insert(source["name"].get<std::string>());
    }
  }
  return out;
}

// The deployVersions a repo job has in the repo or after a merge.
std::set<std::int64_t> versions_of(const FieldReader& r, const RepoJob& job) {
  std::set<std::int64_t> out{job.deploy_version};
  for (const auto& c : merge_changes(r)) {
    if (names_job(c, job) && c.contains("deployVersion") &&
        c["deployVersion"].is_number_integer()) {
      out.insert(c["deployVersion"].get<std::int64_t>());
    }
  }
  return out;
}

std::string joined(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

void check_stream_name(FieldReader& r, const std::string& path, const std::string& name,
                       const Scenario& s) {
  if (name.empty()) return;
  const auto known = known_streams(r, s);
  if (known.count(name) > 0) return;
  std::string message = "no stream " + name + " in the scenario";
  if (auto sug = config::suggest(name, std::vector<std::string>(known.begin(), known.end()))) {
    message += "; did you mean '" + *sug + "'?";
  }
  r.error(path, message + " (the streams: " + joined(known) +
                    "; a blue-green job's is its `stream`, or <name>.<target>)");
}

// The repo job that `job` (and `target`, if given) names exactly; an error at `path` if none
// or several (a job on two targets needs `target`).
const RepoJob* exact_job(FieldReader& r, const std::string& path, const std::string& job,
                         const std::string& target, const Scenario& s) {
  std::vector<const RepoJob*> found;
  for (const auto& j : s.repo) {
    if (j.name == job && (target.empty() || j.target == target)) found.push_back(&j);
  }
  if (found.size() == 1) return found.front();
  r.error(path, found.empty() ? "no job " + job + (target.empty() ? "" : " on target " + target) +
                                    " in the repo"
                              : "job " + job + " is on several targets: say which with `target`");
  return nullptr;
}

// The stream an expectation is about: `stream`, or that of `job` on `target`.
void check_stream_of(FieldReader& r, const std::string& path, const Expectation& x,
                     const Scenario& s) {
  if (x.args.contains("stream")) {
    if (!x.args["stream"].is_string()) {
      r.error(d::child_path(path, "stream"), "expected a stream name");
    } else {
      check_stream_name(r, d::child_path(path, "stream"), x.args["stream"].get<std::string>(), s);
    }
    return;
  }
  if (!x.args.contains("job") || !x.args["job"].is_string()) {
    r.error(path, "missing required field 'stream' (or 'job' and 'target') of " + x.that);
    return;
  }
  const std::string target = x.args.value("target", "");
  exact_job(r, d::child_path(path, "job"), x.args["job"].get<std::string>(), target, s);
}

// `version: N` of the expectation's job: a deployVersion the job has.
void check_version(FieldReader& r, const std::string& path, const Expectation& x,
                   const Scenario& s) {
  if (!x.args.contains("version")) return;
  if (!x.args["version"].is_number_integer()) {
    r.error(d::child_path(path, "version"), "expected a deployVersion (an integer)");
    return;
  }
  if (!x.args.contains("job") || !x.args["job"].is_string()) {
    r.error(d::child_path(path, "version"), "a version needs the `job` (and `target`) it is of");
    return;
  }
  const RepoJob* job = exact_job(r, d::child_path(path, "job"), x.args["job"].get<std::string>(),
                                 x.args.value("target", ""), s);
  if (job == nullptr) return;
  const auto versions = versions_of(r, *job);
  if (versions.count(x.args["version"].get<std::int64_t>()) == 0) {
    std::string list;
    for (const auto v : versions) list += (list.empty() ? "" : ", ") + std::to_string(v);
    r.error(d::child_path(path, "version"), "job " + job->name + " never has deployVersion " +
                                                x.args["version"].dump() +
                                                " (its versions: " + list + ")");
  }
}

void check_count(FieldReader& r, const std::string& path, const json& args, const char* key) {
  if (args.contains(key) && (!args[key].is_number_integer() || args[key].get<std::int64_t>() < 0)) {
    r.error(d::child_path(path, key), "expected an integer >= 0; got " + d::describe(args[key]));
  }
}

// Makes `at: <duration>` (from the start) absolute, in every entry of `list`.
void absolute_instants(FieldReader& r, json& list, const std::string& path, core::TimeMs start_ms) {
  if (!list.is_array()) return;
  for (std::size_t i = 0; i < list.size(); ++i) {
    json& entry = list[i];
    if (!entry.is_object() || !entry.contains("at") || !entry["at"].is_string()) continue;
    const std::string at = entry["at"].get<std::string>();
    if (at.find('T') != std::string::npos) continue;  // a UTC time
    if (auto ms = parse_duration(at)) {
      entry["at"] = start_ms + *ms;
    } else {
      r.error(d::child_path(d::item_path(path, i), "at"),
              "expected a duration from the start (10m), epoch milliseconds or a UTC time; got '" +
                  at + "'");
    }
  }
}

}  // namespace

json read_workspace(FieldReader& r) {
  const json* w = FieldReader::get(r.doc(), "workspace");
  if (w == nullptr || w->is_null()) return json{{"start_time", kDefaultStartTime}};
  if (!w->is_object()) {
    r.error("workspace", "expected a mapping (the fake-databricks config); got " + d::describe(*w));
    return json::object();
  }
  json out = *w;
  if (out.contains("faults") && out["faults"].is_object()) r.draw_ranges(out["faults"]);
  if (out.contains("streams")) r.draw_ranges(out["streams"]);
  if (!out.contains("start_time")) out["start_time"] = kDefaultStartTime;
  const auto start = fakedb::WorkspaceConfig::from_json(json{{"start_time", out["start_time"]}});
  if (!start) {
    r.emulator_error("workspace", start.error().message);
    return out;
  }
  if (out.contains("streams") && out["streams"].is_array()) {
    for (std::size_t i = 0; i < out["streams"].size(); ++i) {
      json& source = out["streams"][i];
      if (source.is_object() && source.contains("changes")) {
        absolute_instants(r, source["changes"],
                          d::child_path(d::item_path("workspace.streams", i), "changes"),
                          start->start_time_ms);
      }
    }
  }
  if (out.contains("faults") && out["faults"].is_object() && out["faults"].contains("scheduled")) {
    absolute_instants(r, out["faults"]["scheduled"], "workspace.faults.scheduled",
                      start->start_time_ms);
  }
  if (r.failed()) return out;
  if (auto config = fakedb::WorkspaceConfig::from_json(out); !config) {
    r.emulator_error("workspace", config.error().message);
  }
  return out;
}

void read_job_stream_fields(FieldReader& r, const std::string& path, const json& v, RepoJob& job) {
  if (auto stream = r.optional_string(path, v, "stream")) {
    if (!std::regex_match(*stream, std::regex("[A-Za-z0-9_-]+"))) {
      r.error(d::child_path(path, "stream"),
              "expected a stream name (letters, digits, '_' and '-', as kiln's job configs "
              "allow); got '" +
                  *stream + "'");
    }
    job.stream = *stream;
  }
  const json* w = FieldReader::get(v, "workload");
  if (w == nullptr) return;
  if (!w->is_object()) {
    r.error(d::child_path(path, "workload"),
            "expected a mapping (a workload model: kind batch, streaming or scripted); got " +
                d::describe(*w));
    return;
  }
  job.workload = *w;
  if (job.workload.contains("rate") && job.workload["rate"].is_array()) {
    const std::string rate = d::child_path(d::child_path(path, "workload"), "rate");
    job.workload["rate"] = r.number(rate, 0.001, 1e7, true).value_or(1);
  }
  if (auto model = fakedb::workloads::Model::parse(job.workload, "workload"); !model) {
    r.emulator_error(path, model.error().message);
  }
}

void read_stream_event(FieldReader& r, const std::string& path, const json& body, TimelineEvent& e,
                       const Scenario& s) {
  auto child = [&](const char* key) { return d::child_path(path, key); };
  if (e.kind == "stream_rate") {
    r.unknown_keys(path, body, {"stream", "rate", "burst", "pause"});
    e.stream = r.required_string(path, "stream");
    check_stream_name(r, child("stream"), e.stream, s);
    if (body.contains("rate")) e.rate = r.number(child("rate"), 0, 1e7, true);
    if (body.contains("burst"))
      e.burst = r.integer(child("burst"), 1, 1'000'000'000'000, true).value_or(0);
    if (body.contains("pause")) e.pause_ms = r.duration(child("pause"), true).value_or(0);
    if (!body.contains("rate") && !body.contains("burst") && !body.contains("pause")) {
      r.error(path, "expected a rate (positions per second), a burst (positions) or a pause");
    }
    return;
  }
  std::vector<std::string> keys = {"job", "target", "version", "holder"};
  const bool windowed = e.kind != "stream_crash";
  if (windowed) keys.push_back("for");
  if (e.kind == "stream_slow") keys.push_back("factor");
  r.unknown_keys(path, body, keys);
  if (auto job = r.optional_string(path, body, "job")) e.job = *job;
  if (auto target = r.optional_string(path, body, "target")) e.target = *target;
  if (auto holder = r.optional_string(path, body, "holder")) e.holder = *holder;
  if (e.job.empty() && e.holder.empty()) {
    r.error(path, "expected the runs it hits: `job` (with `version` or `target`) or `holder`");
  }
  if (!e.job.empty()) {
    const bool known = std::any_of(s.repo.begin(), s.repo.end(), [&](const RepoJob& j) {
      return (e.target.empty() || j.target == e.target) &&
             (j.name == e.job || core::glob_match(e.job, j.name));
    });
    if (!known) {
      r.error(child("job"), "no job " + e.job + (e.target.empty() ? "" : " on target " + e.target) +
                                " in the repo");
    }
  }
  if (!e.target.empty() && !body.contains("version")) {
    r.error(child("target"),
            "a target picks the job of `version`; without a version the runs "
            "are chosen by job name (on every target)");
  }
  if (body.contains("version")) {
    e.version = r.integer(child("version"), 0, 1'000'000'000, true);
    if (!e.holder.empty()) r.error(child("version"), "give a version or a holder, not both");
    if (e.job.empty()) {
      r.error(child("version"), "a version needs the `job` (and `target`) it is of");
    } else if (const RepoJob* job = exact_job(r, child("job"), e.job, e.target, s);
               job && e.version) {
      e.target = job->target;
      if (versions_of(r, *job).count(*e.version) == 0) {
        r.error(child("version"),
                "job " + job->name + " never has deployVersion " + std::to_string(*e.version));
      }
    }
  }
  if (e.kind == "run_hang") {
    e.for_ms = r.optional_duration(path, body, "for", true).value_or(0);
  } else if (windowed && r.required(path, "for")) {
    e.for_ms = r.duration(child("for"), true).value_or(0);
    if (e.for_ms <= 0 && !r.failed()) r.error(child("for"), "expected more than 0s");
  }
  if (e.kind == "stream_slow" && r.required(path, "factor")) {
    e.factor = r.number(child("factor"), 0, 1000, true).value_or(1);
  }
}

void check_stream_args(FieldReader& r, const std::string& path, const Expectation& x,
                       const Scenario& s) {
  static const std::map<std::string, std::vector<std::string>> kArgs = {
      {"lock", {"stream", "job", "target", "version", "holder"}},
      {"lag", {"stream", "job", "target", "max"}},
      {"writes", {"stream", "job", "target", "version", "holder", "count", "at_least"}},
      {"stream_invariants", {"handback"}},
  };
  auto keys = kArgs.at(x.that);
  keys.insert(keys.end(), {x.when, "that"});
  r.unknown_keys(path, x.args, keys);
  if (x.that == "stream_invariants") {
    if (x.args.contains("handback")) r.duration(d::child_path(path, "handback"), false);
    return;
  }
  check_stream_of(r, path, x, s);
  check_version(r, path, x, s);
  if (x.args.contains("holder") && !x.args["holder"].is_string()) {
    r.error(d::child_path(path, "holder"),
            "expected a holder id (deployment-<id>), or \"\" for nobody");
  }
  if (x.that == "lock" && x.args.contains("version") == x.args.contains("holder")) {
    r.error(path,
            "expected one of version (the deployment of that deployVersion holds it) or "
            "holder (an id; \"\" for nobody)");
  }
  if (x.that == "lag") {
    if (!x.args.contains("max")) r.error(path, "missing required field 'max' of lag (positions)");
    check_count(r, path, x.args, "max");
  }
  if (x.that == "writes") {
    if (!x.args.contains("count") && !x.args.contains("at_least")) {
      r.error(path, "expected count or at_least (accepted writes)");
    }
    check_count(r, path, x.args, "count");
    check_count(r, path, x.args, "at_least");
  }
}

}  // namespace detail
}  // namespace kiln::scenario
