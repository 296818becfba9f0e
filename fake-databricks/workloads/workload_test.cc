#include "fake-databricks/workloads/workload.h"

#include <catch2/catch.hpp>

using namespace fakedb::workloads;
using nlohmann::json;

TEST_CASE("every distribution form parses and draws within its bounds") {
  kiln::core::Random r(1);
  CHECK(Distribution::parse(1500, "d").value().draw_ms(r) == 1500);
  CHECK(Distribution::parse({{"fixed", 20}}, "d").value().draw_ms(r) == 20);
  const auto u = Distribution::parse({{"uniform", {100, 200}}}, "d").value();
  for (int i = 0; i < 100; ++i) {
    const auto v = u.draw_ms(r);
    REQUIRE(v >= 100);
    REQUIRE(v <= 200);
  }
  const auto ln = Distribution::parse({{"lognormal", {300000, 0.3}}}, "d").value();
  double sum = 0;
  for (int i = 0; i < 2000; ++i) sum += static_cast<double>(ln.draw_ms(r));
  CHECK(sum / 2000 == Approx(300000 * 1.046).epsilon(0.05));  // mean = median * exp(sigma^2 / 2)
  CHECK(Distribution::parse({{"exponential", 50}}, "d").ok());
  CHECK(Distribution::parse({{"normal", {100, 10}}}, "d").value().draw_ms(r) > 0);
}

TEST_CASE("a bad distribution names its field and the forms expected") {
  auto e = Distribution::parse({{"uniform", {200, 100}}}, "workloads.default.duration_ms");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message == "workloads.default.duration_ms.uniform: expected 0 <= lo <= hi");
  e = Distribution::parse({{"poisson", 3}}, "x");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message.find("x: expected a number of milliseconds or one of") == 0);
  CHECK_FALSE(Distribution::parse("fast", "x").ok());
  CHECK_FALSE(Distribution::parse(json::object(), "x").ok());
  CHECK_FALSE(Distribution::parse({{"lognormal", {0, 1}}}, "x").ok());
}

TEST_CASE("workload rules match by job task and path globs with the first match winning") {
  auto catalog = WorkloadCatalog::parse(
      {{{"match", {{"path", "*/stream_*"}}}, {"model", {{"kind", "streaming"}}}},
       {{"match", {{"job", "etl-*"}, {"task", "load"}}},
        {"model", {{"kind", "batch"}, {"failure_probability", 1}}}}},
      "rules");
  REQUIRE(catalog.ok());
  const json stream = {{"notebook_task", {{"notebook_path", "/x/stream_orders"}}}};
  const json plain = {{"spark_python_task", {{"python_file", "/x/load.py"}}}};
  CHECK(catalog->model_for("etl-1", "load", stream).kind == Kind::streaming);
  CHECK(catalog->model_for("etl-1", "load", plain).failure_probability == 1);
  CHECK(catalog->model_for("other", "load", plain).failure_probability == 0);  // the default
}

TEST_CASE("a bad workload rule names the rule and the field") {
  auto e = WorkloadCatalog::parse({{{"match", {{"file", "*"}}}, {"model", {{"kind", "batch"}}}}},
                                  "workloads.rules");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message ==
        "workloads.rules[0].match.file: unknown field (expected job, task, path)");
  e = WorkloadCatalog::parse({{{"model", {{"kind", "sleepy"}}}}}, "workloads.rules");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message ==
        "workloads.rules[0].model.kind: expected one of batch, streaming, scripted");
}

TEST_CASE("scripted models fail on the listed attempts or hang or exit at a set time") {
  kiln::core::Random r(2);
  Model m =
      Model::parse({{"kind", "scripted"}, {"fail_on_attempts", {1}}, {"duration_ms", 1000}}, "m")
          .value();
  CHECK_FALSE(plan_attempt(m, 0, 0, r).fails);
  CHECK(plan_attempt(m, 1, 0, r).fails);
  CHECK(plan_attempt(m, 1, 0, r).run_ms == 1000);
  m = Model::parse({{"kind", "scripted"}, {"hang", true}}, "m").value();
  CHECK_FALSE(plan_attempt(m, 0, 0, r).run_ms.has_value());
  m = Model::parse({{"kind", "scripted"}, {"exit_at_ms", 5000}, {"exit_fails", true}}, "m").value();
  const auto p = plan_attempt(m, 0, 2000, r);
  CHECK(p.run_ms == 3000);
  CHECK(p.fails);
  m = Model::parse({{"kind", "streaming"}}, "m").value();
  CHECK_FALSE(plan_attempt(m, 0, 0, r).run_ms.has_value());
}

TEST_CASE("a streaming model reads its rate startup and tick and names a bad one") {
  const Model m = Model::parse({{"kind", "streaming"},
                                {"rate", 250.5},
                                {"startup_ms", {{"fixed", 4000}}},
                                {"tick_ms", 500}},
                               "m")
                      .value();
  CHECK(m.rate == 250.5);
  CHECK(m.startup_ms.kind == Distribution::Kind::fixed);
  CHECK(m.tick_ms == 500);
  const Model defaults = Model::parse({{"kind", "streaming"}}, "m").value();
  CHECK(defaults.rate == 150);
  CHECK(defaults.tick_ms == 1000);
  auto e = Model::parse({{"kind", "streaming"}, {"rate", 0}}, "workloads.default");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message.find("workloads.default.rate: expected positions per second") == 0);
  e = Model::parse({{"tick_ms", 0.5}}, "m");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message == "m.tick_ms: expected an integer from 1 to 3600000 (milliseconds)");
  e = Model::parse({{"startup_ms", "soon"}}, "m");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message.find("m.startup_ms") == 0);
}
