#include "platform/deploy/strategy.h"

#include <catch2/catch.hpp>

#include "platform/deploy/blue_green_strategy.h"
#include "platform/deploy/simple_strategy.h"

namespace kiln::deploy {
namespace {

using nlohmann::json;

// Reads a stored state as a step does and stores it again.
std::string round_trip(store::Strategy kind, const std::string& stored) {
  const json j = json::parse(stored);
  const auto state = j.get<DeployState>();
  auto strategy = make_strategy(kind);
  const bool known_phase = strategy->load(j);
  REQUIRE((known_phase || state.stage != Stage::kPlaying));
  return stored_state(state, *strategy).dump();
}

TEST_CASE("a stored simple deploy state reads back byte for byte") {
  const std::string stored =
      R"({"cancelled":[4,7],"deployment_id":3,"job_id":12,"phase":"wait","phase_started_ms":900,)"
      R"("prepared":"build b1","quota_since":50,"run_id":8,"run_state":"PENDING","seq":4,)"
      R"("settings":{"name":"orders"},"unpaused":true})";
  CHECK(round_trip(store::Strategy::kSimple, stored) == stored);
}

TEST_CASE("a stored blue-green deploy state reads back byte for byte") {
  const std::string stored =
      R"({"blue_green":{"abort_reason":"","blue_holder":"deployment-2","green_held":true,)"
      R"("green_job_id":31,"health_ms":60000,"running_ms":1200,"stream":"orders",)"
      R"("superseded":false},"cancelled":[],"deployment_id":3,"job_id":12,"phase":"stop-blue",)"
      R"("phase_started_ms":900,"run_id":8,"run_state":"RUNNING","seq":5,"settings":null,)"
      R"("unpaused":false})";
  CHECK(round_trip(store::Strategy::kBlueGreen, stored) == stored);
}

TEST_CASE("the workflow's own stages are stored under their names") {
  const std::string stored =
      R"({"cancelled":[],"deployment_id":3,"phase":"rollback","phase_started_ms":0,)"
      R"("rollback_build":"b0","run_state":"","seq":2,"settings":null,"unpaused":false})";
  const json j = json::parse(stored);
  CHECK(j.get<DeployState>().stage == Stage::kRollback);
  CHECK(round_trip(store::Strategy::kSimple, stored) == stored);
}

TEST_CASE("a phase that is not the strategy's is reported, not guessed") {
  SimpleStrategy simple;
  CHECK_FALSE(simple.load(json{{"phase", "health"}}));
  BlueGreenStrategy blue_green;
  CHECK_FALSE(blue_green.load(json{{"phase", "wait"}}));
  CHECK(blue_green.load(json{{"phase", "stop-blue"}}));
  CHECK(blue_green.phase_name() == "stop-blue");
}

}  // namespace
}  // namespace kiln::deploy
