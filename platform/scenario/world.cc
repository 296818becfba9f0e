#include "platform/scenario/world.h"

#include <stdexcept>

#include "core/text/glob.h"
#include "platform/artifacts/build_writer.h"
#include "platform/artifacts/content_hash.h"
#include "platform/config/job_config.h"
#include "platform/deploy/deploy_workflow.h"
#include "platform/notify/routing.h"
#include "platform/scenario/duration.h"
#include "platform/scenario/memory_artifacts.h"
#include "platform/scenario/stream_fields.h"
#include "platform/store/sqlite_store.h"

namespace kiln::scenario {

using nlohmann::json;

namespace {

// Where the scenario's notifications arrive: every URL answers 200 after 50 ms of virtual time,
// except during the timeline's receiver_down windows. Each post is published as
// notify.received.
class Receiver final : public notify::HttpPoster {
 public:
  explicit Receiver(World& world) : world_(world) {
    for (const auto& e : world.scenario.timeline) {
      if (e.kind != "receiver_down") continue;
      const core::TimeMs from = world.start_ms() + e.at_ms;
      down_.push_back({from, from + e.for_ms, e.status});
    }
  }
  void post(const std::string& url, std::string body,
            std::function<void(notify::PostAnswer)> done) override {
    int status = 200;
    const core::TimeMs now = world_.loop.now_ms();
    for (const auto& w : down_) {
      if (now >= w.from && now < w.until) status = w.status;
    }
    world_.publish("notify.received", {{"url", url}, {"status", status}, {"bytes", body.size()}});
    world_.loop.schedule_after(50, [done = std::move(done), status] {
      notify::PostAnswer answer;
      answer.status = status;
      answer.body = status == 200 ? "ok" : "";
      if (status == 0) answer.error = "connection refused";
      done(std::move(answer));
    });
  }

 private:
  struct Window {
    core::TimeMs from, until;
    int status;
  };
  World& world_;
  std::vector<Window> down_;
};

// The repo jobs a merge's change names: (name or glob, target).
template <class Map>
std::vector<typename Map::key_type> changed_keys(const Map& jobs, const json& change) {
  const std::string name = change["name"].get<std::string>();
  const std::string target = change["target"].get<std::string>();
  std::vector<typename Map::key_type> keys;
  for (const auto& [key, job] : jobs) {
    if (key.second == target && (key.first == name || core::glob_match(name, key.first))) {
      keys.push_back(key);
    }
  }
  return keys;
}

std::string version_path(const std::string& name, std::int64_t version) {
  return "/Workspace/kiln/" + name + "/v" + std::to_string(version) + "/main";
}

// A job's config after `change` (a partial job from a merge).
RepoJob changed(RepoJob job, const json& change) {
  if (change.contains("deployVersion"))
    job.deploy_version = change["deployVersion"].get<std::int64_t>();
  if (change.contains("strategy")) job.strategy = change["strategy"].get<std::string>();
  if (change.contains("healthSeconds"))
    job.health_seconds = change["healthSeconds"].get<std::int64_t>();
  if (change.contains("stream")) job.stream = change["stream"].get<std::string>();
  if (change.contains("owner")) job.owner = change["owner"].get<std::string>();
  if (change.contains("settings")) job.settings = change["settings"];
  if (change.contains("workload")) job.workload = change["workload"];
  return job;
}

json default_settings(const RepoJob& job) {
  return {{"max_concurrent_runs", 1},
          {"tasks", json::array({{{"task_key", "main"},
                                  {"notebook_task",
                                   {{"notebook_path", version_path(job.name, job.deploy_version)}}},
                                  {"new_cluster",
                                   {{"spark_version", "15.4.x-scala2.12"},
                                    {"node_type_id", "i3.xlarge"},
                                    {"num_workers", 1}}}}})}};
}

json start_config(const json& spec, std::string& error) {
  auto config = fakedb::WorkspaceConfig::from_json(spec);
  if (!config) {
    error = "workspace." + config.error().message;
    return json();
  }
  return json(config->start_time_ms);
}

}  // namespace

std::string job_config_yaml(const RepoJob& job) {
  // JSON is YAML: the config loader reads this exactly as it reads a file in a repository.
  json config = {{"kind", "Job"},
                 {"name", job.name},
                 {"target", job.target},
                 {"deployVersion", job.deploy_version},
                 {"strategy", job.strategy},
                 {"settings", job.settings.is_object() ? job.settings : default_settings(job)}};
  if (job.health_seconds) config["healthSeconds"] = *job.health_seconds;
  if (!job.stream.empty()) config["stream"] = job.stream;
  if (!job.owner.empty()) config["owner"] = job.owner;
  return config.dump(2) + "\n";
}

CompiledWorkspace compile_workspace(const Scenario& s) {
  CompiledWorkspace out;
  json spec = s.workspace;
  if (!spec.contains("start_time")) spec["start_time"] = kDefaultStartTime;
  const json start = start_config(spec, out.error);
  if (!out.error.empty()) return out;
  const auto start_ms = start.get<core::TimeMs>();

  // A workload rule per job version (a merge may change what a version does), then per job.
  json rules = json::array();
  std::map<std::pair<std::string, std::string>, RepoJob> jobs;
  // A blue-green job streams unless told otherwise.
  auto model_of = [](const RepoJob& job) {
    return job.workload.is_null() && job.strategy == "blue-green" ? json{{"kind", "streaming"}}
                                                                  : job.workload;
  };
  auto add_rules = [&](const RepoJob& job) {
    if (model_of(job).is_null()) return;
    rules.push_back(
        {{"match", {{"job", job.name}, {"path", version_path(job.name, job.deploy_version)}}},
         {"model", model_of(job)}});
  };
  for (const auto& j : s.repo) {
    jobs[{j.name, j.target}] = j;
    add_rules(j);
  }
  for (const auto& e : s.timeline) {
    if (e.kind != "merge") continue;
    for (const auto& c : e.changes) {
      for (const auto& key : changed_keys(jobs, c)) {
        if (c.value("removed", false)) continue;
        auto& job = jobs[key];
        job = changed(job, c);
        add_rules(job);
      }
    }
  }
  for (const auto& j : s.repo) {
    if (!model_of(j).is_null())
      rules.push_back({{"match", {{"job", j.name}}}, {"model", model_of(j)}});
  }
  json& workloads = spec["workloads"];
  if (!workloads.is_object()) workloads = json::object();
  for (const auto& r : workloads.value("rules", json::array())) rules.push_back(r);
  workloads["rules"] = rules;

  json& faults = spec["faults"];
  if (!faults.is_object()) faults = json::object();
  json api = faults.value("api", json::array());
  json scheduled = faults.value("scheduled", json::array());
  for (const auto& e : s.timeline) {
    const core::TimeMs at = start_ms + e.at_ms;
    if (e.kind == "api_outage" || e.kind == "rate_limit_storm") {
      json rule = {{"pattern", e.pattern},
                   {"status", e.status},
                   {"from_ms", at},
                   {"until_ms", at + e.for_ms}};
      if (e.kind == "rate_limit_storm") {
        rule["error_code"] = "REQUEST_LIMIT_EXCEEDED";
        rule["message"] = "Too many requests. Please retry later.";
        rule["retry_after_s"] = e.retry_after_s;
      }
      api.push_back(rule);
    } else if (e.kind == "cluster_launch_failure") {
      scheduled.push_back({{"at", at}, {"kind", "cluster_launch_failure"}, {"count", e.count}});
    } else if (e.kind == "run_fails") {
      scheduled.push_back({{"at", at}, {"kind", e.how}, {"job", e.job}});
    }
  }
  faults["api"] = api;
  faults["scheduled"] = scheduled;
  if (auto config = fakedb::WorkspaceConfig::from_json(spec); !config) {
    out.error = "workspace." + config.error().message;
    return out;
  }
  out.spec = std::move(spec);
  return out;
}

runtime::KilnOptions kiln_options(const Scenario& s) {
  runtime::KilnOptions o;
  o.cd_targets = s.kiln.cd_targets;
  o.cd.interval_ms = s.kiln.cd_interval_ms;
  o.deploy.poll_ms = s.kiln.poll_ms;
  o.deploy.queue_poll_ms = s.kiln.queue_poll_ms;
  o.deploy.wait_for =
      s.kiln.wait_for == "running" ? deploy::WaitFor::kRunning : deploy::WaitFor::kFirstRunEnd;
  o.deploy.stop_timeout_ms = s.kiln.stop_timeout_ms;
  o.deploy.start_timeout_ms = s.kiln.start_timeout_ms;
  o.deploy.run_timeout_ms = s.kiln.run_timeout_ms;
  workflow::RetryPolicy retry;
  retry.first_backoff_ms = s.kiln.first_backoff_ms;
  retry.max_backoff_ms = s.kiln.max_backoff_ms;
  retry.max_attempts = s.kiln.max_attempts;
  retry.step_timeout_ms = s.kiln.step_timeout_ms;
  o.deploy.retry = retry;
  o.cd.retry = retry;
  o.seed = s.seed;
  if (s.kiln.monitor_interval_ms > 0) {
    monitor::MonitorOptions m;
    m.interval_ms = s.kiln.monitor_interval_ms;
    m.retry = retry;
    // The quota the emulator enforces is the one monitoring watches.
    if (auto config = fakedb::WorkspaceConfig::from_json(s.workspace); config) {
      m.saved_jobs_limit = config->saved_jobs_max;
    }
    o.monitor = m;
  }
  if (s.kiln.cleanup_interval_ms > 0) {
    cleanup::CleanupOptions c;
    c.interval_ms = s.kiln.cleanup_interval_ms;
    c.stale_after_ms = s.kiln.stale_after_ms;
    c.dry_run = s.kiln.cleanup_dry_run;
    c.retry = retry;
    o.cleanup = c;
  }
  o.deploy.quota_wait_ms = s.kiln.quota_wait_ms;
  o.deploy.catch_up_timeout_ms = s.kiln.catch_up_timeout_ms;
  o.deploy.park_blue_ms = s.kiln.park_blue_ms;
  return o;
}

World::World(const Scenario& s) : scenario(s) {
  const auto compiled = compile_workspace(s);
  if (!compiled.error.empty()) throw std::runtime_error(compiled.error);
  auto config = fakedb::WorkspaceConfig::from_json(compiled.spec).value();
  start_ms_ = config.start_time_ms;
  loop = core::SimulatedLoop(start_ms_);
  workspace = std::make_unique<fakedb::FakeWorkspace>(loop, events, s.seed, config);

  artifacts = make_memory_artifact_store();
  auto db = store::open_sqlite_store(":memory:");
  if (!db) throw std::runtime_error("metadata DB: " + db.error().describe());
  store = std::move(db).value();
  locks = std::make_unique<streams::StoreLockService>(*store, loop, &events,
                                                      streams::LockOptions{s.kiln.lease_ms});
  workspace->attach_streams(*locks);

  for (const auto& j : s.repo) repo_[{j.name, j.target}] = j;
  if (!s.notifications.is_null()) {
    std::vector<config::Diagnostic> problems;
    auto routing =
        notify::parse_routing(s.notifications, problems,
                              [](const std::string&) -> std::optional<std::string> { return {}; });
    if (!routing) throw std::runtime_error("notifications: " + problems.front().message);
    receiver = std::make_unique<Receiver>(*this);
    notifier = std::make_unique<notify::Notifier>(loop, std::move(*routing), *receiver, &events);
  }
  kept_ = events.subscribe([this](const core::Event& e) {
    const bool kiln_event = e.type.rfind("kiln.", 0) == 0 || e.type.rfind("job.run_", 0) == 0 ||
                            e.type == "job.drift" || e.type.rfind("workspace.", 0) == 0 ||
                            e.type.rfind("cleanup.", 0) == 0 || e.type.rfind("notify.", 0) == 0 ||
                            e.type == "stream.lock" || e.type == "stream.preferred" ||
                            e.type == "stream.refused";
    if (kiln_event) kiln_events.push_back(e);
  });
}

void World::begin() {
  // Every config the timeline will build must pass kiln's validation, checked now so that a
  // bad one is a problem of the file (exit 2), not something found half-way through a run.
  auto jobs = repo_;
  auto check = [](const RepoJob& job) {
    auto loaded = config::load_config_text("configs/" + job.target + ".yaml", job_config_yaml(job));
    if (loaded.ok()) return;
    const auto& d = loaded.diagnostics.front();
    throw std::runtime_error(job.where.to_string() + ": job " + job.name + " on " + job.target +
                             " (deployVersion " + std::to_string(job.deploy_version) +
                             "): " + (d.field.empty() ? "" : d.field + ": ") + d.message);
  };
  for (const auto& [key, job] : jobs) check(job);
  for (const auto& e : scenario.timeline) {
    if (e.kind != "merge") continue;
    for (const auto& c : e.changes) {
      for (const auto& key : changed_keys(jobs, c)) {
        if (c.value("removed", false)) continue;
        auto& job = jobs[key];
        job = changed(job, c);
        job.where = e.where;
        check(job);
      }
    }
  }
  build("the first commit");
  restart();
}

World::~World() {
  kiln.reset();
  notifier.reset();
  workspace->detach_streams();  // the lock service goes before the workspace
  events.unsubscribe(kept_);
}

void World::publish(const std::string& type, json fields) {
  events.publish({loop.now_ms(), type, std::move(fields)});
}

void World::build(const std::string& why) {
  ++commits_;
  artifacts::BuildInput input;
  input.commit_sha = artifacts::sha256_hex(scenario.name + "#" + std::to_string(commits_));
  input.created_ms = loop.now_ms();
  for (const auto& [key, job] : repo_) {
    const std::string text = job_config_yaml(job);  // validated by begin()
    input.jobs.push_back({job.name,
                          job.target,
                          job.deploy_version,
                          {{"kiln.yaml", "kind: JobFolder\nconfigs: [configs/*.yaml]\n", false},
                           {"configs/" + job.target + ".yaml", text, false}}});
  }
  artifacts::BuildWriter writer(*artifacts);
  auto record = writer.write(input);
  if (!record || record->status != artifacts::kBuildSucceeded) {
    publish("scenario.error", {{"message", "build " + std::to_string(commits_) + " failed: " +
                                               (record ? record->error : record.error().message)}});
    return;
  }
  builds.push_back(record->build_id);
  json jobs = json::object();
  for (const auto& j : record->jobs) jobs[j.name + "/" + j.target] = j.deploy_version;
  publish("scenario.build", {{"build", builds.size()},
                             {"build_id", record->build_id},
                             {"commit", record->commit_sha.substr(0, 12)},
                             {"why", why},
                             {"jobs", jobs}});
}

void World::merge(const TimelineEvent& e) {
  std::string what;
  for (const auto& c : e.changes) {
    const auto keys = changed_keys(repo_, c);
    const bool removed = c.value("removed", false);
    for (const auto& key : keys) {
      if (removed) {
        repo_.erase(key);
        continue;
      }
      auto& job = repo_[key];
      job = changed(job, c);
    }
    what += (what.empty() ? "" : ", ") + c["name"].get<std::string>() + "/" +
            c["target"].get<std::string>() +
            (keys.size() > 1 ? " (" + std::to_string(keys.size()) + " jobs)" : "") +
            (c.contains("deployVersion") ? " deployVersion " + c["deployVersion"].dump() : "") +
            (removed ? " removed" : "");
  }
  publish("scenario.merge", {{"changes", what}});
  build("merge: " + what);
}

void World::deploy(const TimelineEvent& e) {
  const std::size_t n = e.build == 0 ? builds.size() : static_cast<std::size_t>(e.build);
  if (n == 0 || n > builds.size()) {
    publish("scenario.error",
            {{"where", e.where.to_string()},
             {"message", "deploy of build " + std::to_string(e.build) + ", but only " +
                             std::to_string(builds.size()) + " build(s) exist at " +
                             format_duration(elapsed_ms())}});
    return;
  }
  json fields = {{"job", e.job}, {"target", e.target}, {"build", n}};
  if (!kiln) {
    fields["refused"] = "kiln is down";
    publish("scenario.deploy", fields);
    return;
  }
  auto requested = kiln->deploy(e.job, e.target, builds[n - 1], "user:scenario",
                                e.reason.empty() ? "timeline" : e.reason);
  if (requested) {
    fields["deployment"] = requested->deployment.id;
  } else {
    fields["refused"] = requested.error().message;
  }
  publish("scenario.deploy", fields);
}

void World::crash(const TimelineEvent& e) {
  if (!kiln) return;
  publish("kiln.crash", {{"restart_after_ms", e.restart_after_ms}});
  kiln.reset();
  loop.schedule_after(e.restart_after_ms, [this] { restart(); });
}

void World::restart() {
  auto options = kiln_options(scenario);
  options.locks = locks.get();
  kiln = std::make_unique<runtime::Kiln>(loop, *store, *artifacts, *workspace, options, &events);
  if (auto started = kiln->start(); !started) {
    publish("scenario.error", {{"message", "kiln did not start: " + started.error().describe()}});
  }
}

json World::inspect(const std::string& path,
                    std::vector<std::pair<std::string, std::string>> query) {
  auto r = workspace->inspect(databricks::ApiRequest::get(path, std::move(query)));
  return r.ok() ? r.body : json::object();
}

std::vector<json> World::managed_jobs(const std::string& name, const std::string& target) {
  std::vector<json> out;
  std::vector<std::pair<std::string, std::string>> q{{"name", name}, {"limit", "100"}};
  while (true) {
    const json page = inspect("/api/2.2/jobs/list", q);
    for (const auto& j : page.value("jobs", json::array())) {
      const auto tags = j["settings"].value("tags", json::object());
      if (tags.value("kiln_job", "") == name && tags.value("kiln_target", "") == target) {
        out.push_back(j);
      }
    }
    if (!page.contains("next_page_token")) break;
    q = {{"name", name},
         {"limit", "100"},
         {"page_token", page["next_page_token"].get<std::string>()}};
  }
  return out;
}

std::vector<json> World::runs_of(std::int64_t job_id) {
  std::vector<json> out;
  std::vector<std::pair<std::string, std::string>> q{{"job_id", std::to_string(job_id)},
                                                     {"limit", "25"}};
  while (true) {
    const json page = inspect("/api/2.2/jobs/runs/list", q);
    for (const auto& r : page.value("runs", json::array())) out.push_back(r);
    if (!page.contains("next_page_token")) break;
    q = {{"job_id", std::to_string(job_id)},
         {"limit", "25"},
         {"page_token", page["next_page_token"].get<std::string>()}};
  }
  return out;
}

}  // namespace kiln::scenario
