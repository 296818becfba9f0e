#include "platform/scenario/runner.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "platform/scenario/loader.h"

namespace kiln::scenario {
namespace {

const std::string kScenario = R"(name: runner-test
description: a merge, a crash in the middle of the deploy it causes, and a rollback by hand
seed: 5
duration: 3h
repo:
  - name: orders
    target: production
    deployVersion: 1
    workload: {kind: streaming}
timeline:
  - at: 30m
    merge: {name: orders, target: production, deployVersion: 2}
  - at: 31m
    crash: {restart_after: 2m}
  - at: 2h
    deploy: {job: orders, target: production, build: 1, reason: rollback}
expect:
  - at: 1h
    that: deployed
    job: orders
    target: production
    version: 2
  - end: true
    that: deployed
    job: orders
    target: production
    version: 1
    build: 1
  - end: true
    that: runs
    job: orders
    target: production
    active: 1
  - always: true
    that: one_active_run
  - always: true
    that: no_leaked_jobs
)";

Scenario load(const std::string& text, std::optional<std::uint64_t> seed = std::nullopt) {
  auto loaded = load_scenario_text("t.yaml", text, seed);
  INFO((loaded.ok() ? std::string() : loaded.diagnostics.front().to_string()));
  REQUIRE(loaded.ok());
  return *loaded.scenario;
}

}  // namespace

TEST_CASE("A scenario runs its timeline and every expectation gets a verdict", "[runner]") {
  const auto s = load(kScenario);
  std::ostringstream timeline;
  RunOptions options;
  options.timeline = &timeline;
  const auto result = run_scenario(s, options);
  INFO(timeline.str());
  REQUIRE(result.error.empty());
  REQUIRE(result.verdicts.size() == 5);
  for (const auto& v : result.verdicts) {
    INFO(s.expectations[v.index].describe() << ": " << v.observed);
    CHECK(v.holds);
  }
  CHECK(result.passed());
  CHECK_THAT(timeline.str(), Catch::Contains("kiln CRASHES (back in 2m)"));
  CHECK_THAT(timeline.str(), Catch::Contains("deploy by hand  orders/production build 1"));
  CHECK_THAT(timeline.str(), Catch::Contains("PASS  at 1h: deployed"));
}

TEST_CASE("The same file and seed give the same trace byte for byte", "[runner]") {
  const auto s = load(kScenario);
  std::ostringstream a, b;
  RunOptions oa, ob;
  oa.trace = &a;
  ob.trace = &b;
  const auto ra = run_scenario(s, oa);
  const auto rb = run_scenario(s, ob);
  CHECK(ra.fingerprint == rb.fingerprint);
  CHECK(a.str() == b.str());
  CHECK(ra.events > 100);
  CHECK(run_scenario(load(kScenario, 6)).fingerprint != ra.fingerprint);
}

TEST_CASE("A failing expectation says what was observed", "[runner]") {
  std::string text = kScenario;
  text.replace(text.find("    version: 1\n    build: 1"), 14, "    version: 7");
  const auto result = run_scenario(load(text));
  REQUIRE(result.error.empty());
  CHECK_FALSE(result.passed());
  const auto& failed = result.verdicts[1];
  CHECK_FALSE(failed.holds);
  CHECK_THAT(failed.observed,
             Catch::Contains("v1 from build 1") && Catch::Contains("version is 1, not 7"));
}

TEST_CASE("A job config kiln refuses is a problem of the file, found before the run", "[runner]") {
  std::string text = kScenario;
  text.replace(text.find("    workload: {kind: streaming}"), 31,
               "    settings: {tasks: [{task_key: a, depends_on: [{task_key: b}], notebook_task: "
               "{notebook_path: /x}}]}");
  const auto result = run_scenario(load(text));
  CHECK_THAT(result.error, Catch::StartsWith("t.yaml:6:5: job orders on production") &&
                               Catch::Contains("settings"));
}

TEST_CASE("An invariant that breaks is reported with when and how", "[runner]") {
  // A job with two runs at once: the workspace runs both; kiln is not at fault but the
  // invariant sees it.
  const std::string text = R"(name: two-runs
description: max_concurrent_runs 2 and two deploys by hand of a batch job
seed: 1
duration: 1h
kiln: {wait_for: running}
repo:
  - name: orders
    target: production
    deployVersion: 1
    settings:
      max_concurrent_runs: 2
      schedule: {quartz_cron_expression: "0 * * * * ?", timezone_id: UTC}
      tasks: [{task_key: main, notebook_task: {notebook_path: /Workspace/x}}]
    workload: {kind: streaming}
expect:
  - always: true
    that: one_active_run
)";
  const auto result = run_scenario(load(text));
  REQUIRE(result.verdicts.size() == 1);
  CHECK_FALSE(result.verdicts[0].holds);
  CHECK_THAT(result.verdicts[0].observed,
             Catch::StartsWith("violated at ") && Catch::Contains("has 2 active runs"));
}

}  // namespace kiln::scenario
