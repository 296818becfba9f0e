// JobsClient: the Jobs API as typed calls over any WorkspaceApi (the emulator, fake-databricks
// serve, the real service, each possibly behind the retry and fault decorators). Each call
// writes its path and parameters once, here, and reads the answer into the model's types; a
// failure arrives as the ApiError the service sent (http_status 0: no answer), which
// client/errors.h classifies. List calls follow every page (paginate.h).
//
// Every `done` runs exactly once, on the WorkspaceApi's loop, never inside the call.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "databricks/api/workspace_api.h"
#include "databricks/model/jobs.h"

namespace databricks {

struct Done {};  // the value of a call whose answer carries nothing kiln reads

template <class T>
using Reply = std::function<void(ApiResult<T>)>;

// runs/list's filters, sent in this order when set.
struct RunsQuery {
  std::optional<JobId> job_id;
  bool active_only = false;
  std::optional<std::int64_t> start_time_from;  // ms since the epoch
  int limit = 25;
};

// jobs/list's filters.
struct JobsQuery {
  std::optional<std::string> name;  // exact name
  bool expand_tasks = false;
  int limit = 100;
};

// "/api/<version>/jobs/<endpoint>": every Jobs API path kiln sends is made here.
std::string jobs_path(std::string_view version, std::string_view endpoint);

class JobsClient {
 public:
  // `api` must outlive the client. `api_version` is "2.0", "2.1" or "2.2" (kiln uses 2.2).
  explicit JobsClient(WorkspaceApi& api, std::string api_version = "2.2")
      : api_(api), version_(std::move(api_version)) {}

  // "/api/2.2/jobs/<endpoint>".
  std::string path(std::string_view endpoint) const;
  WorkspaceApi& api() const { return api_; }

  void create(nlohmann::json settings, Reply<JobId> done);
  void reset(JobId job_id, nlohmann::json new_settings, Reply<Done> done);
  // jobs/update: `body` holds new_settings and/or fields_to_remove; job_id is added.
  void update(JobId job_id, nlohmann::json body, Reply<Done> done);
  void remove(JobId job_id, Reply<Done> done);  // jobs/delete
  void get(JobId job_id, Reply<Job> done);
  void list(JobsQuery query, Reply<std::vector<Job>> done);  // every page

  // jobs/run-now: `body` holds job_parameters, idempotency_token...; job_id is added.
  void run_now(JobId job_id, nlohmann::json body, Reply<RunId> done);
  void get_run(RunId run_id, Reply<Run> done);
  void list_runs(RunsQuery query, Reply<std::vector<Run>> done);       // every page
  void list_runs_page(RunsQuery query, Reply<std::vector<Run>> done);  // the first page only
  void cancel_run(RunId run_id, Reply<Done> done);
  // jobs/runs/repair: `body` holds rerun_tasks, latest_repair_id...; run_id is added. Answers
  // the repair_id.
  void repair_run(RunId run_id, nlohmann::json body, Reply<std::int64_t> done);

 private:
  // Sends `request`; a 200 goes through `read`, anything else becomes the answer's ApiError.
  template <class T>
  void send(const ApiRequest& request, std::function<T(const nlohmann::json&)> read, Reply<T> done);
  ApiRequest runs_list_request(const RunsQuery& query) const;

  WorkspaceApi& api_;
  std::string version_;
};

}  // namespace databricks
