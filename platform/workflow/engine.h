// Engine: runs workflows stored in the MetadataStore. Each open workflow has a wake-up time; when
// it is due the engine calls its kind's step() and commits the answer with commit_step() (new
// state, status, wake-up, attempt and side records in one transaction, guarded by the row's
// version). Nothing of a workflow lives only in memory: destroying the engine at any instant and
// starting a new one over the same store resumes every open workflow (the step in flight, if
// any, runs again; kinds make their activities idempotent).
//
// Time comes only from the Clock, so on a SimulatedLoop a run is deterministic: due workflows
// start in (wake_at_ms, id) order and ties never depend on memory addresses.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/clock/clock.h"
#include "platform/store/metadata_store.h"
#include "platform/workflow/workflow_kind.h"

namespace kiln::workflow {

struct EngineOptions {
  std::size_t max_in_flight = 64;  // steps running at once; the rest wait their turn
  // How often the engine re-reads due workflows from the store, to pick up workflows another
  // process created or woke; 0: only when poke() is called.
  core::DurationMs rescan_ms = 0;
  // Wait before stepping again after a commit failed for a reason other than a stale version
  // (the store was busy or failing).
  core::DurationMs store_retry_ms = 1'000;
};

struct EngineCounters {
  std::uint64_t steps = 0;         // steps started
  std::uint64_t commits = 0;       // steps committed (continue and finish)
  std::uint64_t idle_polls = 0;    // steps that changed nothing, so were not committed
  std::uint64_t retries = 0;       // failed attempts committed for a later retry
  std::uint64_t timeouts = 0;      // steps that did not answer within step_timeout_ms
  std::uint64_t gave_up = 0;       // workflows finished by give_up()
  std::uint64_t conflicts = 0;     // commits refused for a stale version
  std::uint64_t store_errors = 0;  // commits or reads that failed otherwise
  std::uint64_t finished = 0;      // workflows that reached done or failed
};

// Called after every committed step with the workflow as stored.
using StepObserver = std::function<void(const store::Workflow&)>;
// The same with the side records the step wrote (exactly what changed in this commit).
using CommitObserver = std::function<void(const store::Workflow&, const store::StepWrites&)>;

class Engine {
 public:
  // `clock` and `store` must outlive the engine.
  Engine(core::Clock& clock, store::MetadataStore& store, EngineOptions options = {});
  // Stops: pending timers are cancelled and answers of steps in flight are ignored.
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Registers a kind (which must outlive the engine). A workflow of an unknown kind is left
  // alone (logged in counters as a store error) rather than failed: a newer kiln may own it.
  void add_kind(WorkflowKind& kind);

  // Loads every open workflow and schedules each at its wake-up. Call once, after add_kind.
  void start();

  // Creates a workflow and schedules it.
  store::Result<store::Workflow> create(const store::NewWorkflow& workflow);

  // Re-reads the open workflows (after another component created or changed one) and schedules
  // any the engine does not know of.
  void poke();

  // Schedules workflow `id` to step at once (a deploy finished; the one queued behind it may go).
  void wake(std::int64_t id);

  // Adds an observer; every observer is called after each commit, in the order added.
  void on_step(StepObserver observer) {
    observers_.push_back(
        [o = std::move(observer)](const store::Workflow& w, const store::StepWrites&) { o(w); });
  }
  void on_commit(CommitObserver observer) { observers_.push_back(std::move(observer)); }
  const EngineCounters& counters() const { return counters_; }
  // The last store failure the engine absorbed (for logs); "" if none.
  const std::string& last_store_error() const { return last_store_error_; }
  std::size_t in_flight() const { return in_flight_.size(); }
  // Workflows the engine has scheduled or is stepping.
  std::size_t tracked() const { return timers_.size() + in_flight_.size() + ready_.size(); }

 private:
  struct InFlight {
    std::uint64_t generation = 0;
    core::TimerId timeout = 0;
    std::shared_ptr<bool> abandoned;  // shared with the step (StepContext::abandoned)
  };
  void schedule(std::int64_t id, core::TimeMs at_ms);
  void due(std::int64_t id);
  void pump();
  void begin(const store::Workflow& workflow);
  void answered(std::int64_t id, std::uint64_t generation, Step step);
  void timed_out(std::int64_t id, std::uint64_t generation);
  void commit(const store::Workflow& workflow, const store::WorkflowStep& step);
  void failed_attempt(const store::Workflow& workflow, WorkflowKind& kind,
                      const std::string& reason);
  void arm_rescan();

  core::Clock& clock_;
  store::MetadataStore& store_;
  EngineOptions options_;
  std::map<std::string, WorkflowKind*, std::less<>> kinds_;
  std::map<std::int64_t, core::TimerId> timers_;  // scheduled, not yet due
  std::deque<std::int64_t> ready_;                // due, waiting for a free slot (FIFO)
  std::set<std::int64_t> ready_set_;
  std::map<std::int64_t, InFlight> in_flight_;
  std::map<std::int64_t, store::Workflow> stepping_;  // the workflow as read for its step
  std::set<std::int64_t> rewake_;  // woken while stepping: step again once committed
  bool pumping_ = false;
  std::string last_store_error_;
  std::uint64_t next_generation_ = 1;
  core::TimerId rescan_timer_ = 0;
  EngineCounters counters_;
  std::vector<CommitObserver> observers_;
  // Shared with callbacks so that an answer arriving after the engine is gone does nothing.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace kiln::workflow
