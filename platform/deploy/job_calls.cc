#include "platform/deploy/job_calls.h"

#include "databricks/client/errors.h"
#include "databricks/client/jobs_client.h"
#include "databricks/client/retry_policy.h"
#include "databricks/model/jobs.h"

namespace kiln::deploy {

using databricks::ApiRequest;
using databricks::ApiResponse;
using nlohmann::json;

RunState parse_run(const json& run) {
  RunState out;
  out.run_id = run.value("run_id", std::int64_t{0});
  const json state = run.value("state", json::object());
  out.life_cycle_state = state.value("life_cycle_state", "");
  out.result_state = state.value("result_state", "");
  out.state_message = state.value("state_message", "");
  if (run.contains("start_time")) out.start_ms = run["start_time"].get<core::TimeMs>();
  const auto end = run.value("end_time", core::TimeMs{0});
  if (end > 0) out.end_ms = end;
  return out;
}

RunState pending_run(std::int64_t run_id) {
  RunState out;
  out.run_id = run_id;
  out.life_cycle_state = "PENDING";
  return out;
}

bool is_terminal(const std::string& life_cycle_state) {
  const auto state = databricks::parse_life_cycle_state(life_cycle_state);
  return state && databricks::is_terminal(*state);
}

std::string tag(const json& job, const char* key) {
  return databricks::job_tag(job, key);
}

bool is_transient(const ApiResponse& response) {
  return databricks::is_transient(response);
}

bool says_missing(const ApiResponse& r) {
  return databricks::is_missing(r);
}

std::string describe_failure(const ApiRequest& request, const ApiResponse& response) {
  return request.method + " " + request.path + ": " + databricks::describe(response);
}

JobCalls::Failed if_missing(std::function<void()> missing) {
  return [missing = std::move(missing)](const ApiResponse& r) {
    if (!says_missing(r)) return false;
    missing();
    return true;
  };
}

JobCalls::JobCalls(std::string api_version, Send send, ListAll list_all)
    : api_version_(std::move(api_version)),
      send_(std::move(send)),
      list_all_(std::move(list_all)) {}

std::string JobCalls::path(const std::string& endpoint) const {
  return databricks::jobs_path(api_version_, endpoint);
}

void JobCalls::get_job(std::int64_t job_id, std::function<void()> ok, Failed failed) const {
  send_(
      ApiRequest::get(path("get"), {{"job_id", std::to_string(job_id)}}),
      [ok = std::move(ok)](const json&) { ok(); }, std::move(failed));
}

void JobCalls::create_job(const json& settings, std::function<void(std::int64_t)> ok,
                          Failed failed) const {
  send_(
      ApiRequest::post(path("create"), settings),
      [ok = std::move(ok)](const json& body) { ok(body.value("job_id", std::int64_t{0})); },
      std::move(failed));
}

void JobCalls::reset_job(std::int64_t job_id, const json& settings, std::function<void()> ok,
                         Failed failed) const {
  send_(
      ApiRequest::post(path("reset"), {{"job_id", job_id}, {"new_settings", settings}}),
      [ok = std::move(ok)](const json&) { ok(); }, std::move(failed));
}

void JobCalls::pause_continuous_job(std::int64_t job_id, std::function<void()> ok,
                                    Failed failed) const {
  send_(
      ApiRequest::post(
          path("update"),
          {{"job_id", job_id}, {"new_settings", {{"continuous", {{"pause_status", "PAUSED"}}}}}}),
      [ok = std::move(ok)](const json&) { ok(); }, std::move(failed));
}

void JobCalls::delete_job(std::int64_t job_id, std::function<void()> ok, Failed failed) const {
  send_(
      ApiRequest::post(path("delete"), {{"job_id", job_id}}),
      [ok = std::move(ok)](const json&) { ok(); }, std::move(failed));
}

void JobCalls::list_jobs(const std::string& name, Body ok) const {
  list_all_(ApiRequest::get(path("list"), {{"name", name}, {"limit", "100"}}), "jobs",
            std::move(ok));
}

void JobCalls::run_now(std::int64_t job_id, const std::string& idempotency_token,
                       std::function<void(std::int64_t)> ok) const {
  send_(
      ApiRequest::post(path("run-now"),
                       {{"job_id", job_id}, {"idempotency_token", idempotency_token}}),
      [ok = std::move(ok)](const json& body) { ok(body.value("run_id", std::int64_t{0})); },
      nullptr);
}

void JobCalls::get_run(std::int64_t run_id, std::function<void(const RunState&)> ok) const {
  send_(
      ApiRequest::get(path("runs/get"), {{"run_id", std::to_string(run_id)}}),
      [ok = std::move(ok)](const json& run) { ok(parse_run(run)); }, nullptr);
}

void JobCalls::cancel_run(std::int64_t run_id, std::function<void()> ok, Failed failed) const {
  send_(
      ApiRequest::post(path("runs/cancel"), {{"run_id", run_id}}),
      [ok = std::move(ok)](const json&) { ok(); }, std::move(failed));
}

namespace {

ApiRequest active_runs_request(const std::string& path, std::int64_t job_id) {
  return ApiRequest::get(
      path, {{"job_id", std::to_string(job_id)}, {"active_only", "true"}, {"limit", "25"}});
}

std::vector<RunState> parse_runs(const json& runs) {
  std::vector<RunState> out;
  for (const auto& run : runs) out.push_back(parse_run(run));
  return out;
}

}  // namespace

void JobCalls::active_runs_page(std::int64_t job_id, std::function<void(std::vector<RunState>)> ok,
                                Failed failed) const {
  send_(
      active_runs_request(path("runs/list"), job_id),
      [ok = std::move(ok)](const json& body) { ok(parse_runs(body.value("runs", json::array()))); },
      std::move(failed));
}

void JobCalls::all_active_runs(std::int64_t job_id,
                               std::function<void(std::vector<RunState>)> ok) const {
  list_all_(active_runs_request(path("runs/list"), job_id), "runs",
            [ok = std::move(ok)](const json& runs) { ok(parse_runs(runs)); });
}

}  // namespace kiln::deploy
