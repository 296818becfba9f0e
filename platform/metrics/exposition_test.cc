#include "platform/metrics/exposition.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform/metrics/metrics_testing.h"

namespace kiln::metrics {
namespace {

TEST_CASE("a counter and a gauge render with HELP and TYPE lines sorted by name then labels") {
  Registry r;
  auto gauge = r.gauge("kiln_b_gauge", "A gauge.");
  auto counter = r.counter("kiln_a_total", "A counter.");
  counter.inc({{"target", "prod"}, {"job", "orders"}}, 2);
  counter.inc({{"job", "billing"}, {"target", "prod"}});
  counter.inc({{"job", "billing"}, {"target", "prod"}});
  gauge.set({}, -1.5);
  CHECK(render_prometheus(r) ==
        "# HELP kiln_a_total A counter.\n"
        "# TYPE kiln_a_total counter\n"
        "kiln_a_total{job=\"billing\",target=\"prod\"} 2\n"
        "kiln_a_total{job=\"orders\",target=\"prod\"} 2\n"
        "# HELP kiln_b_gauge A gauge.\n"
        "# TYPE kiln_b_gauge gauge\n"
        "kiln_b_gauge -1.5\n");
}

TEST_CASE(
    "label values escape backslash quote and newline and help escapes backslash and "
    "newline") {
  Registry r;
  r.gauge("kiln_x", "Line one\nback\\slash \"quoted\"")
      .set({{"reason", "a \"b\"\nc\\d"}, {"plain", "ok: {x=1}"}}, 1);
  CHECK(render_prometheus(r) ==
        "# HELP kiln_x Line one\\nback\\\\slash \"quoted\"\n"
        "# TYPE kiln_x gauge\n"
        "kiln_x{plain=\"ok: {x=1}\",reason=\"a \\\"b\\\"\\nc\\\\d\"} 1\n");
}

TEST_CASE("a histogram renders cumulative buckets ending at +Inf then sum and count") {
  Registry r;
  auto h = r.histogram("kiln_d_seconds", "Durations.", {0.5, 1, 2.5});
  for (double v : {0.2, 0.5, 0.7, 3.0, 10.0}) h.observe({{"phase", "start"}}, v);
  h.observe({{"phase", "health"}}, 1);
  CHECK(render_prometheus(r) ==
        "# HELP kiln_d_seconds Durations.\n"
        "# TYPE kiln_d_seconds histogram\n"
        "kiln_d_seconds_bucket{phase=\"health\",le=\"0.5\"} 0\n"
        "kiln_d_seconds_bucket{phase=\"health\",le=\"1\"} 1\n"
        "kiln_d_seconds_bucket{phase=\"health\",le=\"2.5\"} 1\n"
        "kiln_d_seconds_bucket{phase=\"health\",le=\"+Inf\"} 1\n"
        "kiln_d_seconds_sum{phase=\"health\"} 1\n"
        "kiln_d_seconds_count{phase=\"health\"} 1\n"
        "kiln_d_seconds_bucket{phase=\"start\",le=\"0.5\"} 2\n"
        "kiln_d_seconds_bucket{phase=\"start\",le=\"1\"} 3\n"
        "kiln_d_seconds_bucket{phase=\"start\",le=\"2.5\"} 3\n"
        "kiln_d_seconds_bucket{phase=\"start\",le=\"+Inf\"} 5\n"
        "kiln_d_seconds_sum{phase=\"start\"} 14.4\n"
        "kiln_d_seconds_count{phase=\"start\"} 5\n");
}

TEST_CASE("a histogram without labels puts le alone in braces") {
  Registry r;
  r.histogram("kiln_h_seconds", "H.", {1}).observe({}, 0.25);
  CHECK(render_prometheus(r) ==
        "# HELP kiln_h_seconds H.\n"
        "# TYPE kiln_h_seconds histogram\n"
        "kiln_h_seconds_bucket{le=\"1\"} 1\n"
        "kiln_h_seconds_bucket{le=\"+Inf\"} 1\n"
        "kiln_h_seconds_sum 0.25\n"
        "kiln_h_seconds_count 1\n");
}

TEST_CASE("a family without series prints only its HELP and TYPE lines") {
  Registry r;
  r.counter("kiln_none_total", "Nothing yet.");
  CHECK(render_prometheus(r) ==
        "# HELP kiln_none_total Nothing yet.\n# TYPE kiln_none_total counter\n");
}

TEST_CASE("values print as integers or in their shortest exact form") {
  CHECK(format_value(0) == "0");
  CHECK(format_value(-0.0) == "0");
  CHECK(format_value(42) == "42");
  CHECK(format_value(-7) == "-7");
  CHECK(format_value(1795250652814.0) == "1795250652814");
  CHECK(format_value(1795250652.814) == "1795250652.814");
  CHECK(format_value(0.005) == "0.005");
  CHECK(format_value(0.1 + 0.2) == "0.30000000000000004");
  CHECK(format_value(1e300) == "1e+300");
  CHECK(format_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(format_value(std::nan("")) == "NaN");
}

TEST_CASE("counters only go up and set_total replaces a total") {
  Registry r;
  auto c = r.counter("kiln_c_total", "C.");
  c.inc({}, 2);
  c.inc({}, 0);
  CHECK(r.sample("kiln_c_total", {})->value == 2);
  c.set_total({}, 7);
  CHECK(r.sample("kiln_c_total", {})->value == 7);
  CHECK_THROWS_AS(c.inc({}, -1), std::logic_error);
  CHECK_THROWS_AS(c.set_total({}, std::nan("")), std::logic_error);
  CHECK(r.sample("kiln_c_total", {{"x", "y"}}) == nullptr);
}

TEST_CASE("the registry refuses names against the conventions and conflicting declarations") {
  Registry r;
  CHECK_THROWS_AS(r.counter("kiln_deploys", "no _total"), std::logic_error);
  CHECK_THROWS_AS(r.gauge("9lives", "starts with a digit"), std::logic_error);
  CHECK_THROWS_AS(r.gauge("kiln-dash", "dash"), std::logic_error);
  CHECK_THROWS_AS(r.histogram("kiln_h", "unsorted", {2, 1}), std::logic_error);
  CHECK_THROWS_AS(r.histogram("kiln_h", "infinite", {1, std::numeric_limits<double>::infinity()}),
                  std::logic_error);
  auto g = r.gauge("kiln_g", "G.");
  CHECK_THROWS_AS(g.set({{"bad-label", "x"}}, 1), std::logic_error);
  CHECK_THROWS_AS(g.set({{"__reserved", "x"}}, 1), std::logic_error);
  CHECK_THROWS_AS(r.histogram("kiln_h2", "H.", {1}).observe({{"le", "1"}}, 1), std::logic_error);
  CHECK_THROWS_AS(r.histogram("kiln_g", "G.", {1}), std::logic_error);
  CHECK_THROWS_AS(r.gauge("kiln_g", "Other help."), std::logic_error);
  CHECK_NOTHROW(r.gauge("kiln_g", "G."));
}

TEST_CASE("several registries render as one exposition by name and may not share a family") {
  Registry db;
  Registry events;
  db.gauge("kiln_b", "B.").set({}, 1);
  events.gauge("kiln_a", "A.").set({}, 2);
  events.gauge("kiln_c", "C.").set({}, 3);
  CHECK(render_prometheus({&db, &events}) ==
        "# HELP kiln_a A.\n# TYPE kiln_a gauge\nkiln_a 2\n"
        "# HELP kiln_b B.\n# TYPE kiln_b gauge\nkiln_b 1\n"
        "# HELP kiln_c C.\n# TYPE kiln_c gauge\nkiln_c 3\n");
  events.gauge("kiln_b", "B.");
  CHECK_THROWS_AS(render_prometheus({&db, &events}), std::logic_error);
}

TEST_CASE("the line-grammar check finds what breaks the text format") {
  using testing::format_problems;
  CHECK(format_problems("# HELP a A.\n# TYPE a gauge\na{x=\"1\"} 1.5e+3\n").empty());
  CHECK(format_problems("a 1\n").size() == 1);                              // no TYPE
  CHECK(format_problems("# TYPE a gauge\na 1").size() == 1);                // no final newline
  CHECK(format_problems("# TYPE a gauge\na{x=\"a\\q\"} 1\n").size() == 1);  // bad escape
  CHECK(format_problems("# TYPE a gauge\na{x=\"1\"} one\n").size() == 1);   // bad value
  CHECK(format_problems("# TYPE a gauge\n# TYPE b gauge\nb 1\na 1\n").size() == 1);  // split
  CHECK(format_problems("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n"
                        "h_sum 1\nh_count 1\n")
            .size() == 1);  // not cumulative
  CHECK(
      format_problems("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n").size() ==
      1);  // count differs
}

}  // namespace
}  // namespace kiln::metrics
