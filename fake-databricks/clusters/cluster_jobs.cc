// The Jobs engine's side of the clusters service: job clusters, ensure_running, attach/detach.
#include <utility>

#include "fake-databricks/clusters/cluster_record.h"
#include "fake-databricks/clusters/cluster_service.h"

namespace fakedb::clusters {

using detail::Cluster;
using detail::State;

namespace {
TerminationReason client_error(const std::string& message) {
  return {"INVALID_ARGUMENT", "CLIENT_ERROR", {{"databricks_error_message", message}}};
}
}  // namespace

std::string ClusterService::launch_job_cluster(const nlohmann::json& new_cluster,
                                               std::int64_t job_id, std::int64_t run_id,
                                               ReadyFn on_ready, FailedFn on_failed) {
  auto parsed = detail::parse_spec(new_cluster, true, ctx_.user_name);
  std::optional<TerminationReason> invalid;
  detail::Spec spec;
  if (parsed) {
    spec = std::move(parsed).value();
  } else {
    spec = detail::lenient_spec(new_cluster, ctx_.user_name);
    invalid = client_error(parsed.error().message);
  }
  spec.cluster_name = "job-" + std::to_string(job_id) + "-run-" + std::to_string(run_id);
  spec.autotermination_minutes = 0;
  Cluster& c = add_cluster(std::move(spec), "JOB");
  c.job_id = job_id;
  c.run_id = run_id;
  c.waiters.push_back({std::move(on_ready), std::move(on_failed)});
  add_event(c, "CREATING", {{"user", ctx_.user_name}});
  begin_launch(c, Launch::kCreate);
  if (invalid) c.launch_failure = invalid;
  return c.id;
}

void ClusterService::finish_job_cluster(const std::string& cluster_id) {
  Cluster* c = find(cluster_id);
  if (c == nullptr || c->source != "JOB" || !detail::is_active(c->state)) return;
  begin_terminate(*c, {"JOB_FINISHED", "SUCCESS", nlohmann::json::object()});
}

void ClusterService::ensure_running(const std::string& cluster_id, ReadyFn on_ready,
                                    FailedFn on_failed) {
  Cluster* c = find(cluster_id);
  if (c == nullptr) {
    if (on_failed) on_failed(client_error("Cluster " + cluster_id + " does not exist"));
    return;
  }
  switch (c->state) {
    case State::kRunning:
      if (on_ready) on_ready(cluster_id);
      return;
    case State::kTerminating:
      if (on_failed) on_failed(c->termination_reason.value_or(TerminationReason{}));
      return;
    case State::kTerminated:
      if (c->source == "JOB") {
        if (on_failed) {
          on_failed(client_error("Cluster " + cluster_id +
                                 " was created by the Jobs service and cannot be started."));
        }
        return;
      }
      c->waiters.push_back({std::move(on_ready), std::move(on_failed)});
      start_terminated(*c);
      return;
    case State::kPending:
    case State::kRestarting:
    case State::kResizing:
      c->waiters.push_back({std::move(on_ready), std::move(on_failed)});
      return;
  }
}

void ClusterService::attach(const std::string& cluster_id) {
  Cluster* c = find(cluster_id);
  if (c == nullptr) return;
  ++c->attached;
  if (c->idle_timer != 0) ctx_.clock.cancel(c->idle_timer);
  c->idle_timer = 0;
}

void ClusterService::detach(const std::string& cluster_id) {
  Cluster* c = find(cluster_id);
  if (c == nullptr || c->attached == 0) return;
  if (--c->attached == 0) arm_inactivity(*c);
}

}  // namespace fakedb::clusters
