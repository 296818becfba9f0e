#include "databricks/client/retrying_workspace.h"

#include <set>
#include <utility>

namespace databricks {

using databricks::ApiRequest;
using databricks::ApiResponse;

struct RetryingWorkspace::State {
  State(databricks::WorkspaceApi& api, kiln::core::Clock& c, const kiln::core::Random& random,
        RetryPolicy p)
      : inner(api),
        clock(c),
        jitter(random.stream("jitter")),
        tokens(random.stream("idempotency")),
        policy(p),
        bucket(p.rate_limit_per_s, p.rate_limit_burst) {}

  databricks::WorkspaceApi& inner;
  kiln::core::Clock& clock;
  kiln::core::Random jitter;
  kiln::core::Random tokens;
  RetryPolicy policy;
  TokenBucket bucket;
  RetryCounters counters;
  std::set<kiln::core::TimerId> timers;  // pending waits, cancelled on destruction
};

namespace {

using State = RetryingWorkspace::State;

// One call in progress: the request as sent on every attempt (its idempotency token included).
struct Call {
  ApiRequest request;
  std::function<void(ApiResponse)> done;
  kiln::core::TimeMs deadline_ms = 0;
  int attempts = 0;
};

void go(const std::shared_ptr<State>& s, const std::shared_ptr<Call>& c);

// Runs `fn` at `at_ms` unless the workspace is destroyed first.
void wait_until(const std::shared_ptr<State>& s, kiln::core::TimeMs at_ms,
                std::function<void(const std::shared_ptr<State>&)> fn) {
  auto id = std::make_shared<kiln::core::TimerId>(0);
  *id = s->clock.schedule_at(at_ms, [weak = std::weak_ptr<State>(s), id, fn = std::move(fn)] {
    const auto state = weak.lock();
    if (!state) return;
    state->timers.erase(*id);
    fn(state);
  });
  s->timers.insert(*id);
}

void answered(const std::shared_ptr<State>& s, const std::shared_ptr<Call>& c, ApiResponse r) {
  const bool unsafe_retry = !s->policy.retry_creates && creates_job(c->request);
  if (!is_retriable(r) || unsafe_retry) {
    c->done(std::move(r));
    return;
  }
  const RetryPolicy& p = s->policy;
  kiln::core::DurationMs wait = base_wait_ms(p, c->attempts, r);
  if (p.jitter_max_ms > 0) wait += s->jitter.uniform_int(p.jitter_min_ms, p.jitter_max_ms);
  const kiln::core::TimeMs at = s->clock.now_ms() + wait;
  if (at > c->deadline_ms) {
    ++s->counters.gave_up;
    c->done(std::move(r));
    return;
  }
  s->counters.backoff_ms += wait;
  wait_until(s, at, [c](const std::shared_ptr<State>& state) { go(state, c); });
}

void send(const std::shared_ptr<State>& s, const std::shared_ptr<Call>& c) {
  ++s->counters.attempts;
  if (c->attempts++ > 0) ++s->counters.retries;
  s->inner.call(c->request, [weak = std::weak_ptr<State>(s), c](ApiResponse r) {
    if (const auto state = weak.lock()) answered(state, c, std::move(r));
  });
}

// Sends the next attempt, after the client-side rate limit lets it go.
void go(const std::shared_ptr<State>& s, const std::shared_ptr<Call>& c) {
  const kiln::core::TimeMs now = s->clock.now_ms();
  const kiln::core::TimeMs at = s->bucket.reserve(now);
  if (at <= now) {
    send(s, c);
    return;
  }
  ++s->counters.throttled_waits;
  s->counters.throttled_ms += at - now;
  wait_until(s, at, [c](const std::shared_ptr<State>& state) { send(state, c); });
}

}  // namespace

RetryingWorkspace::RetryingWorkspace(databricks::WorkspaceApi& inner, kiln::core::Clock& clock,
                                     const kiln::core::Random& random, RetryPolicy policy)
    : state_(std::make_shared<State>(inner, clock, random, policy)) {}

RetryingWorkspace::~RetryingWorkspace() {
  for (const kiln::core::TimerId id : state_->timers) state_->clock.cancel(id);
}

void RetryingWorkspace::call(ApiRequest request, std::function<void(ApiResponse)> done) {
  auto& s = *state_;
  ++s.counters.calls;
  if (s.policy.add_idempotency_tokens && starts_run(request)) {
    if (request.body.is_null()) request.body = nlohmann::json::object();
    const auto it =
        request.body.is_object() ? request.body.find("idempotency_token") : request.body.end();
    if (request.body.is_object() && (it == request.body.end() || it->is_null())) {
      request.body["idempotency_token"] = random_token(s.tokens);
      ++s.counters.tokens_added;
    }
  }
  auto c = std::make_shared<Call>();
  c->request = std::move(request);
  c->done = std::move(done);
  c->deadline_ms = s.clock.now_ms() + s.policy.budget_ms;
  go(state_, c);
}

const RetryCounters& RetryingWorkspace::counters() const {
  return state_->counters;
}

const RetryPolicy& RetryingWorkspace::policy() const {
  return state_->policy;
}

}  // namespace databricks
