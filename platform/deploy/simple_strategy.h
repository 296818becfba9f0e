// The simple strategy: the new version replaces the old one in the same Databricks job. Its
// phases, after the workflow's prepare:
//
//   job    create the Databricks job, or reset it to the new settings (found by its id, or by
//          its kiln tags when a create's answer was lost)
//   stop   cancel the old version's active runs and wait until they have ended
//   start  run-now with the deployment's idempotency token (a continuous job: unpause it)
//   wait   wait until the new run is RUNNING (or, with wait_for first-run-end, has ended)
//
// Since the old run is stopped before the new one starts, two versions never run at once. A
// failure after the job was changed (stop, start, wait) asks for a rollback.
#pragma once

#include "platform/deploy/strategy.h"

namespace kiln::deploy {

struct RunState;

class SimpleStrategy final : public Strategy {
 public:
  enum class Phase { kJob, kStop, kStart, kWait };

  bool load(const nlohmann::json& state) override;
  void save(nlohmann::json& state) const override;
  std::string phase_name() const override;
  std::string admit(DeployStep& step) override;
  void play(DeployStep& step) override;
  bool changed_job() const override;

 private:
  struct State {
    Phase phase = Phase::kJob;
    bool unpaused = false;  // a continuous job was unpaused to start its run
  };

  void advance(Phase next, const std::string& reason, store::StepWrites writes = {});
  // job
  void create_or_reset();
  void find_or_create(const std::string& note);
  void create(const std::string& note);
  void reset(std::int64_t job_id, const std::string& how);
  // stop, start, wait
  void stop_old_runs();
  void start_new_run();
  void find_continuous_run();
  void wait_for_run();
  void ended(const std::string& what, const RunState& run, store::StepWrites writes);

  State state_;
  DeployStep* step_ = nullptr;  // the step being played (set by admit and play)
};

}  // namespace kiln::deploy
