// Internal: kiln.yaml, the manifest that makes a directory a job folder (kind: JobFolder).
// Format: docs/job-config.md.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "platform/config/diagnostic.h"

namespace kiln::config::detail {

struct Manifest {
  // Relative to the folder, '/'-separated, sorted, each once.
  std::vector<std::string> config_files, source_files;
  bool complete = false;  // the manifest had no error, so source_files is the whole list
};

// Reads the manifest text of job folder dir; `file` names it in diagnostics. Every pattern of
// configs and sources must resolve to existing files inside the folder.
Manifest read_manifest(const std::filesystem::path& dir, const std::string& file,
                       const std::string& text, std::vector<Diagnostic>& diagnostics);

}  // namespace kiln::config::detail
