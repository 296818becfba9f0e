#include "platform/scenario/report.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "platform/scenario/loader.h"
#include "platform/scenario/report_timeline.h"

namespace kiln::scenario {
namespace {

const std::string kScenario = R"(name: report-test
description: a merge, a crash during its deploy, an outage and a rollback by hand
seed: 5
duration: 3h
repo:
  - name: orders
    target: production
    deployVersion: 1
    workload: {kind: streaming}
  - name: payments
    target: production
    deployVersion: 4
    workload: {kind: streaming}
timeline:
  - at: 20m
    api_outage: {for: 5m}
  - at: 30m
    merge: {name: orders, target: production, deployVersion: 2}
  - at: 31m
    crash: {restart_after: 2m}
  - at: 1h20m
    note: "<b>look</b> & 'see'"
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
    version: 7
  - always: true
    that: one_active_run
)";

Scenario load(const std::string& text) {
  auto loaded = load_scenario_text("t.yaml", text);
  INFO((loaded.ok() ? std::string() : loaded.diagnostics.front().to_string()));
  REQUIRE(loaded.ok());
  return *loaded.scenario;
}

RunResult run(const Scenario& s) {
  RunOptions options;
  options.keep_events = true;
  auto result = run_scenario(s, options);
  REQUIRE(result.error.empty());
  return result;
}

std::string report_of(const Scenario& s, const RunResult& r) {
  std::ostringstream out;
  write_report(s, r, out);
  return out.str();
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string without(std::string text, const std::string& line) {
  const auto at = text.find(line);
  REQUIRE(at != std::string::npos);
  return text.erase(at, line.size());
}

}  // namespace

TEST_CASE("The report is one self-contained page with one SVG timeline", "[report]") {
  const auto s = load(kScenario);
  const auto html = report_of(s, run(s));
  CHECK_THAT(html, Catch::StartsWith("<!doctype html>") && Catch::EndsWith("</html>\n"));
  CHECK(count(html, "<svg") == 1);
  CHECK(count(html, "</svg>") == 1);
  CHECK(html.find("<svg") < html.find("</svg>"));
  CHECK(count(html, "<script") == 0);
  CHECK(count(html, "src=") == 0);
  CHECK(count(html, "<link") == 0);
  CHECK(count(html, "<g") == count(html, "</g>"));
  CHECK(count(html, "<tr>") == count(html, "</tr>"));
}

TEST_CASE("The report gives every expectation with its verdict and the summary", "[report]") {
  const auto s = load(kScenario);
  const auto r = run(s);
  const auto html = report_of(s, r);
  CHECK_THAT(html, Catch::Contains("<h1>report-test</h1>"));
  CHECK_THAT(html, Catch::Contains(">2 PASS</span>") && Catch::Contains(">1 FAIL</span>"));
  CHECK_THAT(html, Catch::Contains(replay_command(s)) && Catch::Contains(r.fingerprint));
  REQUIRE(r.verdicts.size() == 3);
  for (const auto& v : r.verdicts) {
    const auto& x = s.expectations[v.index];
    const std::string verdict = v.holds ? "PASS" : "FAIL";
    INFO(x.describe());
    CHECK_THAT(html, Catch::Contains("<td class=\"" + verdict + "\">" + verdict +
                                     "</td><td class=\"where\">" + x.where.to_string() +
                                     "</td><td>" + report::escape(x.describe()) + "</td>"));
  }
  CHECK_FALSE(r.verdicts[1].holds);
  CHECK_THAT(html, Catch::Contains("<g class=\"verdict fail\"><title>#2 FAIL"));
}

TEST_CASE("Each job version gets a lane with its runs", "[report]") {
  const auto s = load(kScenario);
  const auto r = run(s);
  const auto html = report_of(s, r);
  for (const auto* lane :
       {"orders/production v1", "orders/production v2", "payments/production v4"}) {
    CHECK_THAT(html,
               Catch::Contains(std::string("<title>") + lane + "</title>" + lane + "</text>"));
  }
  std::size_t runs = 0;
  for (const auto& e : r.kept) {
    if (e.type != "run.state") continue;
    ++runs;
    CHECK_THAT(html, Catch::Contains("run " + e.fields["run_id"].dump() + " of job "));
  }
  CHECK(runs > 0);
}

TEST_CASE("Runs go to the lane of the version whose deployment started them", "[report]") {
  const auto s = load(kScenario);
  const auto t = report::build_timeline(s, run(s));
  REQUIRE(t.lanes.size() == 3);
  const auto& v1 = t.lanes[0];
  const auto& v2 = t.lanes[1];
  CHECK(v1.label() == "orders/production v1");
  CHECK(v2.label() == "orders/production v2");
  CHECK(t.lanes[2].label() == "payments/production v4");
  // v1: the first deploy's run, stopped at the merge's deploy, and the rollback's run.
  REQUIRE(v1.runs.size() == 2);
  CHECK(v1.runs[0].to_ms < 31 * 60'000);
  CHECK(v1.runs[1].from_ms >= 2 * 3'600'000);
  REQUIRE(v2.runs.size() == 1);
  CHECK(v2.runs[0].from_ms >= 30 * 60'000);
  CHECK(v2.runs[0].end_css == "end-CANCELED");  // stopped by the rollback
  CHECK(v1.deployments.size() == 2);
  CHECK(v2.deployments.size() == 1);
  const auto& d = t.deployments.at(v2.deployments[0]);
  CHECK(d.status == "succeeded");
  CHECK(d.requested_by == "cd:production");
  std::vector<std::string> phases;
  for (const auto& p : d.phases) phases.push_back(p.name + " " + p.outcome);
  CHECK(phases == std::vector<std::string>{"prepare succeeded", "job succeeded", "stop succeeded",
                                           "start succeeded", "wait succeeded"});
  REQUIRE(v2.bands.size() == 1);
  CHECK(v2.bands[0].name == "settings");
}

TEST_CASE("A crash is marked and kiln's downtime shaded", "[report]") {
  const auto s = load(kScenario);
  const auto html = report_of(s, run(s));
  CHECK_THAT(html, Catch::Contains("<g class=\"mark mark-crash\"><title>kiln crashes at 0:31:00"));
  CHECK_THAT(html, Catch::Contains("<g class=\"mark mark-start\"><title>kiln restarts at 0:33:00"));
  CHECK_THAT(html,
             Catch::Contains("<g class=\"win-down\"><title>kiln is down from 0:31:00 to 0:33:00"));
  CHECK_THAT(html,
             Catch::Contains("<g class=\"win-api_outage\"><title>API outage 5m from 0:20:00"));

  const auto calm = load(without(kScenario, "  - at: 31m\n    crash: {restart_after: 2m}\n"));
  const auto calm_html = report_of(calm, run(calm));
  CHECK(count(calm_html, "class=\"mark mark-crash\"") == 0);
  CHECK(count(calm_html, "class=\"win-down\"") == 0);
}

TEST_CASE("Text from the scenario file is escaped", "[report]") {
  std::string text = kScenario;
  const auto line = text.find("description: ");
  text.replace(line, text.find('\n', line) - line,
               "description: \"<script>alert('x')</script> & a merge\"");
  const auto s = load(text);
  const auto html = report_of(s, run(s));
  CHECK(count(html, "<script") == 0);
  CHECK_THAT(html,
             Catch::Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; a merge"));
  CHECK_THAT(html, Catch::Contains("note: &lt;b&gt;look&lt;/b&gt; &amp; &#39;see&#39;"));
  CHECK(count(html, "<b>") == 0);
}

TEST_CASE("The same result gives the same report byte for byte", "[report]") {
  const auto s = load(kScenario);
  auto a = run(s);
  auto b = run(s);
  REQUIRE(a.fingerprint == b.fingerprint);
  // Wall time is measured, not simulated: the one part two runs may not share.
  b.wall_s = a.wall_s;
  CHECK(report_of(s, a) == report_of(s, b));
}

TEST_CASE("The time axis reads in hours up to a day and in days for months", "[report]") {
  Scenario s;
  s.name = "axis";
  s.file = "axis.yaml";
  RunResult r;
  r.simulated_ms = 90 * 60'000;
  auto html = report_of(s, r);
  CHECK_THAT(html, Catch::Contains(">0:10</text>") && Catch::Contains(">1:30</text>"));
  r.simulated_ms = 100LL * 86'400'000;
  html = report_of(s, r);
  CHECK_THAT(html, Catch::Contains(">14d</text>") && Catch::Contains(">98d</text>"));
  CHECK(count(html, "d</text>") <= 12);
}

TEST_CASE("Durations read short", "[report]") {
  CHECK(report::short_duration(350) == "350ms");
  CHECK(report::short_duration(4'250) == "4.2s");
  CHECK(report::short_duration(45'000) == "45s");
  CHECK(report::short_duration(187'000) == "3m07s");
  CHECK(report::short_duration(300'000) == "5m");
  CHECK(report::short_duration(7'500'000) == "2h05m");
  CHECK(report::short_duration(3LL * 86'400'000) == "3d");
  CHECK(report::clock_text(3'723'000) == "1:02:03");
}

}  // namespace kiln::scenario
