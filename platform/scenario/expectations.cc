#include "platform/scenario/expectations.h"

#include <set>

#include "databricks/model/run_state.h"
#include "platform/scenario/duration.h"

namespace kiln::scenario {

using nlohmann::json;

namespace {

std::string arg_string(const Expectation& x, const char* key) {
  return x.args.contains(key) && x.args[key].is_string() ? x.args[key].get<std::string>() : "";
}

// Not (yet) terminal: an unknown or absent state counts as active.
bool is_active(const std::string& life) {
  const auto state = databricks::parse_life_cycle_state(life);
  return !(state && databricks::is_terminal(*state));
}

// Compares an expected argument with what was found, recording the mismatch.
struct Matcher {
  bool holds = true;
  std::string mismatches;
  void expect(const json& args, const char* key, const json& found) {
    if (!args.contains(key)) return;
    if (args[key] == found) return;
    holds = false;
    mismatches += std::string(mismatches.empty() ? "" : "; ") + key + " is " + found.dump() +
                  ", not " + args[key].dump();
  }
};

std::string build_number(const World& w, const std::string& build_id) {
  for (std::size_t i = 0; i < w.builds.size(); ++i) {
    if (w.builds[i] == build_id) return std::to_string(i + 1);
  }
  return build_id;
}

Check deployed(World& w, const Expectation& x) {
  const std::string job = arg_string(x, "job"), target = arg_string(x, "target");
  auto row = w.store->get_job(job, target);
  if (!row) return {false, job + "/" + target + ": nothing deployed (no job row)"};
  const std::string build =
      row->deployed_build_id ? build_number(w, *row->deployed_build_id) : std::string("none");
  const std::string observed =
      job + "/" + target + ": " +
      (row->deployed_version ? "v" + std::to_string(*row->deployed_version) : "no version") +
      " from build " + build + ", state " + std::string(store::to_string(row->state));
  Matcher m;
  m.expect(x.args, "version", row->deployed_version ? json(*row->deployed_version) : json());
  m.expect(x.args, "build", build == "none" ? json() : json(std::stoi(build)));
  m.expect(x.args, "state", std::string(store::to_string(row->state)));
  return {m.holds, observed + (m.holds ? "" : " (" + m.mismatches + ")")};
}

Check deployment(World& w, const Expectation& x) {
  const std::string job = arg_string(x, "job"), target = arg_string(x, "target");
  auto history = w.store->deployment_history(job, target, 1'000'000);
  if (!history || history->empty()) return {false, job + "/" + target + ": no deployment"};
  std::vector<store::Deployment> oldest_first(history->rbegin(), history->rend());
  const int nth = x.args.value("nth", 0);  // 1-based; 0 or absent: the latest
  if (nth > static_cast<int>(oldest_first.size())) {
    return {false, job + "/" + target + ": only " + std::to_string(oldest_first.size()) +
                       " deployment(s)"};
  }
  const auto& d = nth <= 0 ? oldest_first.back() : oldest_first[static_cast<std::size_t>(nth - 1)];
  std::vector<std::string> phases;
  if (auto p = w.store->list_phases(d.id)) {
    for (const auto& phase : *p) phases.push_back(phase.phase);
  }
  const std::string observed =
      "deployment " + std::to_string(d.id) + " of " + job + "/" + target + ": " +
      std::string(store::to_string(d.status)) + ", v" + std::to_string(d.request.version) +
      " from build " + build_number(w, d.request.build_id) + " by " + d.request.requested_by +
      (d.outcome_reason.empty() ? "" : " (" + d.outcome_reason + ")");
  Matcher m;
  m.expect(x.args, "status", std::string(store::to_string(d.status)));
  m.expect(x.args, "version", d.request.version);
  m.expect(x.args, "build", std::stoi(build_number(w, d.request.build_id)));
  m.expect(x.args, "requested_by", d.request.requested_by);
  m.expect(x.args, "phases", phases);
  if (x.args.contains("reason")) {
    const std::string want = arg_string(x, "reason");
    if (d.outcome_reason.find(want) == std::string::npos) {
      m.holds = false;
      m.mismatches += std::string(m.mismatches.empty() ? "" : "; ") + "reason does not contain \"" +
                      want + "\"";
    }
  }
  return {m.holds, observed + (m.holds ? "" : " [" + m.mismatches + "]")};
}

Check deployments(World& w, const Expectation& x) {
  const std::string job = arg_string(x, "job"), target = arg_string(x, "target");
  auto history = w.store->deployment_history(job, target, 1'000'000);
  if (!history) return {false, history.error().describe()};
  const std::string status = arg_string(x, "status");
  std::int64_t n = 0;
  std::map<std::string, int> by_status;
  for (const auto& d : *history) {
    ++by_status[std::string(store::to_string(d.status))];
    if (status.empty() || store::to_string(d.status) == status) ++n;
  }
  std::string observed =
      job + "/" + target + ": " + std::to_string(history->size()) + " deployment(s)";
  for (const auto& [s, count] : by_status) observed += ", " + std::to_string(count) + " " + s;
  Matcher m;
  m.expect(x.args, "count", n);
  return {m.holds, observed};
}

Check runs(World& w, const Expectation& x) {
  const std::string job = arg_string(x, "job"), target = arg_string(x, "target");
  int active = 0, total = 0;
  std::set<std::int64_t> versions;
  for (const auto& j : w.managed_jobs(job, target)) {
    for (const auto& r : w.runs_of(j["job_id"].get<std::int64_t>())) {
      ++total;
      if (!is_active(r["state"].value("life_cycle_state", ""))) continue;
      ++active;
      const auto run_id = r["run_id"].get<std::int64_t>();
      if (auto known = w.store->get_run(run_id))
        versions.insert(known->version);
      else
        versions.insert(-1);  // a run kiln has not recorded (a schedule's, a restart's)
    }
  }
  std::string v;
  for (const auto version : versions)
    v += (v.empty() ? "" : ",") + (version < 0 ? "?" : "v" + std::to_string(version));
  const std::string observed = job + "/" + target + ": " + std::to_string(active) +
                               " active run(s)" + (v.empty() ? "" : " (" + v + ")") + ", " +
                               std::to_string(total) + " in all";
  Matcher m;
  m.expect(x.args, "active", active);
  m.expect(x.args, "total", total);
  if (x.args.contains("version")) {
    const auto want = x.args["version"].get<std::int64_t>();
    if (versions != std::set<std::int64_t>{want}) {
      m.holds = false;
      m.mismatches += "active versions are not only v" + std::to_string(want);
    }
  }
  return {m.holds, observed};
}

Check managed_jobs(World& w, const Expectation& x) {
  const std::string job = arg_string(x, "job"), target = arg_string(x, "target");
  const auto jobs = w.managed_jobs(job, target);
  Matcher m;
  m.expect(x.args, "count", jobs.size());
  return {m.holds, job + "/" + target + ": " + std::to_string(jobs.size()) + " managed job(s)"};
}

// kiln events of a type whose fields match every other argument given.
Check events(World& w, const Expectation& x) {
  const std::string type = arg_string(x, "type");
  std::int64_t n = 0;
  std::string last;
  for (const auto& e : w.kiln_events) {
    if (e.type != type) continue;
    bool match = true;
    for (const auto& [key, value] : x.args.items()) {
      if (key == "type" || key == "count" || key == "at_least") continue;
      if (!e.fields.contains(key) || e.fields[key] != value) match = false;
    }
    if (!match) continue;
    ++n;
    last = e.fields.dump();
  }
  Matcher m;
  m.expect(x.args, "count", n);
  if (x.args.contains("at_least") && n < x.args["at_least"].get<std::int64_t>()) {
    m.holds = false;
  }
  return {m.holds,
          std::to_string(n) + " " + type + " event(s)" + (last.empty() ? "" : ", last " + last)};
}

// The DB's latest run of the job is the workspace's latest run of it (monitoring keeps it so).
Check latest_run(World& w, const Expectation& x) {
  const std::string job = arg_string(x, "job"), target = arg_string(x, "target");
  auto row = w.store->get_job(job, target);
  if (!row || !row->databricks_job_id) return {false, job + "/" + target + ": no Databricks job"};
  const auto runs = w.runs_of(*row->databricks_job_id);  // newest first
  if (runs.empty()) return {false, job + "/" + target + ": no run in the workspace"};
  const auto newest = runs.front()["run_id"].get<std::int64_t>();
  auto known = w.store->list_runs(job, target, 1);
  const std::int64_t db = known && !known->empty() ? known->front().run_id : 0;
  const std::string trigger = runs.front().value("trigger", "");
  Matcher m;
  m.expect(json{{"run", newest}}, "run", db);
  m.expect(x.args, "trigger", trigger);
  if (known && !known->empty()) {
    m.expect(x.args, "state", known->front().life_cycle_state);
  }
  return {m.holds, job + "/" + target + ": workspace's newest run " + std::to_string(newest) +
                       " (" + trigger + "), the DB's " + std::to_string(db)};
}

// A notification sink's delivery counters.
Check notifications(World& w, const Expectation& x) {
  if (!w.notifier) return {false, "the scenario has no notifications section"};
  const std::string sink = arg_string(x, "sink");
  const auto& all = w.notifier->sink_counters();
  auto it = all.find(sink);
  if (it == all.end()) return {false, "no sink named " + sink};
  const auto& c = it->second;
  Matcher m;
  m.expect(x.args, "delivered", c.delivered);
  m.expect(x.args, "dropped", c.dropped);
  m.expect(x.args, "retried", c.retried);
  m.expect(x.args, "deduplicated", c.deduplicated);
  return {m.holds, sink + ": " + std::to_string(c.delivered) + " delivered, " +
                       std::to_string(c.retried) + " retried, " + std::to_string(c.dropped) +
                       " dropped, " + std::to_string(c.deduplicated) + " deduplicated"};
}

Check builds(World& w, const Expectation& x) {
  Matcher m;
  m.expect(x.args, "count", w.builds.size());
  return {m.holds, std::to_string(w.builds.size()) + " build(s)"};
}

}  // namespace

Check evaluate(World& world, const Expectation& x) {
  if (x.that == "deployed") return deployed(world, x);
  if (x.that == "deployment") return deployment(world, x);
  if (x.that == "deployments") return deployments(world, x);
  if (x.that == "runs") return runs(world, x);
  if (x.that == "managed_jobs") return managed_jobs(world, x);
  if (x.that == "builds") return builds(world, x);
  if (x.that == "events") return events(world, x);
  if (x.that == "latest_run") return latest_run(world, x);
  if (x.that == "notifications") return notifications(world, x);
  if (x.that == "lock" || x.that == "lag" || x.that == "writes") return evaluate_stream(world, x);
  if (x.that == "metric") return evaluate_metric(world, x);
  return {false, "unknown predicate " + x.that};
}

std::string Expectation::describe() const {
  std::string when_text;
  if (when == "at")
    when_text = "at " + format_duration(at_ms);
  else if (when == "eventually") {
    when_text = "within " + format_duration(within_ms) +
                (at_ms > 0 ? " after " + format_duration(at_ms) : "");
  } else if (when == "always")
    when_text = "always";
  else
    when_text = "at the end";
  std::string a;
  for (const auto& [key, value] : args.items()) {
    a += " " + key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return when_text + ": " + that + a;
}

Invariants::Invariants(World& world) : world_(world) {
  const auto& expectations = world.scenario.expectations;
  for (std::size_t i = 0; i < expectations.size(); ++i) {
    const auto& x = expectations[i];
    if (x.when != "always" || x.that != "stream_invariants") continue;
    streams::InvariantOptions options;
    // Default: a green that could not release (crashed, stalled) loses its lease, then blue
    // takes the lock at its next tick: the lease and a margin for the abort itself.
    options.handback_bound_ms = world.scenario.kiln.lease_ms + 30'000;
    if (x.args.contains("handback")) {
      options.handback_bound_ms =
          parse_duration(x.args["handback"].get<std::string>()).value_or(options.handback_bound_ms);
    }
    stream_checkers_[i] = std::make_unique<streams::InvariantChecker>(options);
  }
  subscription_ = world.events.subscribe([this](const core::Event& e) { on_event(e); });
}

void Invariants::finish() {
  for (auto& [index, checker] : stream_checkers_) checker->finish(world_.loop.now_ms());
}

Invariants::~Invariants() {
  world_.events.unsubscribe(subscription_);
}

std::optional<std::pair<core::DurationMs, std::string>> Invariants::violation(
    std::size_t index) const {
  if (auto c = stream_checkers_.find(index); c != stream_checkers_.end()) {
    const auto& lines = c->second->violations();
    if (lines.empty()) return std::nullopt;
    // "<t> ms: <invariant>: <what>", t the virtual time: from the start, as the others are.
    std::string what;
    core::DurationMs first = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const auto ms = lines[i].find(" ms: ");
      const core::TimeMs t = ms == std::string::npos ? 0 : std::stoll(lines[i].substr(0, ms));
      const std::string text = ms == std::string::npos ? lines[i] : lines[i].substr(ms + 5);
      if (i == 0) first = t - world_.start_ms();
      if (i == 5) {
        what += "; and " + std::to_string(lines.size() - 5) + " more";
        break;
      }
      what += (i == 0 ? "" : "; at " + format_duration(t - world_.start_ms()) + ": ") + text;
    }
    return std::make_pair(first, what);
  }
  auto it = violations_.find(world_.scenario.expectations[index].that);
  if (it == violations_.end()) return std::nullopt;
  return it->second;
}

void Invariants::on_event(const core::Event& e) {
  for (auto& [index, checker] : stream_checkers_) checker->observe(e);
  auto violate = [&](const std::string& name, const std::string& what) {
    violations_.try_emplace(name, e.time_ms - world_.start_ms(), what);
  };
  if (e.type == "job.created") {
    const auto id = e.fields["job_id"].get<std::int64_t>();
    const std::string name = e.fields.value("name", "");
    job_names_[id] = name;
    // no_leaked_jobs: no more jobs of a name than the repo has targets for it (two for a
    // blue-green job: blue and green run side by side until blue is stopped).
    std::size_t targets = 0;
    for (const auto& j : world_.scenario.repo) {
      if (j.name == name) targets += j.strategy == "blue-green" ? 2 : 1;
    }
    std::size_t live = 0;
    for (const auto& [job_id, n] : job_names_) live += n == name ? 1 : 0;
    if (targets > 0 && live > targets) {
      violate("no_leaked_jobs", std::to_string(live) + " jobs named " + name + " for " +
                                    std::to_string(targets) + " target(s)");
    }
  } else if (e.type == "job.deleted") {
    const auto id = e.fields["job_id"].get<std::int64_t>();
    job_names_.erase(id);
    active_runs_.erase(id);
  } else if (e.type == "run.state") {
    const auto job_id = e.fields.value("job_id", std::int64_t{0});
    const auto run_id = e.fields["run_id"].get<std::int64_t>();
    auto& runs = active_runs_[job_id];
    if (is_active(e.fields.value("state", "")))
      runs[run_id] = true;
    else
      runs.erase(run_id);
    if (runs.size() > 1 && job_names_.contains(job_id)) {
      std::string ids;
      for (const auto& [id, active] : runs) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
      violate("one_active_run", "job " + job_names_[job_id] + " (" + std::to_string(job_id) +
                                    ") has " + std::to_string(runs.size()) +
                                    " active runs: " + ids);
    }
  }
}

}  // namespace kiln::scenario
