#include "platform/workflow/engine.h"

#include <utility>

#include "core/check/check.h"

namespace kiln::workflow {
namespace {

// Every open workflow in one read: the engine tracks them all (each is one timer).
constexpr std::size_t kAllOpen = 1'000'000'000;

bool is_empty(const store::StepWrites& w) {
  return !w.run && !w.job && w.phases.empty() && !w.deployment;
}

}  // namespace

Engine::Engine(core::Clock& clock, store::MetadataStore& store, EngineOptions options)
    : clock_(clock), store_(store), options_(options) {}

Engine::~Engine() {
  *alive_ = false;
  for (auto& [id, flight] : in_flight_) *flight.abandoned = true;
  for (const auto& [id, timer] : timers_) clock_.cancel(timer);
  for (const auto& [id, flight] : in_flight_) clock_.cancel(flight.timeout);
  if (rescan_timer_ != 0) clock_.cancel(rescan_timer_);
}

void Engine::add_kind(WorkflowKind& kind) {
  kinds_[std::string(kind.kind())] = &kind;
}

void Engine::start() {
  poke();
  arm_rescan();
}

void Engine::arm_rescan() {
  if (options_.rescan_ms <= 0) return;
  rescan_timer_ =
      clock_.schedule_after(options_.rescan_ms, [this, alive = std::weak_ptr<bool>(alive_)] {
        if (alive.expired()) return;
        rescan_timer_ = 0;
        poke();
        arm_rescan();
      });
}

store::Result<store::Workflow> Engine::create(const store::NewWorkflow& workflow) {
  auto created = store_.create_workflow(workflow);
  if (created) schedule(created->id, created->wake_at_ms);
  return created;
}

void Engine::poke() {
  auto open = store_.list_open_workflows(kAllOpen);
  if (!open) {
    ++counters_.store_errors;
    return;
  }
  for (const auto& w : *open) {
    if (!timers_.contains(w.id) && !in_flight_.contains(w.id) && !ready_set_.contains(w.id)) {
      schedule(w.id, w.wake_at_ms);
    }
  }
}

void Engine::wake(std::int64_t id) {
  // Due now whatever its stored wake-up says; if it is stepping, once that step commits.
  rewake_.insert(id);
  if (in_flight_.contains(id) || ready_set_.contains(id)) return;
  if (auto t = timers_.find(id); t != timers_.end()) {
    clock_.cancel(t->second);
    timers_.erase(t);
  }
  schedule(id, clock_.now_ms());
}

void Engine::schedule(std::int64_t id, core::TimeMs at_ms) {
  if (timers_.contains(id) || in_flight_.contains(id) || ready_set_.contains(id)) return;
  timers_[id] = clock_.schedule_at(at_ms, [this, id, alive = std::weak_ptr<bool>(alive_)] {
    if (alive.expired()) return;
    timers_.erase(id);
    due(id);
  });
}

void Engine::due(std::int64_t id) {
  if (in_flight_.contains(id) || !ready_set_.insert(id).second) return;
  ready_.push_back(id);
  pump();
}

void Engine::pump() {
  if (pumping_) return;  // a step answered inside begin(): the loop below carries on
  pumping_ = true;
  // Reset even if a step or an observer throws, or the engine would never step again.
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{pumping_};
  while (in_flight_.size() < options_.max_in_flight && !ready_.empty()) {
    const std::int64_t id = ready_.front();
    ready_.pop_front();
    ready_set_.erase(id);
    auto workflow = store_.get_workflow(id);
    if (!workflow) {
      ++counters_.store_errors;
      schedule(id, clock_.now_ms() + options_.store_retry_ms);
      continue;
    }
    if (workflow->status != store::WorkflowStatus::kOpen) continue;
    if (workflow->wake_at_ms > clock_.now_ms() && !rewake_.contains(id)) {
      schedule(id, workflow->wake_at_ms);  // moved later by another process
      continue;
    }
    rewake_.erase(id);
    begin(*workflow);
  }
}

void Engine::begin(const store::Workflow& workflow) {
  auto kind = kinds_.find(workflow.kind);
  if (kind == kinds_.end()) {
    ++counters_.store_errors;  // not ours to step; left open for a kiln that knows it
    return;
  }
  ++counters_.steps;
  const std::uint64_t generation = next_generation_++;
  const std::int64_t id = workflow.id;
  const auto timeout = kind->second->retry_policy().step_timeout_ms;
  InFlight flight{generation, 0, std::make_shared<bool>(false)};
  flight.timeout =
      clock_.schedule_after(timeout, [this, id, generation, alive = std::weak_ptr<bool>(alive_)] {
        if (!alive.expired()) timed_out(id, generation);
      });
  in_flight_[id] = flight;
  stepping_[id] = workflow;
  const StepContext context{clock_.now_ms(), workflow.attempt, flight.abandoned};
  kind->second->step(workflow, context,
                     [this, id, generation, alive = std::weak_ptr<bool>(alive_)](Step step) {
                       if (!alive.expired()) answered(id, generation, std::move(step));
                     });
}

void Engine::answered(std::int64_t id, std::uint64_t generation, Step step) {
  auto flight = in_flight_.find(id);
  if (flight == in_flight_.end() || flight->second.generation != generation) return;  // late
  clock_.cancel(flight->second.timeout);
  in_flight_.erase(flight);
  store::Workflow workflow = std::move(stepping_[id]);
  stepping_.erase(id);
  if (step.kind == Step::Kind::kRetry) {
    failed_attempt(workflow, *kinds_.at(workflow.kind), step.reason);
  } else if (step.kind == Step::Kind::kContinue && workflow.attempt == 0 &&
             step.state == workflow.state && is_empty(step.writes)) {
    // A poll that changed nothing: not worth a transaction. Only the wake-up is lost in a
    // crash, and the stored one (earlier) just makes the restarted engine poll at once.
    ++counters_.idle_polls;
    schedule(id, rewake_.contains(id) ? clock_.now_ms() : step.wake_at_ms);
  } else {
    const bool finish = step.kind == Step::Kind::kFinish;
    store::WorkflowStep commit_of{id,
                                  workflow.version,
                                  std::move(step.state),
                                  finish ? step.status : store::WorkflowStatus::kOpen,
                                  finish ? clock_.now_ms() : step.wake_at_ms,
                                  0,
                                  clock_.now_ms(),
                                  std::move(step.writes)};
    commit(workflow, commit_of);
  }
  pump();
}

void Engine::timed_out(std::int64_t id, std::uint64_t generation) {
  auto flight = in_flight_.find(id);
  if (flight == in_flight_.end() || flight->second.generation != generation) return;
  *flight->second.abandoned = true;  // the step must start nothing more: its retry is next
  in_flight_.erase(flight);
  store::Workflow workflow = std::move(stepping_[id]);
  stepping_.erase(id);
  ++counters_.timeouts;
  auto& kind = *kinds_.at(workflow.kind);
  failed_attempt(
      workflow, kind,
      "step timed out after " + std::to_string(kind.retry_policy().step_timeout_ms / 1000) + " s");
  pump();
}

void Engine::failed_attempt(const store::Workflow& workflow, WorkflowKind& kind,
                            const std::string& reason) {
  const RetryPolicy policy = kind.retry_policy();
  const int attempt = workflow.attempt + 1;
  const core::TimeMs now = clock_.now_ms();
  if (attempt >= policy.max_attempts) {
    ++counters_.gave_up;
    Step last = kind.give_up(workflow, StepContext{now, workflow.attempt, nullptr},
                             "gave up after " + std::to_string(attempt) + " attempts: " + reason);
    // A kind may give up on the step but not on the workflow (a periodic one waits for its
    // next turn): then it starts afresh at attempt 0.
    const bool goes_on = last.kind != Step::Kind::kFinish;
    commit(workflow,
           {workflow.id, workflow.version, std::move(last.state),
            goes_on ? store::WorkflowStatus::kOpen : last.status, goes_on ? last.wake_at_ms : now,
            goes_on ? 0 : attempt, now, std::move(last.writes)});
    return;
  }
  ++counters_.retries;
  commit(workflow, {workflow.id,
                    workflow.version,
                    workflow.state,
                    store::WorkflowStatus::kOpen,
                    now + backoff_ms(policy, attempt),
                    attempt,
                    now,
                    {}});
}

void Engine::commit(const store::Workflow& workflow, const store::WorkflowStep& step) {
  auto stored = store_.commit_step(step);
  if (!stored) {
    if (stored.code() == store::ErrorCode::kConflict) {
      ++counters_.conflicts;
      auto current = store_.get_workflow(workflow.id);
      if (current && current->version == workflow.version) {
        // The row did not move: a side write was refused (a transition its record forbids).
        // Stepping again at once would spin; wait as for a store error.
        last_store_error_ = stored.error().describe();
        schedule(workflow.id, clock_.now_ms() + options_.store_retry_ms);
        return;
      }
      // Another process stepped it: follow what is stored.
      if (current && current->status == store::WorkflowStatus::kOpen) {
        schedule(workflow.id, current->wake_at_ms);
      }
      return;
    }
    ++counters_.store_errors;  // nothing was written: the step runs again
    last_store_error_ = stored.error().describe();
    schedule(workflow.id, clock_.now_ms() + options_.store_retry_ms);
    return;
  }
  // The store moved the row on only from the version the step was computed on: a step is never
  // committed twice, nor over another process's step.
  KILN_CHECK(stored->version == step.expected_version + 1,
             "workflow " + std::to_string(step.workflow_id) + " committed at version " +
                 std::to_string(stored->version) + " from version " +
                 std::to_string(step.expected_version));
  ++counters_.commits;
  for (const auto& observer : observers_) observer(*stored, step.writes);
  if (stored->status != store::WorkflowStatus::kOpen) {
    ++counters_.finished;
    rewake_.erase(workflow.id);
    return;
  }
  const bool again = rewake_.contains(workflow.id);  // pump() consumes it
  schedule(workflow.id, again ? clock_.now_ms() : stored->wake_at_ms);
}

}  // namespace kiln::workflow
