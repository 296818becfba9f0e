#include "platform/config/task_paths.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>
#include <system_error>

#include "platform/config/path_glob.h"
#include "platform/config/yaml_document.h"

namespace kiln::config::detail {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct PathField {
  const char* task_type;
  const char* key;  // under the task type; "file.path" for sql_task
  bool notebook;
};
constexpr std::array<PathField, 3> kPathFields = {{
    {"notebook_task", "notebook_path", true},
    {"spark_python_task", "python_file", false},
    {"sql_task", "file.path", false},
}};
constexpr std::array<const char*, 6> kNotebookExtensions = {".py",    ".ipynb", ".sql",
                                                            ".scala", ".r",     ".R"};

// "dbfs:/x", "s3://b/k", "abfss://...": a URI scheme before the first '/'.
bool has_scheme(std::string_view path) {
  const std::size_t colon = path.find(':');
  if (colon == std::string_view::npos || colon == 0 || path.find('/') < colon) return false;
  return std::isalpha(static_cast<unsigned char>(path[0])) != 0;
}

const json* find_path(const json& object, std::string_view dotted) {
  const json* node = &object;
  while (!dotted.empty()) {
    const std::size_t dot = std::min(dotted.find('.'), dotted.size());
    const std::string key(dotted.substr(0, dot));
    if (!node->is_object() || !node->contains(key)) return nullptr;
    node = &(*node)[key];
    dotted.remove_prefix(std::min(dot + 1, dotted.size()));
  }
  return node;
}

class TaskPathChecker {
 public:
  TaskPathChecker(const fs::path& dir, const std::string& file, const YAML::Node& root,
                  const std::vector<std::string>& sources, std::vector<Diagnostic>& diagnostics)
      : dir_(dir), file_(file), root_(root), sources_(sources), diagnostics_(diagnostics) {}

  void check_task(const json& task, const std::string& path, int depth) {
    if (!task.is_object() || depth > 2) return;
    for (const PathField& f : kPathFields) {
      const auto body = task.find(f.task_type);
      if (body == task.end() || !body->is_object()) continue;
      if (body->value("source", json()) == "GIT") continue;
      const json* value = find_path(*body, f.key);
      if (value == nullptr || !value->is_string()) continue;
      check_path(value->get<std::string>(), child_path(child_path(path, f.task_type), f.key),
                 f.notebook);
    }
    const auto nested = task.find("for_each_task");
    if (nested != task.end() && nested->is_object() && nested->contains("task")) {
      check_task((*nested)["task"], path + ".for_each_task.task", depth + 1);
    }
  }

 private:
  void check_path(const std::string& value, const std::string& field, bool notebook) {
    if (value.empty() || value[0] == '/' || has_scheme(value)) return;
    const Position at = locate(root_, field);
    if (std::string problem = path_problem(value); !problem.empty()) {
      report(at, field, problem);
      return;
    }
    const std::string path = fs::path(value).lexically_normal().generic_string();
    std::vector<std::string> candidates = {path};
    if (notebook) {
      for (const char* ext : kNotebookExtensions) candidates.push_back(path + ext);
    }
    for (const std::string& candidate : candidates) {
      std::error_code ec;
      if (!fs::is_regular_file(dir_ / candidate, ec)) continue;
      if (!std::binary_search(sources_.begin(), sources_.end(), candidate)) {
        report(at, field,
               "'" + candidate + "' is not one of the job's sources; expected a file matched " +
                   "by sources in kiln.yaml");
      }
      return;
    }
    report(at, field,
           "file '" + value + "' does not exist in the job folder" +
               (notebook ? " (with or without a .py, .ipynb, .sql, .scala or .r extension)" : "") +
               "; expected a path relative to the folder, or an absolute workspace path");
  }

  void report(Position at, const std::string& field, std::string message) {
    diagnostics_.push_back(diagnostic_at(file_, at, field, std::move(message)));
  }

  const fs::path& dir_;
  const std::string& file_;
  const YAML::Node& root_;
  const std::vector<std::string>& sources_;
  std::vector<Diagnostic>& diagnostics_;
};

}  // namespace

void check_task_paths(const fs::path& dir, const std::string& file, const YAML::Node& root,
                      const json& settings, const std::vector<std::string>& sources,
                      std::vector<Diagnostic>& diagnostics) {
  if (!settings.is_object() || settings.contains("git_source")) return;
  const auto tasks = settings.find("tasks");
  if (tasks == settings.end() || !tasks->is_array()) return;
  TaskPathChecker checker(dir, file, root, sources, diagnostics);
  for (std::size_t i = 0; i < tasks->size(); ++i) {
    checker.check_task((*tasks)[i], item_path("settings.tasks", i), 0);
  }
}

}  // namespace kiln::config::detail
