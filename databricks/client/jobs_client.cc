#include "databricks/client/jobs_client.h"

#include <utility>

#include "databricks/client/errors.h"
#include "databricks/client/paginate.h"

namespace databricks {
namespace {

std::int64_t int_of(const nlohmann::json& body, const char* key) {
  const auto it = body.find(key);
  return it != body.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

template <class T>
std::vector<T> read_all(const nlohmann::json& items) {
  std::vector<T> out;
  out.reserve(items.size());
  for (const auto& item : items) out.push_back(T::from_json(item));
  return out;
}

}  // namespace

std::string jobs_path(std::string_view version, std::string_view endpoint) {
  return "/api/" + std::string(version) + "/jobs/" + std::string(endpoint);
}

std::string JobsClient::path(std::string_view endpoint) const {
  return jobs_path(version_, endpoint);
}

template <class T>
void JobsClient::send(const ApiRequest& request, std::function<T(const nlohmann::json&)> read,
                      Reply<T> done) {
  api_.call(request, [read = std::move(read), done = std::move(done)](const ApiResponse& r) {
    if (!r.ok()) return done(error_of(r));
    done(read(r.body));
  });
}

void JobsClient::create(nlohmann::json settings, Reply<JobId> done) {
  send<JobId>(
      ApiRequest::post(path("create"), std::move(settings)),
      [](const nlohmann::json& b) { return int_of(b, "job_id"); }, std::move(done));
}

void JobsClient::reset(JobId job_id, nlohmann::json new_settings, Reply<Done> done) {
  send<Done>(
      ApiRequest::post(path("reset"),
                       {{"job_id", job_id}, {"new_settings", std::move(new_settings)}}),
      [](const nlohmann::json&) { return Done{}; }, std::move(done));
}

void JobsClient::update(JobId job_id, nlohmann::json body, Reply<Done> done) {
  body["job_id"] = job_id;
  send<Done>(
      ApiRequest::post(path("update"), std::move(body)),
      [](const nlohmann::json&) { return Done{}; }, std::move(done));
}

void JobsClient::remove(JobId job_id, Reply<Done> done) {
  send<Done>(
      ApiRequest::post(path("delete"), {{"job_id", job_id}}),
      [](const nlohmann::json&) { return Done{}; }, std::move(done));
}

void JobsClient::get(JobId job_id, Reply<Job> done) {
  send<Job>(ApiRequest::get(path("get"), {{"job_id", std::to_string(job_id)}}), &Job::from_json,
            std::move(done));
}

void JobsClient::list(JobsQuery query, Reply<std::vector<Job>> done) {
  std::vector<std::pair<std::string, std::string>> q;
  if (query.name) q.emplace_back("name", *query.name);
  q.emplace_back("limit", std::to_string(query.limit));
  if (query.expand_tasks) q.emplace_back("expand_tasks", "true");
  list_all(api_, ApiRequest::get(path("list"), std::move(q)), "jobs",
           [done = std::move(done)](const ListResult& r) {
             if (!r.ok()) return done(error_of(r));
             done(read_all<Job>(r.items));
           });
}

void JobsClient::run_now(JobId job_id, nlohmann::json body, Reply<RunId> done) {
  body["job_id"] = job_id;
  send<RunId>(
      ApiRequest::post(path("run-now"), std::move(body)),
      [](const nlohmann::json& b) { return int_of(b, "run_id"); }, std::move(done));
}

void JobsClient::get_run(RunId run_id, Reply<Run> done) {
  send<Run>(ApiRequest::get(path("runs/get"), {{"run_id", std::to_string(run_id)}}),
            &Run::from_json, std::move(done));
}

ApiRequest JobsClient::runs_list_request(const RunsQuery& query) const {
  std::vector<std::pair<std::string, std::string>> q;
  if (query.job_id) q.emplace_back("job_id", std::to_string(*query.job_id));
  if (query.active_only) q.emplace_back("active_only", "true");
  if (query.start_time_from)
    q.emplace_back("start_time_from", std::to_string(*query.start_time_from));
  q.emplace_back("limit", std::to_string(query.limit));
  return ApiRequest::get(path("runs/list"), std::move(q));
}

void JobsClient::list_runs(RunsQuery query, Reply<std::vector<Run>> done) {
  list_all(api_, runs_list_request(query), "runs", [done = std::move(done)](const ListResult& r) {
    if (!r.ok()) return done(error_of(r));
    done(read_all<Run>(r.items));
  });
}

void JobsClient::list_runs_page(RunsQuery query, Reply<std::vector<Run>> done) {
  send<std::vector<Run>>(
      runs_list_request(query),
      [](const nlohmann::json& b) {
        const auto runs = b.find("runs");
        return runs != b.end() && runs->is_array() ? read_all<Run>(*runs) : std::vector<Run>{};
      },
      std::move(done));
}

void JobsClient::cancel_run(RunId run_id, Reply<Done> done) {
  send<Done>(
      ApiRequest::post(path("runs/cancel"), {{"run_id", run_id}}),
      [](const nlohmann::json&) { return Done{}; }, std::move(done));
}

void JobsClient::repair_run(RunId run_id, nlohmann::json body, Reply<std::int64_t> done) {
  body["run_id"] = run_id;
  send<std::int64_t>(
      ApiRequest::post(path("runs/repair"), std::move(body)),
      [](const nlohmann::json& b) { return int_of(b, "repair_id"); }, std::move(done));
}

}  // namespace databricks
