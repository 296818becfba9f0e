#include "platform/config/job_folder.h"

#include <algorithm>
#include <exception>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <system_error>
#include <utility>

#include "platform/config/config_file.h"
#include "platform/config/manifest.h"
#include "platform/config/repo_files.h"
#include "platform/config/task_paths.h"

namespace kiln::config {
namespace detail {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxFileBytes = std::uintmax_t{4} * 1024 * 1024;
constexpr int kMaxRepoDepth = 32;

std::string join(const std::string& dir, const std::string& relative) {
  return dir == "." ? relative : dir + "/" + relative;
}

std::string located(const JobConfig& config) {
  return config.file + ":" + std::to_string(config.name_line) + ":" +
         std::to_string(config.name_column);
}

Diagnostic at_name(const JobConfig& config, std::string field, std::string message) {
  return Diagnostic{config.file, config.name_line, config.name_column, std::move(field),
                    std::move(message)};
}

bool is_build_dir(const fs::path& dir, const std::string& name) {
  std::error_code ec;
  return name == "build" || name.starts_with("build-") || name.starts_with("cmake-build") ||
         fs::exists(dir / "CMakeCache.txt", ec);
}

void find_job_folders(const fs::path& dir, int depth, std::vector<fs::path>& out) {
  std::error_code ec;
  if (depth > kMaxRepoDepth) return;
  if (fs::is_regular_file(dir / "kiln.yaml", ec)) out.push_back(dir);
  std::vector<fs::path> children;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code status_ec;
    if (name.empty() || name[0] == '.' || !fs::is_directory(it->symlink_status(status_ec))) {
      continue;
    }
    if (!is_build_dir(it->path(), name)) children.push_back(it->path());
  }
  std::sort(children.begin(), children.end());
  for (const fs::path& child : children) find_job_folders(child, depth + 1, out);
}

// The loaders promise never to throw; an exception here (out of memory, a library bug) becomes
// one more diagnostic rather than a crash of kiln validate.
template <class Load>
void guarded(const std::string& file, LoadResult& result, Load&& load) {
  try {
    load();
  } catch (const std::exception& e) {
    result.diagnostics.push_back({file, 0, 0, "", std::string("internal error: ") + e.what()});
  }
}

void finish(LoadResult& result) {
  sort_diagnostics(result.diagnostics);
  result.diagnostics.erase(std::unique(result.diagnostics.begin(), result.diagnostics.end()),
                           result.diagnostics.end());
}

}  // namespace

std::string display_path(const fs::path& path) {
  std::string out = path.lexically_normal().generic_string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out.empty() ? "." : out;
}

std::optional<std::string> read_text(const fs::path& path, const std::string& file,
                                     std::vector<Diagnostic>& diagnostics) {
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec || !fs::is_regular_file(path, ec)) {
    diagnostics.push_back({file, 0, 0, "", "cannot read the file; expected a readable YAML file"});
    return std::nullopt;
  }
  if (size > kMaxFileBytes) {
    diagnostics.push_back(
        {file, 0, 0, "", "the file is " + std::to_string(size) + " bytes; expected at most 4 MiB"});
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) {
    diagnostics.push_back({file, 0, 0, "", "cannot read the file; expected a readable YAML file"});
    return std::nullopt;
  }
  return text.str();
}

void load_folder_into(const fs::path& dir, const std::string& display, LoadResult& result) {
  JobFolder folder;
  folder.dir = display;
  const std::string manifest_file = join(display, "kiln.yaml");
  // kiln.yaml goes into every archive: the same link rule as the folder's other files.
  if (std::string link = link_problem(repository_root(dir), dir / "kiln.yaml", manifest_file);
      !link.empty()) {
    result.diagnostics.push_back({manifest_file, 0, 0, "", link});
    return;
  }
  auto text = read_text(dir / "kiln.yaml", manifest_file, result.diagnostics);
  if (!text) return;
  Manifest manifest = read_manifest(dir, manifest_file, *text, result.diagnostics);
  folder.config_files = manifest.config_files;
  folder.source_files = manifest.source_files;
  for (const std::string& relative : folder.config_files) {
    const std::string file = join(display, relative);
    auto config_text = read_text(dir / relative, file, result.diagnostics);
    if (!config_text) continue;
    auto parsed = parse_config(file, *config_text, result.diagnostics);
    if (!parsed) continue;
    // Without a complete source list every relative path would look uncovered.
    if (manifest.complete) {
      const std::size_t before = result.diagnostics.size();
      check_task_paths(dir, file, parsed->root, parsed->config.settings, folder.source_files,
                       result.diagnostics);
      if (result.diagnostics.size() != before) continue;
    }
    folder.configs.push_back(std::move(parsed->config));
  }
  result.folders.push_back(std::move(folder));
}

void check_configs_agree(const std::vector<const JobConfig*>& configs,
                         std::vector<Diagnostic>& diagnostics) {
  std::vector<const JobConfig*> sorted = configs;
  std::sort(sorted.begin(), sorted.end(),
            [](const JobConfig* a, const JobConfig* b) { return a->file < b->file; });
  std::map<std::pair<std::string, std::string>, const JobConfig*> first;
  for (const JobConfig* config : sorted) {
    auto [it, inserted] = first.emplace(std::pair(config->name, config->target), config);
    if (inserted || it->second->file == config->file) continue;
    diagnostics.push_back(at_name(*config, "name",
                                  "job '" + config->name + "' with target '" + config->target +
                                      "' is also configured in " + located(*it->second) +
                                      "; expected one config per (name, target)"));
  }
}

void check_one_job_per_folder(const JobFolder& folder, std::vector<Diagnostic>& diagnostics) {
  if (folder.configs.empty()) return;
  const JobConfig& first = folder.configs.front();
  for (const JobConfig& config : folder.configs) {
    if (config.name == first.name) continue;
    diagnostics.push_back(at_name(config, "name",
                                  "expected '" + first.name + "' as in " + located(first) +
                                      ": a job folder holds one job; got '" + config.name + "'"));
  }
}

}  // namespace detail

LoadResult load_config_text(const std::string& file, const std::string& yaml_text) {
  LoadResult result;
  detail::guarded(file, result, [&] {
    if (auto parsed = detail::parse_config(file, yaml_text, result.diagnostics)) {
      JobFolder folder;
      folder.configs.push_back(std::move(parsed->config));
      result.folders.push_back(std::move(folder));
    }
  });
  detail::finish(result);
  return result;
}

LoadResult load_folder(const std::filesystem::path& dir) {
  LoadResult result;
  const std::string display = detail::display_path(dir);
  detail::guarded(display, result, [&] { detail::load_folder_into(dir, display, result); });
  std::vector<const JobConfig*> configs;
  for (const JobFolder& folder : result.folders) {
    detail::check_one_job_per_folder(folder, result.diagnostics);
    for (const JobConfig& config : folder.configs) configs.push_back(&config);
  }
  detail::check_configs_agree(configs, result.diagnostics);
  detail::finish(result);
  return result;
}

LoadResult load_repo(const std::filesystem::path& root) {
  LoadResult result;
  const std::string display = detail::display_path(root);
  std::vector<std::filesystem::path> dirs;
  detail::find_job_folders(root, 0, dirs);
  if (dirs.empty()) {
    result.diagnostics.push_back(
        {display, 0, 0, "", "no job folder found; expected a directory holding kiln.yaml"});
  }
  for (const std::filesystem::path& dir : dirs) {
    const std::string relative = dir.lexically_relative(root).generic_string();
    const std::string folder = detail::display_path(std::filesystem::path(display) / relative);
    detail::guarded(folder, result, [&] { detail::load_folder_into(dir, folder, result); });
  }
  std::vector<const JobConfig*> configs;
  for (const JobFolder& folder : result.folders) {
    detail::check_one_job_per_folder(folder, result.diagnostics);
    for (const JobConfig& config : folder.configs) configs.push_back(&config);
  }
  detail::check_configs_agree(configs, result.diagnostics);
  detail::finish(result);
  return result;
}

}  // namespace kiln::config
