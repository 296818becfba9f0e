#include "platform/cleanup/cleanup_workflow.h"

#include <set>

#include "platform/workspace/paginate.h"

namespace kiln::cleanup {

using fakedb::ApiRequest;
using fakedb::ApiResponse;
using nlohmann::json;
using workflow::Step;

struct CleanupWorkflow::Parts {
  core::Clock& clock;
  fakedb::WorkspaceApi& workspace;
  store::MetadataStore& store;
  const artifacts::ArtifactStore& artifacts;
  CleanupOptions options;
  core::EventLog* events;
  bool stopped = false;
};

namespace {

std::string tag(const json& job, const char* key) {
  const json tags = job.value("settings", json::object()).value("tags", json::object());
  auto it = tags.find(key);
  return it != tags.end() && it->is_string() ? it->get<std::string>() : "";
}

struct Candidate {
  std::int64_t job_id = 0;
  std::string name, target;
  std::int64_t created_ms = 0;
};

class Pass : public std::enable_shared_from_this<Pass> {
 public:
  using Done = std::function<void(CleanupPass, std::string error)>;
  Pass(std::shared_ptr<CleanupWorkflow::Parts> parts, Done done)
      : parts_(std::move(parts)), done_(std::move(done)) {}

  void run() {
    auto self = shared_from_this();
    workspace::list_all(parts_->workspace, ApiRequest::get(path("list"), {{"limit", "100"}}),
                        "jobs", [self](const workspace::ListResult& r) {
                          if (self->parts_->stopped) return;
                          if (!r.ok()) return self->finish("GET jobs/list: " + r.error);
                          self->choose(r.items);
                        });
  }

 private:
  core::TimeMs now() const { return parts_->clock.now_ms(); }
  std::string path(const std::string& endpoint) const {
    return "/api/" + parts_->options.api_version + "/jobs/" + endpoint;
  }
  void finish(std::string error = "") {
    if (finished_) return;
    finished_ = true;
    done_(std::move(pass_), std::move(error));
  }
  static std::string who(const Candidate& c) {
    return c.name + "/" + c.target + " (" + std::to_string(c.job_id) + ")";
  }

  // Managed jobs whose config is gone from the newest build and that no deployment is using.
  void choose(const json& jobs) {
    std::set<std::pair<std::string, std::string>> in_build;
    auto latest = parts_->artifacts.latest_successful_build();
    if (!latest) return finish("read the newest build: " + latest.error().message);
    if (!latest->has_value()) return finish();  // nothing built yet: nothing is known stale
    for (const auto& j : (**latest).jobs) in_build.insert({j.name, j.target});
    for (const auto& j : jobs) {
      if (tag(j, "kiln_managed") != "true") continue;  // never a job kiln does not manage
      Candidate c{j.value("job_id", std::int64_t{0}), tag(j, "kiln_job"), tag(j, "kiln_target"),
                  j.value("created_time", std::int64_t{0})};
      if (in_build.contains({c.name, c.target})) continue;
      if (auto open = parts_->store.open_deployment(c.name, c.target)) {
        pass_.kept.push_back(who(c) + ": deployment " + std::to_string(open->id) + " is under way");
        continue;
      }
      candidates_.push_back(c);
    }
    next();
  }

  void next() {
    if (candidates_.empty()) return finish();
    const Candidate c = candidates_.back();
    candidates_.pop_back();
    auto self = shared_from_this();
    // Any active run (not only the newest: a job may allow several) keeps the job.
    parts_->workspace.call(
        ApiRequest::get(
            path("runs/list"),
            {{"job_id", std::to_string(c.job_id)}, {"active_only", "true"}, {"limit", "1"}}),
        [self, c](const ApiResponse& active) {
          if (self->parts_->stopped) return;
          if (!active.ok()) {
            return self->finish("GET runs/list of job " + std::to_string(c.job_id) + ": HTTP " +
                                std::to_string(active.status));
          }
          const json runs = active.body.value("runs", json::array());
          if (!runs.empty()) {
            self->pass_.kept.push_back(who(c) + ": run " + runs.front()["run_id"].dump() +
                                       " is active");
            return self->next();
          }
          self->parts_->workspace.call(
              ApiRequest::get(self->path("runs/list"),
                              {{"job_id", std::to_string(c.job_id)}, {"limit", "1"}}),
              [self, c](const ApiResponse& r) {
                if (self->parts_->stopped) return;
                if (!r.ok()) {
                  return self->finish("GET runs/list of job " + std::to_string(c.job_id) +
                                      ": HTTP " + std::to_string(r.status));
                }
                self->decide(c, r.body.value("runs", json::array()));
              });
        });
  }

  void decide(const Candidate& c, const json& runs) {
    std::int64_t last = c.created_ms;
    if (!runs.empty()) {
      const json& newest = runs.front();
      const std::string life = newest.value("state", json::object()).value("life_cycle_state", "");
      if (life != "TERMINATED" && life != "SKIPPED" && life != "INTERNAL_ERROR") {
        pass_.kept.push_back(who(c) + ": run " + newest["run_id"].dump() + " is active");
        return next();
      }
      last = std::max(last, newest.value("start_time", std::int64_t{0}));
    }
    const auto idle = now() - last;
    if (idle < parts_->options.stale_after_ms) {
      pass_.kept.push_back(who(c) + ": last active " + std::to_string(idle / 86'400'000) +
                           " day(s) ago");
      return next();
    }
    json fields = {{"job", c.name},
                   {"target", c.target},
                   {"job_id", c.job_id},
                   {"last_active_ms", last},
                   {"idle_days", idle / 86'400'000}};
    if (auto row = parts_->store.get_job(c.name, c.target)) fields["owner"] = row->owner;
    // A deploy (or rollback) of it may have started while this pass was reading: keep it.
    if (auto open = parts_->store.open_deployment(c.name, c.target)) {
      pass_.kept.push_back(who(c) + ": deployment " + std::to_string(open->id) + " started");
      return next();
    }
    if (parts_->options.dry_run) {
      publish("cleanup.would_delete", std::move(fields));
      pass_.deleted.push_back(who(c));
      return next();
    }
    auto self = shared_from_this();
    parts_->workspace.call(
        ApiRequest::post(path("delete"), {{"job_id", c.job_id}}),
        [self, c, fields](const ApiResponse& r) mutable {
          if (self->parts_->stopped) return;
          const bool gone =
              r.ok() || r.body.value("message", "").find("does not exist") != std::string::npos;
          if (!gone) {
            return self->finish("POST jobs/delete of job " + std::to_string(c.job_id) + ": HTTP " +
                                std::to_string(r.status));
          }
          // The job row (if it names this job) says it was removed.
          if (auto row = self->parts_->store.get_job(c.name, c.target);
              row && row->databricks_job_id == c.job_id) {
            store::Job removed = *row;
            removed.state = store::JobState::kRemoved;
            removed.updated_ms = self->now();
            (void)self->parts_->store.upsert_job(removed);
          }
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
  bool finished_ = false;
};

}  // namespace

CleanupWorkflow::CleanupWorkflow(core::Clock& clock, fakedb::WorkspaceApi& workspace,
                                 store::MetadataStore& store,
                                 const artifacts::ArtifactStore& artifacts,
                                 const CleanupOptions& options, core::EventLog* events)
    : options_(options),
      parts_(std::make_shared<Parts>(
          Parts{clock, workspace, store, artifacts, options, events, false})) {}

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
