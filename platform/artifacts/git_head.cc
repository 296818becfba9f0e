#include "platform/artifacts/git_head.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <system_error>

namespace kiln::artifacts {
namespace {

namespace fs = std::filesystem;

constexpr int kParentsMax = 256;         // deeper than any real path
constexpr int kSymbolicRefDepthMax = 5;  // git itself stops at 5

struct GitDirs {
  fs::path git_dir;     // HEAD and per-worktree refs
  fs::path common_dir;  // branches and packed-refs (the same folder outside worktrees)
};

std::optional<std::string> read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  std::string text = std::move(content).str();
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
    text.pop_back();
  }
  return text;
}

bool is_object_id(std::string_view s) {
  return (s.size() == 40 || s.size() == 64) &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(c) != 0; });
}

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The git folders of the checkout containing `repo`, looking upwards as git does.
std::optional<GitDirs> find_git_dirs(const fs::path& repo, std::string& error) {
  std::error_code ec;
  fs::path dir = fs::absolute(repo, ec).lexically_normal();
  if (ec) {
    error = "cannot resolve " + repo.string() + ": " + ec.message();
    return std::nullopt;
  }
  for (int i = 0; i < kParentsMax; ++i) {
    const fs::path dot_git = dir / ".git";
    std::optional<fs::path> git_dir;
    if (fs::is_directory(dot_git, ec)) git_dir = dot_git;
    if (!git_dir && fs::is_regular_file(dot_git, ec)) {  // a worktree or submodule
      const auto text = read_text(dot_git);
      if (!text || !text->starts_with("gitdir: ")) {
        error = dot_git.string() + " is a file but not a 'gitdir: ' link";
        return std::nullopt;
      }
      git_dir = dir / text->substr(std::string_view("gitdir: ").size());
    }
    if (git_dir) {
      GitDirs dirs{*git_dir, *git_dir};
      if (const auto common = read_text(*git_dir / "commondir")) {
        dirs.common_dir = *git_dir / *common;
      }
      return dirs;
    }
    if (!dir.has_parent_path() || dir.parent_path() == dir) break;
    dir = dir.parent_path();
  }
  error = "not a git repository: " + repo.string() + " (no .git in it or any parent folder)";
  return std::nullopt;
}

std::optional<std::string> find_packed_ref(const fs::path& common_dir, const std::string& ref) {
  std::ifstream in(common_dir / "packed-refs");
  std::string line;
  while (std::getline(in, line)) {  // bounded by the file's length
    if (line.empty() || line.front() == '#' || line.front() == '^') continue;
    const std::size_t space = line.find(' ');
    if (space != std::string::npos && std::string_view(line).substr(space + 1) == ref) {
      return line.substr(0, space);
    }
  }
  return std::nullopt;
}

// Follows `content` (a ref file's text) to an object id.
std::string resolve(const GitDirs& dirs, std::string content, const fs::path& from,
                    std::string& error) {
  for (int depth = 0; depth <= kSymbolicRefDepthMax; ++depth) {
    if (is_object_id(content)) return lowercase(content);
    if (!content.starts_with("ref: ")) {
      error = from.string() + " holds neither a commit SHA nor 'ref: ...': '" + content + "'";
      return "";
    }
    const std::string ref = content.substr(std::string_view("ref: ").size());
    if (ref.find("..") != std::string::npos || ref.starts_with("/")) {
      error = from.string() + " names an unsafe ref '" + ref + "'";
      return "";
    }
    std::optional<std::string> next = read_text(dirs.git_dir / ref);
    if (!next && dirs.common_dir != dirs.git_dir) next = read_text(dirs.common_dir / ref);
    if (!next) next = find_packed_ref(dirs.common_dir, ref);
    if (!next) {
      error = "HEAD of " + dirs.git_dir.string() + " is " + ref + ", which has no commits yet";
      if (fs::exists(dirs.common_dir / "reftable")) {
        error = dirs.git_dir.string() + " keeps its refs in the reftable format, not supported";
      }
      return "";
    }
    content = std::move(*next);
  }
  error =
      from.string() + ": symbolic refs nest deeper than " + std::to_string(kSymbolicRefDepthMax);
  return "";
}

}  // namespace

std::string git_head_sha(const std::filesystem::path& repo, std::string* error) {
  std::string message;
  std::string sha;
  if (const auto dirs = find_git_dirs(repo, message)) {
    const fs::path head = dirs->git_dir / "HEAD";
    if (auto content = read_text(head)) {
      sha = resolve(*dirs, std::move(*content), head, message);
    } else {
      message = "cannot read " + head.string();
    }
  }
  if (sha.empty() && error != nullptr) *error = message;
  return sha;
}

}  // namespace kiln::artifacts
