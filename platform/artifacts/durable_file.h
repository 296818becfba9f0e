// Files written so that a reader (or a crash) never sees half of one. Internal to the artifacts
// module: the local store is its only user.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "platform/artifacts/result.h"

namespace kiln::artifacts {

enum class Published { kCreated, kAlreadyExisted };

// Writes `bytes` to a new file in `tmp_dir` (which must be on the same filesystem as
// `final_path`) with permissions `mode`, fsyncs it, then links it to `final_path` without ever
// replacing an existing file, fsyncs the parent directory and removes the temporary name.
// kAlreadyExisted means `final_path` was there first and was left untouched: the caller decides
// whether its content is acceptable.
Result<Published> publish_file(const std::filesystem::path& tmp_dir,
                               const std::filesystem::path& final_path, std::string_view bytes,
                               mode_t mode);

// The whole content of a file; an error naming the path and the system's reason.
Result<std::string> read_file_bytes(const std::filesystem::path& path);

}  // namespace kiln::artifacts
