// The files of a repository that kiln may package: what kiln validate checks for each file a
// job folder selects, and kiln build again when it reads the file. docs/job-config.md.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace kiln::config {

// The repository holding `path`: the nearest directory at or above it holding .git (a directory,
// or a file for a worktree), else `path` itself; absolute, with every symbolic link resolved.
std::filesystem::path repository_root(const std::filesystem::path& path);

// Why the file at `path` may not be packaged, or "" if it may: `path` (or a directory on the way
// to it) is a symbolic link whose target is outside `repo_root` (as repository_root() gives it),
// inside its .git, or missing. A link to a file inside the repository is fine: the build
// archives the target's content under the link's name. `shown` names the file in the message.
std::string link_problem(const std::filesystem::path& repo_root, const std::filesystem::path& path,
                         std::string_view shown);

// Why a file name found in a job folder cannot be an archive path, or "": a backslash, a
// control character, or bytes that are not UTF-8 (kiln build would refuse it; validate says
// so first).
std::string file_name_problem(std::string_view relative);

}  // namespace kiln::config
