#include "platform/monitor/monitor_workflow.h"

#include <algorithm>
#include <map>
#include <set>

#include "platform/workspace/paginate.h"

namespace kiln::monitor {

using fakedb::ApiRequest;
using fakedb::ApiResponse;
using nlohmann::json;
using workflow::Step;

struct MonitorWorkflow::Parts {
  core::Clock& clock;
  fakedb::WorkspaceApi& workspace;
  store::MetadataStore& store;
  MonitorOptions options;
  core::EventLog* events;
  bool stopped = false;
};

namespace {

struct Managed {
  std::string name, target;
  std::int64_t version = 0;
  std::int64_t max_concurrent_runs = 1;
};

bool is_terminal(const std::string& life) {
  return life == "TERMINATED" || life == "SKIPPED" || life == "INTERNAL_ERROR";
}

// Failed for good: the run ended and will not be retried (Databricks' retries happen inside it).
bool failed_for_good(const std::string& life, const std::string& result) {
  return life == "INTERNAL_ERROR" || result == "FAILED" || result == "TIMEDOUT";
}

bool succeeded(const std::string& result) {
  return result == "SUCCESS" || result == "SUCCESS_WITH_FAILURES";
}

std::string tag(const json& job, const char* key) {
  const json settings = job.value("settings", json::object());
  const json tags = settings.value("tags", json::object());
  auto it = tags.find(key);
  return it != tags.end() && it->is_string() ? it->get<std::string>() : "";
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
    list(ApiRequest::get(path("list"), {{"limit", "100"}}), "jobs", [self](const json& jobs) {
      self->jobs_ = jobs;
      self->list(
          ApiRequest::get(self->path("runs/list"), {{"active_only", "true"}, {"limit", "25"}}),
          "runs", [self](const json& active) {
            self->active_ = active;
            const auto from = self->window_start();
            self->list(
                ApiRequest::get(self->path("runs/list"),
                                {{"start_time_from", std::to_string(from)}, {"limit", "25"}}),
                "runs", [self](const json& recent) {
                  self->recent_ = recent;
                  self->fetch_unfinished();
                });
          });
    });
  }

 private:
  core::TimeMs now() const { return parts_->clock.now_ms(); }
  std::string path(const std::string& endpoint) const {
    return "/api/" + parts_->options.api_version + "/jobs/" + endpoint;
  }
  void answer(Step step) {
    if (answered_) return;
    answered_ = true;
    done_(std::move(step));
  }
  void list(ApiRequest request, const std::string& field, std::function<void(const json&)> ok) {
    auto self = shared_from_this();
    const std::string what = request.method + " " + request.path;
    workspace::list_all(parts_->workspace, std::move(request), field,
                        [self, what, ok = std::move(ok)](const workspace::ListResult& r) {
                          if (self->parts_->stopped) return;
                          if (r.ok()) return ok(r.items);
                          self->answer(Step::retry(what + ": " + r.error));
                        });
  }

  // Where the listing of recent runs starts: the last pass's start (less one interval of
  // overlap), or earlier to cover the runs kiln still holds as unfinished (they may have ended
  // since) as long as they started within a day: one paginated listing instead of a call per
  // run. Older unfinished runs are read one by one (fetch_unfinished).
  std::int64_t window_start() {
    std::int64_t from = state_.value("watermark", state_["since"].get<std::int64_t>());
    const std::int64_t floor = now() - 86'400'000;
    if (auto unfinished = parts_->store.list_unfinished_runs(100'000)) {
      for (const auto& r : *unfinished) {
        if (r.start_ms >= floor) from = std::min(from, r.start_ms);
      }
    }
    return from;
  }

  // Runs kiln knows as unfinished that neither list showed (long runs that ended, deleted
  // runs): read one by one; they are few.
  void fetch_unfinished() {
    std::set<std::int64_t> seen;
    for (const auto& r : active_) seen.insert(r.value("run_id", std::int64_t{0}));
    for (const auto& r : recent_) seen.insert(r.value("run_id", std::int64_t{0}));
    auto unfinished = parts_->store.list_unfinished_runs(100'000);
    if (!unfinished) {
      return answer(Step::retry("list unfinished runs: " + unfinished.error().describe()));
    }
    for (const auto& r : *unfinished) {
      if (!seen.contains(r.run_id)) to_get_.push_back(r.run_id);
    }
    get_next();
  }
  void get_next() {
    if (to_get_.empty()) return process();
    const auto run_id = to_get_.back();
    to_get_.pop_back();
    auto self = shared_from_this();
    parts_->workspace.call(
        ApiRequest::get(path("runs/get"), {{"run_id", std::to_string(run_id)}}),
        [self, run_id](const ApiResponse& r) {
          if (self->parts_->stopped) return;
          if (r.ok()) {
            self->fetched_.push_back(r.body);
          } else if (r.status != 400 && r.status != 404) {
            return self->answer(Step::retry("GET runs/get " + std::to_string(run_id) + ": HTTP " +
                                            std::to_string(r.status)));
          } else {
            self->vanished_.push_back(run_id);  // deleted or past retention
          }
          self->get_next();
        });
  }

  void publish(const std::string& type, json fields) {
    if (parts_->events != nullptr) parts_->events->publish({now(), type, std::move(fields)});
  }
  std::string owner_of(const std::string& name, const std::string& target) {
    auto key = std::make_pair(name, target);
    if (auto it = owners_.find(key); it != owners_.end()) return it->second;
    auto job = parts_->store.get_job(name, target);
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

  void process() {
    std::map<std::int64_t, Managed> managed;
    for (const auto& j : jobs_) {
      if (tag(j, "kiln_managed") != "true") continue;
      Managed m{tag(j, "kiln_job"), tag(j, "kiln_target"), 0, 1};
      try {
        m.version = std::stoll(tag(j, "kiln_version"));
      } catch (const std::exception&) {
        m.version = 0;
      }
      m.max_concurrent_runs = j["settings"].value("max_concurrent_runs", std::int64_t{1});
      managed[j.value("job_id", std::int64_t{0})] = m;
    }
    // Every run seen, newest information first, then in start order.
    std::map<std::int64_t, json> runs;
    // Later listings are fresher: active runs, then recent runs, then runs read one by one.
    for (const auto& r : active_) runs[r.value("run_id", std::int64_t{0})] = r;
    for (const auto& r : recent_) runs[r.value("run_id", std::int64_t{0})] = r;
    for (const auto& r : fetched_) runs[r.value("run_id", std::int64_t{0})] = r;
    std::vector<const json*> ordered;
    ordered.reserve(runs.size());
    for (const auto& [id, r] : runs) ordered.push_back(&r);
    std::stable_sort(ordered.begin(), ordered.end(), [](const json* a, const json* b) {
      return a->value("start_time", std::int64_t{0}) < b->value("start_time", std::int64_t{0});
    });

    const auto since = state_["since"].get<std::int64_t>();
    std::vector<store::Run> upserts;
    std::vector<std::pair<std::string, json>> events;
    std::map<std::int64_t, std::vector<std::int64_t>> active_by_job;
    for (const json* r : ordered) {
      const auto job_id = r->value("job_id", std::int64_t{0});
      auto m = managed.find(job_id);
      if (m == managed.end()) continue;
      const json st = r->value("state", json::object());
      store::Run row;
      row.run_id = r->value("run_id", std::int64_t{0});
      row.job_name = m->second.name;
      row.target = m->second.target;
      row.databricks_job_id = job_id;
      row.life_cycle_state = st.value("life_cycle_state", "");
      row.result_state = st.value("result_state", "");
      row.start_ms = r->value("start_time", std::int64_t{0});
      const auto end = r->value("end_time", std::int64_t{0});
      if (end > 0) row.end_ms = end;
      row.updated_ms = now();
      auto prev = parts_->store.get_run(row.run_id);
      row.version = prev ? prev->version : m->second.version;

      const bool changed = !prev || prev->life_cycle_state != row.life_cycle_state ||
                           prev->result_state != row.result_state || prev->end_ms != row.end_ms;
      if (!changed) continue;
      const bool newly_ended = is_terminal(row.life_cycle_state) && (!prev || !prev->end_ms);
      if (newly_ended && row.end_ms.value_or(now()) >= since) {
        json base = {{"job", row.job_name},
                     {"target", row.target},
                     {"run_id", row.run_id},
                     {"version", row.version},
                     {"owner", owner_of(row.job_name, row.target)}};
        if (failed_for_good(row.life_cycle_state, row.result_state)) {
          base["result"] = row.result_state.empty() ? row.life_cycle_state : row.result_state;
          base["message"] = st.value("state_message", "");
          base["trigger"] = r->value("trigger", "");
          events.emplace_back("job.run_failed", std::move(base));
        } else if (succeeded(row.result_state)) {
          // Recovered: the newest run before this one that ended with a verdict (cancelled
          // and skipped runs have none) had failed.
          auto history = parts_->store.list_runs(row.job_name, row.target, 20);
          if (history) {
            for (const auto& h : *history) {
              if (h.run_id == row.run_id || !h.end_ms) continue;
              if (h.result_state == "CANCELED" || h.life_cycle_state == "SKIPPED") continue;
              if (failed_for_good(h.life_cycle_state, h.result_state)) {
                events.emplace_back("job.run_recovered", std::move(base));
              }
              break;
            }
          }
        }
      }
      upserts.push_back(row);
    }
    for (const auto id : vanished_) {
      if (auto prev = parts_->store.get_run(id)) {
        store::Run row = *prev;
        row.end_ms = now();
        if (row.life_cycle_state.empty() || !is_terminal(row.life_cycle_state)) {
          row.life_cycle_state = "TERMINATED";
        }
        row.updated_ms = now();
        upserts.push_back(row);
      }
    }
    auto written = parts_->store.transaction([&]() -> store::Status {
      for (const auto& row : upserts) {
        if (auto s = parts_->store.upsert_run(row); !s) return s;
      }
      return {};
    });
    if (!written) return answer(Step::retry("record runs: " + written.error().describe()));
    for (auto& [type, fields] : events) publish(type, std::move(fields));

    // Two runs at once only counts when one listing saw both active (merged rows from
    // listings made at different times could show a cancelled run as still running).
    for (const auto& r : active_) {
      const auto job_id = r.value("job_id", std::int64_t{0});
      if (managed.contains(job_id)) {
        active_by_job[job_id].push_back(r.value("run_id", std::int64_t{0}));
      }
    }
    drift(managed, active_by_job);
    quota();
    state_["watermark"] = started_ - parts_->options.interval_ms;  // overlap: nothing missed
    state_["last_pass"] = {
        {"jobs", jobs_.size()}, {"managed", managed.size()}, {"runs_recorded", upserts.size()}};
    answer(Step::next(state_, started_ + parts_->options.interval_ms));
  }

  void drift(const std::map<std::int64_t, Managed>& managed,
             const std::map<std::int64_t, std::vector<std::int64_t>>& active_by_job) {
    auto rows = parts_->store.list_all_jobs(1'000'000);
    if (rows) {
      for (const auto& job : *rows) {
        if (!job.databricks_job_id || job.state == store::JobState::kRemoved ||
            job.state == store::JobState::kDeploying || job.updated_ms >= started_) {
          continue;  // a row changed since this pass listed the jobs is not comparable
        }
        if (managed.contains(*job.databricks_job_id)) continue;
        const auto id = std::to_string(*job.databricks_job_id);
        if (reported("deleted:" + job.name + "/" + job.target + "/" + id)) continue;
        publish("job.drift", {{"job", job.name},
                              {"target", job.target},
                              {"owner", job.owner},
                              {"kind", "deleted"},
                              {"detail", "job " + id + " is gone from the workspace"}});
      }
    }
    for (const auto& [job_id, active] : active_by_job) {
      const auto& m = managed.at(job_id);
      if (static_cast<std::int64_t>(active.size()) <= m.max_concurrent_runs) continue;
      std::string ids;
      for (const auto id : active) ids += (ids.empty() ? "" : ",") + std::to_string(id);
      if (reported("extra_run:" + std::to_string(job_id) + ":" + ids)) continue;
      publish("job.drift",
              {{"job", m.name},
               {"target", m.target},
               {"owner", owner_of(m.name, m.target)},
               {"kind", "extra_run"},
               {"detail", std::to_string(active.size()) + " active runs (" + ids + ") where " +
                              std::to_string(m.max_concurrent_runs) + " is allowed"}});
    }
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
  store::Workflow workflow_;
  std::function<void(Step)> done_;
  json state_;
  core::TimeMs started_ = 0;
  json jobs_, active_, recent_;
  std::vector<json> fetched_;
  std::vector<std::int64_t> to_get_, vanished_;
  std::map<std::pair<std::string, std::string>, std::string> owners_;
  bool answered_ = false;
};

}  // namespace

MonitorWorkflow::MonitorWorkflow(core::Clock& clock, fakedb::WorkspaceApi& workspace,
                                 store::MetadataStore& store, const MonitorOptions& options,
                                 core::EventLog* events)
    : options_(options),
      parts_(std::make_shared<Parts>(Parts{clock, workspace, store, options, events, false})) {}

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
