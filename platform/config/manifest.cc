#include "platform/config/manifest.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <system_error>
#include <utility>

#include "platform/config/key_suggestion.h"
#include "platform/config/path_glob.h"
#include "platform/config/repo_files.h"
#include "platform/config/yaml_document.h"

namespace kiln::config::detail {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::vector<std::string> kKeys = {"kind", "configs", "sources"};
constexpr const char* kManifestName = "kiln.yaml";

class ManifestReader {
 public:
  ManifestReader(const fs::path& dir, const std::string& file, const YAML::Node& root,
                 std::vector<Diagnostic>& diagnostics)
      : dir_(dir),
        repo_root_(repository_root(dir)),
        file_(file),
        root_(root),
        diagnostics_(diagnostics) {}

  void report(Position at, std::string field, std::string message) {
    diagnostics_.push_back(diagnostic_at(file_, at, std::move(field), std::move(message)));
  }

  // Resolves the patterns of `key` (a sequence of strings) to sorted, unique files.
  std::vector<std::string> resolve(const std::string& key, const json& patterns, bool configs) {
    if (!patterns.is_array() || (configs && patterns.empty())) {
      report(locate(root_, key), key,
             std::string("expected a sequence of ") + (configs ? "at least one " : "") +
                 "relative path or glob, got " +
                 (patterns.is_array() ? "an empty sequence" : describe(patterns)));
      return {};
    }
    std::vector<std::string> files;
    for (std::size_t i = 0; i < patterns.size(); ++i) {
      const std::string field = item_path(key, i);
      if (!patterns[i].is_string()) {
        report(locate(root_, field), field,
               "expected a relative path or glob, got " + describe(patterns[i]));
        continue;
      }
      resolve_one(field, patterns[i].get<std::string>(), configs, files);
    }
    std::sort(files.begin(), files.end());
    files.erase(std::unique(files.begin(), files.end()), files.end());
    return files;
  }

 private:
  void resolve_one(const std::string& field, const std::string& pattern, bool configs,
                   std::vector<std::string>& files) {
    const Position at = locate(root_, field);
    if (std::string problem = path_problem(pattern); !problem.empty()) {
      report(at, field, problem);
      return;
    }
    if (!has_glob(pattern)) {
      const std::string path = fs::path(pattern).lexically_normal().generic_string();
      std::error_code ec;
      if (configs && path == kManifestName) {
        report(at, field, "kiln.yaml is the folder's manifest; expected a job config file");
      } else if (fs::is_directory(dir_ / path, ec)) {
        report(at, field,
               "'" + pattern + "' is a directory; expected a file or a glob such as '" + path +
                   "/**/*'");
      } else if (std::string name = file_name_problem(path); !name.empty()) {
        report(at, field, name);
      } else if (std::string link = link_problem(repo_root_, dir_ / path, path); !link.empty()) {
        report(at, field, link);
      } else if (!fs::is_regular_file(dir_ / path, ec)) {
        report(at, field, "file '" + pattern + "' does not exist in the job folder");
      } else {
        files.push_back(path);
      }
      return;
    }
    if (!listing_) listing_ = list_folder_files(dir_);
    std::size_t matched = 0;
    for (const std::string& candidate : *listing_) {
      if (configs && candidate == kManifestName) continue;
      if (!glob_match(pattern, candidate)) continue;
      ++matched;
      // The same rules as a file named directly: kiln build must be able to archive it.
      if (std::string problem = file_name_problem(candidate); !problem.empty()) {
        report(at, field, problem);
      } else if (std::string link = link_problem(repo_root_, dir_ / candidate, candidate);
                 !link.empty()) {
        report(at, field, link);
      } else {
        files.push_back(candidate);
      }
    }
    if (matched == 0) report(at, field, "glob '" + pattern + "' matched no files");
  }

  const fs::path& dir_;
  const fs::path repo_root_;  // links may not lead out of it
  const std::string& file_;
  const YAML::Node& root_;
  std::vector<Diagnostic>& diagnostics_;
  std::optional<std::vector<std::string>> listing_;
};

}  // namespace

Manifest read_manifest(const fs::path& dir, const std::string& file, const std::string& text,
                       std::vector<Diagnostic>& diagnostics) {
  Manifest manifest;
  const std::size_t before = diagnostics.size();
  std::optional<YAML::Node> root = parse_document(file, text, diagnostics);
  if (!root) return manifest;
  const json doc = to_json(*root, file, "", diagnostics);
  const std::size_t causes_end = diagnostics.size();
  if (!doc.is_object()) {
    diagnostics.push_back(
        diagnostic_at(file, locate(*root, ""), "",
                      "expected a mapping with kind: JobFolder, got " + describe(doc)));
    return manifest;
  }
  ManifestReader reader(dir, file, *root, diagnostics);
  const auto positions = key_positions(*root, "");
  const Position fallback = locate(*root, "");
  for (const auto& [key, value] : doc.items()) {
    (void)value;
    if (std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end()) continue;
    const auto hint = suggest(key, kKeys);
    reader.report(position_in(positions, key, fallback), key,
                  "unknown key '" + key + "'" +
                      (hint ? "; did you mean '" + *hint + "'?"
                            : "; expected one of: kind, configs, sources"));
  }
  if (!doc.contains("kind")) {
    reader.report(locate(*root, ""), "kind", "required key is missing; expected 'kind: JobFolder'");
  } else if (doc["kind"] != "JobFolder") {
    reader.report(locate(*root, "kind"), "kind",
                  "expected 'JobFolder', got " + describe(doc["kind"]));
  }
  if (!doc.contains("configs")) {
    reader.report(locate(*root, ""), "configs",
                  "required key is missing; expected a sequence of config files or globs");
  } else {
    manifest.config_files = reader.resolve("configs", doc["configs"], true);
  }
  if (doc.contains("sources")) {
    manifest.source_files = reader.resolve("sources", doc["sources"], false);
  }
  drop_consequences(diagnostics, before, causes_end);
  manifest.complete = diagnostics.size() == before;
  return manifest;
}

}  // namespace kiln::config::detail
