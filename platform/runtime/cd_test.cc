// CD: a per-target workflow that deploys every raised deployVersion of the newest build.
#include <catch2/catch.hpp>

#include "platform/runtime/test_world.h"

namespace kiln::runtime {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test fixtures
using fakedb::testing::kMinute;
using store::DeploymentStatus;

const std::string kStream = "/Workspace/etl/stream";

World cd_world(deploy::WaitFor wait_for = deploy::WaitFor::kRunning) {
  auto options = World::default_options();
  options.deploy.wait_for = wait_for;
  options.cd_targets = {"production"};
  options.cd.interval_ms = kMinute;
  return World(options);
}

std::optional<std::int64_t> deployed(World& world, const std::string& name,
                                     const std::string& target = "production") {
  auto row = world.store->get_job(name, target);
  return row ? row->deployed_version : std::nullopt;
}

std::size_t deployments(World& world, const std::string& name,
                        const std::string& target = "production") {
  return world.store->deployment_history(name, target, 100).value().size();
}

}  // namespace

TEST_CASE("CD deploys every job of its target whose deployVersion rose, and only those", "[cd]") {
  World world = cd_world();
  world.build({{"orders", "production", 1, kStream},
               {"orders", "development", 1, kStream},
               {"payments", "production", 4, kStream}});
  world.w.advance(30 * kMinute);
  CHECK(deployed(world, "orders") == 1);
  CHECK(deployed(world, "payments") == 4);
  CHECK(deployments(world, "orders", "development") == 0);  // not a CD target here
  const auto history = world.store->deployment_history("payments", "production", 1).value();
  CHECK(history[0].request.requested_by == "cd:production");
  CHECK_THAT(history[0].request.reason, Catch::StartsWith("deployVersion none -> 4 in build "));

  // A new commit that raises only orders deploys only orders.
  world.build({{"orders", "production", 2, kStream},
               {"orders", "development", 1, kStream},
               {"payments", "production", 4, kStream}},
              2);
  world.w.advance(30 * kMinute);
  CHECK(deployed(world, "orders") == 2);
  CHECK(deployments(world, "orders") == 2);
  CHECK(deployments(world, "payments") == 1);
  CHECK_THAT(world.store->deployment_history("orders", "production", 1).value()[0].request.reason,
             Catch::StartsWith("deployVersion 1 -> 2"));
}

TEST_CASE("CD never asks twice for one build; a failed deploy waits for the next build", "[cd]") {
  World world = cd_world(deploy::WaitFor::kFirstRunEnd);
  world.build({{"orders", "production", 1, "/Workspace/etl/fail"}});
  world.w.advance(60 * kMinute);
  REQUIRE(deployments(world, "orders") == 1);
  CHECK(world.store->deployment_history("orders", "production", 1).value()[0].status ==
        DeploymentStatus::kFailed);
  world.w.advance(60 * kMinute);
  CHECK(deployments(world, "orders") == 1);  // not retried in a loop

  world.build({{"orders", "production", 1}}, 2);  // the fix, same deployVersion
  world.w.advance(30 * kMinute);
  CHECK(deployments(world, "orders") == 2);
  CHECK(deployed(world, "orders") == 1);
}

TEST_CASE("CD ignores a build whose versions are at or below what is deployed", "[cd]") {
  World world = cd_world();
  world.build({{"orders", "production", 5, kStream}});
  world.w.advance(30 * kMinute);
  REQUIRE(deployed(world, "orders") == 5);
  world.build({{"orders", "production", 4, kStream}}, 2);  // lower: only a person rolls back
  world.w.advance(30 * kMinute);
  CHECK(deployments(world, "orders") == 1);
  CHECK(deployed(world, "orders") == 5);
}

TEST_CASE("CD survives a restart and does not ask again for what it asked before", "[cd]") {
  World world = cd_world();
  world.build({{"orders", "production", 1, kStream}, {"payments", "production", 1, kStream}});
  world.w.advance(kMinute / 2);
  world.restart();
  world.w.advance(30 * kMinute);
  CHECK(deployments(world, "orders") == 1);
  CHECK(deployments(world, "payments") == 1);
  CHECK(deployed(world, "orders") == 1);
  // One CD workflow per target, whatever the restarts.
  world.restart();
  CHECK(world.store->find_open_workflow("cd", "cd:production").ok());
}

TEST_CASE("CD's stored wake-up stays the next pass's while there is nothing new", "[cd]") {
  // kiln_workflow_due_lag_seconds reads the stored wake-up: a CD that only polled in memory
  // looked ever more overdue while it was healthy.
  World world = cd_world();
  world.build({{"orders", "production", 1, kStream}});
  world.w.advance(30 * kMinute);
  REQUIRE(deployed(world, "orders") == 1);
  for (int i = 0; i < 3; ++i) {
    world.w.advance(10 * kMinute);
    const auto cd = world.store->find_open_workflow("cd", "cd:production").value();
    CHECK(cd.wake_at_ms > world.w.loop.now_ms());
    CHECK(cd.wake_at_ms <= world.w.loop.now_ms() + kMinute);
  }
}

}  // namespace kiln::runtime
