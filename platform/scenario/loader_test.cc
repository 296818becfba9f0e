#include "platform/scenario/loader.h"

#include <catch2/catch.hpp>
#include <set>

namespace kiln::scenario {
namespace {

const std::string kMinimal = R"(name: tiny
description: one job
seed: 3
duration: 1h
repo:
  - name: orders
    target: production
    deployVersion: 1
timeline:
  - at: 10m
    merge: {name: orders, target: production, deployVersion: 2}
expect:
  - eventually: {within: 20m, after: 10m}
    that: deployed
    job: orders
    target: production
    version: 2
)";

std::string errors_of(const std::string& text) {
  const auto loaded = load_scenario_text("s.yaml", text);
  std::string out;
  for (const auto& d : loaded.diagnostics) out += d.to_string() + "\n";
  if (loaded.ok()) out += "<ok>";
  return out;
}

std::string with(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("A minimal scenario loads with kiln's defaults", "[loader]") {
  const auto loaded = load_scenario_text("s.yaml", kMinimal);
  REQUIRE(loaded.ok());
  const auto& s = *loaded.scenario;
  CHECK(s.name == "tiny");
  CHECK(s.seed == 3);
  CHECK(s.duration_ms == 3'600'000);
  CHECK(s.kiln.cd_targets == std::vector<std::string>{"production"});
  CHECK(s.kiln.poll_ms == 5'000);
  REQUIRE(s.timeline.size() == 1);
  CHECK(s.timeline[0].kind == "merge");
  CHECK(s.timeline[0].at_ms == 600'000);
  REQUIRE(s.expectations.size() == 1);
  CHECK(s.expectations[0].when == "eventually");
  CHECK(s.expectations[0].within_ms == 1'200'000);
  CHECK(s.expectations[0].args["version"] == 2);
  CHECK(s.expectations[0].where.to_string() == "s.yaml:13:5");
  CHECK(load_scenario_text("s.yaml", kMinimal, 99).scenario->seed == 99);
}

TEST_CASE("Scenario errors name file line column and field and suggest the right key", "[loader]") {
  CHECK(errors_of(with(kMinimal, "duration: 1h", "duraton: 1h")) ==
        "s.yaml:1:1: missing required field 'duration'\n"
        "s.yaml:4:1: duraton: unknown field; did you mean 'duration'?\n");
  CHECK(errors_of(with(kMinimal, "duration: 1h", "duration: 60")) ==
        "s.yaml:4:11: duration: expected a duration such as 90s, 10m, 2h, 1d or 1h30m; got an "
        "integer (60)\n");
  CHECK(errors_of(with(kMinimal, "deployVersion: 1", "deployVersion: one")) ==
        "s.yaml:8:20: repo[0].deployVersion: expected an integer from 0 to 1000000000; got a "
        "string ('one')\n");
  CHECK(errors_of(with(kMinimal, "  - at: 10m", "  - at: 2h")) ==
        "s.yaml:10:9: timeline[0].at: after the scenario's end (1h)\n");
  CHECK(errors_of(with(kMinimal, "that: deployed", "that: deploy")) ==
        "s.yaml:14:11: expect[0].that: unknown predicate 'deploy'; did you mean 'deployed'?\n");
  CHECK(errors_of(with(kMinimal, "name: orders, target: production, deployVersion: 2",
                       "name: payments, target: production, deployVersion: 2")) ==
        "s.yaml:11:12: timeline[0].merge: no job payments on target production in the repo (a "
        "merge changes a job the repo declares; the name may be a glob such as etl-00*)\n");
  CHECK(errors_of(with(kMinimal, "    merge:", "    crash: {}\n    merge:")) ==
        "s.yaml:10:5: timeline[0]: expected exactly one event: merge, deploy, crash, api_outage, "
        "rate_limit_storm, cluster_launch_failure, run_fails, receiver_down, note, stream_rate, "
        "lock_partition, stream_stall, stream_crash, stream_slow or run_hang\n");
  CHECK(errors_of("name: [\n") != "<ok>");
  CHECK(errors_of("- just\n- a list\n") ==
        "s.yaml:1:1: expected a mapping with name, description, seed, duration, repo, timeline and "
        "expect; got a sequence\n");
}

TEST_CASE("count declares numbered jobs and a merge may name them by a glob", "[loader]") {
  auto text = with(kMinimal, "    deployVersion: 1\n", "    deployVersion: 1\n    count: 12\n");
  text = with(text, "merge: {name: orders,", "merge: {name: orders-00*,");
  text = with(text, "    job: orders\n", "    job: orders-0012\n");
  const auto loaded = load_scenario_text("s.yaml", text);
  INFO((loaded.ok() ? std::string() : loaded.diagnostics.front().to_string()));
  REQUIRE(loaded.ok());
  REQUIRE(loaded.scenario->repo.size() == 12);
  CHECK(loaded.scenario->repo[0].name == "orders-0001");
  CHECK(loaded.scenario->repo[11].name == "orders-0012");
  CHECK(errors_of(with(text, "orders-00*", "billing-*")) != "<ok>");
  CHECK_THAT(errors_of(with(text, "count: 12", "count: 0")),
             Catch::StartsWith("s.yaml:9:12: repo[0].count: expected an integer from 1 to 100000; "
                               "got an integer (0)\n"));
}

TEST_CASE("A notifications section is checked with the notifier's rules at its place", "[loader]") {
  const auto text = with(kMinimal, "repo:\n",
                         "notifications:\n  sinks:\n    chat: {type: slack, url: \"https://x\"}\n"
                         "  routes:\n    - sinks: [pager]\nrepo:\n");
  const auto errors = errors_of(text);
  CHECK_THAT(errors,
             Catch::StartsWith("s.yaml:9:15: notifications.routes[0].sinks[0]: unknown sink "
                               "'pager'"));
}

TEST_CASE("A deploy of a build the timeline has not made yet is refused", "[loader]") {
  const auto text =
      with(kMinimal, "timeline:\n",
           "timeline:\n  - at: 5m\n    deploy: {job: orders, target: production, build: 2}\n");
  CHECK(errors_of(text) ==
        "s.yaml:11:54: timeline[0].deploy.build: build 2 does not exist at 5m (1 build(s) by "
        "then: the first commit, then one per merge)\n");
}

TEST_CASE("Ranges are drawn from the seed: the same seed gives the same world", "[loader]") {
  const auto text = with(kMinimal, "  - at: 10m", "  - at: [5m, 15m]");
  std::set<core::DurationMs> drawn;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const auto a = load_scenario_text("s.yaml", text, seed);
    const auto b = load_scenario_text("s.yaml", text, seed);
    REQUIRE(a.ok());
    CHECK(a.scenario->timeline[0].at_ms == b.scenario->timeline[0].at_ms);
    CHECK(a.scenario->timeline[0].at_ms >= 300'000);
    CHECK(a.scenario->timeline[0].at_ms <= 900'000);
    drawn.insert(a.scenario->timeline[0].at_ms);
  }
  CHECK(drawn.size() > 10);
}

}  // namespace kiln::scenario

namespace kiln::scenario {

TEST_CASE("A metric expectation needs a name and something to compare with", "[loader]") {
  const std::string metric =
      "  - end: true\n    that: metric\n    name: kiln_builds_total\n    min: 1\n";
  CHECK(errors_of(std::string(kMinimal) + metric) == "<ok>");
  CHECK_THAT(errors_of(std::string(kMinimal) + "  - end: true\n    that: metric\n    min: 1\n"),
             Catch::Contains("missing required field 'name' of metric"));
  CHECK_THAT(errors_of(std::string(kMinimal) +
                       "  - end: true\n    that: metric\n    name: kiln_builds_total\n"),
             Catch::Contains("expected value, min or max"));
  CHECK_THAT(errors_of(std::string(kMinimal) + "  - end: true\n    that: metric\n    name: x\n"
                                               "    labels: {a: [1]}\n    value: 1\n"),
             Catch::Contains("labels: expected a map of label to string"));
}

}  // namespace kiln::scenario

namespace kiln::scenario {
namespace {

const std::string kBlueGreen = R"(name: bg
description: a blue-green job
seed: 3
duration: 1h
repo:
  - name: orders
    target: production
    deployVersion: 1
    strategy: blue-green
    healthSeconds: 60
    workload: {kind: streaming}
expect:
  - end: true
    that: deployed
    job: orders
    target: production
)";

}  // namespace

// Each of these once loaded and then aborted `kiln scenario run` (an uncaught json type_error
// when the predicate read its argument); now the loader refuses them at their line.
TEST_CASE("wrongly typed expectation arguments are errors at their line", "[loader]") {
  const std::string lock = kBlueGreen + "  - end: true\n    that: lock\n    job: orders\n";
  CHECK(errors_of(lock + "    target: 0\n    version: 1\n") ==
        "s.yaml:20:13: expect[1].target: expected a string; got an integer (0)\n");
  CHECK(errors_of(kBlueGreen + "  - end: true\n    that: lag\n    job: orders\n"
                               "    target: [production]\n    max: 5\n") ==
        "s.yaml:20:13: expect[1].target: expected a string; got a sequence\n");
  CHECK(errors_of(kBlueGreen + "  - end: true\n    that: runs\n    job: orders\n"
                               "    target: production\n    version: 1m30\n") ==
        "s.yaml:21:14: expect[1].version: expected an integer from 0 to 1000000000; got a "
        "string ('1m30')\n");
  CHECK(errors_of(kBlueGreen + "  - end: true\n    that: deployment\n    job: orders\n"
                               "    target: production\n    nth: first\n") ==
        "s.yaml:21:10: expect[1].nth: expected an integer from 1 to 1000000000; got a string "
        "('first')\n");
  CHECK(errors_of(kBlueGreen + "  - end: true\n    that: events\n    type: stream.lock\n"
                               "    at_least: many\n") ==
        "s.yaml:20:15: expect[1].at_least: expected an integer from 0 to 1000000000; got a "
        "string ('many')\n");
  CHECK(errors_of(kBlueGreen + "  - end: true\n    that: deployment\n    job: orders\n"
                               "    target: production\n    phases: [prepare, 3]\n") ==
        "s.yaml:21:13: expect[1].phases: expected a list of strings; got a sequence\n");
  // A value that is not UTF-8 never reaches the events predicate (whose verdict dumps it).
  CHECK(errors_of(kBlueGreen + "  - end: true\n    that: events\n    type: stream.lock\n"
                               "    holder: dep\xff\n") ==
        "s.yaml:20:16: byte \\xff is not UTF-8; expected a UTF-8 file\n");
  CHECK(errors_of(kBlueGreen + "  - end: true\n    that: lock\n    job: orders\n"
                               "    target: production\n    version: 1\n") == "<ok>");
}

TEST_CASE("a merge with a wrongly typed target does not trip the stream checks", "[loader]") {
  const std::string text =
      with(kBlueGreen, "expect:\n",
           "timeline:\n  - at: 10m\n    merge: {name: orders, target: 5, strategy: 7}\n"
           "expect:\n  - end: true\n    that: lock\n    stream: orders-production\n"
           "    holder: \"\"\n");
  const std::string got = errors_of(text);
  CHECK_THAT(got, Catch::Contains("timeline[0].merge.target: expected a non-empty string"));
  CHECK(got.find("internal error") == std::string::npos);
}

}  // namespace kiln::scenario
