// A whole kiln world for tests: the in-process fake-databricks on a SimulatedLoop, a local
// artifact store in a temporary directory, an in-memory metadata DB, and a Kiln over them that
// can be crashed (destroyed) and restarted at any instant. The workspace and the DB outlive
// every crash, as they would in reality.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/streams/invariants.h"
#include "fake-databricks/workspace/testing.h"
#include "platform/artifacts/build_writer.h"
#include "platform/artifacts/local_store.h"
#include "platform/runtime/kiln.h"
#include "platform/store/store_testing.h"
#include "platform/streams/store_lock_service.h"

namespace kiln::runtime::testing {

using nlohmann::json;

// A job config file's text. `path` is the notebook the job runs: the emulator's test workloads
// make "/Workspace/etl/nb" take a minute and succeed, "*fail*" fail, "*stream*" run until
// stopped.
inline std::string job_yaml(const std::string& name, const std::string& target, int version,
                            const std::string& path = "/Workspace/etl/nb",
                            const std::string& extra_settings = "",
                            const std::string& task_extra = "",
                            const std::string& kiln_extra = "") {
  return "kind: Job\nname: " + name + "\ntarget: " + target +
         "\ndeployVersion: " + std::to_string(version) + "\n" + kiln_extra +
         "owner: data-team\nsettings:\n  max_concurrent_runs: 1\n" + extra_settings +
         "  tasks:\n    - task_key: main\n      notebook_task:\n        notebook_path: " + path +
         "\n      new_cluster: {spark_version: 15.4.x-scala2.12, node_type_id: i3.xlarge, "
         "num_workers: 1}\n" +
         task_extra;
}

struct JobFile {
  JobFile(std::string n, std::string t, int v = 1, std::string p = "/Workspace/etl/nb",
          std::string extra = "", std::string task = "")
      : name(std::move(n)),
        target(std::move(t)),
        version(v),
        path(std::move(p)),
        extra_settings(std::move(extra)),
        task_extra(std::move(task)) {}
  std::string name, target;
  int version;
  std::string path;
  std::string extra_settings;  // YAML lines under settings:, indented two spaces
  std::string task_extra;      // YAML lines of the task, indented six spaces
  std::string kiln_extra;      // top-level YAML lines ("strategy: blue-green\n...")
};

// A blue-green streaming job: its runs follow the writer-lock protocol on stream `name`.
inline JobFile blue_green_job(const std::string& name, const std::string& target, int version,
                              int health_seconds = 300,
                              const std::string& path = "/Workspace/etl/stream") {
  JobFile job(name, target, version, path);
  job.kiln_extra = "strategy: blue-green\nhealthSeconds: " + std::to_string(health_seconds) +
                   "\nstream: " + name + "\n";
  return job;
}

struct World {
  explicit World(KilnOptions kiln_options = default_options(),
                 json workspace_overrides = json::object())
      : w(std::move(workspace_overrides)), options(std::move(kiln_options)) {
    auto opened = artifacts::open_local_store(dir.file("artifacts"));
    REQUIRE(opened.ok());
    artifact_store = std::move(opened).value();
    store = store::testing::open_store();
    // The lock service lives with the DB: it outlives every crash of kiln.
    locks = std::make_unique<streams::StoreLockService>(*store, w.loop, &w.events,
                                                        streams::LockOptions{30'000});
    options.locks = locks.get();
    w.ws.attach_streams(*locks);
    w.events.subscribe([this](const core::Event& e) { invariants.observe(e); });
    restart();
  }

  static KilnOptions default_options() {
    KilnOptions o;
    o.deploy.poll_ms = 5'000;
    return o;
  }

  // Publishes a build of these jobs (its commit SHA is derived from `commit`); returns its id.
  std::string build(const std::vector<JobFile>& jobs, int commit = 1) {
    artifacts::BuildInput input;
    input.commit_sha = std::string(39, '0') + std::to_string(commit % 10);
    input.created_ms = w.loop.now_ms();
    for (const auto& j : jobs) {
      input.jobs.push_back({j.name,
                            j.target,
                            j.version,
                            {{"kiln.yaml", "kind: JobFolder\nconfigs: [configs/*.yaml]\n", false},
                             {"configs/" + j.target + ".yaml",
                              job_yaml(j.name, j.target, j.version, j.path, j.extra_settings,
                                       j.task_extra, j.kiln_extra),
                              false}}});
    }
    artifacts::BuildWriter writer(*artifact_store);
    auto record = writer.write(input);
    REQUIRE(record.ok());
    INFO(record->error);
    REQUIRE(record->status == artifacts::kBuildSucceeded);
    return record->build_id;
  }

  // Drops the running kiln (everything in memory, every call in flight) and starts a new one.
  void restart() {
    kiln.reset();
    kiln = std::make_unique<Kiln>(w.loop, *store, *artifact_store, w.ws, options, &w.events);
    STORE_REQUIRE_OK(kiln->start());
  }
  void crash() { kiln.reset(); }

  std::int64_t deploy(const std::string& name, const std::string& target,
                      const std::string& build_id, const std::string& by = "user:test") {
    auto requested = kiln->deploy(name, target, build_id, by, "test");
    INFO((requested ? std::string() : requested.error().describe()));
    REQUIRE(requested.ok());
    return requested->deployment.id;
  }
  store::Deployment deployment(std::int64_t id) { return store->get_deployment(id).value(); }
  std::vector<store::DeploymentPhase> phases(std::int64_t id) {
    return store->list_phases(id).value();
  }
  // Runs the world until `id` has finished (or a virtual day passes).
  store::Deployment run_until_finished(std::int64_t id,
                                       core::DurationMs limit = fakedb::testing::kDay) {
    const core::TimeMs until = w.loop.now_ms() + limit;
    while (store::is_open(deployment(id).status) && w.loop.now_ms() < until && w.loop.step()) {
    }
    return deployment(id);
  }
  // The Databricks jobs with kiln's tags for (name, target), by job id.
  std::vector<json> managed_jobs(const std::string& name, const std::string& target) {
    std::vector<json> out;
    for (const auto& j : w.ok(w.get("list", {{"limit", "100"}})).value("jobs", json::array())) {
      const auto tags = j["settings"].value("tags", json::object());
      if (tags.value("kiln_job", "") == name && tags.value("kiln_target", "") == target) {
        out.push_back(j);
      }
    }
    return out;
  }
  // Every run of a Databricks job, newest first (all pages).
  std::vector<json> runs_of(std::int64_t job_id) {
    std::vector<json> out;
    fakedb::testing::Query q{{"job_id", std::to_string(job_id)}, {"limit", "25"}};
    while (true) {
      auto page = w.ok(w.get("runs/list", q));
      for (const auto& r : page.value("runs", json::array())) out.push_back(r);
      if (!page.contains("next_page_token")) break;
      q = {{"job_id", std::to_string(job_id)},
           {"limit", "25"},
           {"page_token", page["next_page_token"].get<std::string>()}};
    }
    return out;
  }

  store::testing::TempDir dir;
  fakedb::testing::Workspace w;
  KilnOptions options;
  std::unique_ptr<artifacts::ArtifactStore> artifact_store;
  std::unique_ptr<store::MetadataStore> store;
  std::unique_ptr<streams::StoreLockService> locks;
  streams::InvariantChecker invariants;
  std::unique_ptr<Kiln> kiln;
};

}  // namespace kiln::runtime::testing
