// Job configuration: one YAML file per job and target (kind: Job), grouped into job folders by a
// kiln.yaml manifest (kind: JobFolder). Loading never throws: every problem becomes a Diagnostic
// naming file:line:column and the field. Format and rules: docs/job-config.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "platform/config/diagnostic.h"

namespace kiln::config {

// One validated config file: a job in one target (environment).
struct JobConfig {
  std::string file;
  std::string name, target;
  std::int64_t deploy_version = 0;
  std::string strategy;                        // "simple" | "blue-green"
  std::optional<std::int64_t> health_seconds;  // set exactly when strategy is blue-green
  // blue-green: the stream whose writer lock and checkpoint the job's versions share; "" when
  // not configured (kiln then uses "<name>-<target>", see stream_name()).
  std::string stream;
  std::string owner;  // empty: nobody is notified
  // What monitoring does when the deployed job is deleted or edited outside kiln: "report"
  // (a job.drift event, the default) or "redeploy" (also deploys the live build again).
  std::string on_drift = "report";
  // The Databricks JobSettings, as written (Jobs API field names), without `name`: kiln names
  // the Databricks job itself when it deploys.
  nlohmann::json settings;
  int name_line = 0, name_column = 0;  // where `name` is declared, for cross-file diagnostics
};

// The stream a blue-green job writes: `stream` if set, else "<name>-<target>" (a name a config
// could also give).
inline std::string stream_name(const JobConfig& config) {
  return config.stream.empty() ? config.name + "-" + config.target : config.stream;
}

// A job folder: the directory holding kiln.yaml, with its resolved files (relative to dir,
// '/'-separated, sorted) and the configs that loaded without error.
struct JobFolder {
  std::string dir;
  std::vector<std::string> config_files, source_files;
  std::vector<JobConfig> configs;
};

struct LoadResult {
  std::vector<JobFolder> folders;
  std::vector<Diagnostic> diagnostics;  // sorted by file, line, column
  bool ok() const { return diagnostics.empty(); }
};

// Parses and validates one config from its text; `file` only names it in diagnostics. No folder
// checks (relative task paths are not resolved). On success folders holds one JobFolder with an
// empty dir and this config.
LoadResult load_config_text(const std::string& file, const std::string& yaml_text);

// Loads the job folder `dir` (which holds kiln.yaml): the manifest, every config it lists, and
// the relative file paths in their tasks. Two configs of the folder with the same target, or
// naming different jobs, are errors.
LoadResult load_folder(const std::filesystem::path& dir);

// Loads every job folder under `root` (any directory holding kiln.yaml; .git, hidden and build
// directories are skipped), in sorted order. Two configs anywhere with the same (name, target)
// are an error naming both files. No job folder at all is an error too.
LoadResult load_repo(const std::filesystem::path& root);

}  // namespace kiln::config
