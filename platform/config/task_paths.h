// Internal: relative file paths in a job's tasks point into its job folder.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "platform/config/diagnostic.h"

namespace kiln::config::detail {

// Checks notebook_task.notebook_path, spark_python_task.python_file and sql_task.file.path of
// every task (for_each_task.task included): a relative path must name a file in dir (a notebook
// may leave out its extension) that is one of `sources` (sorted). Absolute workspace paths, URIs
// (dbfs:, s3:, ...) and tasks taking their code from git (git_source, source: GIT) are skipped.
void check_task_paths(const std::filesystem::path& dir, const std::string& file,
                      const YAML::Node& root, const nlohmann::json& settings,
                      const std::vector<std::string>& sources,
                      std::vector<Diagnostic>& diagnostics);

}  // namespace kiln::config::detail
