#include "platform/scenario/expectation_fields.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>

#include "core/text/glob.h"
#include "platform/config/key_suggestion.h"
#include "platform/config/yaml_document.h"
#include "platform/scenario/loader.h"
#include "platform/scenario/stream_fields.h"

namespace kiln::scenario {

const std::vector<std::string>& predicate_names() {
  static const std::vector<std::string> kNames = {
      "deployed",   "deployment",    "deployments", "runs", "managed_jobs", "builds", "events",
      "latest_run", "notifications", "lock",        "lag",  "writes",       "metric"};
  return kNames;
}

const std::vector<std::string>& invariant_names() {
  static const std::vector<std::string> kNames = {"one_active_run", "no_leaked_jobs",
                                                  "stream_invariants"};
  return kNames;
}

namespace detail {
namespace {

using nlohmann::json;
namespace d = config::detail;

const std::vector<std::string> kWhen = {"at", "eventually", "always", "end"};

// metric: a family name, labels as a map of strings, and numbers to compare with.
void check_metric(FieldReader& r, const std::string& path, const Expectation& x) {
  if (!x.args.contains("name") || !x.args["name"].is_string()) {
    r.error(path,
            "missing required field 'name' of metric (a family of kiln metrics, "
            "docs/metrics.md)");
  }
  if (x.args.contains("labels")) {
    const auto& labels = x.args["labels"];
    bool strings = labels.is_object();
    for (const auto& [k, v] : labels.items()) strings = strings && v.is_string();
    if (!strings) r.error(d::child_path(path, "labels"), "expected a map of label to string");
  }
  for (const auto* key : {"value", "min", "max"}) {
    if (x.args.contains(key) && !x.args[key].is_number()) {
      r.error(d::child_path(path, key), "expected a number");
    }
  }
  if (!x.args.contains("value") && !x.args.contains("min") && !x.args.contains("max")) {
    r.error(path, "expected value, min or max (what the metric's sum is compared with)");
  }
}

enum class ArgType { kString, kCount, kStrings };

// The type of every argument the predicates read, whichever predicate: the evaluators read them
// as that type, so a wrong one must stop here (exit 2 at its line), not at the first evaluation.
// Counts are integers from 0 to a billion (`nth` from 1).
const std::map<std::string, ArgType, std::less<>>& arg_types() {
  static const std::map<std::string, ArgType, std::less<>> kTypes = {
      {"job", ArgType::kString},          {"target", ArgType::kString},
      {"state", ArgType::kString},        {"status", ArgType::kString},
      {"requested_by", ArgType::kString}, {"reason", ArgType::kString},
      {"trigger", ArgType::kString},      {"sink", ArgType::kString},
      {"stream", ArgType::kString},       {"holder", ArgType::kString},
      {"version", ArgType::kCount},       {"build", ArgType::kCount},
      {"nth", ArgType::kCount},           {"count", ArgType::kCount},
      {"active", ArgType::kCount},        {"total", ArgType::kCount},
      {"delivered", ArgType::kCount},     {"dropped", ArgType::kCount},
      {"retried", ArgType::kCount},       {"deduplicated", ArgType::kCount},
      {"at_least", ArgType::kCount},      {"max", ArgType::kCount},
      {"phases", ArgType::kStrings},
  };
  return kTypes;
}

// False (with an error at each) when an argument has the wrong type. `events` matches its other
// fields against event fields of any type, so only its own (type, count, at_least) are typed.
bool check_arg_types(FieldReader& r, const std::string& path, const Expectation& x) {
  constexpr std::int64_t kCountMax = 1'000'000'000;
  bool ok = true;
  for (const auto& [key, value] : x.args.items()) {
    if (x.that == "events" && key != "type" && key != "count" && key != "at_least") continue;
    if (x.that == "metric" || key == x.when || key == "that") continue;  // check_metric's
    const std::string field = d::child_path(path, key);
    const auto type = arg_types().find(key);
    if (type == arg_types().end()) continue;  // unknown_keys reports it
    switch (type->second) {
      case ArgType::kString:
        if (value.is_string()) continue;
        r.error(field, "expected a string; got " + d::describe(value));
        break;
      case ArgType::kCount: {
        const std::int64_t min = key == "nth" ? 1 : 0;
        if (value.is_number_integer() && value.get<std::int64_t>() >= min &&
            value.get<std::int64_t>() <= kCountMax) {
          continue;
        }
        r.error(field, "expected an integer from " + std::to_string(min) + " to " +
                           std::to_string(kCountMax) + "; got " + d::describe(value));
        break;
      }
      case ArgType::kStrings: {
        const bool strings =
            value.is_array() &&
            std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_string(); });
        if (strings) continue;
        r.error(field, "expected a list of strings; got " + d::describe(value));
        break;
      }
    }
    ok = false;
  }
  return ok;
}

void check_args(FieldReader& r, const std::string& path, const Expectation& x, const Scenario& s) {
  static const std::map<std::string, std::vector<std::string>> kArgs = {
      {"deployed", {"job", "target", "version", "build", "state"}},
      {"deployment",
       {"job", "target", "nth", "status", "version", "build", "requested_by", "reason", "phases"}},
      {"deployments", {"job", "target", "count", "status"}},
      {"runs", {"job", "target", "active", "total", "version"}},
      {"managed_jobs", {"job", "target", "count"}},
      {"builds", {"count"}},
      {"latest_run", {"job", "target", "trigger", "state"}},
      {"notifications", {"sink", "delivered", "dropped", "retried", "deduplicated"}},
      {"metric", {"name", "labels", "value", "min", "max"}},
      {"one_active_run", {}},
      {"no_leaked_jobs", {}},
  };
  if (!check_arg_types(r, path, x)) return;  // the checks below read the arguments as typed
  if (is_stream_predicate(x.that)) return check_stream_args(r, path, x, s);
  if (x.that == "metric") check_metric(r, path, x);
  if (x.that == "events") {  // free-form: type, count or at_least, and fields to match
    if (!x.args.contains("type") || !x.args["type"].is_string()) {
      r.error(path, "missing required field 'type' of events (an event type, docs/events.md)");
    }
    return;
  }
  auto known = kArgs.find(x.that);
  if (known == kArgs.end()) return;
  r.unknown_keys(path, x.args, [&] {
    auto keys = known->second;
    keys.insert(keys.end(), {x.when, "that"});
    return keys;
  }());
  if (x.args.contains("job") && x.args.contains("target") && x.args["job"].is_string() &&
      x.args["target"].is_string() &&
      !known_job(s, x.args["job"].get<std::string>(), x.args["target"].get<std::string>())) {
    r.error(d::child_path(path, "job"), "no job " + x.args["job"].get<std::string>() +
                                            " on target " + x.args["target"].get<std::string>() +
                                            " in the repo");
  }
  for (const auto* key : {"job", "target"}) {
    if (x.that != "builds" && x.that != "notifications" && x.that != "metric" &&
        x.when != "always" && !x.args.contains(key)) {
      r.error(path, "missing required field '" + std::string(key) + "' of " + x.that);
    }
  }
}

}  // namespace

bool known_job(const Scenario& s, const std::string& name, const std::string& target) {
  return std::any_of(s.repo.begin(), s.repo.end(), [&](const RepoJob& j) {
    return j.target == target && (j.name == name || core::glob_match(name, j.name));
  });
}

std::vector<Expectation> read_expectations(FieldReader& r, const Scenario& s) {
  std::vector<Expectation> out;
  const json* v = FieldReader::get(r.doc(), "expect");
  if (v == nullptr || v->is_null()) return out;
  if (!v->is_array()) {
    r.error("expect", "expected a list of expectations; got " + d::describe(*v));
    return out;
  }
  for (std::size_t i = 0; i < v->size(); ++i) {
    const std::string path = d::item_path("expect", i);
    const json& e = (*v)[i];
    if (!e.is_object()) {
      r.error(path, "expected a mapping: when (at, eventually, always or end) and that; got " +
                        d::describe(e));
      continue;
    }
    Expectation x;
    x.where = r.where(path);
    int whens = 0;
    for (const auto& w : kWhen) {
      if (e.contains(w)) {
        x.when = w;
        ++whens;
      }
    }
    if (whens != 1) {
      r.error(path, "expected exactly one of at, eventually, always, end");
      continue;
    }
    const std::string when_path = d::child_path(path, x.when);
    if (x.when == "at") {
      x.at_ms = r.duration(when_path, false).value_or(0);
      if (x.at_ms > s.duration_ms) r.error(when_path, "after the scenario's end");
    } else if (x.when == "eventually") {
      const json& w = e["eventually"];
      if (!w.is_object()) {
        r.error(when_path, "expected a mapping: within (and after, every)");
        continue;
      }
      r.unknown_keys(when_path, w, {"within", "after", "every"});
      if (r.required(when_path, "within")) {
        x.within_ms = r.duration(d::child_path(when_path, "within"), false).value_or(0);
      }
      x.at_ms = r.optional_duration(when_path, w, "after", false).value_or(0);
      x.every_ms = r.optional_duration(when_path, w, "every", false).value_or(10'000);
      if (x.every_ms <= 0) r.error(d::child_path(when_path, "every"), "expected more than 0s");
    } else if (x.when == "always") {
      if (!e["always"].is_boolean() || !e["always"].get<bool>()) {
        r.error(when_path, "expected true (always: true, that: <invariant>)");
      }
    } else if (!e["end"].is_boolean() || !e["end"].get<bool>()) {
      r.error(when_path, "expected true (end: true, that: <predicate>)");
    }
    const auto& names = x.when == "always" ? invariant_names() : predicate_names();
    x.that = r.required_string(path, "that");
    if (!x.that.empty() && std::find(names.begin(), names.end(), x.that) == names.end()) {
      std::string message = "unknown " +
                            std::string(x.when == "always" ? "invariant" : "predicate") + " '" +
                            x.that + "'";
      if (auto sug = config::suggest(x.that, names))
        message += "; did you mean '" + *sug + "'?";
      else {
        message += "; expected one of";
        for (const auto& n : names) message += " " + n;
      }
      r.error(d::child_path(path, "that"), message);
    }
    for (const auto& [key, value] : e.items()) {
      if (key != x.when && key != "that") x.args[key] = value;
    }
    check_args(r, path, x, s);
    out.push_back(std::move(x));
  }
  return out;
}

}  // namespace detail
}  // namespace kiln::scenario
