// The cluster lifecycle: the transition function, timers, launches, terminations and faults.
#include "fake-databricks/clusters/cluster_service.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "fake-databricks/clusters/cluster_record.h"

namespace fakedb::clusters {

using detail::Cluster;
using detail::State;

namespace {
constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kGetRetentionMs = 60 * kDayMs;
constexpr std::string_view kIdAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

}  // namespace

ClusterService::ClusterService(WorkspaceContext& ctx, ClusterTimings timings)
    : ctx_(ctx), timings_(timings), random_(ctx.random.stream("clusters")) {}

ClusterService::~ClusterService() {
  for (auto& [id, c] : clusters_) cancel_timers(*c);
}

Cluster* ClusterService::find(const std::string& id) {
  auto it = clusters_.find(id);
  if (it == clusters_.end()) return nullptr;
  Cluster& c = *it->second;
  if (c.state == State::kTerminated && !c.pinned &&
      ctx_.now_ms() - c.terminated_time > kGetRetentionMs) {
    clusters_.erase(it);  // past retention: gone for good (the id is never reissued)
    return nullptr;
  }
  return &c;
}

const Cluster* ClusterService::find(const std::string& id) const {
  auto it = clusters_.find(id);
  if (it == clusters_.end()) return nullptr;
  const Cluster& c = *it->second;
  if (c.state == State::kTerminated && !c.pinned &&
      ctx_.now_ms() - c.terminated_time > kGetRetentionMs) {
    return nullptr;
  }
  return &c;
}

ApiResult<Cluster*> ClusterService::require(const Params& params) {
  auto id = params.required_string("cluster_id");
  if (!id) return id.error();
  Cluster* c = find(*id);
  if (c == nullptr) return ApiError::missing("Cluster " + *id + " does not exist");
  return c;
}

std::string ClusterService::new_cluster_id() {
  const std::string prefix = detail::cluster_id_prefix(ctx_.now_ms());
  for (;;) {
    std::string id = prefix;
    for (int i = 0; i < 8; ++i) {
      const auto k = random_.uniform_int(0, static_cast<std::int64_t>(kIdAlphabet.size()) - 1);
      id += kIdAlphabet[static_cast<std::size_t>(k)];
    }
    if (used_ids_.insert(id).second) return id;
  }
}

Cluster& ClusterService::add_cluster(detail::Spec spec, std::string source) {
  auto c = std::make_unique<Cluster>();
  c->id = new_cluster_id();
  c->seq = next_seq_++;
  c->source = std::move(source);
  c->creator = ctx_.user_name;
  c->spec = std::move(spec);
  c->state = State::kPending;  // creation enters PENDING directly (not a transition)
  c->start_time = ctx_.now_ms();
  Cluster& ref = *c;
  clusters_.emplace(ref.id, std::move(c));
  ctx_.publish("cluster.state",
               {{"cluster_id", ref.id}, {"state", "PENDING"}, {"source", ref.source}});
  return ref;
}

void ClusterService::transition(Cluster& c, State to) {
  if (!detail::transition_allowed(c.state, to)) {
    std::fprintf(stderr, "fatal: cluster %s: illegal transition %s -> %s\n", c.id.c_str(),
                 std::string(detail::state_name(c.state)).c_str(),
                 std::string(detail::state_name(to)).c_str());
    std::abort();
  }
  if (c.state == State::kRunning && c.idle_timer != 0) {
    ctx_.clock.cancel(c.idle_timer);
    c.idle_timer = 0;
  }
  c.state = to;
  nlohmann::json fields{
      {"cluster_id", c.id}, {"state", detail::state_name(to)}, {"source", c.source}};
  if ((to == State::kTerminating || to == State::kTerminated) && c.termination_reason) {
    fields["reason"] = c.termination_reason->code;
  }
  ctx_.publish("cluster.state", std::move(fields));
}

void ClusterService::add_event(Cluster& c, std::string type, nlohmann::json details) {
  c.events.push_back({{"cluster_id", c.id},
                      {"timestamp", ctx_.now_ms()},
                      {"type", std::move(type)},
                      {"details", std::move(details)}});
}

std::int64_t ClusterService::draw(std::int64_t lo, std::int64_t hi) {
  return random_.uniform_int(lo, hi);
}

void ClusterService::schedule(Cluster& c, std::int64_t delay_ms,
                              void (ClusterService::*step)(const std::string&)) {
  if (c.step_timer != 0) ctx_.clock.cancel(c.step_timer);
  c.step_timer = ctx_.clock.schedule_after(delay_ms, [this, id = c.id, step] {
    if (Cluster* cl = find(id)) cl->step_timer = 0;
    (this->*step)(id);
  });
}

void ClusterService::cancel_timers(Cluster& c) {
  if (c.step_timer != 0) ctx_.clock.cancel(c.step_timer);
  if (c.idle_timer != 0) ctx_.clock.cancel(c.idle_timer);
  c.step_timer = 0;
  c.idle_timer = 0;
}

std::optional<TerminationReason> ClusterService::draw_launch_failure() {
  if (fail_next_ > 0) {
    --fail_next_;
    return fail_next_reason_;
  }
  if (fail_probability_ > 0.0 && random_.bernoulli(fail_probability_)) {
    return fail_probability_reason_;
  }
  return std::nullopt;
}

void ClusterService::begin_launch(Cluster& c, Launch kind) {
  const bool restart = kind == Launch::kRestart;
  const std::int64_t delay = restart ? draw(timings_.restart_min_ms, timings_.restart_max_ms)
                                     : draw(timings_.start_min_ms, timings_.start_max_ms);
  c.launch_failure = draw_launch_failure();
  schedule(c, delay, &ClusterService::launch_done);
}

void ClusterService::launch_done(const std::string& id) {
  Cluster* c = find(id);
  if (c == nullptr || (c->state != State::kPending && c->state != State::kRestarting)) return;
  if (c->launch_failure) {
    const TerminationReason reason = *c->launch_failure;
    c->launch_failure.reset();
    begin_terminate(*c, reason);
    return;
  }
  transition(*c, State::kRunning);
  c->spark_context_id = random_.uniform_int(1'000'000'000'000'000'000, 9'000'000'000'000'000'000);
  c->current_workers = c->spec.initial_workers();
  c->last_restarted_time = ctx_.now_ms();
  add_event(*c, "DRIVER_HEALTHY", nlohmann::json::object());
  add_event(*c, "RUNNING",
            {{"current_num_workers", c->current_workers},
             {"target_num_workers", c->spec.initial_workers()}});
  arm_inactivity(*c);
  std::vector<detail::Waiter> waiters = std::move(c->waiters);
  c->waiters.clear();
  for (auto& w : waiters) {
    if (w.on_ready) w.on_ready(id);
  }
}

void ClusterService::resize_done(const std::string& id) {
  Cluster* c = find(id);
  if (c == nullptr || c->state != State::kResizing) return;
  transition(*c, State::kRunning);
  const std::int64_t target = c->spec.initial_workers();
  if (target > c->current_workers) {
    add_event(*c, "UPSIZE_COMPLETED",
              {{"current_num_workers", target}, {"target_num_workers", target}});
  }
  c->current_workers = target;
  arm_inactivity(*c);
  std::vector<detail::Waiter> waiters = std::move(c->waiters);
  c->waiters.clear();
  for (auto& w : waiters) {
    if (w.on_ready) w.on_ready(id);
  }
}

void ClusterService::begin_terminate(Cluster& c, const TerminationReason& reason) {
  cancel_timers(c);
  c.launch_failure.reset();
  c.termination_reason = reason;
  transition(c, State::kTerminating);
  add_event(c, "TERMINATING", {{"reason", reason.to_json()}});
  schedule(c, draw(timings_.terminate_min_ms, timings_.terminate_max_ms),
           &ClusterService::terminate_done);
}

void ClusterService::terminate_done(const std::string& id) {
  Cluster* c = find(id);
  if (c == nullptr || c->state != State::kTerminating) return;
  transition(*c, State::kTerminated);
  c->terminated_time = ctx_.now_ms();
  c->current_workers = 0;
  const TerminationReason reason = c->termination_reason.value_or(TerminationReason{});
  std::vector<detail::Waiter> waiters = std::move(c->waiters);
  c->waiters.clear();
  // Callbacks may call back into the service (even delete this cluster): `c` is not used after.
  for (auto& w : waiters) {
    if (w.on_failed) w.on_failed(reason);
  }
  if (reason.code == "JOB_FINISHED") return;
  const std::vector<TerminatedFn> listeners = terminated_listeners_;
  for (const auto& listener : listeners) listener(id, reason);
}

void ClusterService::arm_inactivity(Cluster& c) {
  if (c.idle_timer != 0) ctx_.clock.cancel(c.idle_timer);
  c.idle_timer = 0;
  c.last_activity_time = ctx_.now_ms();
  if (c.source != "API" || c.spec.autotermination_minutes <= 0 || c.attached > 0 ||
      c.state != State::kRunning) {
    return;
  }
  c.idle_timer = ctx_.clock.schedule_after(c.spec.autotermination_minutes * 60'000,
                                           [this, id = c.id] { inactivity_due(id); });
}

void ClusterService::inactivity_due(const std::string& id) {
  Cluster* c = find(id);
  if (c == nullptr) return;
  c->idle_timer = 0;
  if (c->state != State::kRunning || c->attached > 0) return;
  begin_terminate(*c,
                  {"INACTIVITY",
                   "SUCCESS",
                   {{"inactivity_duration_min", std::to_string(c->spec.autotermination_minutes)}}});
}

void ClusterService::start_terminated(Cluster& c) {
  transition(c, State::kPending);
  c.termination_reason.reset();
  c.terminated_time = 0;
  c.start_time = ctx_.now_ms();
  add_event(c, "STARTING", {{"user", ctx_.user_name}});
  begin_launch(c, Launch::kStart);
}

void ClusterService::on_terminated(TerminatedFn listener) {
  terminated_listeners_.push_back(std::move(listener));
}

void ClusterService::fail_next_launches(int n, TerminationReason reason) {
  fail_next_ = n > 0 ? n : 0;
  fail_next_reason_ = std::move(reason);
}

void ClusterService::set_launch_failure_probability(double p, TerminationReason reason) {
  fail_probability_ = p;
  fail_probability_reason_ = std::move(reason);
}

bool ClusterService::lose_driver(const std::string& cluster_id) {
  Cluster* c = find(cluster_id);
  if (c == nullptr || c->state != State::kRunning) return false;
  c->last_state_loss_time = ctx_.now_ms();
  add_event(*c, "DRIVER_NOT_RESPONDING", {{"driver_state_message", "Driver is unresponsive."}});
  begin_terminate(*c, {"DRIVER_UNREACHABLE", "SERVICE_FAULT", nlohmann::json::object()});
  return true;
}

std::size_t ClusterService::count_in_state(std::string_view state) const {
  const auto wanted = detail::parse_state(state);
  if (!wanted) return 0;
  std::size_t n = 0;
  for (const auto& [id, c] : clusters_) {
    if (c->state == *wanted && find(id) != nullptr) ++n;
  }
  return n;
}

}  // namespace fakedb::clusters
