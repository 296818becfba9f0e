// ClusterService: the Clusters API (2.0 / 2.1) of one emulated workspace, on virtual time.
// Every wait (launch, restart, resize, termination, auto-termination) is a callback scheduled on
// the workspace clock; every duration and id is drawn from the seeded "clusters" stream, so a
// run is a pure function of its seed and its requests. Choices the reference leaves open are in
// docs/clusters.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/random/random.h"
#include "fake-databricks/api/params.h"
#include "fake-databricks/workspace/context.h"

namespace fakedb::clusters {

struct TerminationReason {
  std::string code;  // USER_REQUEST, INACTIVITY, JOB_FINISHED, DRIVER_UNREACHABLE, ...
  std::string type;  // SUCCESS, CLIENT_ERROR, SERVICE_FAULT, CLOUD_FAILURE
  nlohmann::json parameters = nlohmann::json::object();

  nlohmann::json to_json() const;
};

// Virtual-time durations, uniform in [min, max] ms, drawn per transition.
struct ClusterTimings {
  std::int64_t start_min_ms = 180'000, start_max_ms = 300'000;  // PENDING -> RUNNING
  std::int64_t restart_min_ms = 60'000, restart_max_ms = 120'000;
  std::int64_t resize_min_ms = 60'000, resize_max_ms = 180'000;
  std::int64_t terminate_min_ms = 5'000, terminate_max_ms = 30'000;  // TERMINATING -> TERMINATED
};

// Reads {"start_min_ms": ..., ...}; every key is optional, unknown keys and min > max are errors.
ApiResult<ClusterTimings> timings_from_json(const nlohmann::json& json);

namespace detail {
struct Cluster;
struct Spec;
enum class State : int;
}  // namespace detail

class ClusterService {
 public:
  using ReadyFn = std::function<void(const std::string& cluster_id)>;
  using FailedFn = std::function<void(const TerminationReason& reason)>;
  using TerminatedFn = std::function<void(const std::string& cluster_id, const TerminationReason&)>;

  ClusterService(WorkspaceContext& ctx, ClusterTimings timings);
  ~ClusterService();  // cancels every timer it still has on the clock
  ClusterService(const ClusterService&) = delete;
  ClusterService& operator=(const ClusterService&) = delete;

  // REST handlers, one per endpoint (/api/2.0|2.1/clusters/<name>).
  ApiResult<nlohmann::json> create(const Params& params);  // -> {cluster_id}, cluster PENDING
  ApiResult<nlohmann::json> edit(const Params& params);
  ApiResult<nlohmann::json> update(const Params& params);  // {cluster_id, update_mask, cluster}
  ApiResult<nlohmann::json> start(const Params& params);
  ApiResult<nlohmann::json> restart(const Params& params);
  ApiResult<nlohmann::json> resize(const Params& params);
  ApiResult<nlohmann::json> terminate(const Params& params);  // clusters/delete
  ApiResult<nlohmann::json> permanent_delete(const Params& params);
  ApiResult<nlohmann::json> get(const Params& params);
  ApiResult<nlohmann::json> list(const Params& params);
  ApiResult<nlohmann::json> events(const Params& params);
  ApiResult<nlohmann::json> pin(const Params& params);
  ApiResult<nlohmann::json> unpin(const Params& params);
  ApiResult<nlohmann::json> spark_versions(const Params& params);
  ApiResult<nlohmann::json> list_node_types(const Params& params);

  // For the Jobs engine. Creates a job cluster ("job-<job_id>-run-<run_id>", cluster_source JOB)
  // and returns its id at once (PENDING); on_ready(id) when RUNNING, on_failed(reason) when the
  // launch fails (called once the cluster is TERMINATED).
  std::string launch_job_cluster(const nlohmann::json& new_cluster, std::int64_t job_id,
                                 std::int64_t run_id, ReadyFn on_ready, FailedFn on_failed);
  // TERMINATING then TERMINATED with JOB_FINISHED (SUCCESS). A no-op if already terminating.
  void finish_job_cluster(const std::string& cluster_id);
  // on_ready at once if RUNNING; starts a TERMINATED cluster; waits while PENDING, RESTARTING or
  // RESIZING. on_failed if missing, TERMINATING, or if it terminates before it runs.
  void ensure_running(const std::string& cluster_id, ReadyFn on_ready, FailedFn on_failed);
  // Attached tasks keep an all-purpose cluster from auto-terminating; the last detach re-arms
  // the inactivity timer.
  void attach(const std::string& cluster_id);
  void detach(const std::string& cluster_id);
  // Called on every transition to TERMINATED whose reason is not JOB_FINISHED.
  void on_terminated(TerminatedFn listener);

  // Faults. The next n launches (create, start, job cluster, restart, edit-restart) fail with
  // `reason`; then each launch fails with probability p.
  void fail_next_launches(int n, TerminationReason reason);
  void set_launch_failure_probability(double p, TerminationReason reason);
  // RUNNING only: DRIVER_NOT_RESPONDING, then TERMINATING -> TERMINATED with DRIVER_UNREACHABLE.
  bool lose_driver(const std::string& cluster_id);

  std::size_t count_in_state(std::string_view state) const;

 private:
  using ClusterPtr = std::unique_ptr<detail::Cluster>;
  enum class Launch { kCreate, kStart, kRestart };

  // Lookup: nullptr if absent, permanently deleted, or terminated and past retention.
  detail::Cluster* find(const std::string& id);
  const detail::Cluster* find(const std::string& id) const;
  ApiResult<detail::Cluster*> require(const Params& params);
  std::string new_cluster_id();
  detail::Cluster& add_cluster(detail::Spec spec, std::string source);

  // The one place a cluster changes state; aborts on a transition the table does not allow.
  void transition(detail::Cluster& c, detail::State to);
  void add_event(detail::Cluster& c, std::string type, nlohmann::json details);
  std::int64_t draw(std::int64_t lo, std::int64_t hi);
  void schedule(detail::Cluster& c, std::int64_t delay_ms,
                void (ClusterService::*step)(const std::string&));
  void cancel_timers(detail::Cluster& c);
  std::optional<TerminationReason> draw_launch_failure();

  // Lifecycle steps.
  void begin_launch(detail::Cluster& c, Launch kind);
  void launch_done(const std::string& id);
  void resize_done(const std::string& id);
  void begin_terminate(detail::Cluster& c, const TerminationReason& reason);
  void terminate_done(const std::string& id);
  void inactivity_due(const std::string& id);
  void arm_inactivity(detail::Cluster& c);
  void start_terminated(detail::Cluster& c);
  ApiResult<nlohmann::json> apply_edit(detail::Cluster& c, const nlohmann::json& new_spec);
  nlohmann::json details(const detail::Cluster& c) const;

  WorkspaceContext& ctx_;
  ClusterTimings timings_;
  kiln::core::Random random_;
  std::map<std::string, ClusterPtr> clusters_;
  std::set<std::string> used_ids_;  // never reissued, even after permanent delete
  std::int64_t next_seq_ = 1;
  std::vector<TerminatedFn> terminated_listeners_;
  int fail_next_ = 0;
  TerminationReason fail_next_reason_;
  double fail_probability_ = 0.0;
  TerminationReason fail_probability_reason_;
};

}  // namespace fakedb::clusters
