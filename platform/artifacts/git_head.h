// The commit a checkout is at, read from its git metadata without running git.
#pragma once

#include <filesystem>
#include <string>

namespace kiln::artifacts {

// The full SHA of HEAD of the git checkout containing `repo` (searched upwards like git does).
// Follows .git files ("gitdir: ...", worktrees and submodules, with their commondir), symbolic
// refs (HEAD -> refs/heads/x, loose or in packed-refs) and detached HEADs. On failure returns ""
// and sets *error (if non-null) to a message naming the path: not a git repository, a branch
// without commits, an unreadable or malformed file.
std::string git_head_sha(const std::filesystem::path& repo, std::string* error);

}  // namespace kiln::artifacts
