// The blue-green strategy, for streaming jobs that share a writer lock and checkpoint
// (core/streams/writer_lock.h). Blue is the live Databricks job (DeployState::job_id); green is
// a second job made for this deployment. Nothing touches blue before green holds the stream's
// writer lock. Its phases, after the workflow's prepare (the timeline is in docs/deploys.md):
//
//   green      t0: name green (this deployment) the stream's preferred holder; create green as
//              a separate Databricks job (found by its kiln_deployment tag after a lost answer)
//              and start its run with the deployment's idempotency token. Blue is not touched.
//   running    wait until green's run is RUNNING (t1), within start_timeout_ms
//   health     from t1 for healthSeconds green must keep running, catch up and take the lock
//              and keep it; at t2 = t1 + healthSeconds it must hold the lock (or get it within
//              catch_up_timeout_ms more)
//   stop-blue  with green holding the lock: stop blue's runs, then delete (or park) blue's job;
//              green becomes the job's live Databricks job
//   abort      any failure after t0: the preferred holder goes back to blue, green's run is
//              cancelled and its job deleted; the deployment ends aborted (or superseded, when
//              a newer request for the job came in before blue was stopped). Blue runs on.
#pragma once

#include <functional>
#include <optional>

#include "core/streams/writer_lock.h"
#include "platform/deploy/strategy.h"

namespace kiln::deploy {

struct RunState;

class BlueGreenStrategy final : public Strategy {
 public:
  enum class Phase { kGreen, kRunning, kHealth, kStopBlue, kAbort };

  bool load(const nlohmann::json& state) override;
  void save(nlohmann::json& state) const override;
  std::string phase_name() const override;
  void prepare(const config::JobConfig& config) override;
  std::string admit(DeployStep& step) override;
  void play(DeployStep& step) override;
  // Before blue is touched (green, running, health) a failure aborts: green goes, blue stays.
  workflow::Step failure(PhaseEnd end, const std::string& reason) override;
  workflow::Step gave_up(PhaseEnd end, const std::string& reason) override;

 private:
  struct State {
    Phase phase = Phase::kGreen;
    std::string stream;  // whose writer lock the versions share
    core::DurationMs health_ms = 0;
    std::string blue_holder;  // the live version's holder id ("" : no blue)
    std::optional<std::int64_t> green_job_id;
    std::optional<core::TimeMs> running_ms;  // t1: green's run was first seen RUNNING
    bool green_held = false;                 // green has held the lock since t1
    std::string abort_reason;
    bool superseded = false;  // the abort is for a newer request
  };

  bool abortable() const;
  // Ends the running phase failed and opens the abort phase.
  workflow::Step abort_step(PhaseEnd end, const std::string& reason, bool superseded);
  void advance(Phase next, const std::string& reason, store::StepWrites writes = {});
  void abort(const std::string& reason, bool superseded = false);
  std::optional<streams::LockState> lock_state(std::string* error) const;
  store::Run green_run_row(const RunState& run) const;

  // green, running, health (blue_green_start.cc)
  void start_green();
  void find_green(std::function<void(std::optional<std::int64_t>)> found);
  void find_green_or_create();
  void start_green_run(std::optional<std::int64_t> unparked = std::nullopt);
  void find_green_continuous_run();
  void wait_for_green();
  void check_health();
  // stop-blue, abort (blue_green_handover.cc)
  void stop_blue();
  void remove_blue();
  void abort_green();
  void end_aborted();

  State state_;
  DeployStep* step_ = nullptr;  // the step being played (set by admit and play)
};

}  // namespace kiln::deploy
