// Jobs and runs as the Jobs API answers them, read at the edge into typed fields. The whole
// answer is kept (`json`) beside the fields: kiln stores and forwards some of it as it came, and
// a field this code does not read yet is never lost.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "databricks/model/run_state.h"

namespace databricks {

using JobId = std::int64_t;
using RunId = std::int64_t;

// One element of jobs/list (with or without expand_tasks), or jobs/get.
struct Job {
  JobId job_id = 0;
  std::int64_t created_time = 0;  // ms since the epoch; 0 if absent
  nlohmann::json settings = nlohmann::json::object();
  nlohmann::json json;  // the answer as received

  static Job from_json(const nlohmann::json& j);
  // settings.tags[key] if it is a string, else "".
  std::string tag(std::string_view key) const;
};

// One element of runs/list, or runs/get.
struct Run {
  RunId run_id = 0;
  JobId job_id = 0;
  RunState state;
  std::int64_t start_time = 0;  // ms since the epoch; 0 if absent
  std::int64_t end_time = 0;    // 0 while the run has not ended
  std::string trigger;          // "PERIODIC", "ONE_TIME", ...; empty if absent
  nlohmann::json json;          // the answer as received

  static Run from_json(const nlohmann::json& j);
};

// settings.tags[key] of a jobs/get answer or a jobs/list element if it is a string, else "".
std::string job_tag(const nlohmann::json& job, std::string_view key);

// A run's `state` object read on its own (also what runs/get's tasks carry).
RunState run_state_from_json(const nlohmann::json& state);

}  // namespace databricks
