// kiln crashing at every step boundary of a deploy, and in the middle of every Workspace call
// (the request reaches the workspace, the answer reaches no one), then restarting: each time the
// deployment finishes, exactly one run of the new version exists, and no job is leaked.
#include <catch2/catch.hpp>

#include "platform/runtime/test_world.h"

namespace kiln::runtime {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test fixtures
using databricks::ApiRequest;
using databricks::ApiResponse;
using fakedb::testing::kMinute;
using store::DeploymentStatus;

const std::string kStream = "/Workspace/etl/stream";

// Passes calls to the workspace and, at the call numbered `crash_at`, schedules `crash` on the
// loop before forwarding it: the workspace acts on the request, and the kiln that sent it is
// gone before the answer arrives.
class CrashingWorkspace final : public databricks::WorkspaceApi {
 public:
  CrashingWorkspace(databricks::WorkspaceApi& inner, core::Clock& clock)
      : inner_(inner), clock_(clock) {}
  void call(ApiRequest request, std::function<void(ApiResponse)> done) override {
    if (++calls == crash_at) clock_.schedule_at(clock_.now_ms(), crash);
    inner_.call(std::move(request), std::move(done));
  }
  int calls = 0;
  int crash_at = -1;
  std::function<void()> crash;

 private:
  databricks::WorkspaceApi& inner_;
  core::Clock& clock_;
};

// What a deploy must leave, however often kiln crashed on the way.
struct Outcome {
  DeploymentStatus status;
  std::size_t managed_jobs;
  int new_runs;     // runs of the job started after the deploy was requested
  int active_runs;  // runs still active
  std::optional<std::int64_t> deployed_version;
};

struct CrashRun {
  int commits = 0;  // engine commits seen (over every kiln instance)
  int calls = 0;    // workspace calls seen
  int crashes = 0;
  Outcome outcome{};
  std::vector<std::string> violations;  // of the stream invariants (blue-green)
};

// Deploys `to` over `from` (nothing deployed if from is 0), crashing kiln after commit number
// `crash_after_commit` of the deploy, or at workspace call number `crash_at_call` (-1: never),
// restarting it at once, and returns what the workspace and DB hold once the deploy has ended.
CrashRun deploy_with_crash(int from, int to, int crash_after_commit, int crash_at_call,
                           bool blue_green = false) {
  World world;
  auto job = [&](int version) {
    return blue_green ? blue_green_job("orders", "production", version, 60)
                      : JobFile("orders", "production", version, kStream);
  };
  CrashingWorkspace crashing(world.w.ws, world.w.loop);
  auto start_kiln = [&] {
    world.kiln.reset();
    world.kiln = std::make_unique<Kiln>(world.w.loop, *world.store, *world.artifact_store, crashing,
                                        world.options);
    REQUIRE(world.kiln->start().ok());
  };
  start_kiln();
  if (from > 0) {
    const auto b = world.build({job(from)});
    REQUIRE(world.run_until_finished(world.deploy("orders", "production", b)).status ==
            DeploymentStatus::kSucceeded);
    world.w.advance(kMinute);
  }
  CrashRun out;
  const int calls_before = crashing.calls;
  auto crash_and_restart = [&] {
    ++out.crashes;
    start_kiln();
  };
  std::function<void(const store::Workflow&)> count_commits;
  count_commits = [&](const store::Workflow& w) {
    if (w.kind != "deploy") return;
    if (++out.commits == crash_after_commit) {
      // After this commit, before anything else runs.
      world.w.loop.schedule_at(world.w.loop.now_ms(), [&] {
        crash_and_restart();
        world.kiln->engine().on_step(count_commits);
      });
    }
  };
  world.kiln->engine().on_step(count_commits);
  crashing.crash_at = crash_at_call < 0 ? -1 : calls_before + crash_at_call;
  crashing.crash = [&] {
    crash_and_restart();
    world.kiln->engine().on_step(count_commits);
  };

  const core::TimeMs requested_at = world.w.loop.now_ms();
  const auto b = world.build({job(to)}, 2);
  const auto id = world.deploy("orders", "production", b);
  const auto done = world.run_until_finished(id);
  out.calls = crashing.calls - calls_before;

  out.outcome.status = done.status;
  const auto jobs = world.managed_jobs("orders", "production");
  out.outcome.managed_jobs = jobs.size();
  for (const auto& j : jobs) {
    for (const auto& r : world.runs_of(j["job_id"].get<std::int64_t>())) {
      if (r["start_time"].get<std::int64_t>() >= requested_at) ++out.outcome.new_runs;
      const std::string life = r["state"]["life_cycle_state"];
      if (life != "TERMINATED" && life != "SKIPPED" && life != "INTERNAL_ERROR") {
        ++out.outcome.active_runs;
      }
    }
  }
  world.w.advance(2 * kMinute);  // the new version writes on after its deploy
  world.invariants.finish(world.w.loop.now_ms());
  out.violations = world.invariants.violations();
  out.outcome.deployed_version =
      world.store->get_job("orders", "production").value().deployed_version;
  return out;
}

void check_clean(const CrashRun& run, int version) {
  CHECK(run.outcome.status == DeploymentStatus::kSucceeded);
  CHECK(run.outcome.managed_jobs == 1);
  CHECK(run.outcome.new_runs == 1);
  CHECK(run.outcome.active_runs == 1);
  CHECK(run.outcome.deployed_version == version);
  for (const auto& v : run.violations) FAIL_CHECK(v);
}

}  // namespace

TEST_CASE("A deploy survives a crash after every one of its steps", "[crash]") {
  for (const int from : {0, 1}) {  // a first deploy (create) and an upgrade (reset, stop)
    const CrashRun clean = deploy_with_crash(from, 2, -1, -1);
    check_clean(clean, 2);
    REQUIRE(clean.commits >= 5);
    for (int k = 1; k <= clean.commits; ++k) {
      INFO("from version " << from << ", crash after commit " << k << " of " << clean.commits);
      const CrashRun run = deploy_with_crash(from, 2, k, -1);
      // After the last commit the deployment has ended: the crash hits kiln idle.
      CHECK(run.crashes == 1);
      check_clean(run, 2);
    }
  }
}

TEST_CASE("A deploy survives a crash in the middle of every Workspace call", "[crash]") {
  for (const int from : {0, 1}) {
    const CrashRun clean = deploy_with_crash(from, 2, -1, -1);
    REQUIRE(clean.calls >= 4);
    for (int c = 1; c <= clean.calls; ++c) {
      INFO("from version " << from << ", crash during call " << c << " of " << clean.calls);
      const CrashRun run = deploy_with_crash(from, 2, -1, c);
      CHECK(run.crashes == 1);
      check_clean(run, 2);
    }
  }
}

TEST_CASE("A blue-green deploy survives a crash after every step and during every call",
          "[crash][blue-green]") {
  for (const int from : {0, 1}) {  // a first deploy (no blue) and an upgrade (blue runs)
    const CrashRun clean = deploy_with_crash(from, 2, -1, -1, true);
    check_clean(clean, 2);
    REQUIRE(clean.commits >= 5);
    for (int k = 1; k <= clean.commits; ++k) {
      INFO("from version " << from << ", crash after commit " << k << " of " << clean.commits);
      const CrashRun run = deploy_with_crash(from, 2, k, -1, true);
      CHECK(run.crashes == 1);
      check_clean(run, 2);
    }
    for (int c = 1; c <= clean.calls; ++c) {
      INFO("from version " << from << ", crash during call " << c << " of " << clean.calls);
      const CrashRun run = deploy_with_crash(from, 2, -1, c, true);
      CHECK(run.crashes == 1);
      check_clean(run, 2);
    }
  }
}

}  // namespace kiln::runtime
