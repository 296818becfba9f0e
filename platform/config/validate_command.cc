#include "platform/config/validate_command.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include "platform/config/job_config.h"
#include "platform/config/job_folder.h"

namespace kiln::config {
namespace {

namespace fs = std::filesystem;

LoadResult load_path(const std::string& path) {
  std::error_code ec;
  const fs::path p(path);
  if (fs::is_directory(p, ec)) return load_repo(p);
  if (!fs::exists(p, ec)) {
    return LoadResult{{}, {{path, 0, 0, "", "no such file or directory"}}};
  }
  if (p.filename() == "kiln.yaml") {
    return load_folder(p.has_parent_path() ? p.parent_path() : fs::path("."));
  }
  LoadResult result;
  const std::string file = detail::display_path(p);
  if (auto text = detail::read_text(p, file, result.diagnostics)) {
    result = load_config_text(file, *text);
  }
  return result;
}

std::string plural(std::size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

int run_validate(const std::vector<std::string>& paths, std::ostream& out) {
  LoadResult all;
  if (paths.empty()) all.diagnostics.push_back({"kiln validate", 0, 0, "", "expected a PATH"});
  for (const std::string& path : paths) {
    LoadResult one = load_path(path);
    for (JobFolder& folder : one.folders) all.folders.push_back(std::move(folder));
    for (Diagnostic& d : one.diagnostics) all.diagnostics.push_back(std::move(d));
  }
  // The same config reached through two paths is one config, not a duplicate.
  std::vector<const JobConfig*> configs;
  std::set<std::string> seen;
  std::size_t folders = 0;
  for (const JobFolder& folder : all.folders) {
    if (!folder.dir.empty()) ++folders;
    for (const JobConfig& config : folder.configs) {
      std::error_code ec;
      std::string key = fs::weakly_canonical(config.file, ec).generic_string();
      if (ec) key = config.file;
      if (!seen.insert(std::move(key)).second) continue;
      configs.push_back(&config);
    }
  }
  detail::check_configs_agree(configs, all.diagnostics);
  sort_diagnostics(all.diagnostics);
  all.diagnostics.erase(std::unique(all.diagnostics.begin(), all.diagnostics.end()),
                        all.diagnostics.end());
  for (const Diagnostic& d : all.diagnostics) out << d.to_string() << "\n";
  if (all.ok()) {
    out << "kiln validate: ok, " << plural(configs.size(), "config") << " in "
        << plural(folders, "job folder") << "\n";
    return 0;
  }
  out << "kiln validate: " << plural(all.diagnostics.size(), "error") << "\n";
  return 1;
}

}  // namespace kiln::config
