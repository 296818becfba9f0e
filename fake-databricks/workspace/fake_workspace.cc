// FakeWorkspace: construction, routing, faults and latency. The endpoints are in
// jobs_endpoints.cc and runs_endpoints.cc; schedules and continuous jobs in triggers.cc.
#include "fake-databricks/workspace/fake_workspace.h"

#include "core/text/glob.h"
#include "fake-databricks/api/request_checks.h"

namespace fakedb {
namespace {

template <ApiResult<nlohmann::json> (clusters::ClusterService::*method)(const Params&)>
ApiResult<nlohmann::json> on_clusters(FakeWorkspace& w, const Params& p,
                                      databricks::jobs::ApiVersion) {
  return (w.clusters().*method)(p);
}

struct Target {
  std::string version, area, name;
};

// "/api/2.2/jobs/runs/get" -> {"2.2", "jobs", "runs/get"}.
std::optional<Target> parse_path(const std::string& path) {
  const std::string prefix = "/api/";
  if (path.rfind(prefix, 0) != 0) return std::nullopt;
  const auto v_end = path.find('/', prefix.size());
  if (v_end == std::string::npos) return std::nullopt;
  const auto a_end = path.find('/', v_end + 1);
  if (a_end == std::string::npos) return std::nullopt;
  Target t{path.substr(prefix.size(), v_end - prefix.size()),
           path.substr(v_end + 1, a_end - v_end - 1), path.substr(a_end + 1)};
  if (!t.name.empty() && t.name.back() == '/') t.name.pop_back();
  return t;
}

}  // namespace

const std::vector<FakeWorkspace::Route>& FakeWorkspace::routes() {
  using CS = clusters::ClusterService;
  static const std::vector<Route> kRoutes = {
      {"POST", "jobs", "create", &FakeWorkspace::jobs_create},
      {"POST", "jobs", "reset", &FakeWorkspace::jobs_reset},
      {"POST", "jobs", "update", &FakeWorkspace::jobs_update},
      {"POST", "jobs", "delete", &FakeWorkspace::jobs_delete},
      {"GET", "jobs", "get", &FakeWorkspace::jobs_get},
      {"GET", "jobs", "list", &FakeWorkspace::jobs_list},
      {"POST", "jobs", "run-now", &FakeWorkspace::run_now},
      {"POST", "jobs", "runs/submit", &FakeWorkspace::runs_submit},
      {"GET", "jobs", "runs/get", &FakeWorkspace::runs_get},
      {"GET", "jobs", "runs/list", &FakeWorkspace::runs_list},
      {"POST", "jobs", "runs/cancel", &FakeWorkspace::runs_cancel},
      {"POST", "jobs", "runs/cancel-all", &FakeWorkspace::runs_cancel_all},
      {"POST", "jobs", "runs/delete", &FakeWorkspace::runs_delete},
      {"GET", "jobs", "runs/get-output", &FakeWorkspace::runs_get_output},
      {"POST", "jobs", "runs/repair", &FakeWorkspace::runs_repair},
      {"POST", "clusters", "create", on_clusters<&CS::create>},
      {"POST", "clusters", "edit", on_clusters<&CS::edit>},
      {"POST", "clusters", "start", on_clusters<&CS::start>},
      {"POST", "clusters", "restart", on_clusters<&CS::restart>},
      {"POST", "clusters", "resize", on_clusters<&CS::resize>},
      {"POST", "clusters", "delete", on_clusters<&CS::terminate>},
      {"POST", "clusters", "permanent-delete", on_clusters<&CS::permanent_delete>},
      {"GET", "clusters", "get", on_clusters<&CS::get>},
      {"GET", "clusters", "list", on_clusters<&CS::list>},
      {"POST", "clusters", "events", on_clusters<&CS::events>},
      {"POST", "clusters", "pin", on_clusters<&CS::pin>},
      {"POST", "clusters", "unpin", on_clusters<&CS::unpin>},
      {"GET", "clusters", "spark-versions", on_clusters<&CS::spark_versions>},
      {"GET", "clusters", "list-node-types", on_clusters<&CS::list_node_types>},
  };
  return kRoutes;
}

FakeWorkspace::FakeWorkspace(kiln::core::Clock& clock, kiln::core::EventLog& events,
                             std::uint64_t seed, WorkspaceConfig config)
    : ctx_{clock,           events, kiln::core::Random(seed), config.host, config.workspace_id,
           config.user_name},
      config_(std::move(config)),
      rate_limiter_(config_.rate_limits),
      creations_(config_.job_creations_per_hour),
      api_faults_(ctx_.random.stream("api-faults")),
      latency_random_(ctx_.random.stream("latency")) {
  clusters_ = std::make_unique<clusters::ClusterService>(ctx_, config_.cluster_timings);
  if (config_.cluster_launch_failure_probability > 0) {
    clusters_->set_launch_failure_probability(config_.cluster_launch_failure_probability,
                                              config_.cluster_launch_failure_reason);
  }
  runs_ = std::make_unique<runs::RunEngine>(ctx_, *clusters_, config_.workloads, config_.runs);
  runs_->on_run_finished([this](const runs::JobRun& run) { continuous_run_ended(run); });
  wire_streams();
  for (const auto& rule : config_.api_faults) api_faults_.add(rule);
  schedule_faults();
}

FakeWorkspace::~FakeWorkspace() {
  for (auto& [id, job] : jobs_) disarm_triggers(job);
}

std::vector<std::int64_t> FakeWorkspace::jobs_named(const std::string& glob) const {
  std::vector<std::int64_t> ids;
  for (const auto& [id, job] : jobs_) {
    if (kiln::core::glob_match(glob, job.settings.value("name", ""))) ids.push_back(id);
  }
  return ids;
}

void FakeWorkspace::schedule_faults() {
  for (const auto& fault : config_.scheduled_faults) {
    ctx_.clock.schedule_at(fault.at_ms, [this, fault] {
      ctx_.publish("fault", {{"kind", fault.kind}, {"job", fault.job}, {"count", fault.count}});
      if (fault.kind == "cluster_launch_failure") {
        clusters_->fail_next_launches(fault.count, fault.reason);
        return;
      }
      // driver_lost / internal_error: every active run of the matching jobs.
      for (auto job_id : jobs_named(fault.job)) {
        const std::vector<std::int64_t> ids(runs_->run_ids_of_job(job_id).begin(),
                                            runs_->run_ids_of_job(job_id).end());
        for (auto run_id : ids) {
          const runs::JobRun* run = runs_->find(run_id);
          if (run == nullptr || runs::is_terminal(run->state.life_cycle)) continue;
          if (fault.kind == "internal_error") {
            runs_->inject_internal_error(run_id);
            continue;
          }
          std::vector<std::int64_t> running;
          for (const auto& t : run->tasks) {
            if (t.state.life_cycle == runs::LifeCycle::running) running.push_back(t.run_id);
          }
          for (auto task_run_id : running) runs_->lose_driver(task_run_id);
        }
      }
    });
  }
}

ApiResponse FakeWorkspace::inspect(const ApiRequest& request) {
  if (request.method != "GET") {
    return ApiResponse::from(ApiError::invalid_parameter("inspect() answers GET requests only"));
  }
  return dispatch(request, false);
}

ApiResponse FakeWorkspace::dispatch(const ApiRequest& request, bool rate_limited) {
  // Text that is not UTF-8, or JSON too deep for the handlers' recursion, never reaches them.
  if (auto refused = check_request(request)) return ApiResponse::from(*refused);
  const auto target = parse_path(request.path);
  if (!target) return ApiResponse::from(ApiError::bad_target(request.path));
  const bool jobs_area = target->area == "jobs";
  databricks::jobs::ApiVersion version = databricks::jobs::ApiVersion::v2_2;
  if (target->version == "2.0") {
    version = databricks::jobs::ApiVersion::v2_0;
  } else if (target->version == "2.1") {
    version = databricks::jobs::ApiVersion::v2_1;
  } else if (target->version != "2.2" || !jobs_area) {
    return ApiResponse::from(ApiError::bad_target(request.path));
  }
  for (const auto& route : routes()) {
    if (target->area != route.area || target->name != route.name) continue;
    if (request.method != route.method) break;
    if (rate_limited) {
      if (auto limited = rate_limiter_.admit(target->area + "/" + target->name, ctx_.now_ms())) {
        return ApiResponse::from(*limited);
      }
    }
    auto params = Params::from(request);
    if (!params) return ApiResponse::from(params.error());
    return ApiResponse::from(route.handler(*this, *params, version));
  }
  return ApiResponse::from(ApiError::bad_target(request.path));
}

ApiResponse FakeWorkspace::handle(const ApiRequest& request) {
  runs_->expire_old_runs();
  const auto decision = api_faults_.decide(request, ctx_.now_ms());
  ApiResponse response;
  if (decision.answer && !decision.run_handler) {
    response = *decision.answer;
  } else {
    response = dispatch(request, true);
    if (decision.answer) response = *decision.answer;  // done, but the answer is lost
  }
  response.delay_ms += decision.delay_ms;
  ctx_.publish("api.call", {{"method", request.method},
                            {"path", request.path},
                            {"status", response.status},
                            {"faulted", decision.answer.has_value()}});
  return response;
}

void FakeWorkspace::call(ApiRequest request, std::function<void(ApiResponse)> done) {
  ApiResponse response = handle(request);
  const auto delay = response.delay_ms + config_.latency_ms.draw_ms(latency_random_);
  ctx_.clock.schedule_after(
      delay, [done = std::move(done), response = std::move(response)] { done(response); });
}

}  // namespace fakedb
