// Builds the report's timeline from a run's kept events. Which lane a run belongs to is read
// from kiln's own account: the deploy phase "start" names the run it started ("started run R",
// "unpaused; continuous run R"), the phase "job" names the Databricks job it created, reset or
// adopted. A run kiln did not start (a schedule's, say) gets the version whose settings its job
// held when the run began.
#include "platform/scenario/report_timeline.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <tuple>

#include "databricks/model/run_state.h"
#include "platform/scenario/duration.h"

namespace kiln::scenario::report {

using nlohmann::json;

namespace {

std::string text_of(const json& f, const char* key) {
  if (!f.contains(key)) return "";
  return f[key].is_string() ? f[key].get<std::string>() : f[key].dump();
}

std::int64_t int_of(const json& f, const char* key) {
  return f.contains(key) && f[key].is_number_integer() ? f[key].get<std::int64_t>() : 0;
}

// The id that ends `text` right after the last `word`: ("reset job 72", "job ") -> 72.
std::optional<std::int64_t> trailing_id(std::string_view text, std::string_view word) {
  const auto at = text.rfind(word);
  if (at == std::string_view::npos) return std::nullopt;
  const auto digits = text.substr(at + word.size());
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return std::nullopt;
  }
  return id;
}

bool is_terminal_run_state(const std::string& state) {
  const auto life_cycle = databricks::parse_life_cycle_state(state);
  return life_cycle && databricks::is_terminal(*life_cycle);
}

bool is_terminal_status(const std::string& status) {
  return status == "succeeded" || status == "failed" || status == "aborted" ||
         status == "superseded";
}

// Class names come from data (states, phase names): keep them to [A-Za-z0-9_-].
std::string css_name(std::string_view prefix, std::string_view name) {
  std::string out(prefix);
  for (const char c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '-';
    out += plain ? c : '_';
  }
  return out;
}

std::string from_to(DurationMs from_ms, DurationMs to_ms, DurationMs end_ms, bool open) {
  return clock_text(from_ms) + " to " + (open && to_ms >= end_ms ? "the end" : clock_text(to_ms)) +
         " (" + short_duration(to_ms - from_ms) + ")";
}

struct RunState {
  DurationMs at_ms = 0;
  std::string state, result;
};

struct RunTrack {
  std::int64_t job_id = 0;
  std::vector<RunState> states;
};

using LaneKey = std::tuple<std::string, std::string, std::int64_t>;

class Builder {
 public:
  Builder(const Scenario& s, const RunResult& r) : s_(s), r_(r), used_(s.timeline.size(), false) {
    t_.duration_ms = std::max<DurationMs>(r.simulated_ms, s.duration_ms);
  }

  Timeline build() {
    for (const auto& e : r_.kept) on_event(e, e.time_ms - r_.start_ms);
    finish_deployments();
    finish_world_marks();
    std::map<LaneKey, Lane> lanes;
    for (const auto& [id, d] : t_.deployments) {
      lane(lanes, {d.job, d.target, d.version}).deployments.push_back(id);
    }
    for (const auto& [id, track] : runs_) place_run(lanes, id, track);
    add_settings_bands(lanes);
    for (auto& [key, l] : lanes) {
      std::stable_sort(l.runs.begin(), l.runs.end(),
                       [](const Run& a, const Run& b) { return a.from_ms < b.from_ms; });
      t_.lanes.push_back(std::move(l));
    }
    add_verdicts();
    add_stream_lanes(s_, r_, t_);
    return std::move(t_);
  }

 private:
  using Handler = void (Builder::*)(const json& fields, DurationMs at);

  void on_event(const core::Event& e, DurationMs at) {
    static const std::map<std::string, Handler> kHandlers = {
        {"kiln.deployment", &Builder::on_deployment},
        {"kiln.phase", &Builder::on_phase},
        {"run.state", &Builder::on_run_state},
        {"job.created", &Builder::on_job_created},
        {"job.deleted", &Builder::on_job_deleted},
        {"scenario.build", &Builder::on_build},
        {"scenario.merge", &Builder::on_merge},
        {"scenario.deploy", &Builder::on_manual_deploy},
        {"scenario.fault", &Builder::on_fault},
        {"fault", &Builder::on_workspace_fault},
        {"kiln.crash", &Builder::on_crash},
        {"kiln.start", &Builder::on_start},
        {"scenario.note", &Builder::on_note},
        {"scenario.error", &Builder::on_error},
    };
    if (auto it = kHandlers.find(e.type); it != kHandlers.end())
      (this->*(it->second))(e.fields, at);
  }

  void on_job_created(const json& f, DurationMs) {
    job_names_[int_of(f, "job_id")] = text_of(f, "name");
  }
  void on_job_deleted(const json& f, DurationMs at) { job_deleted_[int_of(f, "job_id")] = at; }
  void on_merge(const json& f, DurationMs at) {
    mark(at, "mark-merge", "merge", "merge: " + text_of(f, "changes"));
  }
  void on_workspace_fault(const json& f, DurationMs at) { workspace_faults_.push_back({at, f}); }
  void on_error(const json& f, DurationMs at) {
    mark(at, "mark-error", "error", "ERROR: " + text_of(f, "message"));
  }

  void mark(DurationMs at, std::string css, std::string label, std::string title) {
    t_.marks.push_back({at, std::move(css), std::move(label), std::move(title)});
  }

  Deployment& deployment(const json& f, DurationMs at) {
    const auto id = int_of(f, "deployment");
    auto [it, fresh] = t_.deployments.try_emplace(id);
    Deployment& d = it->second;
    if (fresh) {
      d.id = id;
      d.job = text_of(f, "job");
      d.target = text_of(f, "target");
      d.version = int_of(f, "version");
      d.first_ms = at;
      d.last_ms = t_.duration_ms;
    }
    return d;
  }

  void on_deployment(const json& f, DurationMs at) {
    Deployment& d = deployment(f, at);
    d.status = text_of(f, "status");
    if (f.contains("reason")) d.reason = text_of(f, "reason");
    if (f.contains("requested_by")) d.requested_by = text_of(f, "requested_by");
    d.ended = is_terminal_status(d.status);
    if (d.ended) d.last_ms = at;
  }

  void on_phase(const json& f, DurationMs at) {
    Deployment& d = deployment(f, at);
    const std::string name = text_of(f, "phase"), outcome = text_of(f, "outcome");
    // The running phase of that name goes on; otherwise a phase begins (one kiln reports only
    // when done began where the one before it ended).
    auto open = std::find_if(d.phases.rbegin(), d.phases.rend(), [&](const Phase& p) {
      return p.name == name && p.outcome == "running";
    });
    Phase* p = nullptr;
    if (open != d.phases.rend()) {
      p = &*open;
    } else {
      DurationMs from = at;
      if (outcome != "running") {
        from = d.phases.empty() ? d.first_ms : std::min(at, d.phases.back().to_ms);
      }
      p = &d.phases.emplace_back(Phase{name, outcome, "", "", from, at});
    }
    p->outcome = outcome;
    p->css = outcome == "failed" ? "ph-failed" : css_name("ph-", name);
    p->to_ms = at;
    if (f.contains("reason")) p->reason = text_of(f, "reason");
    if (outcome != "succeeded") return;
    if (name == "job") {
      if (const auto job_id = trailing_id(p->reason, "job ")) {
        job_owners_[*job_id] = {d.job, d.target};
        settings_[*job_id].push_back({at, d.id});
      }
    } else if (name == "start") {
      if (const auto run_id = trailing_id(p->reason, "run ")) run_deployment_[*run_id] = d.id;
    } else if (name == "green") {  // blue-green: "green job J, run R" (or "... (continuous)")
      const auto end = std::min(p->reason.find(','), p->reason.find(" ("));
      if (const auto job_id = trailing_id(p->reason.substr(0, end), "green job ")) {
        job_owners_[*job_id] = {d.job, d.target};
        settings_[*job_id].push_back({at, d.id});
      }
      if (const auto run_id = trailing_id(p->reason, ", run ")) run_deployment_[*run_id] = d.id;
    }
  }

  void on_run_state(const json& f, DurationMs at) {
    RunTrack& track = runs_[int_of(f, "run_id")];
    track.job_id = int_of(f, "job_id");
    track.states.push_back({at, text_of(f, "state"), text_of(f, "result")});
  }

  void on_build(const json& f, DurationMs at) {
    const std::string label = "build " + text_of(f, "build");
    const std::string title = label + ": " + text_of(f, "build_id") + " of commit " +
                              text_of(f, "commit") + " (" + text_of(f, "why") + ")\njobs " +
                              text_of(f, "jobs");
    // A merge publishes its build at once: one mark for both.
    if (!t_.marks.empty() && t_.marks.back().css == "mark-merge" && t_.marks.back().at_ms == at) {
      t_.marks.back().label = "merge, " + label;
      t_.marks.back().title += "\n" + title;
      return;
    }
    if (at == 0 && text_of(f, "build") == "1") return;  // the first commit is where all begins
    mark(at, "mark-build", label, title);
  }

  void on_manual_deploy(const json& f, DurationMs at) {
    const std::string what =
        text_of(f, "job") + "/" + text_of(f, "target") + " build " + text_of(f, "build");
    if (f.contains("refused")) {
      mark(at, "mark-error", "deploy refused",
           "deploy by hand of " + what + " REFUSED: " + text_of(f, "refused"));
    } else {
      mark(at, "mark-deploy", "deploy " + what,
           "deploy by hand of " + what + ": deployment #" + text_of(f, "deployment"));
    }
  }

  // The timeline entry a scenario.fault event stands for.
  const TimelineEvent* timeline_entry(const std::string& kind, DurationMs at_ms) {
    for (std::size_t i = 0; i < s_.timeline.size(); ++i) {
      const auto& e = s_.timeline[i];
      if (used_[i] || e.kind != kind || e.at_ms != at_ms) continue;
      used_[i] = true;
      return &e;
    }
    return nullptr;
  }

  void on_fault(const json& f, DurationMs at) {
    const std::string kind = text_of(f, "kind");
    scenario_fault_times_.push_back(at);
    const TimelineEvent* e = timeline_entry(kind, int_of(f, "at_ms"));
    const std::string where = e == nullptr ? "" : " (" + e->where.to_string() + ")";
    if ((kind == "api_outage" || kind == "rate_limit_storm") && e != nullptr) {
      const std::string label =
          (kind == "api_outage" ? "API outage " : "rate-limit storm ") + short_duration(e->for_ms);
      t_.windows.push_back({at, std::min(at + e->for_ms, t_.duration_ms), css_name("win-", kind),
                            label,
                            label + " from " + clock_text(at) + ": requests matching '" +
                                e->pattern + "' answer " + std::to_string(e->status) + where});
      return;
    }
    std::string label = f.contains("label") ? text_of(f, "label") : kind;  // stream events
    if (e != nullptr && kind == "cluster_launch_failure") {
      label = "cluster launch failure x" + std::to_string(e->count);
    } else if (e != nullptr && kind == "run_fails") {
      label = "runs of " + e->job + " fail (" + e->how + ")";
    }
    mark(at, "mark-fault", label, "FAULT " + label + " at " + clock_text(at) + where);
  }

  void on_crash(const json& f, DurationMs at) {
    mark(at, "mark-crash", "kiln crashes",
         "kiln crashes at " + clock_text(at) + "; back after " +
             short_duration(int_of(f, "restart_after_ms")));
    if (!down_since_) down_since_ = at;
  }

  void on_start(const json& f, DurationMs at) {
    if (!down_since_) return;  // the first start, with the world
    t_.windows.push_back({*down_since_, at, "win-down", "",
                          "kiln is down from " + from_to(*down_since_, at, t_.duration_ms, false)});
    mark(at, "mark-start", "kiln restarts",
         "kiln restarts at " + clock_text(at) + " with " + text_of(f, "open_workflows") +
             " open workflow(s)");
    down_since_.reset();
  }

  void on_note(const json& f, DurationMs at) {
    std::string text = text_of(f, "text");
    std::string label = text.size() > 40 ? text.substr(0, 39) + "..." : text;
    mark(at, "mark-note", std::move(label), "note: " + text);
  }

  void finish_deployments() {
    for (auto& [id, d] : t_.deployments) {
      for (auto& p : d.phases) {
        if (p.outcome == "running") p.to_ms = d.last_ms;
      }
    }
  }

  // A fault of the workspace's own config has no scenario.fault; a kiln that never came back
  // is down to the end.
  void finish_world_marks() {
    for (const auto& [at, f] : workspace_faults_) {
      if (std::find(scenario_fault_times_.begin(), scenario_fault_times_.end(), at) !=
          scenario_fault_times_.end()) {
        continue;
      }
      const std::string label = text_of(f, "kind") + " " + text_of(f, "job");
      mark(at, "mark-fault", label, "FAULT " + label + " x" + text_of(f, "count"));
    }
    if (down_since_) {
      t_.windows.push_back({*down_since_, t_.duration_ms, "win-down", "",
                            "kiln is down from " + clock_text(*down_since_) + " to the end"});
    }
    std::stable_sort(t_.marks.begin(), t_.marks.end(),
                     [](const Mark& a, const Mark& b) { return a.at_ms < b.at_ms; });
    std::stable_sort(t_.windows.begin(), t_.windows.end(),
                     [](const Window& a, const Window& b) { return a.from_ms < b.from_ms; });
  }

  Lane& lane(std::map<LaneKey, Lane>& lanes, const LaneKey& key) {
    auto [it, fresh] = lanes.try_emplace(key);
    if (fresh) std::tie(it->second.job, it->second.target, it->second.version) = key;
    return it->second;
  }

  // The (job, target) a Databricks job belongs to: kiln's word, else its name when the
  // scenario has that job on one target only.
  std::pair<std::string, std::string> owner(std::int64_t job_id) const {
    if (auto it = job_owners_.find(job_id); it != job_owners_.end()) return it->second;
    const auto named = job_names_.find(job_id);
    const std::string name =
        named == job_names_.end() ? "job " + std::to_string(job_id) : named->second;
    std::string target;
    int targets = 0;
    for (const auto& j : s_.repo) {
      if (j.name != name) continue;
      target = j.target;
      ++targets;
    }
    return {name, targets == 1 ? target : "?"};
  }

  // The version whose settings the job held at `at`, if known.
  std::int64_t settings_version(std::int64_t job_id, DurationMs at) const {
    std::int64_t version = kUnknownVersion;
    if (auto it = settings_.find(job_id); it != settings_.end()) {
      for (const auto& [since, deployment_id] : it->second) {
        if (since <= at) version = t_.deployments.at(deployment_id).version;
      }
    }
    return version;
  }

  void place_run(std::map<LaneKey, Lane>& lanes, std::int64_t run_id, const RunTrack& track) {
    Run run = run_of(run_id, track);
    LaneKey key;
    std::string how;
    if (auto it = run_deployment_.find(run_id); it != run_deployment_.end()) {
      const Deployment& d = t_.deployments.at(it->second);
      key = {d.job, d.target, d.version};
      how = "started by deployment #" + std::to_string(d.id);
    } else {
      const auto [job, target] = owner(track.job_id);
      key = {job, target, settings_version(track.job_id, run.from_ms)};
      how = "not started by a deployment";
    }
    Lane& l = lane(lanes, key);
    run.title = "run " + std::to_string(run_id) + " of job " + std::to_string(track.job_id) + " (" +
                l.label() + ", " + how + ")\n" + run.title;
    l.runs.push_back(std::move(run));
  }

  Run run_of(std::int64_t run_id, const RunTrack& track) const {
    Run run;
    run.run_id = run_id;
    run.job_id = track.job_id;
    run.from_ms = track.states.front().at_ms;
    run.to_ms = t_.duration_ms;
    for (std::size_t i = 0; i < track.states.size(); ++i) {
      const auto& s = track.states[i];
      run.title += (i == 0 ? "" : ", ") + s.state + (s.result.empty() ? "" : " " + s.result) +
                   " at " + clock_text(s.at_ms);
      if (is_terminal_run_state(s.state)) {
        run.to_ms = s.at_ms;
        run.end_css = css_name("end-", s.result.empty() ? s.state : s.result);
        break;
      }
      const bool last = i + 1 == track.states.size();
      const DurationMs to = last ? t_.duration_ms : track.states[i + 1].at_ms;
      run.states.push_back({s.at_ms, to, css_name("st-", s.state),
                            "run " + std::to_string(run_id) + ": " + s.state + " from " +
                                from_to(s.at_ms, to, t_.duration_ms, last)});
    }
    return run;
  }

  // The "settings" band: when each version's settings were the job's, from the deploy phase
  // "job" that put them there to the next one that changed the version (or the job's deletion).
  void add_settings_bands(std::map<LaneKey, Lane>& lanes) {
    for (const auto& [job_id, history] : settings_) {
      const auto [job, target] = owner(job_id);
      const auto deleted = job_deleted_.find(job_id);
      const DurationMs gone = deleted == job_deleted_.end() ? t_.duration_ms : deleted->second;
      for (std::size_t i = 0; i < history.size();) {
        const std::int64_t version = t_.deployments.at(history[i].second).version;
        const DurationMs from = history[i].first;
        std::string ids;
        for (; i < history.size() && t_.deployments.at(history[i].second).version == version; ++i) {
          ids += (ids.empty() ? "#" : ", #") + std::to_string(history[i].second);
        }
        const DurationMs to = i < history.size() ? history[i].first : gone;
        Lane& l = lane(lanes, {job, target, version});
        if (l.bands.empty()) l.bands.push_back({"settings", {}});
        l.bands.front().spans.push_back(
            {from, to, "band-settings",
             "job " + std::to_string(job_id) + " holds v" + std::to_string(version) +
                 "'s settings from " + from_to(from, to, t_.duration_ms, to == t_.duration_ms) +
                 "; deployment " + ids});
      }
    }
  }

  void add_verdicts() {
    static const std::string kViolated = "violated at ";
    for (const auto& v : r_.verdicts) {
      const auto& x = s_.expectations[v.index];
      DurationMs at = v.at_ms;
      // An invariant is decided at the end, but what matters is when it broke.
      if (!v.holds && v.observed.rfind(kViolated, 0) == 0) {
        const auto colon = v.observed.find(':', kViolated.size());
        if (auto when = parse_duration(
                std::string_view(v.observed)
                    .substr(kViolated.size(),
                            colon == std::string::npos ? 0 : colon - kViolated.size()))) {
          at = *when;
        }
      }
      t_.verdicts.push_back({at, v.index, v.holds,
                             "#" + std::to_string(v.index + 1) + (v.holds ? " PASS  " : " FAIL  ") +
                                 x.where.to_string() + "\n" + x.describe() + "\n" + v.observed +
                                 "\ndecided at " + clock_text(v.at_ms)});
    }
  }

  const Scenario& s_;
  const RunResult& r_;
  Timeline t_;
  std::vector<bool> used_;  // timeline entries already matched to a scenario.fault
  std::map<std::int64_t, RunTrack> runs_;
  std::map<std::int64_t, std::string> job_names_;
  std::map<std::int64_t, DurationMs> job_deleted_;
  std::map<std::int64_t, std::pair<std::string, std::string>> job_owners_;
  // Databricks job -> (since, deployment) whose version's settings it holds.
  std::map<std::int64_t, std::vector<std::pair<DurationMs, std::int64_t>>> settings_;
  std::map<std::int64_t, std::int64_t> run_deployment_;  // run -> the deployment that started it
  std::vector<std::pair<DurationMs, json>> workspace_faults_;
  std::vector<DurationMs> scenario_fault_times_;
  std::optional<DurationMs> down_since_;
};

}  // namespace

std::string Lane::label() const {
  return job + "/" + target + " v" +
         (version == kUnknownVersion ? std::string("?") : std::to_string(version));
}

Timeline build_timeline(const Scenario& scenario, const RunResult& result) {
  return Builder(scenario, result).build();
}

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string clock_text(DurationMs ms) {
  const auto s = std::max<DurationMs>(ms, 0) / 1000;
  char text[64];
  std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return text;
}

std::string short_duration(DurationMs ms) {
  const auto v = static_cast<long long>(std::max<DurationMs>(ms, 0));
  char text[64];
  if (v < 1000) {
    std::snprintf(text, sizeof text, "%lldms", v);
    return text;
  }
  if (v < 10'000) {
    std::snprintf(text, sizeof text, "%lld.%llds", v / 1000, v / 100 % 10);
    return text;
  }
  // Two units at most, the smaller one left out when it is zero: "3m07s", "5m", "2h05m", "3d".
  struct Unit {
    long long ms;
    const char* name;
  };
  constexpr std::array<Unit, 4> kUnits = {Unit{86'400'000, "d"}, Unit{3'600'000, "h"},
                                          Unit{60'000, "m"}, Unit{1000, "s"}};
  std::size_t i = 0;
  while (v < kUnits[i].ms) ++i;
  const long long big = v / kUnits[i].ms;
  const long long small = i + 1 < kUnits.size() ? v % kUnits[i].ms / kUnits[i + 1].ms : 0;
  if (small == 0) {
    std::snprintf(text, sizeof text, "%lld%s", big, kUnits[i].name);
  } else {
    std::snprintf(text, sizeof text, "%lld%s%02lld%s", big, kUnits[i].name, small,
                  kUnits[i + 1].name);
  }
  return text;
}

}  // namespace kiln::scenario::report
