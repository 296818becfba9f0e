#include "platform/artifacts/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

#include <algorithm>
#include <array>
#include <memory>

namespace kiln::artifacts {
namespace {

constexpr std::size_t kPathLengthMax = 4096;
constexpr std::size_t kReadChunkBytes = std::size_t{64} * 1024;

struct WriterFree {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct ReaderFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using Writer = std::unique_ptr<archive, WriterFree>;
using Reader = std::unique_ptr<archive, ReaderFree>;
using Entry = std::unique_ptr<archive_entry, EntryFree>;

// libarchive converts path names through the calling thread's locale; under the "C" locale a
// non-ASCII name cannot be converted (and libarchive 3.6 crashes writing it). Every call runs
// under C.UTF-8 on this thread only, so the bytes never depend on the process's locale.
class ScopedUtf8Locale {
 public:
  ScopedUtf8Locale() : previous_(utf8() != nullptr ? uselocale(utf8()) : nullptr) {}
  ScopedUtf8Locale(const ScopedUtf8Locale&) = delete;
  ScopedUtf8Locale& operator=(const ScopedUtf8Locale&) = delete;
  ~ScopedUtf8Locale() {
    if (utf8() != nullptr) uselocale(previous_);
  }
  bool ok() const { return utf8() != nullptr; }

 private:
  // Made once per process and never freed: newlocale reads locale files from disk, which cost
  // more than the archive itself when done per call.
  static locale_t utf8() {
    static const locale_t locale =
        newlocale(LC_ALL_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    return locale;
  }
  locale_t previous_;
};

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

Error libarchive_error(archive* a, const std::string& doing) {
  const char* detail = archive_error_string(a);
  return Error{"archive: " + doing + ": " + (detail != nullptr ? detail : "unknown error")};
}

la_ssize_t append_to_string(archive* /*a*/, void* client, const void* buffer, size_t length) {
  static_cast<std::string*>(client)->append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

Result<void> write_entry(archive* a, const ArchiveEntry& file, std::int64_t mtime_s) {
  const Entry entry(archive_entry_new());
  if (!entry) return Error{"archive: out of memory"};
  archive_entry_set_pathname_utf8(entry.get(), file.path.c_str());
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_perm(entry.get(), file.executable ? 0755 : 0644);
  archive_entry_set_size(entry.get(), static_cast<la_int64_t>(file.bytes.size()));
  archive_entry_set_mtime(entry.get(), static_cast<time_t>(mtime_s), 0);
  archive_entry_set_uid(entry.get(), 0);
  archive_entry_set_gid(entry.get(), 0);
  if (archive_write_header(a, entry.get()) != ARCHIVE_OK) {
    return libarchive_error(a, "writing the header of '" + file.path + "'");
  }
  std::size_t written = 0;
  while (written < file.bytes.size()) {  // bounded: every pass writes at least one byte
    const la_ssize_t n =
        archive_write_data(a, file.bytes.data() + written, file.bytes.size() - written);
    if (n <= 0) return libarchive_error(a, "writing '" + file.path + "'");
    written += static_cast<std::size_t>(n);
  }
  return {};
}

Result<std::string> read_entry_bytes(archive* a, const std::string& path) {
  std::string bytes;
  std::array<char, kReadChunkBytes> chunk{};
  for (;;) {  // bounded by the archive's length: every pass consumes input or ends
    const la_ssize_t n = archive_read_data(a, chunk.data(), chunk.size());
    if (n == 0) return bytes;
    if (n < 0) return libarchive_error(a, "reading '" + path + "'");
    bytes.append(chunk.data(), static_cast<std::size_t>(n));
  }
}

}  // namespace

Result<void> check_archive_path(std::string_view path) {
  const std::string quoted = "archive path '" + std::string(path) + "'";
  if (path.empty()) return Error{"archive path is empty"};
  if (path.size() > kPathLengthMax) return Error{quoted + " is longer than 4096 bytes"};
  if (path.front() == '/') return Error{quoted + " is absolute"};
  if (path.find('\0') != std::string_view::npos) return Error{quoted + " contains a NUL byte"};
  if (path.find('\\') != std::string_view::npos) return Error{quoted + " contains a backslash"};
  std::size_t start = 0;
  while (start <= path.size()) {  // bounded: start grows by at least one each pass
    const std::size_t slash = std::min(path.find('/', start), path.size());
    const std::string_view part = path.substr(start, slash - start);
    if (part == "..") return Error{quoted + " contains '..'"};
    if (part.empty() || part == ".") return Error{quoted + " has an empty or '.' component"};
    start = slash + 1;
  }
  return {};
}

Result<std::string> make_archive(const std::vector<ArchiveEntry>& entries, std::int64_t mtime_s) {
  std::vector<const ArchiveEntry*> sorted;
  sorted.reserve(entries.size());
  for (const ArchiveEntry& entry : entries) {
    if (auto ok = check_archive_path(entry.path); !ok) return ok.error();
    sorted.push_back(&entry);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const ArchiveEntry* x, const ArchiveEntry* y) { return x->path < y->path; });
  const auto repeated = std::adjacent_find(
      sorted.begin(), sorted.end(),
      [](const ArchiveEntry* x, const ArchiveEntry* y) { return x->path == y->path; });
  if (repeated != sorted.end()) {
    return Error{"archive path '" + (*repeated)->path + "' appears more than once"};
  }

  const ScopedUtf8Locale locale;
  for (const ArchiveEntry* entry : sorted) {
    if (!locale.ok() && !is_ascii(entry->path)) {
      return Error{"archive path '" + entry->path +
                   "' is not ASCII and the C.UTF-8 locale is missing"};
    }
  }
  const Writer writer(archive_write_new());
  if (!writer) return Error{"archive: out of memory"};
  archive* a = writer.get();
  if (archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
      archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
      archive_write_set_options(a, "gzip:!timestamp") != ARCHIVE_OK ||
      // No padding of the compressed stream to a 10 KiB block: the bytes end where gzip ends.
      archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK) {
    return libarchive_error(a, "setting up the writer");
  }
  std::string out;
  if (archive_write_open(a, &out, nullptr, append_to_string, nullptr) != ARCHIVE_OK) {
    return libarchive_error(a, "opening the writer");
  }
  for (const ArchiveEntry* entry : sorted) {
    if (auto ok = write_entry(a, *entry, mtime_s); !ok) return ok.error();
  }
  if (archive_write_close(a) != ARCHIVE_OK) return libarchive_error(a, "finishing the archive");
  return out;
}

Result<std::vector<ArchiveEntry>> read_archive(std::string_view bytes) {
  const ScopedUtf8Locale locale;
  const Reader reader(archive_read_new());
  if (!reader) return Error{"archive: out of memory"};
  archive* a = reader.get();
  if (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
      archive_read_support_format_tar(a) != ARCHIVE_OK ||
      archive_read_open_memory(a, bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return libarchive_error(a, "opening the archive");
  }
  std::vector<ArchiveEntry> entries;
  for (;;) {  // bounded by the archive's length
    archive_entry* entry = nullptr;
    const int status = archive_read_next_header(a, &entry);
    if (status == ARCHIVE_EOF) break;
    if (status != ARCHIVE_OK) return libarchive_error(a, "reading an entry header");
    const char* utf8 = archive_entry_pathname_utf8(entry);
    const char* raw = archive_entry_pathname(entry);
    std::string path = utf8 != nullptr ? utf8 : (raw != nullptr ? raw : "");
    if (auto ok = check_archive_path(path); !ok) return ok.error();
    if (archive_entry_filetype(entry) != AE_IFREG) {
      return Error{"archive entry '" + path + "' is not a regular file"};
    }
    const bool executable = (archive_entry_perm(entry) & 0100) != 0;
    auto content = read_entry_bytes(a, path);
    if (!content) return content.error();
    entries.push_back(ArchiveEntry{std::move(path), std::move(content).value(), executable});
  }
  return entries;
}

}  // namespace kiln::artifacts
