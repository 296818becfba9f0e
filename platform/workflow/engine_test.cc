// The engine on a SimulatedLoop over an in-memory store: every wake-up, retry and timeout lands at
// an exact virtual time.
#include "platform/workflow/engine.h"

#include <catch2/catch.hpp>
#include <optional>
#include <vector>

#include "core/clock/simulated_loop.h"
#include "platform/store/store_testing.h"

namespace kiln::workflow {
namespace {

using nlohmann::json;
using store::WorkflowStatus;

// A kind scripted by the test: `script` decides each step from the state; `hold` keeps the
// answer for the test to give (or never give).
class Scripted final : public WorkflowKind {
 public:
  std::function<Step(const store::Workflow&, const StepContext&)> script;
  bool hold = false;
  std::vector<std::function<void(Step)>> held;
  std::vector<std::pair<core::TimeMs, std::int64_t>> calls;  // (now, workflow id)
  std::vector<StepContext> contexts;
  std::vector<std::string> gave_up;
  RetryPolicy policy;

  std::string_view kind() const override { return "scripted"; }
  void step(const store::Workflow& w, const StepContext& c,
            std::function<void(Step)> done) override {
    calls.emplace_back(c.now_ms, w.id);
    contexts.push_back(c);
    if (hold) {
      held.push_back(std::move(done));
      return;
    }
    done(script(w, c));
  }
  Step give_up(const store::Workflow& w, const StepContext&, const std::string& reason) override {
    gave_up.push_back(reason);
    return Step::finish(w.state, WorkflowStatus::kFailed);
  }
  RetryPolicy retry_policy() const override { return policy; }
};

// Counts to state.n == 3, one step every `every` ms.
Step count_to_three(const store::Workflow& w, const StepContext& c, core::DurationMs every) {
  const int n = w.state.value("n", 0) + 1;
  if (n == 3) return Step::finish({{"n", n}}, WorkflowStatus::kDone);
  return Step::next({{"n", n}}, c.now_ms + every);
}

struct Fixture {
  core::SimulatedLoop loop{1'000'000};
  std::unique_ptr<store::MetadataStore> store = store::testing::open_store();
  Scripted kind;
  std::unique_ptr<Engine> engine;

  explicit Fixture(EngineOptions options = {}) { restart(options); }
  void restart(EngineOptions options = {}) {
    engine.reset();
    engine = std::make_unique<Engine>(loop, *store, options);
    engine->add_kind(kind);
    engine->start();
  }
  std::int64_t create(const std::string& key, core::TimeMs wake_at, json state = json::object()) {
    auto w = engine->create({"scripted", key, std::move(state), wake_at, loop.now_ms()});
    STORE_REQUIRE_OK(w);
    return w->id;
  }
  store::Workflow get(std::int64_t id) { return store->get_workflow(id).value(); }
};

}  // namespace

TEST_CASE("A workflow steps at its wake-up times and commits every step", "[engine]") {
  Fixture f;
  f.kind.script = [](const auto& w, const auto& c) { return count_to_three(w, c, 5'000); };
  const auto id = f.create("a", 1'000'100);
  f.loop.run_until_idle();
  REQUIRE(f.kind.calls.size() == 3);
  CHECK(f.kind.calls[0].first == 1'000'100);
  CHECK(f.kind.calls[1].first == 1'005'100);
  CHECK(f.kind.calls[2].first == 1'010'100);
  const auto w = f.get(id);
  CHECK(w.status == WorkflowStatus::kDone);
  CHECK(w.state == json{{"n", 3}});
  CHECK(w.version == 4);  // created at 1, three commits
  CHECK(f.engine->counters().commits == 3);
  CHECK(f.engine->counters().finished == 1);
  CHECK(f.engine->tracked() == 0);
}

TEST_CASE("A failing step is retried with exponential backoff and its attempt is stored",
          "[engine]") {
  Fixture f;
  f.kind.policy.first_backoff_ms = 1'000;
  f.kind.policy.multiplier = 2;
  f.kind.script = [](const store::Workflow& w, const StepContext& c) {
    if (c.attempt < 3) return Step::retry("workspace unavailable");
    return Step::finish(w.state, WorkflowStatus::kDone);
  };
  const auto id = f.create("a", 1'000'000);
  f.loop.run_until(1'000'500);
  CHECK(f.get(id).attempt == 1);
  f.loop.run_until_idle();
  REQUIRE(f.kind.calls.size() == 4);
  CHECK(f.kind.calls[1].first - f.kind.calls[0].first == 1'000);
  CHECK(f.kind.calls[2].first - f.kind.calls[1].first == 2'000);
  CHECK(f.kind.calls[3].first - f.kind.calls[2].first == 4'000);
  CHECK(f.get(id).status == WorkflowStatus::kDone);
  CHECK(f.get(id).attempt == 0);  // a committed step resets it
  CHECK(f.engine->counters().retries == 3);
}

TEST_CASE("Backoff grows by the multiplier up to its cap", "[engine]") {
  RetryPolicy p;
  p.first_backoff_ms = 500;
  p.multiplier = 3;
  p.max_backoff_ms = 10'000;
  CHECK(backoff_ms(p, 0) == 0);
  CHECK(backoff_ms(p, 1) == 500);
  CHECK(backoff_ms(p, 2) == 1'500);
  CHECK(backoff_ms(p, 3) == 4'500);
  CHECK(backoff_ms(p, 4) == 10'000);
  CHECK(backoff_ms(p, 1'000) == 10'000);
}

TEST_CASE("A step that keeps failing gives up through its kind", "[engine]") {
  Fixture f;
  f.kind.policy.max_attempts = 3;
  f.kind.script = [](const auto&, const auto&) { return Step::retry("HTTP 500"); };
  const auto id = f.create("a", 1'000'000);
  f.loop.run_until_idle();
  CHECK(f.kind.calls.size() == 3);
  REQUIRE(f.kind.gave_up.size() == 1);
  CHECK(f.kind.gave_up[0] == "gave up after 3 attempts: HTTP 500");
  CHECK(f.get(id).status == WorkflowStatus::kFailed);
  CHECK(f.engine->counters().gave_up == 1);
}

TEST_CASE("A step that does not answer times out, and its late answer is ignored", "[engine]") {
  Fixture f;
  f.kind.policy.step_timeout_ms = 30'000;
  f.kind.policy.first_backoff_ms = 1'000;
  f.kind.hold = true;
  const auto id = f.create("a", 1'000'000);
  f.loop.run_until(1'031'000);  // timed out at +30 s, retried at +31 s
  CHECK(f.engine->counters().timeouts == 1);
  REQUIRE(f.kind.calls.size() == 2);
  CHECK(f.kind.calls[1].first == 1'031'000);
  CHECK(f.get(id).attempt == 1);
  const auto version = f.get(id).version;
  f.kind.held[0](Step::finish(json{{"late", true}}, WorkflowStatus::kDone));  // too late
  CHECK(f.get(id).version == version);
  f.kind.held[1](Step::finish(json{{"second", true}}, WorkflowStatus::kDone));
  CHECK(f.get(id).state == json{{"second", true}});
  CHECK(f.get(id).status == WorkflowStatus::kDone);
}

TEST_CASE("A step that timed out is told it was abandoned, and so is one the engine left",
          "[engine]") {
  Fixture f;
  f.kind.policy.step_timeout_ms = 30'000;
  f.kind.hold = true;
  f.create("a", 1'000'000);
  f.loop.run_until(1'000'000);
  REQUIRE(f.kind.contexts.size() == 1);
  CHECK_FALSE(f.kind.contexts[0].is_abandoned());
  f.loop.run_until(1'030'000);
  CHECK(f.kind.contexts[0].is_abandoned());  // its retry may start: it must start nothing
  f.loop.run_until(1'031'000);
  REQUIRE(f.kind.contexts.size() == 2);
  CHECK_FALSE(f.kind.contexts[1].is_abandoned());
  f.engine.reset();  // a crash
  CHECK(f.kind.contexts[1].is_abandoned());
}

TEST_CASE("A step whose side write is refused waits before trying again instead of spinning",
          "[engine]") {
  EngineOptions options;
  options.store_retry_ms = 10'000;
  Fixture f(options);
  STORE_REQUIRE_OK(f.store->upsert_build(store::testing::build("b1", 1)));
  const auto d =
      f.store->create_deployment(store::testing::request("etl", "prod", "b1", 1, 1)).value();
  STORE_REQUIRE_OK(f.store->transition_deployment({d.id, store::DeploymentStatus::kFailed, 2, ""}));
  // Every step tries to move the finished deployment again: the store refuses (a conflict).
  f.kind.script = [id = d.id](const store::Workflow& w, const StepContext& c) {
    store::StepWrites writes;
    writes.deployment =
        store::DeploymentTransition{id, store::DeploymentStatus::kFailed, c.now_ms, ""};
    return Step::finish(w.state, WorkflowStatus::kFailed, writes);
  };
  f.create("a", 1'000'000);
  f.loop.run_until(1'035'000);
  CHECK(f.kind.calls.size() == 4);  // at +0, +10 s, +20 s, +30 s: not thousands at +0
  CHECK(f.engine->counters().conflicts == 4);
}

TEST_CASE("A restarted engine resumes every open workflow where its last commit left it",
          "[engine]") {
  Fixture f;
  f.kind.script = [](const auto& w, const auto& c) { return count_to_three(w, c, 60'000); };
  const auto a = f.create("a", 1'000'000);
  const auto b = f.create("b", 1'030'000);
  f.loop.run_until(1'045'000);  // a: n=1 (next at 1'060'000); b: n=1 (next at 1'090'000)
  CHECK(f.get(a).state == json{{"n", 1}});
  f.restart();  // a crash: memory gone, the store kept
  f.loop.run_until_idle();
  CHECK(f.get(a).status == WorkflowStatus::kDone);
  CHECK(f.get(b).status == WorkflowStatus::kDone);
  // Each step ran exactly once, at its stored wake-up.
  std::vector<std::pair<core::TimeMs, std::int64_t>> expected{{1'000'000, a}, {1'030'000, b},
                                                              {1'060'000, a}, {1'090'000, b},
                                                              {1'120'000, a}, {1'150'000, b}};
  CHECK(f.kind.calls == expected);
}

TEST_CASE("A crash during a step runs that step again and drops the old answer", "[engine]") {
  Fixture f;
  f.kind.hold = true;
  const auto id = f.create("a", 1'000'000);
  f.loop.run_until(1'000'000);
  REQUIRE(f.kind.held.size() == 1);
  auto orphan = f.kind.held[0];
  f.restart();
  f.loop.run_until(1'000'000);
  REQUIRE(f.kind.held.size() == 2);  // the step ran again
  orphan(Step::finish(json{{"from", "old engine"}}, WorkflowStatus::kDone));
  CHECK(f.get(id).status == WorkflowStatus::kOpen);
  f.kind.held[1](Step::finish(json{{"from", "new engine"}}, WorkflowStatus::kDone));
  CHECK(f.get(id).state == json{{"from", "new engine"}});
}

TEST_CASE("A commit over a stale version follows what another process stored", "[engine]") {
  Fixture f;
  f.kind.hold = true;
  const auto id = f.create("a", 1'000'000);
  f.loop.run_until(1'000'000);
  // Another process steps the workflow first.
  const auto w = f.get(id);
  STORE_REQUIRE_OK(f.store->commit_step(
      {id, w.version, json{{"by", "other"}}, WorkflowStatus::kOpen, 2'000'000, 0, 1'000'000, {}}));
  f.kind.held[0](Step::finish(json{{"by", "us"}}, WorkflowStatus::kDone));
  CHECK(f.engine->counters().conflicts == 1);
  CHECK(f.get(id).state == json{{"by", "other"}});
  f.loop.run_until(1'999'999);
  CHECK(f.kind.calls.size() == 1);
  f.loop.run_until(2'000'000);
  CHECK(f.kind.calls.size() == 2);  // rescheduled at the stored wake-up
}

TEST_CASE("Due workflows start in wake-up then id order, at most max_in_flight at once",
          "[engine]") {
  EngineOptions options;
  options.max_in_flight = 2;
  Fixture f(options);
  f.kind.hold = true;
  const auto late = f.create("late", 1'000'500);
  const auto first = f.create("first", 1'000'000);
  const auto second = f.create("second", 1'000'000);
  f.loop.run_until(1'000'500);
  REQUIRE(f.kind.calls.size() == 2);
  CHECK(f.kind.calls[0].second == first);
  CHECK(f.kind.calls[1].second == second);
  CHECK(f.engine->in_flight() == 2);
  f.kind.held[0](Step::finish(json::object(), WorkflowStatus::kDone));
  REQUIRE(f.kind.calls.size() == 3);  // a slot freed: the waiting one goes
  CHECK(f.kind.calls[2].second == late);
}

TEST_CASE("wake() steps a sleeping workflow at once, and after its step if it is stepping",
          "[engine]") {
  Fixture f;
  f.kind.script = [](const store::Workflow& w, const StepContext& c) {
    return Step::next(w.state, c.now_ms + 3'600'000);  // sleeps an hour each time
  };
  const auto id = f.create("a", 1'000'000);
  f.loop.run_until(1'000'000);
  CHECK(f.kind.calls.size() == 1);
  f.loop.run_until(1'010'000);
  f.engine->wake(id);
  f.loop.run_until(1'010'000);
  REQUIRE(f.kind.calls.size() == 2);
  CHECK(f.kind.calls[1].first == 1'010'000);

  f.kind.hold = true;
  f.engine->wake(id);
  f.loop.run_until(1'010'001);
  REQUIRE(f.kind.held.size() == 1);
  f.engine->wake(id);  // while it steps
  f.kind.hold = false;
  f.kind.held[0](Step::next(json::object(), 1'010'001 + 3'600'000));
  f.loop.run_until(1'010'001);
  CHECK(f.kind.calls.size() == 4);  // stepped again at once, not in an hour
}

TEST_CASE("A poll that changes nothing is not committed, and a restart polls at once", "[engine]") {
  Fixture f;
  f.kind.script = [](const store::Workflow& w, const StepContext& c) {
    if (c.now_ms >= 1'030'000) return Step::finish(w.state, WorkflowStatus::kDone);
    return Step::next(w.state, c.now_ms + 10'000);  // same state, no writes
  };
  const auto id = f.create("a", 1'000'000);
  f.loop.run_until(1'025'000);  // polled at +0, +10 s, +20 s
  CHECK(f.kind.calls.size() == 3);
  CHECK(f.engine->counters().idle_polls == 3);
  CHECK(f.get(id).version == 1);
  CHECK(f.get(id).wake_at_ms == 1'000'000);
  f.restart();
  f.loop.run_until(1'025'000);
  CHECK(f.kind.calls.size() == 4);  // the stored wake-up is past: polled on restart
  f.loop.run_until_idle();
  CHECK(f.get(id).status == WorkflowStatus::kDone);
  CHECK(f.kind.calls.back().first == 1'035'000);
}

TEST_CASE("A workflow of a kind this engine does not know stays open and untouched", "[engine]") {
  Fixture f;
  auto other = f.store->create_workflow({"from-the-future", "x", json::object(), 1'000'000, 0});
  STORE_REQUIRE_OK(other);
  f.engine->poke();
  f.loop.run_until_idle();
  CHECK(f.get(other->id).status == WorkflowStatus::kOpen);
  CHECK(f.get(other->id).version == 1);
}

TEST_CASE("rescan picks up workflows another process created", "[engine]") {
  EngineOptions options;
  options.rescan_ms = 10'000;
  Fixture f(options);
  f.kind.script = [](const store::Workflow& w, const StepContext&) {
    return Step::finish(w.state, WorkflowStatus::kDone);
  };
  auto w = f.store->create_workflow({"scripted", "x", json::object(), 1'000'000, 0});
  STORE_REQUIRE_OK(w);
  f.loop.run_until(1'009'999);
  CHECK(f.kind.calls.empty());
  f.loop.run_until(1'010'000);
  CHECK(f.get(w->id).status == WorkflowStatus::kDone);
}

}  // namespace kiln::workflow
