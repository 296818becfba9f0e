#include "platform/deploy/databricks_job.h"

#include <catch2/catch.hpp>

namespace kiln::deploy {
namespace {

using nlohmann::json;

config::JobConfig config_with(json settings) {
  config::JobConfig c;
  c.name = "orders";
  c.target = "production";
  c.deploy_version = 7;
  c.settings = std::move(settings);
  return c;
}

}  // namespace

TEST_CASE("The deployed settings carry the job's name and kiln's tags beside the config's own",
          "[databricks-job]") {
  const auto out = databricks_settings(
      config_with({{"tags", {{"team", "data"}}}, {"max_concurrent_runs", 1}}), {"b-1", 42});
  REQUIRE(out.error.empty());
  CHECK(out.settings["name"] == "orders");
  CHECK(out.settings["max_concurrent_runs"] == 1);
  CHECK(out.settings["tags"] == json{{"team", "data"},
                                     {"kiln_managed", "true"},
                                     {"kiln_job", "orders"},
                                     {"kiln_target", "production"},
                                     {"kiln_version", "7"},
                                     {"kiln_build", "b-1"},
                                     {"kiln_deployment", "42"}});
  CHECK(is_managed_job({{"job_id", 1}, {"settings", out.settings}}, "orders", "production"));
  CHECK_FALSE(is_managed_job({{"job_id", 1}, {"settings", out.settings}}, "orders", "dev"));
  CHECK_FALSE(
      is_managed_job({{"job_id", 1}, {"settings", {{"name", "orders"}}}}, "orders", "production"));
}

TEST_CASE("Config tags may not use kiln's keys nor pass the API's 25", "[databricks-job]") {
  CHECK_THAT(databricks_settings(config_with({{"tags", {{"kiln_build", "x"}}}}), {"b", 1}).error,
             Catch::Contains("settings.tags.kiln_build"));
  json tags = json::object();
  for (int i = 0; i < 19; ++i) tags["t" + std::to_string(i)] = "v";
  CHECK(databricks_settings(config_with({{"tags", tags}}), {"b", 1}).error.empty());
  tags["t19"] = "v";
  CHECK_THAT(databricks_settings(config_with({{"tags", tags}}), {"b", 1}).error,
             Catch::Contains("20 tags plus kiln's 6") && Catch::Contains("limit of 25"));
}

TEST_CASE("A continuous job's pause status is set and read; other jobs are left alone",
          "[databricks-job]") {
  const json continuous = {{"continuous", {{"task_retry_mode", "NEVER"}}}};
  CHECK(is_continuous(continuous));
  CHECK(continuous_pause_status(continuous) == "UNPAUSED");
  const auto paused = with_continuous_pause(continuous, "PAUSED");
  CHECK(paused["continuous"]["pause_status"] == "PAUSED");
  CHECK(paused["continuous"]["task_retry_mode"] == "NEVER");
  const json batch = {{"max_concurrent_runs", 1}};
  CHECK_FALSE(is_continuous(batch));
  CHECK(with_continuous_pause(batch, "PAUSED") == batch);
  CHECK(run_token(12) == "kiln-deployment-12");
}

}  // namespace kiln::deploy
