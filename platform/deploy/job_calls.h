// The Jobs API calls a deploy makes, as a thin typed layer over the Workspace seam: each call
// takes typed arguments and hands its callback the parsed answer (a RunState, not a run's JSON).
// It is meant to give way to the typed Databricks client, so it stays small: the deploy's one
// retry rule (is_transient), one is_terminal and one tag() live here with it.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock/clock.h"
#include "databricks/api/api_request.h"

namespace kiln::deploy {

// A run as the strategies read it: a runs/get answer, or an element of runs/list.
struct RunState {
  std::int64_t run_id = 0;
  std::string life_cycle_state;  // "" when the answer has none
  std::string result_state;
  std::string state_message;
  std::optional<core::TimeMs> start_ms;  // start_time, when the answer has one
  std::optional<core::TimeMs> end_ms;    // end_time, when the answer has one above 0
};
RunState parse_run(const nlohmann::json& run);
// The run jobs/run-now just started, as the deploy records it before it has read it: PENDING.
RunState pending_run(std::int64_t run_id);

// databricks::is_terminal over the API's spelling (unknown states are not terminal).
bool is_terminal(const std::string& life_cycle_state);

// databricks::job_tag: tag `key` of a jobs/get answer or jobs/list element; "" if none.
std::string tag(const nlohmann::json& job, const char* key);

// The deploy's one retry rule, over databricks::retry_of (databricks/client/errors.h): true if
// trying again later may succeed. Never for a refused server certificate (no retry fixes it, and
// retrying would hide it).
bool is_transient(const databricks::ApiResponse& response);

// databricks::is_missing: the job or run does not exist.
bool says_missing(const databricks::ApiResponse& response);

// "POST /api/2.2/jobs/create: HTTP 400 INVALID_PARAMETER_VALUE: <message>"
std::string describe_failure(const databricks::ApiRequest& request,
                             const databricks::ApiResponse& response);

// The Jobs API calls of a deploy. Each `ok` gets a 200 answer, parsed. Where a call takes
// `failed`, that sees any other answer first and returns true if it handled it; the sender
// handles the rest (the deploy step retries a transient failure and fails on any other).
class JobCalls {
 public:
  using Body = std::function<void(const nlohmann::json&)>;
  using Failed = std::function<bool(const databricks::ApiResponse&)>;
  // Sends one request.
  using Send = std::function<void(databricks::ApiRequest, Body ok, Failed failed)>;
  // Sends a list request and follows its pages; `ok` gets every page's `field` array, joined.
  using ListAll = std::function<void(databricks::ApiRequest, std::string field, Body ok)>;

  JobCalls(std::string api_version, Send send, ListAll list_all);

  void get_job(std::int64_t job_id, std::function<void()> ok, Failed failed) const;
  void create_job(const nlohmann::json& settings, std::function<void(std::int64_t job_id)> ok,
                  Failed failed) const;
  void reset_job(std::int64_t job_id, const nlohmann::json& settings, std::function<void()> ok,
                 Failed failed = nullptr) const;
  // jobs/update with continuous.pause_status PAUSED.
  void pause_continuous_job(std::int64_t job_id, std::function<void()> ok, Failed failed) const;
  void delete_job(std::int64_t job_id, std::function<void()> ok, Failed failed) const;
  // The jobs named `name` (jobs/list elements, every page).
  void list_jobs(const std::string& name, Body ok) const;

  void run_now(std::int64_t job_id, const std::string& idempotency_token,
               std::function<void(std::int64_t run_id)> ok) const;
  void get_run(std::int64_t run_id, std::function<void(const RunState&)> ok) const;
  void cancel_run(std::int64_t run_id, std::function<void()> ok, Failed failed = nullptr) const;
  // The first page (up to 25, newest first) of the job's active runs.
  void active_runs_page(std::int64_t job_id, std::function<void(std::vector<RunState>)> ok,
                        Failed failed) const;
  // Every active run of the job, newest first (every page).
  void all_active_runs(std::int64_t job_id, std::function<void(std::vector<RunState>)> ok) const;

 private:
  std::string path(const std::string& endpoint) const;  // "/api/<version>/jobs/<endpoint>"

  std::string api_version_;
  Send send_;
  ListAll list_all_;
};

// A JobCalls::Failed that handles the answer that the job or run does not exist by calling
// `missing`, and leaves every other failure to the sender.
JobCalls::Failed if_missing(std::function<void()> missing);

}  // namespace kiln::deploy
