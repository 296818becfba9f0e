// Deploys through kiln's REST backend: a Kiln on a RealLoop, over an HttpWorkspace, against
// `fake-databricks serve` running in-process on its own thread, with a local artifact store and
// an SQLite metadata DB in a temporary directory. Everything the cases check about the
// workspace they read over HTTP, never from the server's FakeWorkspace (it belongs to the
// server's thread).
#include <catch2/catch.hpp>
#include <chrono>

#include "core/clock/real_loop.h"
#include "fake-databricks/serve/test_certificate.h"
#include "fake-databricks/serve/test_server.h"
#include "platform/runtime/test_world.h"
#include "platform/workspace/http_workspace.h"

namespace kiln::runtime {
namespace {

using databricks::ApiRequest;
using databricks::ApiResponse;
using nlohmann::json;
using store::DeploymentStatus;
using wall_clock = std::chrono::steady_clock;

const std::string kStream = "/Workspace/etl/stream";  // runs until stopped
constexpr auto kDeployWallLimit = std::chrono::seconds(20);

// A workspace whose job clusters start in a tenth of a second, so a run is RUNNING soon after
// run-now in wall time (Served keeps virtual time at the wall clock's pace).
fakedb::WorkspaceConfig quick_config() {
  return fakedb::WorkspaceConfig::from_json(
             {{"limits", {{"rate_limits", false}}},
              {"latency_ms", 0},
              {"clusters",
               {{"start_min_ms", 50},
                {"start_max_ms", 100},
                {"terminate_min_ms", 10},
                {"terminate_max_ms", 30}}},
              {"runs",
               {{"attach_setup_ms", 10},
                {"serverless_setup_ms", 10},
                {"task_cleanup_ms", 10},
                {"run_cleanup_ms", 10}}},
              {"workloads",
               {{"default", {{"kind", "batch"}, {"duration_ms", 60'000}}},
                {"rules",
                 {{{"match", {{"path", "*stream*"}}}, {"model", {{"kind", "streaming"}}}}}}}}})
      .value();
}

// Short waits everywhere: the test runs in wall time.
KilnOptions quick_options() {
  KilnOptions o;
  o.deploy.poll_ms = 50;
  o.deploy.queue_poll_ms = 50;
  o.deploy.retry.first_backoff_ms = 100;
  o.deploy.retry.max_backoff_ms = 1'000;
  o.deploy.retry.step_timeout_ms = 15'000;
  // A call's retries and its HTTP timeout stay short next to a step's timeout: a call still
  // being retried after the engine gave up on its step could act twice (a create: two jobs).
  o.workspace_retry.budget_ms = 4'000;
  o.workspace_retry.backoff_step_ms = 50;  // still kiln_retry_policy(): no blind create retry
  o.workspace_retry.jitter_min_ms = 0;
  o.workspace_retry.jitter_max_ms = 20;
  o.workspace_retry.rate_limit_per_s = 0;
  return o;
}

// The served workspace, kiln over it, and a second HTTP client that inspects the workspace.
class RestWorld {
 public:
  explicit RestWorld(bool tls, const KilnOptions& options = quick_options())
      : tls_(tls),
        server_(serve_options(tls, cert_)),
        loop_(io_),
        http_(io_, http_config()),
        inspector_(inspect_io_, http_config()) {
    auto opened = artifacts::open_local_store(dir_.file("artifacts"));
    REQUIRE(opened.ok());
    artifacts_ = std::move(opened).value();
    store_ = store::testing::open_store(dir_.file("kiln.db"));
    kiln_ = std::make_unique<Kiln>(loop_, *store_, *artifacts_, http_, options);
    STORE_REQUIRE_OK(kiln_->start());
  }

  // Publishes a build of one job; returns its id.
  std::string build(const testing::JobFile& j, int commit) {
    artifacts::BuildInput input;
    input.commit_sha = std::string(39, '0') + std::to_string(commit % 10);
    input.created_ms = loop_.now_ms();
    input.jobs.push_back({j.name,
                          j.target,
                          j.version,
                          {{"kiln.yaml", "kind: JobFolder\nconfigs: [configs/*.yaml]\n", false},
                           {"configs/" + j.target + ".yaml",
                            testing::job_yaml(j.name, j.target, j.version, j.path), false}}});
    artifacts::BuildWriter writer(*artifacts_);
    auto record = writer.write(input);
    REQUIRE(record.ok());
    INFO(record->error);
    REQUIRE(record->status == artifacts::kBuildSucceeded);
    return record->build_id;
  }

  std::int64_t deploy(const std::string& name, const std::string& target,
                      const std::string& build_id) {
    auto requested = kiln_->deploy(name, target, build_id, "user:test", "rest test");
    INFO((requested ? std::string() : requested.error().describe()));
    REQUIRE(requested.ok());
    return requested->deployment.id;
  }

  // Runs kiln's loop until deployment `id` has finished; fails if that takes over the limit.
  store::Deployment run_until_finished(std::int64_t id) {
    const auto started = wall_clock::now();
    while (store::is_open(deployment(id).status)) {
      if (wall_clock::now() - started > kDeployWallLimit) {
        const auto& c = kiln_->engine().counters();
        FAIL("deployment " << id << " still open after " << kDeployWallLimit.count()
                           << " s of wall time (steps " << c.steps << ", retries " << c.retries
                           << ", last phase "
                           << (phases(id).empty() ? "none" : phases(id).back().phase) << ")");
      }
      io_.restart();
      io_.run_for(std::chrono::milliseconds(20));
    }
    return deployment(id);
  }

  // Runs kiln's loop for a while (calls still in flight land).
  void run_for(std::chrono::milliseconds wall) {
    io_.restart();
    io_.run_for(wall);
  }

  store::Deployment deployment(std::int64_t id) { return store_->get_deployment(id).value(); }
  std::vector<store::DeploymentPhase> phases(std::int64_t id) {
    return store_->list_phases(id).value();
  }

  // One call to the served workspace from the inspecting client, waited for.
  ApiResponse call(ApiRequest request) {
    std::optional<ApiResponse> answer;
    inspector_.call(std::move(request), [&](ApiResponse r) { answer = std::move(r); });
    inspect_io_.restart();
    while (!answer && inspect_io_.run_one() > 0) {
    }
    REQUIRE(answer.has_value());
    INFO(answer->status << " " << answer->body.dump());
    REQUIRE(answer->ok());
    return *answer;
  }
  void add_fault(const json& rule) { call(ApiRequest::post("/__fake/faults", rule)); }

  // The jobs with kiln's tags for (name, target), as jobs/list shows them.
  std::vector<json> managed_jobs(const std::string& name, const std::string& target) {
    std::vector<json> out;
    const auto page = call(ApiRequest::get("/api/2.2/jobs/list", {{"limit", "100"}})).body;
    for (const auto& j : page.value("jobs", json::array())) {
      const auto tags = j["settings"].value("tags", json::object());
      if (tags.value("kiln_job", "") == name && tags.value("kiln_target", "") == target) {
        out.push_back(j);
      }
    }
    return out;
  }
  std::size_t job_count() {
    const auto page = call(ApiRequest::get("/api/2.2/jobs/list", {{"limit", "100"}})).body;
    return page.value("jobs", json::array()).size();
  }
  json job(std::int64_t job_id) {
    return call(ApiRequest::get("/api/2.2/jobs/get", {{"job_id", std::to_string(job_id)}})).body;
  }
  // Every run of a job, newest first (the cases make few).
  std::vector<json> runs_of(std::int64_t job_id) {
    const auto page = call(ApiRequest::get("/api/2.2/jobs/runs/list",
                                           {{"job_id", std::to_string(job_id)}, {"limit", "25"}}))
                          .body;
    REQUIRE(!page.value("has_more", false));
    const auto runs = page.value("runs", json::array());
    return {runs.begin(), runs.end()};
  }
  int active_runs(std::int64_t job_id) {
    int n = 0;
    for (const auto& r : runs_of(job_id)) {
      const std::string life = r["state"]["life_cycle_state"];
      if (life != "TERMINATED" && life != "SKIPPED" && life != "INTERNAL_ERROR") ++n;
    }
    return n;
  }

  Kiln& kiln() { return *kiln_; }
  store::MetadataStore& store() { return *store_; }

 private:
  static fakedb::serve::ServeOptions serve_options(
      bool tls, const fakedb::serve::testing::TestCertificate& cert) {
    fakedb::serve::ServeOptions o;
    o.config = quick_config();
    o.seed = 17;
    if (tls) {
      o.tls_cert_file = cert.cert_file.string();
      o.tls_key_file = cert.key_file.string();
    }
    return o;
  }
  workspace::HttpConfig http_config() const {
    workspace::HttpConfig c;
    c.host = server_.server->url();
    c.token = server_.token;
    c.timeout_ms = 4'000;
    if (tls_) c.ca_file = cert_.cert_file.string();
    return c;
  }

  // Destroyed in reverse: kiln first, the server (and its thread) last but for the files.
  bool tls_;
  fakedb::serve::testing::TestCertificate cert_;
  store::testing::TempDir dir_;
  fakedb::serve::testing::Served server_;
  boost::asio::io_context io_;  // kiln's loop, run by the test thread
  core::RealLoop loop_;
  workspace::HttpWorkspace http_;
  boost::asio::io_context inspect_io_;
  workspace::HttpWorkspace inspector_;
  std::unique_ptr<artifacts::ArtifactStore> artifacts_;
  std::unique_ptr<store::MetadataStore> store_;
  std::unique_ptr<Kiln> kiln_;
};

std::vector<std::string> phase_names(const std::vector<store::DeploymentPhase>& phases) {
  std::vector<std::string> names;
  for (const auto& p : phases) names.push_back(p.phase);
  return names;
}

// A first deploy, checked against what the served workspace holds.
void first_deploy_over_rest(bool tls) {
  RestWorld world(tls);
  const auto b1 = world.build({"orders", "production", 3, kStream}, 1);
  const auto id = world.deploy("orders", "production", b1);
  const auto done = world.run_until_finished(id);
  INFO(done.outcome_reason);
  REQUIRE(done.status == DeploymentStatus::kSucceeded);

  CHECK(world.job_count() == 1);
  const auto jobs = world.managed_jobs("orders", "production");
  REQUIRE(jobs.size() == 1);
  const auto job_id = jobs[0]["job_id"].get<std::int64_t>();
  const auto tags = world.job(job_id)["settings"]["tags"];
  CHECK(tags["kiln_managed"] == "true");
  CHECK(tags["kiln_job"] == "orders");
  CHECK(tags["kiln_target"] == "production");
  CHECK(tags["kiln_version"] == "3");
  CHECK(tags["kiln_build"] == b1);

  const auto runs = world.runs_of(job_id);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0]["state"]["life_cycle_state"] == "RUNNING");

  const auto phases = world.phases(id);
  CHECK(phase_names(phases) == std::vector<std::string>{"prepare", "job", "stop", "start", "wait"});
  for (const auto& p : phases) CHECK(p.outcome == store::PhaseOutcome::kSucceeded);
  CHECK(phases.at(1).reason == "created job " + std::to_string(job_id));
  CHECK(phases.at(4).reason == "run " + runs[0]["run_id"].dump() + " RUNNING");

  const auto row = world.store().get_job("orders", "production").value();
  CHECK(row.databricks_job_id == job_id);
  CHECK(row.deployed_version == 3);
  CHECK(row.state == store::JobState::kDeployed);
}

}  // namespace

TEST_CASE("Over HTTP a first deploy creates one tagged job and leaves one run RUNNING",
          "[rest][deploy]") {
  first_deploy_over_rest(false);
}

TEST_CASE("Over TLS a first deploy creates one tagged job and leaves one run RUNNING",
          "[rest][deploy][tls]") {
  first_deploy_over_rest(true);
}

TEST_CASE("Over HTTP an upgrade resets the same job and cancels the old run before the new one",
          "[rest][deploy]") {
  RestWorld world(false);
  const auto b1 = world.build({"orders", "production", 1, kStream}, 1);
  REQUIRE(world.run_until_finished(world.deploy("orders", "production", b1)).status ==
          DeploymentStatus::kSucceeded);
  const auto job_id =
      world.managed_jobs("orders", "production").at(0)["job_id"].get<std::int64_t>();
  const auto old_run = world.runs_of(job_id).at(0)["run_id"].get<std::int64_t>();

  const auto b2 = world.build({"orders", "production", 2, kStream}, 2);
  const auto id = world.deploy("orders", "production", b2);
  const auto done = world.run_until_finished(id);
  INFO(done.outcome_reason);
  REQUIRE(done.status == DeploymentStatus::kSucceeded);

  REQUIRE(world.managed_jobs("orders", "production").size() == 1);  // the same job, reset
  CHECK(world.job_count() == 1);
  const auto tags = world.job(job_id)["settings"]["tags"];
  CHECK(tags["kiln_version"] == "2");
  CHECK(tags["kiln_build"] == b2);
  const auto runs = world.runs_of(job_id);
  REQUIRE(runs.size() == 2);
  CHECK(runs[1]["run_id"] == old_run);
  CHECK(runs[1]["state"]["life_cycle_state"] == "TERMINATED");
  CHECK(runs[1]["state"]["result_state"] == "CANCELED");
  CHECK(runs[0]["state"]["life_cycle_state"] == "RUNNING");
  CHECK(runs[0]["start_time"].get<std::int64_t>() >= runs[1]["end_time"].get<std::int64_t>());
  CHECK(world.active_runs(job_id) == 1);

  const auto phases = world.phases(id);
  CHECK(phase_names(phases) == std::vector<std::string>{"prepare", "job", "stop", "start", "wait"});
  CHECK(phases.at(1).reason == "reset job " + std::to_string(job_id));
  CHECK(phases.at(2).reason == "stopped run(s) " + std::to_string(old_run));
  CHECK(world.store().get_job("orders", "production").value().deployed_version == 2);
}

TEST_CASE("Over HTTP a lost jobs/create answer ends with exactly one managed job",
          "[rest][deploy][faults]") {
  REQUIRE(!KilnOptions::kiln_retry_policy().retry_creates);
  RestWorld world(false);
  world.add_fault({{"pattern", "POST /api/2.2/jobs/create"},
                   {"drop", true},
                   {"after_handler", true},
                   {"times", 1}});
  const auto id =
      world.deploy("orders", "production", world.build({"orders", "production", 1, kStream}, 1));
  const auto done = world.run_until_finished(id);
  INFO(done.outcome_reason);
  REQUIRE(done.status == DeploymentStatus::kSucceeded);

  CHECK(world.job_count() == 1);
  const auto jobs = world.managed_jobs("orders", "production");
  REQUIRE(jobs.size() == 1);
  const auto job_id = jobs[0]["job_id"].get<std::int64_t>();
  CHECK(world.phases(id).at(1).reason == "adopted job " + std::to_string(job_id));
  CHECK(world.kiln().engine().counters().retries >= 1);
  // The create whose answer was lost was not sent again blindly (kiln_retry_policy()).
  CHECK(world.kiln().workspace_counters().retries == 0);
  CHECK(world.active_runs(job_id) == 1);
  CHECK(world.store().get_job("orders", "production").value().databricks_job_id == job_id);
}

TEST_CASE("Over HTTP a jobs/create failing past a step's timeout still ends with one job",
          "[rest][deploy][faults]") {
  // A step that times out is retried by the engine; if the retrying layer were still retrying
  // the old step's create, both could succeed: two jobs. kiln_retry_policy() hands every failed
  // create back to the step, which looks for the job by its tags before creating again.
  auto options = quick_options();
  options.deploy.retry.step_timeout_ms = 1'000;
  options.workspace_retry.budget_ms = 10'000;
  RestWorld world(false, options);
  world.add_fault({{"pattern", "POST /api/2.2/jobs/create"}, {"status", 503}, {"times", 5}});
  const auto id =
      world.deploy("orders", "production", world.build({"orders", "production", 1, kStream}, 1));
  const auto done = world.run_until_finished(id);
  INFO(done.outcome_reason);
  REQUIRE(done.status == DeploymentStatus::kSucceeded);
  world.run_for(std::chrono::milliseconds(1'500));  // anything still in flight lands
  CHECK(world.job_count() == 1);
  CHECK(world.managed_jobs("orders", "production").size() == 1);
}

TEST_CASE("Over HTTP a lost run-now answer is retried with its token and starts one run",
          "[rest][deploy][faults]") {
  RestWorld world(false);
  world.add_fault({{"pattern", "POST /api/2.2/jobs/run-now"},
                   {"drop", true},
                   {"after_handler", true},
                   {"times", 1}});
  const auto id =
      world.deploy("orders", "production", world.build({"orders", "production", 1, kStream}, 1));
  const auto done = world.run_until_finished(id);
  INFO(done.outcome_reason);
  REQUIRE(done.status == DeploymentStatus::kSucceeded);

  const auto job_id =
      world.managed_jobs("orders", "production").at(0)["job_id"].get<std::int64_t>();
  const auto runs = world.runs_of(job_id);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0]["state"]["life_cycle_state"] == "RUNNING");
  CHECK(world.kiln().workspace_counters().retries == 1);  // the run-now, sent again
  CHECK(world.phases(id).at(3).reason == "started run " + runs[0]["run_id"].dump());
}

}  // namespace kiln::runtime
