// The Runs endpoints: run-now, runs/submit, get, list, cancel, cancel-all, delete, get-output,
// repair. The state machine itself is runs::RunEngine.
#include <algorithm>
#include <iterator>
#include <set>

#include "fake-databricks/api/page_token.h"
#include "fake-databricks/runs/run_json.h"
#include "fake-databricks/workspace/fake_workspace.h"

namespace fakedb {
namespace {

constexpr std::int64_t kRunsListMax = 25;  // see docs/fake-databricks.md, "Fidelity choices"
constexpr std::size_t kIdempotencyTokenMax = 64;
constexpr std::size_t kParamsBytesMax = 10'000;

ApiResult<std::optional<std::string>> idempotency_token(const Params& p) {
  auto token = p.string("idempotency_token");
  if (!token) return token.error();
  if (*token && (*token)->size() > kIdempotencyTokenMax) {
    return ApiError::invalid_parameter("idempotency_token must be at most 64 characters long.");
  }
  return *token;
}

std::optional<ApiError> check_legacy_params(const Params& p) {
  if (p.has("jar_params") && p.has("notebook_params")) {
    return ApiError::invalid_parameter("jar_params and notebook_params cannot both be specified.");
  }
  for (const char* field :
       {"jar_params", "notebook_params", "python_params", "spark_submit_params",
        "python_named_params", "sql_params", "dbt_commands", "pipeline_params"}) {
    const nlohmann::json* v = p.find(field);
    if (v == nullptr) continue;
    if (v->dump().size() > kParamsBytesMax) {
      return ApiError::invalid_parameter(std::string(field) +
                                         " exceeds the maximum size of 10000 bytes.");
    }
    if (std::string(field) == "python_params" || std::string(field) == "spark_submit_params") {
      const std::string text = v->dump(-1, ' ', false);
      if (std::any_of(text.begin(), text.end(),
                      [](char c) { return static_cast<unsigned char>(c) > 127; })) {
        return ApiError::invalid_parameter(std::string(field) +
                                           " must contain only ASCII characters.");
      }
    }
  }
  return std::nullopt;
}

ApiResult<std::optional<bool>> queue_override(const Params& p) {
  auto queue = p.object("queue");
  if (!queue) return queue.error();
  if (!*queue) return std::optional<bool>{};
  auto enabled = (*queue)->boolean("enabled");
  if (!enabled) return enabled.error();
  if (!*enabled) return missing_field("queue.enabled");
  return *enabled;
}

}  // namespace

runs::StartRequest FakeWorkspace::start_request(const Job& job, const std::string& trigger) const {
  runs::StartRequest req;
  req.job_id = job.job_id;
  req.job_name = job.settings.value("name", "Untitled");
  req.run_name = req.job_name;
  req.trigger = trigger;
  req.settings = job.settings;
  req.queue_enabled =
      job.settings.contains("queue") && job.settings["queue"].value("enabled", false);
  if (trigger == "PERIODIC" && job.settings.contains("schedule"))
    req.schedule = job.settings["schedule"];
  return req;
}

ApiResult<nlohmann::json> FakeWorkspace::run_now(const Params& p, databricks::jobs::ApiVersion) {
  auto job = find_job(p);
  if (!job) return job.error();
  auto token = idempotency_token(p);
  if (!token) return token.error();
  if (auto err = check_legacy_params(p)) return *err;
  auto queue = queue_override(p);
  if (!queue) return queue.error();
  runs::StartRequest req = start_request(**job, "ONE_TIME");
  if (const nlohmann::json* only = p.find("only")) {
    const auto graph = databricks::jobs::build_task_graph(
        (*job)->settings.value("tasks", nlohmann::json::array()));
    auto selected = databricks::jobs::select_tasks(graph, *only);
    if (!selected) return selected.error();
    for (auto i : *selected) req.selected.push_back(graph.keys[i]);
  }
  if (const nlohmann::json* jp = p.find("job_parameters")) {
    if (!jp->is_object()) return wrong_type("job_parameters", "an object of name to value");
  }
  nlohmann::json overriding = nlohmann::json::object();
  for (const char* field :
       {"job_parameters", "jar_params", "notebook_params", "python_params", "spark_submit_params",
        "python_named_params", "sql_params", "dbt_commands", "pipeline_params"}) {
    if (const nlohmann::json* v = p.find(field)) overriding[field] = *v;
  }
  req.overriding_parameters = std::move(overriding);
  req.idempotency_token = *token;
  if (*queue) req.queue_enabled = **queue;
  auto id = runs_->start(std::move(req));
  if (!id) return id.error();
  return nlohmann::json{{"run_id", *id}, {"number_in_job", *id}};
}

ApiResult<nlohmann::json> FakeWorkspace::runs_submit(const Params& p,
                                                     databricks::jobs::ApiVersion v) {
  if (auto err = databricks::jobs::validate_submit(p.json(), v)) return *err;
  auto token = idempotency_token(p);
  if (!token) return token.error();
  auto queue = queue_override(p);
  if (!queue) return queue.error();
  nlohmann::json settings = nlohmann::json::object();
  for (const char* field :
       {"tasks", "timeout_seconds", "git_source", "environments", "health", "email_notifications",
        "webhook_notifications", "notification_settings", "tags"}) {
    if (const nlohmann::json* f = p.find(field)) settings[field] = *f;
  }
  settings["name"] = p.json().value("run_name", "Untitled");
  settings = databricks::jobs::with_server_defaults(std::move(settings), v);
  settings["max_concurrent_runs"] = 1000;  // one-time runs have no per-job limit
  runs::StartRequest req;
  req.job_id = runs_->allocate_job_id();  // the hidden job a one-time run belongs to
  req.run_name = settings["name"].get<std::string>();
  req.job_name = req.run_name;
  req.run_type = "SUBMIT_RUN";
  req.settings = std::move(settings);
  req.idempotency_token = *token;
  req.queue_enabled = queue->value_or(false);
  auto id = runs_->start(std::move(req));
  if (!id) return id.error();
  return nlohmann::json{{"run_id", *id}};
}

ApiResult<nlohmann::json> FakeWorkspace::runs_get(const Params& p, databricks::jobs::ApiVersion v) {
  auto id = p.required_int64("run_id");
  if (!id) return id.error();
  auto history = p.boolean("include_history");
  if (!history) return history.error();
  const runs::TaskRun* task = nullptr;
  const runs::JobRun* run = runs_->owner_of(*id, &task);
  if (run == nullptr) return ApiError::missing("Run " + std::to_string(*id) + " does not exist.");
  if (task != nullptr) return runs::task_run_as_run_json(ctx_, *run, *task);
  runs::RenderOptions opt;
  opt.include_history = history->value_or(false);
  if (v != databricks::jobs::ApiVersion::v2_2) {
    if (run->tasks.size() > opt.task_page) {
      return ApiError::invalid_parameter(
          "Resources with more than 100 tasks can only be handled by API 2.2 and above");
    }
    opt.task_page = run->tasks.size();
  }
  auto token = p.string("page_token");
  if (!token) return token.error();
  if (*token) {
    auto offset = decode_page_cursor(**token, "tasks:");
    if (!offset) return offset.error();
    opt.task_offset = static_cast<std::size_t>(std::max<std::int64_t>(0, *offset));
  }
  nlohmann::json j = runs::run_json(ctx_, *run, opt);
  if (j.value("has_more", false)) {
    j["next_page_token"] =
        encode_page_token("tasks:" + std::to_string(opt.task_offset + opt.task_page));
    j.erase("has_more");
  }
  return j;
}

ApiResult<nlohmann::json> FakeWorkspace::runs_list(const Params& p, databricks::jobs::ApiVersion) {
  auto job_id = p.int64("job_id");
  auto active = p.boolean("active_only");
  auto completed = p.boolean("completed_only");
  auto limit = p.int64("limit");
  auto offset = p.int64("offset");
  auto expand = p.boolean("expand_tasks");
  auto from = p.int64("start_time_from");
  auto to = p.int64("start_time_to");
  auto run_type = p.string("run_type");
  auto token = p.string("page_token");
  for (const ApiError* e :
       {job_id ? nullptr : &job_id.error(), active ? nullptr : &active.error(),
        completed ? nullptr : &completed.error(), limit ? nullptr : &limit.error(),
        offset ? nullptr : &offset.error(), expand ? nullptr : &expand.error(),
        from ? nullptr : &from.error(), to ? nullptr : &to.error(),
        run_type ? nullptr : &run_type.error(), token ? nullptr : &token.error()}) {
    if (e != nullptr) return *e;
  }
  if (active->value_or(false) && completed->value_or(false)) {
    return ApiError::invalid_parameter("active_only and completed_only cannot both be true.");
  }
  std::int64_t n = limit->value_or(20);
  if (n == 0) n = kRunsListMax;  // 0 means "the maximum"
  if (n < 0 || n > kRunsListMax) {
    return ApiError::invalid_parameter("Invalid limit " + std::to_string(n) +
                                       " - it has to be no more than " +
                                       std::to_string(kRunsListMax) + ".");
  }
  if (offset->value_or(0) < 0) return ApiError::invalid_parameter("offset must be >= 0.");
  if (*run_type && **run_type != "JOB_RUN" && **run_type != "WORKFLOW_RUN" &&
      **run_type != "SUBMIT_RUN") {
    return ApiError::invalid_parameter(
        "run_type must be one of JOB_RUN, WORKFLOW_RUN, SUBMIT_RUN.");
  }
  std::optional<std::int64_t> older_than, newer_than;  // cursors on run_id (ids grow with time)
  if (*token) {
    auto older = decode_page_cursor(**token, "runs<");
    auto newer = decode_page_cursor(**token, "runs>");
    if (!older && !newer) return older.error();
    if (older) older_than = *older;
    if (newer) newer_than = *newer;
  }
  const auto& ids = *job_id ? runs_->run_ids_of_job(**job_id) : runs_->all_run_ids();
  auto matches = [&](const runs::JobRun& run) {
    const bool is_active = runs::is_active(run.state.life_cycle);
    if (active->value_or(false) && !is_active) return false;
    if (completed->value_or(false) && is_active) return false;
    if (*run_type && run.run_type != **run_type) return false;
    if (*from && run.start_time < **from) return false;
    if (*to && run.start_time > **to) return false;
    return true;
  };
  // Newest first: the most recently started run leads. Run ids grow with start time and the
  // id lists are ascending, so a next page starts by binary search at its cursor, a scan stops
  // as soon as the page is full (one more tells has_more), and a start_time_from filter stops
  // it at the first older run: a page costs what it returns, not the whole history.
  std::vector<const runs::JobRun*> matching;
  std::size_t begin = 0;
  if (!newer_than && offset->value_or(0) == 0) {
    auto first = ids.end();
    if (older_than) first = std::lower_bound(ids.begin(), ids.end(), *older_than);
    for (auto it = std::make_reverse_iterator(first); it != ids.rend(); ++it) {
      const runs::JobRun* run = runs_->find(*it);
      if (run == nullptr) continue;
      if (*from && run->start_time < **from) break;
      if (!matches(*run)) continue;
      matching.push_back(run);
      if (matching.size() > static_cast<std::size_t>(n)) break;
    }
    // A previous page exists when a matching run is newer than the cursor.
    bool newer = false;
    for (auto it = first; older_than && it != ids.end() && !newer; ++it) {
      const runs::JobRun* run = runs_->find(*it);
      newer = run != nullptr && matches(*run);
    }
    if (newer) {
      matching.insert(matching.begin(), nullptr);  // stands for the newer runs before the page
      begin = 1;
    }
  } else {
    for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
      const runs::JobRun* run = runs_->find(*it);
      if (run != nullptr && matches(*run)) matching.push_back(run);
    }
    begin = static_cast<std::size_t>(offset->value_or(0));
    if (newer_than) {
      const auto first_not_newer = static_cast<std::size_t>(
          std::find_if(matching.begin(), matching.end(),
                       [&](const runs::JobRun* r) { return r->run_id <= *newer_than; }) -
          matching.begin());
      begin = first_not_newer > static_cast<std::size_t>(n)
                  ? first_not_newer - static_cast<std::size_t>(n)
                  : 0;
    }
  }
  begin = std::min(begin, matching.size());
  const std::size_t end = std::min(matching.size(), begin + static_cast<std::size_t>(n));
  runs::RenderOptions opt;
  opt.include_tasks = expand->value_or(false);
  nlohmann::json result{{"has_more", end < matching.size()}};
  if (begin < end) {
    nlohmann::json list = nlohmann::json::array();
    for (std::size_t i = begin; i < end; ++i)
      list.push_back(runs::run_json(ctx_, *matching[i], opt));
    result["runs"] = std::move(list);
    if (end < matching.size()) {
      result["next_page_token"] =
          encode_page_token("runs<" + std::to_string(matching[end - 1]->run_id));
    }
    if (begin > 0) {
      result["prev_page_token"] =
          encode_page_token("runs>" + std::to_string(matching[begin]->run_id));
    }
  }
  return result;
}

ApiResult<nlohmann::json> FakeWorkspace::runs_cancel(const Params& p,
                                                     databricks::jobs::ApiVersion) {
  auto id = p.required_int64("run_id");
  if (!id) return id.error();
  return runs_->cancel(*id);
}

ApiResult<nlohmann::json> FakeWorkspace::runs_cancel_all(const Params& p,
                                                         databricks::jobs::ApiVersion) {
  auto job_id = p.int64("job_id");
  if (!job_id) return job_id.error();
  auto all_queued = p.boolean("all_queued_runs");
  if (!all_queued) return all_queued.error();
  if (!*job_id && !all_queued->value_or(false)) {
    return ApiError::invalid_parameter("Either job_id or all_queued_runs must be specified.");
  }
  if (*job_id && jobs_.count(**job_id) == 0) {
    return ApiError::missing("Job " + std::to_string(**job_id) + " does not exist.");
  }
  runs_->cancel_all(*job_id, all_queued->value_or(false));
  return nlohmann::json::object();
}

ApiResult<nlohmann::json> FakeWorkspace::runs_delete(const Params& p,
                                                     databricks::jobs::ApiVersion) {
  auto id = p.required_int64("run_id");
  if (!id) return id.error();
  return runs_->remove(*id);
}

ApiResult<nlohmann::json> FakeWorkspace::runs_get_output(const Params& p,
                                                         databricks::jobs::ApiVersion) {
  auto id = p.required_int64("run_id");
  if (!id) return id.error();
  const runs::TaskRun* task = nullptr;
  const runs::JobRun* run = runs_->owner_of(*id, &task);
  if (run == nullptr) return ApiError::missing("Run " + std::to_string(*id) + " does not exist.");
  if (task == nullptr) {
    // Counted on the run's tasks, not its attempts: a skipped or queued run has none yet.
    const std::set<std::string> keys(run->selected.begin(), run->selected.end());
    if (keys.size() != 1) {
      return ApiError::invalid_parameter(
          "Retrieving the output of runs with multiple tasks is not supported. Please retrieve "
          "the output of each individual task run instead.");
    }
    if (run->tasks.empty()) return nlohmann::json{{"metadata", runs::run_json(ctx_, *run, {})}};
    task = &run->tasks.back();  // a single-task run: its newest attempt
  }
  nlohmann::json out{{"metadata", runs::task_run_as_run_json(ctx_, *run, *task)}};
  if (runs::is_terminal(task->state.life_cycle)) {
    const bool succeeded = task->state.result == runs::Result::success;
    if (!succeeded && task->state.result != runs::Result::canceled) {
      out["error"] = task->state.message;
      out["error_trace"] = "Traceback (most recent call last):\n  File \"<workload>\", line 1\n" +
                           task->state.message;
    }
    if (task->settings.contains("notebook_task")) {
      if (succeeded) out["notebook_output"] = {{"result", task->plan.output}, {"truncated", false}};
    } else {
      out["logs"] = succeeded ? task->plan.output : task->state.message;
      out["logs_truncated"] = false;
    }
  }
  return out;
}

ApiResult<nlohmann::json> FakeWorkspace::runs_repair(const Params& p,
                                                     databricks::jobs::ApiVersion) {
  auto id = p.required_int64("run_id");
  if (!id) return id.error();
  const runs::JobRun* run = runs_->find(*id);
  if (run == nullptr) return ApiError::missing("Run " + std::to_string(*id) + " does not exist.");
  auto job = jobs_.find(run->job_id);
  const nlohmann::json& settings = job != jobs_.end() ? job->second.settings : run->settings;
  return runs_->repair(*id, settings, p.json());
}

}  // namespace fakedb
