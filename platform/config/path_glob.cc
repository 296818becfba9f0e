#include "platform/config/path_glob.h"

#include <algorithm>
#include <system_error>

namespace kiln::config::detail {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxDepth = 32;

std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = std::min(path.find('/', start), path.size());
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

bool segment_match(std::string_view pattern, std::string_view name) {
  // Iterative wildcard matching with one backtrack point: linear in practice.
  std::size_t p = 0, n = 0, star = std::string_view::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p, ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool segments_match(const std::vector<std::string_view>& pattern, std::size_t p,
                    const std::vector<std::string_view>& path, std::size_t i) {
  if (p == pattern.size()) return i == path.size();
  if (pattern[p] == "**") {
    for (std::size_t skip = i; skip < path.size(); ++skip) {
      if (segments_match(pattern, p + 1, path, skip)) return true;
    }
    return false;  // '**' never swallows the file name itself
  }
  return i < path.size() && segment_match(pattern[p], path[i]) &&
         segments_match(pattern, p + 1, path, i + 1);
}

void walk(const fs::path& dir, const std::string& prefix, int depth,
          std::vector<std::string>& out) {
  if (depth > kMaxDepth) return;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    const std::string relative = prefix.empty() ? name : prefix + "/" + name;
    std::error_code status_ec;
    const fs::file_status link = it->symlink_status(status_ec);
    if (status_ec) continue;
    if (fs::is_directory(link)) {
      if (fs::exists(it->path() / "kiln.yaml", status_ec)) continue;  // another job folder
      walk(it->path(), relative, depth + 1, out);
    } else if (fs::is_regular_file(it->path(), status_ec)) {
      out.push_back(relative);
    }
  }
}

}  // namespace

std::vector<std::string> list_folder_files(const fs::path& dir) {
  std::vector<std::string> files;
  walk(dir, "", 0, files);
  std::sort(files.begin(), files.end());
  return files;
}

bool has_glob(std::string_view pattern) {
  return pattern.find_first_of("*?") != std::string_view::npos;
}

bool glob_match(std::string_view pattern, std::string_view path) {
  return segments_match(split(pattern), 0, split(path), 0);
}

std::string path_problem(std::string_view path) {
  if (path.empty()) return "expected a non-empty path";
  if (path[0] == '/' || path[0] == '\\') {
    return "expected a path relative to the job folder, got an absolute path";
  }
  if (path.find('\\') != std::string_view::npos) {
    return "a backslash is not a path separator here (and kiln build cannot archive a file "
           "name holding one); expected '/'";
  }
  for (std::string_view part : split(path)) {
    if (part == "..") return "'..' would leave the job folder; expected a path inside it";
  }
  return "";
}

}  // namespace kiln::config::detail
