// How a deployment replaces the live version of its job: simple (stop the old run, then start
// the new one; simple_strategy.h) or blue-green (start green beside blue, hand the stream's
// writer lock over, then stop blue; blue_green_strategy.h). The deploy workflow makes one for
// every step from the deployment's strategy (the job config's) and the stored state, and drives
// it through this interface; the strategy owns its fields of that state and its phases.
#pragma once

#include <array>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "platform/config/job_config.h"
#include "platform/deploy/deploy_state.h"
#include "platform/store/metadata_store.h"
#include "platform/workflow/workflow_kind.h"

namespace kiln::deploy {

struct DeployParts;
class DeployStep;
struct JobSource;

// What a step that ends the running phase is made of.
struct PhaseEnd {
  const DeployParts& parts;
  DeployState state;  // a copy: the final step's state is made from it
  const store::Deployment& deployment;
  core::TimeMs now = 0;
};

class Strategy {
 public:
  virtual ~Strategy() = default;

  // Its fields of the stored state, and its running phase. load throws
  // nlohmann::json::exception for a malformed field and returns false if the state's "phase"
  // is none of its phases (it is then only meaningful in Stage::kPlaying).
  virtual bool load(const nlohmann::json& state) = 0;
  virtual void save(nlohmann::json& state) const = 0;
  // The running phase's name, as stored and in the deployment's history ("job", "green", ...).
  virtual std::string phase_name() const = 0;

  // Its fields read from the job's config, when the deploy reads the job's build.
  virtual void prepare(const config::JobConfig& config) { (void)config; }
  // At admit, with the job prepared: "" (and it is in its first phase), or why it cannot
  // deploy.
  virtual std::string admit(DeployStep& step) = 0;
  // Plays the running phase for one step: its calls, then exactly one answer through `step`,
  // which lives until its last call has answered.
  virtual void play(DeployStep& step) = 0;

  // The step that records a failure of the running phase: by default the deployment fails
  // (fail_deployment, deploy_step.h).
  virtual workflow::Step failure(PhaseEnd end, const std::string& reason);
  // The same once the engine gave up on the running phase (its retries ran out).
  virtual workflow::Step gave_up(PhaseEnd end, const std::string& reason) {
    return failure(std::move(end), reason);
  }
  // True if the running phase may have changed the live job, so that its failure asks for a
  // rollback (DeployOptions::rollback_on_failure).
  virtual bool changed_job() const { return false; }
};

std::unique_ptr<Strategy> make_strategy(store::Strategy kind);

// The workflow's state as stored: `state`'s fields, the strategy's, and "phase".
nlohmann::json stored_state(const DeployState& state, const Strategy& strategy);

// Fills state.settings and prepared, and the strategy's fields, from the job's build: "", or
// the error message if kiln refuses the config's settings.
std::string prepare(DeployState& state, Strategy& strategy, const JobSource& source,
                    const std::string& build_id);

// The stored state of a deployment just queued (prepared from `source` if kiln accepts its
// settings; if not, the workflow records the failure).
nlohmann::json queued_state(std::int64_t deployment_id, store::Strategy kind,
                            const JobSource& source, const std::string& build_id);

// A phase enum's stored names (each strategy has one table).
template <class Phase, std::size_t N>
using PhaseNames = std::array<std::pair<Phase, const char*>, N>;

template <class Phase, std::size_t N>
const char* name_of(const PhaseNames<Phase, N>& names, Phase phase) {
  for (const auto& [p, name] : names) {
    if (p == phase) return name;
  }
  return "";
}

template <class Phase, std::size_t N>
std::optional<Phase> phase_named(const PhaseNames<Phase, N>& names, std::string_view name) {
  for (const auto& [p, n] : names) {
    if (name == n) return p;
  }
  return std::nullopt;
}

}  // namespace kiln::deploy
