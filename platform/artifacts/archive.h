// Job archives: a gzip-compressed tar (pax restricted) of a job's configs and code, built so
// that the same entries always give the same bytes (and so the same content hash):
//   - entries sorted by path (byte order), whatever order they were given in;
//   - every entry a regular file, mode 0644 or 0755 (executable), uid/gid 0, no user or group
//     names, mtime fixed (`mtime_s`, default 0), no atime/ctime;
//   - gzip header without timestamp or file name.
// Paths are relative with '/' separators: no leading '/', no empty, "." or ".." components, no
// NUL or backslash. Such a path, or the same path twice, is refused rather than archived.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/artifacts/result.h"

namespace kiln::artifacts {

struct ArchiveEntry {
  std::string path;   // relative, '/'-separated: "config/prod.yaml", "src/main.py"
  std::string bytes;  // the file's content
  bool executable = false;

  friend bool operator==(const ArchiveEntry&, const ArchiveEntry&) = default;
};

// Ok, or an error naming the path and what is wrong with it.
Result<void> check_archive_path(std::string_view path);

// The archive's bytes; an error if a path is unsafe, repeated, or libarchive fails.
Result<std::string> make_archive(const std::vector<ArchiveEntry>& entries,
                                 std::int64_t mtime_s = 0);

// The entries of an archive made by make_archive, in archive order (sorted by path). An error for
// bytes that are not a gzip'd tar, for an entry that is not a regular file, and for unsafe paths.
Result<std::vector<ArchiveEntry>> read_archive(std::string_view bytes);

}  // namespace kiln::artifacts
