#include "platform/config/repo_files.h"

#include <cstdint>
#include <system_error>

#include "platform/config/diagnostic.h"

namespace kiln::config {
namespace {

namespace fs = std::filesystem;

constexpr int kParentsMax = 256;  // deeper than any real path

bool is_inside(const fs::path& path, const fs::path& dir) {
  const fs::path relative = path.lexically_relative(dir);
  return !relative.empty() && *relative.begin() != "..";
}

}  // namespace

fs::path repository_root(const fs::path& path) {
  std::error_code ec;
  // Climb the path as written, not as resolved: a job folder reached through a directory link
  // belongs to the repository the link sits in, so links inside it are judged against that one.
  const fs::path start = fs::absolute(path, ec).lexically_normal();
  fs::path dir = start;
  fs::path found = start;
  for (int i = 0; i < kParentsMax; ++i) {
    if (fs::exists(dir / ".git", ec)) {
      found = dir;
      break;
    }
    if (!dir.has_parent_path() || dir.parent_path() == dir) break;
    dir = dir.parent_path();
  }
  // Only the root itself is resolved, as the paths compared with it are.
  fs::path root = fs::weakly_canonical(found, ec);
  return ec ? found : root;
}

std::string link_problem(const fs::path& repo_root, const fs::path& path, std::string_view shown) {
  std::error_code ec;
  const bool is_link = fs::is_symlink(fs::symlink_status(path, ec));
  // Where the link says it points (its own text), or where a directory link on the way leads.
  const std::string link_text = is_link ? fs::read_symlink(path, ec).string() : "";
  const fs::path resolved = fs::canonical(path, ec);
  const std::string name = "'" + std::string(shown) + "'";
  if (ec) {
    if (!is_link) return "";  // not a link: the caller reports a missing file its own way
    return name + " is a symbolic link to '" + link_text +
           "', which does not exist; expected a file inside the repository";
  }
  const std::string link =
      is_link ? name + " is a symbolic link to '" + link_text + "'"
              : name + " leads through a symbolic link to '" + resolved.string() + "'";
  if (!is_inside(resolved, repo_root)) {
    return link + ", outside the repository (" + repo_root.string() +
           "); expected a file inside it (kiln build would archive the target's bytes)";
  }
  if (is_inside(resolved, repo_root / ".git")) {
    return link + ", inside the repository's .git; expected a file of the checkout";
  }
  if (!fs::is_regular_file(resolved, ec)) return link + ", which is not a regular file";
  return "";
}

std::string file_name_problem(std::string_view relative) {
  const std::string shown = "file name '" + escape_text(relative) + "'";
  if (relative.find('\\') != std::string_view::npos) {
    return shown + " holds a backslash, which kiln build cannot archive; rename the file";
  }
  for (std::size_t i = 0; i < relative.size();) {
    const std::size_t length = utf8_sequence_length(relative, i);
    if (length == 0) return shown + " is not UTF-8, which kiln build cannot archive; rename it";
    const auto c = static_cast<std::uint8_t>(relative[i]);
    if (length == 1 && (c < 0x20 || c == 0x7f)) {
      return shown + " holds a control character; rename the file";
    }
    i += length;
  }
  return "";
}

}  // namespace kiln::config
