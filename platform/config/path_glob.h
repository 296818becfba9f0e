// Internal: the files of a job folder and the globs that select them.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::config::detail {

// Every regular file under dir, relative and '/'-separated, sorted. Skips hidden entries (names
// starting with '.', e.g. .git, .venv) and subdirectories holding their own kiln.yaml (another
// job). Symbolic links to directories are not followed; depth is bounded at 32 levels.
std::vector<std::string> list_folder_files(const std::filesystem::path& dir);

// True when pattern holds a wildcard ('*' or '?').
bool has_glob(std::string_view pattern);

// Matches a '/'-separated relative path: '*' is any run of characters and '?' one character,
// both within a segment; '**' as a whole segment is any number of directories (zero included).
bool glob_match(std::string_view pattern, std::string_view path);

// Why a manifest or task path may not be used, or empty: absolute, empty, a '..' segment, or a
// backslash (not a separator here, and no archive path may hold one).
std::string path_problem(std::string_view path);

}  // namespace kiln::config::detail
