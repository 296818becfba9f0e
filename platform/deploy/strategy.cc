#include "platform/deploy/strategy.h"

#include "platform/deploy/blue_green_strategy.h"
#include "platform/deploy/databricks_job.h"
#include "platform/deploy/deploy_step.h"
#include "platform/deploy/job_source.h"
#include "platform/deploy/simple_strategy.h"

namespace kiln::deploy {

using nlohmann::json;

workflow::Step Strategy::failure(PhaseEnd end, const std::string& reason) {
  return fail_deployment(std::move(end), *this, reason);
}

std::unique_ptr<Strategy> make_strategy(store::Strategy kind) {
  if (kind == store::Strategy::kBlueGreen) return std::make_unique<BlueGreenStrategy>();
  return std::make_unique<SimpleStrategy>();
}

json stored_state(const DeployState& state, const Strategy& strategy) {
  json j = state;
  strategy.save(j);
  j["phase"] =
      state.stage == Stage::kPlaying ? strategy.phase_name() : std::string(stage_name(state.stage));
  return j;
}

namespace {

// The prepare phase's reason for a job read from its build.
std::string prepared_summary(const JobSource& source) {
  return "build " + source.build.build_id + " (commit " + source.build.commit_sha.substr(0, 12) +
         "): " + source.artifact.content_hash.substr(0, 12) + ", deployVersion " +
         std::to_string(source.config.deploy_version);
}

}  // namespace

std::string prepare(DeployState& state, Strategy& strategy, const JobSource& source,
                    const std::string& build_id) {
  auto settings = databricks_settings(source.config, {build_id, state.deployment_id});
  if (!settings.error.empty()) return settings.error;
  state.settings = std::move(settings.settings);
  state.prepared = prepared_summary(source);
  strategy.prepare(source.config);
  return "";
}

json queued_state(std::int64_t deployment_id, store::Strategy kind, const JobSource& source,
                  const std::string& build_id) {
  DeployState state;
  state.deployment_id = deployment_id;
  auto strategy = make_strategy(kind);
  if (!prepare(state, *strategy, source, build_id).empty()) {  // left to the workflow
    state = DeployState();
    state.deployment_id = deployment_id;
    strategy = make_strategy(kind);
  }
  return stored_state(state, *strategy);
}

}  // namespace kiln::deploy
