// The Jobs endpoints: create, reset, update, delete, get, list.
#include <algorithm>
#include <cctype>

#include "fake-databricks/api/page_token.h"
#include "fake-databricks/workspace/fake_workspace.h"

namespace fakedb {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

constexpr std::size_t kArrayPage = 100;  // 2.2 pages tasks at 100 per response

// What 2.0 and 2.1 clients get for a job of more than 100 tasks (docs: large jobs).
ApiError too_many_tasks() {
  return ApiError::invalid_parameter(
      "Resources with more than 100 tasks can only be handled by API 2.2 and above");
}

}  // namespace

ApiResult<FakeWorkspace::Job*> FakeWorkspace::find_job(const Params& p) {
  auto id = p.required_int64("job_id");
  if (!id) return id.error();
  auto it = jobs_.find(*id);
  if (it == jobs_.end())
    return ApiError::missing("Job " + std::to_string(*id) + " does not exist.");
  return &it->second;
}

ApiResult<nlohmann::json> FakeWorkspace::check_schedule(const nlohmann::json& settings, Job* job) {
  auto s = settings.find("schedule");
  if (s == settings.end() || !s->is_object()) {
    if (job != nullptr) {
      job->cron.reset();
      job->zone.reset();
    }
    return nlohmann::json::object();
  }
  auto cron = databricks::cron::QuartzCron::parse(s->value("quartz_cron_expression", ""));
  if (!cron) return cron.error();
  auto zone = databricks::cron::TimeZone::find(s->value("timezone_id", ""));
  if (!zone) return zone.error();
  if (job != nullptr) {
    job->cron = *cron;
    job->zone = *zone;
  }
  return nlohmann::json::object();
}

nlohmann::json FakeWorkspace::job_json(const Job& job, bool with_tasks,
                                       std::size_t task_offset) const {
  nlohmann::json settings;
  bool more = false;
  if (!with_tasks) {  // copy all but the (large) task and cluster lists
    settings = nlohmann::json::object();
    for (auto it = job.settings.begin(); it != job.settings.end(); ++it) {
      if (it.key() != "tasks" && it.key() != "job_clusters") settings[it.key()] = it.value();
    }
  } else if (settings = job.settings; settings.contains("tasks")) {
    auto& tasks = settings["tasks"];
    nlohmann::json page = nlohmann::json::array();
    for (std::size_t i = task_offset; i < tasks.size() && i < task_offset + kArrayPage; ++i) {
      page.push_back(tasks[i]);
    }
    more = task_offset + kArrayPage < tasks.size();
    tasks = std::move(page);
  }
  nlohmann::json j{{"job_id", job.job_id},
                   {"creator_user_name", job.creator_user_name},
                   {"run_as_user_name", job.creator_user_name},
                   {"created_time", job.created_time},
                   {"settings", std::move(settings)}};
  if (more) j["has_more"] = true;
  return j;
}

ApiResult<nlohmann::json> FakeWorkspace::jobs_create(const Params& p,
                                                     databricks::jobs::ApiVersion v) {
  nlohmann::json settings = p.json();
  settings.erase("access_control_list");
  if (auto err = databricks::jobs::validate_settings(settings, v)) return *err;
  if (auto sched = check_schedule(settings, nullptr); !sched) return sched.error();
  if (static_cast<std::int64_t>(jobs_.size()) >= config_.saved_jobs_max) {
    return ApiError::quota_exceeded(
        "The quota for the number of jobs has been reached. The current quota is " +
        std::to_string(config_.saved_jobs_max) +
        ". This quota is only applied to jobs created through the UI or through the /jobs/create "
        "endpoint, which are displayed in the Jobs UI. If you want to create more jobs, please "
        "submit one-time job runs instead using the /jobs/runs/submit endpoint. There is no quota "
        "on the number of one-time job runs you can create.");
  }
  if (auto limited = creations_.check(ctx_.now_ms())) return *limited;
  creations_.record(ctx_.now_ms());
  const std::int64_t id = runs_->allocate_job_id();
  Job& job = jobs_[id];
  job.job_id = id;
  job.created_time = ctx_.now_ms();
  job.creator_user_name = ctx_.user_name;
  job.created_with = v;
  job.settings = databricks::jobs::with_server_defaults(std::move(settings), v);
  check_schedule(job.settings, &job);
  ctx_.publish("job.created", {{"job_id", id}, {"name", job.settings.value("name", "")}});
  arm_triggers(job);
  return nlohmann::json{{"job_id", id}};
}

ApiResult<nlohmann::json> FakeWorkspace::jobs_reset(const Params& p,
                                                    databricks::jobs::ApiVersion v) {
  auto job = find_job(p);
  if (!job) return job.error();
  const nlohmann::json* new_settings = p.find("new_settings");
  if (new_settings == nullptr) return missing_field("new_settings");
  if (!new_settings->is_object()) return wrong_type("new_settings", "an object");
  if (auto err = databricks::jobs::validate_settings(*new_settings, v)) return *err;
  if (auto sched = check_schedule(*new_settings, nullptr); !sched) return sched.error();
  Job& j = **job;
  disarm_triggers(j);
  j.settings = databricks::jobs::with_server_defaults(*new_settings, j.created_with);
  check_schedule(j.settings, &j);
  ctx_.publish("job.reset", {{"job_id", j.job_id}});
  arm_triggers(j);
  return nlohmann::json::object();
}

ApiResult<nlohmann::json> FakeWorkspace::jobs_update(const Params& p,
                                                     databricks::jobs::ApiVersion v) {
  auto job = find_job(p);
  if (!job) return job.error();
  const nlohmann::json* new_settings = p.find("new_settings");
  const nlohmann::json* remove = p.find("fields_to_remove");
  auto merged = databricks::jobs::apply_update((*job)->settings, new_settings, remove, v);
  if (!merged) return merged.error();
  if (auto sched = check_schedule(*merged, nullptr); !sched) return sched.error();
  Job& j = **job;
  disarm_triggers(j);
  j.settings = databricks::jobs::with_server_defaults(std::move(merged).value(), j.created_with);
  check_schedule(j.settings, &j);
  ctx_.publish("job.updated", {{"job_id", j.job_id}});
  arm_triggers(j);
  return nlohmann::json::object();
}

ApiResult<nlohmann::json> FakeWorkspace::jobs_delete(const Params& p,
                                                     databricks::jobs::ApiVersion) {
  auto job = find_job(p);
  if (!job) return job.error();
  const std::int64_t id = (*job)->job_id;
  disarm_triggers(**job);
  jobs_.erase(id);  // first, so a continuous restart cannot fire for it
  runs_->cancel_all(id, false);
  ctx_.publish("job.deleted", {{"job_id", id}});
  return nlohmann::json::object();
}

ApiResult<nlohmann::json> FakeWorkspace::jobs_get(const Params& p, databricks::jobs::ApiVersion v) {
  auto job = find_job(p);
  if (!job) return job.error();
  std::size_t offset = 0;
  auto token = p.string("page_token");
  if (!token) return token.error();
  if (*token) {
    auto cursor = decode_page_cursor(**token, "tasks:");
    if (!cursor) return cursor.error();
    offset = static_cast<std::size_t>(std::max<std::int64_t>(0, *cursor));
  }
  const auto task_count = (*job)->settings.value("tasks", nlohmann::json::array()).size();
  if (v != databricks::jobs::ApiVersion::v2_2 && task_count > kArrayPage) return too_many_tasks();
  nlohmann::json j = job_json(**job, true, offset);
  if (j.value("has_more", false)) {
    j["next_page_token"] = encode_page_token("tasks:" + std::to_string(offset + kArrayPage));
    j.erase("has_more");
  }
  return j;
}

ApiResult<nlohmann::json> FakeWorkspace::jobs_list(const Params& p, databricks::jobs::ApiVersion) {
  auto limit = p.int64("limit");
  if (!limit) return limit.error();
  const std::int64_t n = limit->value_or(20);
  if (n <= 0 || n > 100) {
    return ApiError::invalid_parameter("Invalid limit " + std::to_string(n) +
                                       " - it has to be between 1 and 100.");
  }
  auto offset = p.int64("offset");
  if (!offset) return offset.error();
  if (offset->value_or(0) < 0) return ApiError::invalid_parameter("offset must be >= 0.");
  auto name = p.string("name");
  if (!name) return name.error();
  auto expand = p.boolean("expand_tasks");
  if (!expand) return expand.error();
  auto token = p.string("page_token");
  if (!token) return token.error();

  // Jobs come in job_id order, oldest first; a token is a cursor on job_id.
  std::int64_t after = 0;
  bool backwards = false;
  if (*token) {
    auto forward = decode_page_cursor(**token, "jobs>");
    auto back = decode_page_cursor(**token, "jobs<");
    if (!forward && !back) return forward.error();
    backwards = back.ok();
    after = backwards ? *back : *forward;
  }
  const std::string wanted = name->has_value() ? lower(**name) : "";
  std::vector<const Job*> matching;
  for (const auto& [id, job] : jobs_) {
    if (name->has_value() && lower(job.settings.value("name", "")) != wanted) continue;
    matching.push_back(&job);
  }
  std::size_t begin = 0;
  if (*token) {
    auto pos = std::find_if(matching.begin(), matching.end(), [&](const Job* j) {
      return backwards ? j->job_id >= after : j->job_id > after;
    });
    begin = static_cast<std::size_t>(pos - matching.begin());
    if (backwards)
      begin = begin >= static_cast<std::size_t>(n) ? begin - static_cast<std::size_t>(n) : 0;
  } else {
    begin = static_cast<std::size_t>(offset->value_or(0));
  }
  const std::size_t end = std::min(matching.size(), begin + static_cast<std::size_t>(n));
  nlohmann::json result{{"has_more", end < matching.size()}};
  if (begin < end) {
    nlohmann::json list = nlohmann::json::array();
    for (std::size_t i = begin; i < end; ++i) {
      list.push_back(job_json(*matching[i], expand->value_or(false), 0));
    }
    result["jobs"] = std::move(list);
    if (end < matching.size()) {
      result["next_page_token"] =
          encode_page_token("jobs>" + std::to_string(matching[end - 1]->job_id));
    }
    if (begin > 0) {
      result["prev_page_token"] =
          encode_page_token("jobs<" + std::to_string(matching[begin]->job_id));
    }
  }
  return result;
}

}  // namespace fakedb
