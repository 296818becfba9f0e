// Internal: pieces shared by the folder and repository loaders and kiln validate.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "platform/config/job_config.h"

namespace kiln::config::detail {

// A path as diagnostics show it: normalised, '/'-separated, "." for the current directory.
std::string display_path(const std::filesystem::path& path);

// The file's bytes, or nullopt with a diagnostic (unreadable, a directory, over 4 MiB).
std::optional<std::string> read_text(const std::filesystem::path& path, const std::string& file,
                                     std::vector<Diagnostic>& diagnostics);

// Loads one job folder (dir holds kiln.yaml) into result, files named under `display`; no
// cross-config checks.
void load_folder_into(const std::filesystem::path& dir, const std::string& display,
                      LoadResult& result);

// Two configs with the same (name, target): an error at the later one's name, naming the other.
// Configs of one folder naming different jobs: an error at the later one's name.
void check_configs_agree(const std::vector<const JobConfig*>& configs,
                         std::vector<Diagnostic>& diagnostics);
void check_one_job_per_folder(const JobFolder& folder, std::vector<Diagnostic>& diagnostics);

}  // namespace kiln::config::detail
