// FakeWorkspace: one emulated Databricks workspace, in-process, on the caller's clock.
// It answers the Jobs API (2.0, 2.1, 2.2) and the Clusters API (2.0, 2.1) as the real service
// does, and runs jobs on virtual time: schedules fire, clusters start, workloads run, retries
// happen, limits and faults bite. Everything it does is published as events.
//
// handle() answers at once (the state changes now); call() is the WorkspaceApi way, which also
// delivers the answer after the modelled latency.
#pragma once

#include <map>
#include <memory>

#include "databricks/api/workspace_api.h"
#include "databricks/cron/quartz_cron.h"
#include "databricks/faults/api_faults.h"
#include "databricks/jobs/job_settings.h"
#include "fake-databricks/clusters/cluster_service.h"
#include "fake-databricks/limits/rate_limiter.h"
#include "fake-databricks/runs/run_engine.h"
#include "fake-databricks/streaming/stream_world.h"
#include "fake-databricks/workspace/context.h"
#include "fake-databricks/workspace/workspace_config.h"

namespace fakedb {

class FakeWorkspace final : public databricks::WorkspaceApi {
 public:
  // The clock should start at config.start_time_ms (SimulatedLoop(config.start_time_ms)).
  FakeWorkspace(kiln::core::Clock& clock, kiln::core::EventLog& events, std::uint64_t seed,
                WorkspaceConfig config = {});
  ~FakeWorkspace() override;
  FakeWorkspace(const FakeWorkspace&) = delete;
  FakeWorkspace& operator=(const FakeWorkspace&) = delete;

  ApiResponse handle(const ApiRequest& request);
  void call(ApiRequest request, std::function<void(ApiResponse)> done) override;

  // A read for an observer (a scenario's expectations): a GET answered from the current state
  // without faults, rate limits or events, so looking does not change what it looks at.
  ApiResponse inspect(const ApiRequest& request);

  // Test and scenario hooks (the admin endpoints of `serve` map onto these).
  void add_api_fault(databricks::faults::ApiFaultRule rule) { api_faults_.add(std::move(rule)); }
  void clear_api_faults() { api_faults_.clear(); }
  clusters::ClusterService& clusters() { return *clusters_; }
  runs::RunEngine& runs() { return *runs_; }
  const WorkspaceContext& context() const { return ctx_; }
  // Streams (docs/fake-databricks-streams.md): sources, the output sink, the streaming runs of
  // tasks whose job names a stream (job parameters kiln_stream, kiln_holder) and stream faults.
  // The runs coordinate through `coordinator`, which must outlive the workspace or be detached;
  // until one is attached such tasks run as plain streaming tasks.
  void attach_streams(kiln::streams::StreamCoordinator& coordinator) {
    streams_->attach(coordinator);
  }
  void detach_streams() { streams_->detach(); }
  streaming::StreamWorld& streams() { return *streams_; }
  const streaming::StreamWorld& streams() const { return *streams_; }
  std::size_t job_count() const { return jobs_.size(); }
  // Job ids whose name matches a glob, in id order.
  std::vector<std::int64_t> jobs_named(const std::string& glob) const;

 private:
  struct Job {
    std::int64_t job_id = 0;
    nlohmann::json settings;  // with server defaults
    std::int64_t created_time = 0;
    std::string creator_user_name;
    databricks::jobs::ApiVersion created_with = databricks::jobs::ApiVersion::v2_2;
    std::optional<databricks::cron::QuartzCron> cron;
    std::optional<databricks::cron::TimeZone> zone;
    kiln::core::TimerId cron_timer = 0;
    kiln::core::TimerId restart_timer = 0;
    int consecutive_failures = 0;  // continuous jobs: restart backoff
  };
  using Handler = std::function<ApiResult<nlohmann::json>(FakeWorkspace&, const Params&,
                                                          databricks::jobs::ApiVersion)>;
  struct Route {
    const char* method;
    const char* area;  // "jobs" or "clusters"
    const char* name;  // "create", "runs/get", ...
    Handler handler;
  };
  static const std::vector<Route>& routes();
  ApiResponse dispatch(const ApiRequest& request, bool rate_limited);

  // jobs_endpoints.cc
  ApiResult<nlohmann::json> jobs_create(const Params& p, databricks::jobs::ApiVersion v);
  ApiResult<nlohmann::json> jobs_reset(const Params& p, databricks::jobs::ApiVersion v);
  ApiResult<nlohmann::json> jobs_update(const Params& p, databricks::jobs::ApiVersion v);
  ApiResult<nlohmann::json> jobs_delete(const Params& p, databricks::jobs::ApiVersion v);
  ApiResult<nlohmann::json> jobs_get(const Params& p, databricks::jobs::ApiVersion v);
  ApiResult<nlohmann::json> jobs_list(const Params& p, databricks::jobs::ApiVersion v);
  ApiResult<Job*> find_job(const Params& p);
  ApiResult<nlohmann::json> check_schedule(const nlohmann::json& settings, Job* job);
  nlohmann::json job_json(const Job& job, bool with_tasks, std::size_t task_offset) const;
  // runs_endpoints.cc
  ApiResult<nlohmann::json> run_now(const Params& p, databricks::jobs::ApiVersion v);
  ApiResult<nlohmann::json> runs_submit(const Params& p, databricks::jobs::ApiVersion v);
  ApiResult<nlohmann::json> runs_get(const Params& p, databricks::jobs::ApiVersion v);
  ApiResult<nlohmann::json> runs_list(const Params& p, databricks::jobs::ApiVersion v);
  ApiResult<nlohmann::json> runs_cancel(const Params& p, databricks::jobs::ApiVersion v);
  ApiResult<nlohmann::json> runs_cancel_all(const Params& p, databricks::jobs::ApiVersion v);
  ApiResult<nlohmann::json> runs_delete(const Params& p, databricks::jobs::ApiVersion v);
  ApiResult<nlohmann::json> runs_get_output(const Params& p, databricks::jobs::ApiVersion v);
  ApiResult<nlohmann::json> runs_repair(const Params& p, databricks::jobs::ApiVersion v);
  // triggers.cc: cron schedules and continuous jobs
  void arm_triggers(Job& job);
  void disarm_triggers(Job& job);
  void fire_schedule(std::int64_t job_id);
  void continuous_run_ended(const runs::JobRun& run);
  void start_continuous(Job& job, const std::string& trigger);
  runs::StartRequest start_request(const Job& job, const std::string& trigger) const;
  void schedule_faults();
  // streams.cc
  void wire_streams();

  WorkspaceContext ctx_;
  WorkspaceConfig config_;
  std::unique_ptr<clusters::ClusterService> clusters_;
  std::unique_ptr<runs::RunEngine> runs_;
  std::unique_ptr<streaming::StreamWorld> streams_;  // after runs_: destroyed before it
  limits::RateLimiter rate_limiter_;
  limits::CreationWindow creations_;
  databricks::faults::ApiFaults api_faults_;
  kiln::core::Random latency_random_;
  std::map<std::int64_t, Job> jobs_;
};

}  // namespace fakedb
