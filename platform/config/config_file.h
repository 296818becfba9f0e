// Internal: one job config file (kind: Job), parsed and checked field by field.
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "platform/config/job_config.h"

namespace kiln::config::detail {

struct ParsedConfig {
  JobConfig config;
  YAML::Node root;  // to locate fields checked later (relative task paths)
};

// Parses and validates one config. Appends every problem to diagnostics; returns the config only
// when it has none.
std::optional<ParsedConfig> parse_config(const std::string& file, const std::string& text,
                                         std::vector<Diagnostic>& diagnostics);

// The `settings` rules: a mapping with at least one task, `name` (if any) equal to the job's
// name, the emulator's JobSettings validation (v2.2) and the schedule's cron expression and time
// zone. Errors are located under `settings` in root.
void check_settings(const std::string& file, const YAML::Node& root, const nlohmann::json& settings,
                    const std::string& job_name, std::vector<Diagnostic>& diagnostics);

}  // namespace kiln::config::detail
