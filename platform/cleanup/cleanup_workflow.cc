#include "platform/cleanup/cleanup_workflow.h"

#include <map>
#include <set>

#include "databricks/client/errors.h"
#include "databricks/client/jobs_client.h"

namespace kiln::cleanup {

using databricks::ApiResult;
using databricks::Job;
using databricks::Run;
using nlohmann::json;
using workflow::Step;

struct CleanupWorkflow::Parts {
  core::Clock& clock;
  databricks::JobsClient jobs;
  store::MetadataStore& store;
  const artifacts::ArtifactStore& artifacts;
  CleanupOptions options;
  core::EventLog* events;
  bool stopped = false;
};

namespace {

struct Candidate {
  std::int64_t job_id = 0;
  std::string name, target;
  std::int64_t created_ms = 0;
  bool parked = false;  // a parked blue whose time is up: deleted however recently it ran
};

class Pass : public std::enable_shared_from_this<Pass> {
 public:
  using Done = std::function<void(CleanupPass, std::string error)>;
  Pass(std::shared_ptr<CleanupWorkflow::Parts> parts, Done done)
      : parts_(std::move(parts)), done_(std::move(done)) {}

  void run() {
    listed_at_ = now();
    auto self = shared_from_this();
    parts_->jobs.list({}, [self](ApiResult<std::vector<Job>> r) {
      if (self->parts_->stopped) return;
      if (!r.ok()) return self->finish("GET jobs/list: " + r.error().message);
      self->choose(r.value());
    });
  }

 private:
  core::TimeMs now() const { return parts_->clock.now_ms(); }
  void finish(std::string error = "") {
    if (finished_) return;
    finished_ = true;
    done_(std::move(pass_), std::move(error));
  }
  static std::string who(const Candidate& c) {
    return c.name + "/" + c.target + " (" + std::to_string(c.job_id) + ")";
  }

  // Managed jobs whose config is gone from the newest build and that no deployment is using.
  void choose(const std::vector<Job>& jobs) {
    std::set<std::pair<std::string, std::string>> in_build;
    auto latest = parts_->artifacts.latest_successful_build();
    if (!latest) return finish("read the newest build: " + latest.error().message);
    if (!latest->has_value()) return finish();  // nothing built yet: nothing is known stale
    for (const auto& j : (**latest).jobs) in_build.insert({j.name, j.target});
    auto parked_rows = parts_->store.list_parked_jobs(100'000);
    if (!parked_rows) return finish("read the parked jobs: " + parked_rows.error().describe());
    std::map<std::int64_t, store::ParkedJob> parked;
    for (const auto& p : *parked_rows) parked[p.databricks_job_id] = p;
    std::set<std::int64_t> listed;
    for (const auto& j : jobs) {
      if (j.tag("kiln_managed") != "true") continue;  // never a job kiln does not manage
      Candidate c{j.job_id, j.tag("kiln_job"), j.tag("kiln_target"), j.created_time};
      listed.insert(c.job_id);
      if (auto p = parked.find(c.job_id); p != parked.end()) {
        // A blue kept for a fast rollback: never before its time, then whatever the build says.
        if (now() < p->second.until_ms) {
          pass_.kept.push_back(who(c) + ": parked blue until " +
                               std::to_string(p->second.until_ms) + " ms");
          continue;
        }
        c.parked = true;
        candidates_.push_back(c);
        continue;
      }
      if (in_build.contains({c.name, c.target})) continue;
      auto open = parts_->store.open_deployment(c.name, c.target);
      if (!open && open.code() != store::ErrorCode::kNotFound) {
        return finish("read the open deployment of " + who(c) + ": " + open.error().describe());
      }
      if (open) {
        pass_.kept.push_back(who(c) + ": deployment " + std::to_string(open->id) + " is under way");
        continue;
      }
      candidates_.push_back(c);
    }
    // A parked job deleted by someone else: forget it.
    for (const auto& [id, p] : parked) {
      if (!listed.contains(id)) (void)parts_->store.remove_parked_job(id);
    }
    std::set<std::int64_t> all_listed;
    for (const auto& j : jobs) all_listed.insert(j.job_id);
    if (auto error = record_gone(all_listed, in_build); !error.empty()) return finish(error);
    next();
  }

  // Rows that still name a job the workspace no longer has, whose config is gone from the
  // newest build and that no deployment is using: a delete whose answer was lost (the
  // workspace acted, kiln never heard), or a delete by hand. They are marked removed and
  // announced (cleanup.deleted, why "gone") once: a removed row is not looked at again. A row
  // whose config is still in the build is drift, the next deploy's business, and a row written
  // since the listing is not comparable with it. Returns an error that fails the pass.
  std::string record_gone(const std::set<std::int64_t>& listed,
                          const std::set<std::pair<std::string, std::string>>& in_build) {
    auto rows = parts_->store.list_all_jobs(1'000'000);
    if (!rows) return "list the job rows: " + rows.error().describe();
    for (const auto& row : *rows) {
      if (!row.databricks_job_id || listed.contains(*row.databricks_job_id) ||
          row.state == store::JobState::kRemoved || row.updated_ms >= listed_at_ ||
          in_build.contains({row.name, row.target})) {
        continue;
      }
      const Candidate c{*row.databricks_job_id, row.name, row.target, 0, false};
      auto open = parts_->store.open_deployment(row.name, row.target);
      if (!open && open.code() != store::ErrorCode::kNotFound) {
        return "read the open deployment of " + who(c) + ": " + open.error().describe();
      }
      if (open) continue;
      json fields = {{"job", row.name},
                     {"target", row.target},
                     {"job_id", c.job_id},
                     {"owner", row.owner},
                     {"why", "gone"}};
      auto runs = parts_->store.list_runs(row.name, row.target, 1);
      if (!runs) return "read the runs of " + who(c) + ": " + runs.error().describe();
      if (!runs->empty()) {
        const auto last = runs->front().start_ms;
        fields["last_active_ms"] = last;
        fields["idle_days"] = (now() - last) / 86'400'000;
      }
      if (parts_->options.dry_run) {
        publish("cleanup.would_delete", std::move(fields));
        pass_.deleted.push_back(who(c) + ", already gone from the workspace");
        continue;
      }
      store::Job removed = row;
      removed.state = store::JobState::kRemoved;
      removed.updated_ms = now();
      if (auto s = parts_->store.upsert_job(removed); !s) {
        return "mark " + who(c) + " removed: " + s.error().describe();
      }
      publish("cleanup.deleted", std::move(fields));
      pass_.deleted.push_back(who(c) + ", already gone from the workspace");
    }
    return "";
  }

  void next() {
    if (candidates_.empty()) return finish();
    const Candidate c = candidates_.back();
    candidates_.pop_back();
    auto self = shared_from_this();
    // Any active run (not only the newest: a job may allow several) keeps the job.
    databricks::RunsQuery active_query;
    active_query.job_id = c.job_id;
    active_query.active_only = true;
    active_query.limit = 1;
    parts_->jobs.list_runs_page(active_query, [self, c](const ApiResult<std::vector<Run>>& active) {
      if (self->parts_->stopped) return;
      if (!active.ok()) return self->finish(runs_list_failed(c, active.error()));
      if (!active->empty()) {
        self->pass_.kept.push_back(who(c) + ": run " + std::to_string(active->front().run_id) +
                                   " is active");
        return self->next();
      }
      databricks::RunsQuery newest_query;
      newest_query.job_id = c.job_id;
      newest_query.limit = 1;
      self->parts_->jobs.list_runs_page(newest_query, [self, c](ApiResult<std::vector<Run>> r) {
        if (self->parts_->stopped) return;
        if (!r.ok()) return self->finish(runs_list_failed(c, r.error()));
        self->decide(c, r.value());
      });
    });
  }
  static std::string runs_list_failed(const Candidate& c, const databricks::ApiError& e) {
    return "GET runs/list of job " + std::to_string(c.job_id) + ": HTTP " +
           std::to_string(e.http_status);
  }

  void decide(const Candidate& c, const std::vector<Run>& runs) {
    std::int64_t last = c.created_ms;
    if (!runs.empty()) {
      const Run& newest = runs.front();
      if (!newest.state.terminal()) {
        pass_.kept.push_back(who(c) + ": run " + std::to_string(newest.run_id) + " is active");
        return next();
      }
      last = std::max(last, newest.start_time);
    }
    const auto idle = now() - last;
    if (!c.parked && idle < parts_->options.stale_after_ms) {
      pass_.kept.push_back(who(c) + ": last active " + std::to_string(idle / 86'400'000) +
                           " day(s) ago");
      return next();
    }
    json fields = {{"job", c.name},
                   {"target", c.target},
                   {"job_id", c.job_id},
                   {"last_active_ms", last},
                   {"idle_days", idle / 86'400'000},
                   {"why", c.parked ? "parked_expired" : "stale"}};
    auto job_row = parts_->store.get_job(c.name, c.target);
    if (!job_row && job_row.code() != store::ErrorCode::kNotFound) {
      return finish("read the job row of " + who(c) + ": " + job_row.error().describe());
    }
    if (job_row) fields["owner"] = job_row->owner;
    // A deploy (or rollback) of it may have started while this pass was reading: keep it.
    auto open = parts_->store.open_deployment(c.name, c.target);
    if (!open && open.code() != store::ErrorCode::kNotFound) {
      return finish("read the open deployment of " + who(c) + ": " + open.error().describe());
    }
    if (open && !c.parked) {
      pass_.kept.push_back(who(c) + ": deployment " + std::to_string(open->id) + " started");
      return next();
    }
    if (parts_->options.dry_run) {
      publish("cleanup.would_delete", std::move(fields));
      pass_.deleted.push_back(who(c));
      return next();
    }
    auto self = shared_from_this();
    parts_->jobs.remove(c.job_id, [self, c, fields](const ApiResult<databricks::Done>& r) mutable {
      if (self->parts_->stopped) return;
      // Deleted now, or already (a retry after a lost answer, a delete by hand).
      if (!r.ok() && !databricks::is_missing(r.error())) {
        return self->finish("POST jobs/delete of job " + std::to_string(c.job_id) + ": HTTP " +
                            std::to_string(r.error().http_status));
      }
      // The job row (if it names this job) says it was removed. If that cannot be written
      // the pass fails before announcing anything: its retry finds the job gone from the
      // workspace and records it then (record_gone), so it is announced once.
      auto row = self->parts_->store.get_job(c.name, c.target);
      if (!row && row.code() != store::ErrorCode::kNotFound) {
        return self->finish("read the job row of " + who(c) + ": " + row.error().describe());
      }
      if (row && row->databricks_job_id == c.job_id) {
        store::Job removed = *row;
        removed.state = store::JobState::kRemoved;
        removed.updated_ms = self->now();
        if (auto s = self->parts_->store.upsert_job(removed); !s) {
          return self->finish("mark " + who(c) + " removed: " + s.error().describe());
        }
      }
      if (c.parked) (void)self->parts_->store.remove_parked_job(c.job_id);
      self->publish("cleanup.deleted", std::move(fields));
      self->pass_.deleted.push_back(who(c));
      self->next();
    });
  }

  void publish(const std::string& type, json fields) {
    if (parts_->events != nullptr) parts_->events->publish({now(), type, std::move(fields)});
  }

  std::shared_ptr<CleanupWorkflow::Parts> parts_;
  Done done_;
  std::vector<Candidate> candidates_;
  CleanupPass pass_;
  core::TimeMs listed_at_ = 0;  // when this pass asked for jobs/list
  bool finished_ = false;
};

}  // namespace

CleanupWorkflow::CleanupWorkflow(core::Clock& clock, databricks::WorkspaceApi& workspace,
                                 store::MetadataStore& store,
                                 const artifacts::ArtifactStore& artifacts,
                                 const CleanupOptions& options, core::EventLog* events)
    : options_(options),
      parts_(std::make_shared<Parts>(Parts{clock,
                                           databricks::JobsClient(workspace, options.api_version),
                                           store, artifacts, options, events, false})) {}

CleanupWorkflow::~CleanupWorkflow() {
  parts_->stopped = true;
}

void CleanupWorkflow::run_once(std::function<void(CleanupPass, std::string)> done) {
  std::make_shared<Pass>(parts_, std::move(done))->run();
}

void CleanupWorkflow::step(const store::Workflow& workflow, const workflow::StepContext& context,
                           std::function<void(Step)> done) {
  const auto interval = options_.interval_ms;
  const json previous = workflow.state;
  const core::TimeMs started = context.now_ms;
  run_once([done = std::move(done), interval, previous, started](const CleanupPass& pass,
                                                                 const std::string& error) {
    if (!error.empty()) return done(Step::retry(error));
    json state = previous;
    state["last_pass"] = {{"deleted", pass.deleted}, {"kept", pass.kept.size()}};
    done(Step::next(std::move(state), started + interval));
  });
}

Step CleanupWorkflow::give_up(const store::Workflow& workflow, const workflow::StepContext& context,
                              const std::string& reason) {
  json state = workflow.state;
  state["last_error"] = reason;
  return Step::next(std::move(state), context.now_ms + options_.interval_ms);
}

}  // namespace kiln::cleanup
