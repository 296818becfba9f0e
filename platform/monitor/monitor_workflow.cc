#include "platform/monitor/monitor_workflow.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "core/random/random.h"
#include "databricks/client/jobs_client.h"

namespace kiln::monitor {

using databricks::ApiError;
using databricks::Job;
using databricks::Run;
using nlohmann::json;
using workflow::Step;

struct MonitorWorkflow::Parts {
  core::Clock& clock;
  databricks::JobsClient jobs;
  store::MetadataStore& store;
  MonitorOptions options;
  core::EventLog* events;
  bool stopped = false;
};

namespace {

// Upper bounds on what the workflow's state remembers (TigerBeetle's habit: every list bounded).
constexpr std::size_t kSettledMax = 100'000;
constexpr std::size_t kFollowingMax = 100'000;
constexpr std::size_t kHistoryRuns = 50;  // runs read back per job to find a run's predecessor

struct Managed {
  std::string name, target;
  std::int64_t version = 0;
  std::int64_t max_concurrent_runs = 1;
};

// A life cycle state as a DB row records it (the API's spelling): ended for good.
bool is_terminal(const std::string& life) {
  const auto state = databricks::parse_life_cycle_state(life);
  return state && databricks::is_terminal(*state);
}

// Failed for good: the run ended and will not be retried (Databricks' retries happen inside it).
bool failed_for_good(const std::string& life, const std::string& result) {
  return life == "INTERNAL_ERROR" || result == "FAILED" || result == "TIMEDOUT";
}

bool succeeded(const std::string& result) {
  return result == "SUCCESS" || result == "SUCCESS_WITH_FAILURES";
}

// A verdict run either failed for good or succeeded; cancelled, skipped and vanished runs say
// nothing about the job's health.
bool has_verdict(const store::Run& r) {
  return r.end_ms &&
         (failed_for_good(r.life_cycle_state, r.result_state) || succeeded(r.result_state));
}

bool started_before(const store::Run& a, const store::Run& b) {
  return a.start_ms != b.start_ms ? a.start_ms < b.start_ms : a.run_id < b.run_id;
}

// A stable fingerprint of a job's settings as jobs/list shows them (of the JSON, whose keys
// serialise sorted): the same settings give the same text on every platform. Stored in the
// workflow's state (settings_seen), so the hashed text must never change.
std::string fingerprint(const Job& job) {
  char out[17];
  std::snprintf(out, sizeof out, "%016llx",
                static_cast<unsigned long long>(core::stable_hash(job.settings.dump())));
  return out;
}

// A store read that found nothing is an answer; any other error fails the pass.
template <class T>
bool store_failed(const store::Result<T>& r) {
  return !r.ok() && r.code() != store::ErrorCode::kNotFound;
}

// One pass, alive while its calls are in flight.
class Pass : public std::enable_shared_from_this<Pass> {
 public:
  Pass(std::shared_ptr<MonitorWorkflow::Parts> parts, store::Workflow workflow,
       std::function<void(Step)> done)
      : parts_(std::move(parts)), workflow_(std::move(workflow)), done_(std::move(done)) {}

  void run() {
    state_ = workflow_.state;
    if (!state_.contains("since")) state_["since"] = now();
    started_ = now();
    auto self = shared_from_this();
    // With their tasks: an edit of a task outside kiln changes the settings' fingerprint.
    databricks::JobsQuery jobs_query;
    jobs_query.expand_tasks = true;
    parts_->jobs.list(
        jobs_query, listed<Job>("list", [self](std::vector<Job> jobs) {
          self->jobs_ = std::move(jobs);
          databricks::RunsQuery active_query;
          active_query.active_only = true;
          self->parts_->jobs.list_runs(
              active_query, self->listed<Run>("runs/list", [self](std::vector<Run> active) {
                self->active_ = std::move(active);
                auto from = self->window_start();
                if (!from) return self->answer(Step::retry(self->failure_));
                databricks::RunsQuery recent_query;
                recent_query.start_time_from = *from;
                self->parts_->jobs.list_runs(
                    recent_query, self->listed<Run>("runs/list", [self](std::vector<Run> recent) {
                      self->recent_ = std::move(recent);
                      self->fetch_unfinished();
                    }));
              }));
        }));
  }

 private:
  core::TimeMs now() const { return parts_->clock.now_ms(); }
  void answer(Step step) {
    if (answered_) return;
    answered_ = true;
    done_(std::move(step));
  }
  // The reply to a listing of `endpoint` (every page): `ok` gets the items; a failure ends the
  // pass with "GET <path>: <why the listing failed>".
  template <class T>
  databricks::Reply<std::vector<T>> listed(const char* endpoint,
                                           std::function<void(std::vector<T>)> ok) {
    return [self = shared_from_this(), what = "GET " + parts_->jobs.path(endpoint),
            ok = std::move(ok)](databricks::ApiResult<std::vector<T>> r) mutable {
      if (self->parts_->stopped) return;
      if (r.ok()) return ok(std::move(r).value());
      self->answer(Step::retry(what + ": " + r.error().message));
    };
  }
  // Records why the pass cannot go on; the caller answers retry with it.
  template <class T>
  bool failed(const store::Result<T>& r, const std::string& what) {
    if (!store_failed(r)) return false;
    failure_ = what + ": " + r.error().describe();
    return true;
  }

  // The runs this pass must see to their end: the ones the DB holds as unfinished (whoever
  // recorded them) and the ones the last pass saw unfinished (the DB may say they ended: a
  // deploy recorded it; monitoring still has to give its verdict).
  std::optional<std::map<std::int64_t, std::int64_t>> to_follow() {
    auto unfinished = parts_->store.list_unfinished_runs(100'000);
    if (!unfinished) {
      failure_ = "list unfinished runs: " + unfinished.error().describe();
      return std::nullopt;
    }
    std::map<std::int64_t, std::int64_t> start_by_run;
    for (const auto& r : *unfinished) start_by_run[r.run_id] = r.start_ms;
    const json following = state_.value("following", json::object());
    for (const auto& [id, start] : following.items()) {
      try {
        start_by_run.emplace(std::stoll(id), start.get<std::int64_t>());
      } catch (const std::exception&) {
        continue;  // a key this version did not write
      }
    }
    return start_by_run;
  }

  // Where the listing of recent runs starts: the last pass's start (less one interval of
  // overlap), or earlier to cover the runs still to follow (they may have ended since) as long
  // as they started within a day: one paginated listing instead of a call per run. Older ones
  // are read one by one (fetch_unfinished).
  std::optional<std::int64_t> window_start() {
    std::int64_t from = state_.value("watermark", state_["since"].get<std::int64_t>());
    const std::int64_t floor = now() - 86'400'000;
    auto follow = to_follow();
    if (!follow) return std::nullopt;
    for (const auto& [id, start] : *follow) {
      if (start >= floor) from = std::min(from, start);
    }
    return from;
  }

  // Runs to follow that neither list showed (long runs that ended, deleted runs): read one by
  // one; they are few.
  void fetch_unfinished() {
    std::set<std::int64_t> seen;
    for (const auto& r : active_) seen.insert(r.run_id);
    for (const auto& r : recent_) seen.insert(r.run_id);
    auto follow = to_follow();
    if (!follow) return answer(Step::retry(failure_));
    for (const auto& [id, start] : *follow) {
      if (!seen.contains(id)) to_get_.push_back(id);
    }
    follow_ = std::move(*follow);
    get_next();
  }
  void get_next() {
    if (to_get_.empty()) return process();
    const auto run_id = to_get_.back();
    to_get_.pop_back();
    auto self = shared_from_this();
    parts_->jobs.get_run(run_id, [self, run_id](databricks::ApiResult<Run> r) {
      if (self->parts_->stopped) return;
      if (r.ok()) {
        self->fetched_.push_back(std::move(r).value());
      } else if (const ApiError& e = r.error(); e.http_status != 400 && e.http_status != 404) {
        return self->answer(Step::retry("GET runs/get " + std::to_string(run_id) + ": HTTP " +
                                        std::to_string(e.http_status)));
      } else {
        // Deleted or past retention. Any 400 or 404 counts (not only is_missing's), as it
        // always has: a run monitoring cannot read is not followed forever.
        self->vanished_.push_back(run_id);
      }
      self->get_next();
    });
  }

  void publish(const std::string& type, json fields) {
    if (parts_->events != nullptr) parts_->events->publish({now(), type, std::move(fields)});
  }
  std::optional<std::string> owner_of(const std::string& name, const std::string& target) {
    auto key = std::make_pair(name, target);
    if (auto it = owners_.find(key); it != owners_.end()) return it->second;
    auto job = parts_->store.get_job(name, target);
    if (failed(job, "read job " + name + "/" + target)) return std::nullopt;
    return owners_[key] = job ? job->owner : "";
  }
  bool reported(const std::string& key) {
    json& list = state_["reported"];
    if (!list.is_array()) list = json::array();
    if (std::find(list.begin(), list.end(), key) != list.end()) return true;
    list.push_back(key);
    if (list.size() > 1000) list.erase(list.begin());
    return false;
  }

  std::map<std::int64_t, Managed> managed_jobs() const {
    std::map<std::int64_t, Managed> managed;
    for (const auto& j : jobs_) {
      if (j.tag("kiln_managed") != "true") continue;
      Managed m{j.tag("kiln_job"), j.tag("kiln_target"), 0, 1};
      try {
        m.version = std::stoll(j.tag("kiln_version"));
      } catch (const std::exception&) {
        m.version = 0;
      }
      m.max_concurrent_runs = j.settings.value("max_concurrent_runs", std::int64_t{1});
      managed[j.job_id] = m;
    }
    return managed;
  }

  // Every run seen, as the freshest listing showed it, in start order.
  std::vector<const Run*> runs_in_start_order() const {
    std::map<std::int64_t, const Run*> runs;
    // Later listings are fresher: active runs, then recent runs, then runs read one by one.
    for (const auto& r : active_) runs[r.run_id] = &r;
    for (const auto& r : recent_) runs[r.run_id] = &r;
    for (const auto& r : fetched_) runs[r.run_id] = &r;
    std::vector<const Run*> ordered;
    ordered.reserve(runs.size());
    for (const auto& [id, r] : runs) ordered.push_back(r);
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const Run* a, const Run* b) { return a->start_time < b->start_time; });
    return ordered;
  }

  // The run's predecessor with a verdict, from the DB's history of its job overlaid with what
  // this pass saw (fresher, and not written yet).
  std::optional<store::Run> previous_verdict(const store::Run& run) {
    const auto key = std::make_pair(run.job_name, run.target);
    auto cached = history_.find(key);
    if (cached == history_.end()) {
      auto rows = parts_->store.list_runs(run.job_name, run.target, kHistoryRuns);
      if (failed(rows, "list runs of " + run.job_name + "/" + run.target)) return std::nullopt;
      std::map<std::int64_t, store::Run> by_id;
      if (rows) {
        for (const auto& r : *rows) by_id[r.run_id] = r;
      }
      for (const auto& [id, r] : pass_rows_) {
        if (r.job_name == run.job_name && r.target == run.target) by_id[id] = r;
      }
      cached = history_.emplace(key, std::move(by_id)).first;
    }
    std::optional<store::Run> best;
    for (const auto& [id, r] : cached->second) {
      if (!has_verdict(r) || !started_before(r, run)) continue;
      if (!best || started_before(*best, r)) best = r;
    }
    return best;
  }

  // The verdict on a run that ended and that monitoring has not judged yet: job.run_failed for
  // a run that failed for good, job.run_recovered for a success whose predecessor had failed.
  // False if the store could not be read.
  bool judge(const store::Run& row, const Run& listed,
             std::vector<std::pair<std::string, json>>& events) {
    const bool failed_run = failed_for_good(row.life_cycle_state, row.result_state);
    if (!failed_run && !succeeded(row.result_state)) return true;
    bool recovered = false;
    if (!failed_run) {
      auto prev = previous_verdict(row);
      if (!failure_.empty()) return false;
      recovered = prev && failed_for_good(prev->life_cycle_state, prev->result_state);
      if (!recovered) return true;
    }
    auto owner = owner_of(row.job_name, row.target);
    if (!owner) return false;
    json base = {{"job", row.job_name},
                 {"target", row.target},
                 {"run_id", row.run_id},
                 {"version", row.version},
                 {"owner", *owner}};
    if (recovered) {
      events.emplace_back("job.run_recovered", std::move(base));
      return true;
    }
    base["result"] = row.result_state.empty() ? row.life_cycle_state : row.result_state;
    base["message"] = listed.state.state_message;
    base["trigger"] = listed.trigger;
    events.emplace_back("job.run_failed", std::move(base));
    return true;
  }

  void process() {
    const auto managed = managed_jobs();
    const auto ordered = runs_in_start_order();
    // Verdicts: a run that ended at or after settled_before and is not in `settled` has not
    // been judged yet, whoever recorded its end in the DB (a deploy often does, first).
    const auto settled_before = state_.value(
        "settled_before", state_.value("watermark", state_["since"].get<std::int64_t>()));
    json settled = state_.value("settled", json::object());
    json following = json::object();
    std::vector<store::Run> upserts;
    std::vector<std::pair<std::string, json>> events;
    std::vector<std::pair<store::Run, const Run*>> to_judge;
    std::set<std::int64_t> listed_jobs;
    for (const auto& j : jobs_) listed_jobs.insert(j.job_id);
    for (const Run* r : ordered) {
      const auto job_id = r->job_id;
      const auto run_id = r->run_id;
      auto m = managed.find(job_id);
      // A run kiln follows whose job is no longer managed (deleted, or its tags removed) still
      // needs its end recorded; other runs of unmanaged jobs are not kiln's business.
      if (m == managed.end() && !follow_.contains(run_id)) continue;
      auto prev = parts_->store.get_run(run_id);
      if (failed(prev, "read run " + std::to_string(run_id))) {
        return answer(Step::retry(failure_));
      }
      if (m == managed.end() && (!prev || prev->end_ms)) continue;
      store::Run row;
      row.run_id = run_id;
      row.job_name = m != managed.end() ? m->second.name : prev->job_name;
      row.target = m != managed.end() ? m->second.target : prev->target;
      row.databricks_job_id = job_id;
      row.life_cycle_state = r->state.life_cycle_state;
      row.result_state = r->state.result_state;
      row.start_ms = r->start_time;
      if (r->end_time > 0) row.end_ms = r->end_time;
      row.updated_ms = now();
      row.version = prev ? prev->version : m->second.version;
      bool terminal = r->state.terminal();
      // The job is gone from the workspace (deleted outside kiln, a green removed): its run
      // will never be listed as ended, so it ends now. A row written after the jobs were
      // listed may belong to a job created since: left to the next pass.
      if (!terminal && !listed_jobs.contains(job_id) && prev && prev->updated_ms < started_) {
        row.life_cycle_state = "TERMINATED";
        terminal = true;
      }
      if (terminal && !row.end_ms) row.end_ms = prev && prev->end_ms ? *prev->end_ms : now();
      pass_rows_[row.run_id] = row;
      if (!terminal) {
        following[std::to_string(row.run_id)] = row.start_ms;
      } else if (*row.end_ms >= settled_before && !settled.contains(std::to_string(row.run_id))) {
        to_judge.emplace_back(row, r);
      }
      // A run that ended never un-ends: a listing older than what another writer recorded
      // does not overwrite it.
      const bool regress = prev && prev->end_ms && !terminal;
      const bool changed = !prev || prev->life_cycle_state != row.life_cycle_state ||
                           prev->result_state != row.result_state || prev->end_ms != row.end_ms;
      if (changed && !regress) upserts.push_back(row);
    }
    for (const auto& [row, listed] : to_judge) {
      if (!judge(row, *listed, events)) return answer(Step::retry(failure_));
      settled[std::to_string(row.run_id)] = *row.end_ms;
    }
    for (const auto id : vanished_) {
      auto prev = parts_->store.get_run(id);
      if (failed(prev, "read run " + std::to_string(id))) return answer(Step::retry(failure_));
      if (!prev || prev->end_ms) continue;
      store::Run row = *prev;
      row.end_ms = now();
      if (row.life_cycle_state.empty() || !is_terminal(row.life_cycle_state)) {
        row.life_cycle_state = "TERMINATED";
      }
      row.updated_ms = now();
      upserts.push_back(row);
    }
    auto drift_events = drift(managed);
    if (!drift_events) return answer(Step::retry(failure_));
    auto written = parts_->store.transaction([&]() -> store::Status {
      for (const auto& row : upserts) {
        if (auto s = parts_->store.upsert_run(row); !s) return s;
      }
      return {};
    });
    if (!written) return answer(Step::retry("record runs: " + written.error().describe()));
    for (auto& [type, fields] : events) publish(type, std::move(fields));
    for (auto& fields : *drift_events) publish("job.drift", std::move(fields));
    if (parts_->options.on_drift) {
      for (const auto& [row, kind] : drifted_) parts_->options.on_drift(row, kind);
    }
    quota();
    remember(settled, settled_before, following);
    state_["watermark"] = started_ - parts_->options.interval_ms;  // overlap: nothing missed
    state_["last_pass"] = {
        {"jobs", jobs_.size()}, {"managed", managed.size()}, {"runs_recorded", upserts.size()}};
    answer(Step::next(state_, started_ + parts_->options.interval_ms));
  }

  // Verdicts are remembered by run id only while a later pass could still list their runs as
  // ended after settled_before; the cut moves up with each pass (one interval of overlap, as
  // the watermark: a workspace clock a little behind kiln's misses nothing).
  void remember(json settled, std::int64_t settled_before, json following) {
    const auto cut = std::max(settled_before, started_ - parts_->options.interval_ms);
    std::vector<std::pair<std::int64_t, std::string>> kept;  // (end, run id)
    for (const auto& [id, end] : settled.items()) {
      if (end.is_number_integer() && end.get<std::int64_t>() >= cut) {
        kept.emplace_back(end.get<std::int64_t>(), id);
      }
    }
    std::sort(kept.begin(), kept.end());
    if (kept.size() > kSettledMax) kept.erase(kept.begin(), kept.end() - kSettledMax);
    json pruned = json::object();
    for (const auto& [end, id] : kept) pruned[id] = end;
    state_["settled"] = std::move(pruned);
    state_["settled_before"] = cut;
    while (following.size() > kFollowingMax) following.erase(following.begin());
    state_["following"] = std::move(following);
  }

  // job.drift events: deleted jobs, jobs edited outside kiln, and two runs at once of a job
  // allowed one.
  std::optional<std::vector<json>> drift(const std::map<std::int64_t, Managed>& managed) {
    std::vector<json> out;
    auto rows = parts_->store.list_all_jobs(1'000'000);
    if (failed(rows, "list jobs")) return std::nullopt;
    std::map<std::int64_t, const Job*> listed;
    for (const auto& j : jobs_) listed[j.job_id] = &j;
    json baselines = state_.value("settings_seen", json::object());
    json kept = json::object();
    for (const auto& job : *rows) {
      if (!job.databricks_job_id || job.state == store::JobState::kRemoved ||
          job.state == store::JobState::kDeploying || job.updated_ms >= started_) {
        continue;  // a row changed since this pass listed the jobs is not comparable
      }
      const auto id = std::to_string(*job.databricks_job_id);
      if (managed.contains(*job.databricks_job_id)) {
        // Edited outside kiln: the settings changed while the deployment that wrote them
        // (its kiln_deployment tag) stayed. The first look after a deploy is the baseline.
        const Job& listing = *listed.at(*job.databricks_job_id);
        const json now_seen = {listing.tag("kiln_deployment"), fingerprint(listing)};
        const json before = baselines.value(id, json());
        if (before.is_array() && before[0] == now_seen[0] && before[1] != now_seen[1]) {
          if (!reported("edited:" + id + ":" + now_seen[1].get<std::string>())) {
            out.push_back(
                {{"job", job.name},
                 {"target", job.target},
                 {"owner", job.owner},
                 {"kind", "edited"},
                 {"detail", "job " + id + "'s settings were changed outside kiln (fingerprint " +
                                now_seen[1].get<std::string>() + ")"}});
            drifted_.push_back({job, "edited"});
          }
          kept[id] = before;  // still compared with what kiln deployed
        } else {
          kept[id] = before.is_array() && before[0] == now_seen[0] ? before : now_seen;
        }
        continue;
      }
      if (reported("deleted:" + job.name + "/" + job.target + "/" + id)) continue;
      out.push_back({{"job", job.name},
                     {"target", job.target},
                     {"owner", job.owner},
                     {"kind", "deleted"},
                     {"detail", "job " + id + " is gone from the workspace"}});
      drifted_.push_back({job, "deleted"});
    }
    state_["settings_seen"] = std::move(kept);
    // Two runs at once only counts when one listing saw both active (merged rows from
    // listings made at different times could show a cancelled run as still running).
    std::map<std::int64_t, std::vector<std::int64_t>> active_by_job;
    for (const auto& r : active_) {
      // A run QUEUED (or BLOCKED) behind an active one is waiting for its turn, as the job's
      // max_concurrent_runs asks: not a second active run.
      if (!r.state.running()) continue;
      if (managed.contains(r.job_id)) active_by_job[r.job_id].push_back(r.run_id);
    }
    for (const auto& [job_id, active] : active_by_job) {
      const auto& m = managed.at(job_id);
      if (static_cast<std::int64_t>(active.size()) <= m.max_concurrent_runs) continue;
      std::string ids;
      for (const auto id : active) ids += (ids.empty() ? "" : ",") + std::to_string(id);
      if (reported("extra_run:" + std::to_string(job_id) + ":" + ids)) continue;
      auto owner = owner_of(m.name, m.target);
      if (!owner) return std::nullopt;
      out.push_back(
          {{"job", m.name},
           {"target", m.target},
           {"owner", *owner},
           {"kind", "extra_run"},
           {"detail", std::to_string(active.size()) + " active runs (" + ids + ") where " +
                          std::to_string(m.max_concurrent_runs) + " is allowed"}});
    }
    return out;
  }

  void quota() {
    const auto saved = static_cast<std::int64_t>(jobs_.size());
    const auto limit = parts_->options.saved_jobs_limit;
    const double fraction = limit > 0 ? static_cast<double>(saved) / static_cast<double>(limit) : 0;
    const bool high = fraction >= parts_->options.quota_warning_fraction;
    state_["saved_jobs"] = saved;
    if (high == state_.value("quota_high", false)) return;
    state_["quota_high"] = high;
    publish("workspace.quota",
            {{"saved_jobs", saved}, {"limit", limit}, {"fraction", fraction}, {"high", high}});
  }

  std::shared_ptr<MonitorWorkflow::Parts> parts_;
  std::vector<std::pair<store::Job, std::string>> drifted_;  // (row, kind), reported this pass
  store::Workflow workflow_;
  std::function<void(Step)> done_;
  json state_;
  core::TimeMs started_ = 0;
  std::vector<Job> jobs_;
  std::vector<Run> active_, recent_, fetched_;
  std::vector<std::int64_t> to_get_, vanished_;
  std::map<std::int64_t, std::int64_t> follow_;  // runs to see to their end: start by run id
  std::map<std::pair<std::string, std::string>, std::string> owners_;
  std::map<std::pair<std::string, std::string>, std::map<std::int64_t, store::Run>> history_;
  std::map<std::int64_t, store::Run> pass_rows_;  // every managed run this pass saw, by id
  std::string failure_;                           // why a store read failed
  bool answered_ = false;
};

}  // namespace

MonitorWorkflow::MonitorWorkflow(core::Clock& clock, databricks::WorkspaceApi& workspace,
                                 store::MetadataStore& store, const MonitorOptions& options,
                                 core::EventLog* events)
    : options_(options),
      parts_(std::make_shared<Parts>(Parts{clock,
                                           databricks::JobsClient(workspace, options.api_version),
                                           store, options, events, false})) {}

MonitorWorkflow::~MonitorWorkflow() {
  parts_->stopped = true;
}

void MonitorWorkflow::step(const store::Workflow& workflow, const workflow::StepContext&,
                           std::function<void(Step)> done) {
  std::make_shared<Pass>(parts_, workflow, std::move(done))->run();
}

Step MonitorWorkflow::give_up(const store::Workflow& workflow, const workflow::StepContext& context,
                              const std::string& reason) {
  // Monitoring never ends: a pass that kept failing is skipped, the next one tries again.
  json state = workflow.state;
  state["last_error"] = reason;
  return Step::next(std::move(state), context.now_ms + options_.interval_ms);
}

}  // namespace kiln::monitor
