// Blue-green in scenario files: the format's stream fields, events and predicates, their errors
// at file:line:column, and a run with its stream invariants and report lane.
#include <catch2/catch.hpp>
#include <set>
#include <sstream>

#include "platform/scenario/loader.h"
#include "platform/scenario/report.h"
#include "platform/scenario/runner.h"

namespace kiln::scenario {
namespace {

const std::string kBlueGreen = R"(name: bg
description: a blue-green streaming job, a deploy and faults
seed: 2
duration: 30m
workspace:
  latency_ms: {fixed: 50}
  clusters: {start_min_ms: 120000, start_max_ms: 120000}
  streams:
    - {name: orders-events, rate: 100, changes: [{at: 20m, rate: 120}]}
kiln:
  lease: 20s
  catch_up_timeout: 4m
  park_blue: 0s
repo:
  - name: orders
    target: production
    deployVersion: 1
    strategy: blue-green
    healthSeconds: 300
    stream: orders-events
    workload: {kind: streaming, rate: 150, startup_ms: {fixed: 10000}}
timeline:
  - at: 10m
    merge: {name: orders, target: production, deployVersion: 2}
  - at: 14m
    stream_crash: {job: orders, version: 2}
  - at: 16m
    lock_partition: {job: orders, version: 1, for: 10s}
  - at: 17m
    stream_rate: {stream: orders-events, burst: 500}
expect:
  - at: 13m
    that: lock
    job: orders
    target: production
    version: 2
  - end: true
    that: deployment
    job: orders
    target: production
    status: aborted
  - eventually: {within: 3m, after: 17m1s, every: 1s}
    that: lag
    stream: orders-events
    max: 150
  - end: true
    that: writes
    job: orders
    target: production
    version: 2
    at_least: 1
  - always: true
    that: stream_invariants
)";

std::string with(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

std::string errors_of(const std::string& text) {
  const auto loaded = load_scenario_text("s.yaml", text);
  std::string out;
  for (const auto& d : loaded.diagnostics) out += d.to_string() + "\n";
  if (loaded.ok()) out += "<ok>";
  return out;
}

Scenario load(const std::string& text, std::optional<std::uint64_t> seed = std::nullopt) {
  auto loaded = load_scenario_text("s.yaml", text, seed);
  INFO((loaded.ok() ? std::string() : loaded.diagnostics.front().to_string()));
  REQUIRE(loaded.ok());
  return *loaded.scenario;
}

}  // namespace

TEST_CASE("A blue-green scenario loads its stream fields, events and predicates", "[streams]") {
  const Scenario s = load(kBlueGreen);
  REQUIRE(s.repo.size() == 1);
  CHECK(s.repo[0].strategy == "blue-green");
  CHECK(s.repo[0].stream_name() == "orders-events");
  CHECK(s.kiln.lease_ms == 20'000);
  CHECK(s.kiln.catch_up_timeout_ms == 240'000);
  // A change's `at` given as a duration from the start is made absolute for the emulator.
  CHECK(s.workspace["streams"][0]["changes"][0]["at"] == 1'767'225'600'000 + 1'200'000);
  REQUIRE(s.timeline.size() == 4);
  CHECK(s.timeline[1].kind == "stream_crash");
  CHECK(s.timeline[1].version == 2);
  CHECK(s.timeline[1].target == "production");
  CHECK(s.timeline[2].kind == "lock_partition");
  CHECK(s.timeline[2].for_ms == 10'000);
  CHECK(s.timeline[3].burst == 500);
  CHECK(s.expectations[4].that == "stream_invariants");
}

TEST_CASE("Stream fields in error name file line column and field", "[streams]") {
  CHECK(errors_of(with(kBlueGreen, "{stream: orders-events, burst: 500}",
                       "{stream: order-events, burst: 500}")) ==
        "s.yaml:30:27: timeline[3].stream_rate.stream: no stream order-events in the scenario; "
        "did you mean 'orders-events'? (the streams: orders-events; a blue-green job's is its "
        "`stream`, or <name>.<target>)\n");
  CHECK(errors_of(with(kBlueGreen, "{job: orders, version: 2}", "{job: orders, version: 7}")) ==
        "s.yaml:26:42: timeline[1].stream_crash.version: job orders never has deployVersion 7\n");
  CHECK(errors_of(with(kBlueGreen, "version: 1, for: 10s}", "target: production, for: 10s}")) ==
        "s.yaml:28:43: timeline[2].lock_partition.target: a target picks the job of `version`; "
        "without a version the runs are chosen by job name (on every target)\n");
  CHECK(errors_of(with(kBlueGreen, "burst: 500}", "slow: 500}")) ==
        "s.yaml:30:18: timeline[3].stream_rate: expected a rate (positions per second), a burst "
        "(positions) or a pause\n"
        "s.yaml:30:42: timeline[3].stream_rate.slow: unknown field; expected one of stream rate "
        "burst pause\n");
  // The emulator's own config errors are located at their field.
  CHECK(errors_of(with(kBlueGreen, "rate: 100, changes", "rate: -3, changes")) ==
        "s.yaml:9:35: workspace.streams[0].rate: expected positions per second from 0 to "
        "10000000\n");
  CHECK(errors_of(with(kBlueGreen, "{kind: streaming, rate: 150,", "{kind: streaming, rate: 0,")) ==
        "s.yaml:21:39: repo[0].workload.rate: expected positions per second, more than 0 and at "
        "most 10000000\n");
  CHECK(errors_of(with(kBlueGreen, "    version: 2\n  - end",
                       "    holder: x\n    version: 2\n  - end")) ==
        "s.yaml:32:5: expect[0]: expected one of version (the deployment of that deployVersion "
        "holds it) or holder (an id; \"\" for nobody)\n");
  CHECK(errors_of(with(kBlueGreen, "    max: 150\n", "")) ==
        "s.yaml:42:5: expect[2]: missing required field 'max' of lag (positions)\n");
  CHECK(errors_of(with(kBlueGreen, "lease: 20s", "lease: 20")) ==
        "s.yaml:11:10: kiln.lease: expected a duration such as 90s, 10m, 2h, 1d or 1h30m; got an "
        "integer (20)\n");
}

TEST_CASE("A stream fault's version, window and factor may be ranges drawn from the seed",
          "[streams]") {
  const auto text = with(kBlueGreen, "lock_partition: {job: orders, version: 1, for: 10s}",
                         "stream_slow: {job: orders, version: [1, 2], for: [5s, 50s], "
                         "factor: [0.5, 2]}");
  std::set<std::int64_t> versions;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const Scenario a = load(text, seed), b = load(text, seed);
    const auto& e = a.timeline[2];
    CHECK(e.version == b.timeline[2].version);
    CHECK(e.factor == b.timeline[2].factor);
    CHECK(e.for_ms >= 5'000);
    CHECK(e.for_ms <= 50'000);
    CHECK(e.factor >= 0.5);
    CHECK(e.factor <= 2);
    versions.insert(*e.version);
  }
  CHECK(versions == std::set<std::int64_t>{1, 2});
}

TEST_CASE("A blue-green run checks the stream invariants and draws a lane per stream",
          "[streams]") {
  const Scenario s = load(kBlueGreen);
  RunOptions options;
  options.keep_events = true;
  const RunResult r = run_scenario(s, options);
  REQUIRE(r.error.empty());
  for (const auto& v : r.verdicts) {
    INFO(s.expectations[v.index].describe() << ": " << v.observed);
    CHECK(v.holds);
  }
  CHECK_FALSE(r.stream_samples.empty());
  std::ostringstream html;
  write_report(s, r, html);
  CHECK_THAT(html.str(), Catch::Contains("stream orders-events"));
  CHECK_THAT(html.str(), Catch::Contains("class=\"hold-v1\""));
  CHECK_THAT(html.str(), Catch::Contains("class=\"hold-v2\""));
  CHECK_THAT(html.str(), Catch::Contains("<polyline class=\"lag\""));
  CHECK_THAT(html.str(), Catch::Contains(">t1</text>"));
  // The same file and seed give the same trace.
  CHECK(run_scenario(s).fingerprint == r.fingerprint);
}

TEST_CASE("A violated stream invariant fails with the checker's lines and when", "[streams]") {
  // Green crashes holding the lock: blue takes it back 1-2s after the abort, later than a
  // handback bound of 1ms allows.
  const auto text = with(kBlueGreen, "    that: stream_invariants\n",
                         "    that: stream_invariants\n    handback: 1ms\n");
  const RunResult r = run_scenario(load(text));
  REQUIRE(r.error.empty());
  const auto& v = r.verdicts.back();
  CHECK_FALSE(v.holds);
  CHECK_THAT(v.observed, Catch::StartsWith("violated at 14m"));
  CHECK_THAT(v.observed,
             Catch::Contains("handback: no holder other than deployment-2 took orders-events "
                             "back within 1 ms of the abort"));
}

}  // namespace kiln::scenario
