#include "platform/artifacts/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

namespace kiln::artifacts {
namespace {

constexpr int kTempNameAttemptsMax = 100;

Error system_error(const std::string& doing, const std::filesystem::path& path, int error) {
  return Error{doing + " " + path.string() + ": " + std::strerror(error)};
}

// Closes the descriptor on every path out of a function.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now, reporting the error close(2) may carry (a failed delayed write).
  int close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

Result<void> write_all(int fd, std::string_view bytes, const std::filesystem::path& path) {
  std::size_t written = 0;
  while (written < bytes.size()) {  // bounded: each pass writes >= 1 byte or fails
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return system_error("cannot write", path, errno);
    written += static_cast<std::size_t>(n);
  }
  return {};
}

Result<void> sync_directory(const std::filesystem::path& dir) {
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return system_error("cannot open directory", dir, errno);
  if (::fsync(fd.get()) != 0) return system_error("cannot fsync directory", dir, errno);
  return {};
}

// Creates a fresh temporary file holding `bytes`, fsync'd; returns its path.
Result<std::filesystem::path> write_temp(const std::filesystem::path& tmp_dir,
                                         const std::string& base, std::string_view bytes,
                                         mode_t mode) {
  static std::atomic<std::uint64_t> counter{0};
  for (int attempt = 0; attempt < kTempNameAttemptsMax; ++attempt) {
    const std::filesystem::path tmp =
        tmp_dir / (std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + base);
    FileDescriptor fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (fd.get() < 0 && errno == EEXIST) continue;  // left by a crashed process with our pid
    if (fd.get() < 0) return system_error("cannot create", tmp, errno);
    Result<void> ok = write_all(fd.get(), bytes, tmp);
    if (ok && ::fsync(fd.get()) != 0) ok = system_error("cannot fsync", tmp, errno);
    if (ok && fd.close() != 0) ok = system_error("cannot close", tmp, errno);
    if (!ok) {
      ::unlink(tmp.c_str());
      return ok.error();
    }
    return tmp;
  }
  return Error{"cannot find a free temporary name in " + tmp_dir.string()};
}

// link(2) refuses to replace an existing file. Filesystems without hard links fall back to
// check-then-rename, which is only racy between two writers of the same name; for content-
// addressed objects both write the same bytes.
Result<Published> link_into_place(const std::filesystem::path& tmp,
                                  const std::filesystem::path& final_path) {
  if (::link(tmp.c_str(), final_path.c_str()) == 0) return Published::kCreated;
  const int error = errno;
  if (error == EEXIST) return Published::kAlreadyExisted;
  if (error != EPERM && error != ENOTSUP && error != EOPNOTSUPP && error != EMLINK) {
    return system_error("cannot link into place", final_path, error);
  }
  if (::access(final_path.c_str(), F_OK) == 0) return Published::kAlreadyExisted;
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    return system_error("cannot rename into place", final_path, errno);
  }
  return Published::kCreated;
}

}  // namespace

Result<Published> publish_file(const std::filesystem::path& tmp_dir,
                               const std::filesystem::path& final_path, std::string_view bytes,
                               mode_t mode) {
  auto tmp = write_temp(tmp_dir, final_path.filename().string(), bytes, mode);
  if (!tmp) return tmp.error();
  auto published = link_into_place(*tmp, final_path);
  ::unlink(tmp->c_str());  // after a rename there is nothing left to remove
  if (!published) return published;
  if (*published == Published::kCreated) {
    if (auto ok = sync_directory(final_path.parent_path()); !ok) return ok.error();
  }
  return published;
}

Result<std::string> read_file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return system_error("cannot open", path, errno);
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return system_error("cannot read", path, errno);
  return std::move(content).str();
}

}  // namespace kiln::artifacts
