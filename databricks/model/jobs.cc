#include "databricks/model/jobs.h"

namespace databricks {
namespace {

std::int64_t int_field(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return 0;
  const auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

std::string string_field(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "";
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

RunState run_state_from_json(const nlohmann::json& state) {
  RunState s;
  s.life_cycle_state = string_field(state, "life_cycle_state");
  s.result_state = string_field(state, "result_state");
  s.state_message = string_field(state, "state_message");
  s.life_cycle = parse_life_cycle_state(s.life_cycle_state);
  s.result = parse_result_state(s.result_state);
  return s;
}

Job Job::from_json(const nlohmann::json& j) {
  Job job;
  job.job_id = int_field(j, "job_id");
  job.created_time = int_field(j, "created_time");
  if (j.is_object()) {
    if (const auto it = j.find("settings"); it != j.end() && it->is_object()) job.settings = *it;
  }
  job.json = j;
  return job;
}

std::string job_tag(const nlohmann::json& job, std::string_view key) {
  if (!job.is_object()) return "";
  const auto settings = job.find("settings");
  if (settings == job.end() || !settings->is_object()) return "";
  const auto tags = settings->find("tags");
  if (tags == settings->end() || !tags->is_object()) return "";
  const auto it = tags->find(key);
  return it != tags->end() && it->is_string() ? it->get<std::string>() : "";
}

std::string Job::tag(std::string_view key) const {
  const auto tags = settings.find("tags");
  if (tags == settings.end() || !tags->is_object()) return "";
  const auto it = tags->find(key);
  return it != tags->end() && it->is_string() ? it->get<std::string>() : "";
}

Run Run::from_json(const nlohmann::json& j) {
  Run run;
  run.run_id = int_field(j, "run_id");
  run.job_id = int_field(j, "job_id");
  if (j.is_object()) {
    if (const auto it = j.find("state"); it != j.end()) run.state = run_state_from_json(*it);
  }
  run.start_time = int_field(j, "start_time");
  run.end_time = int_field(j, "end_time");
  run.trigger = string_field(j, "trigger");
  run.json = j;
  return run;
}

}  // namespace databricks
