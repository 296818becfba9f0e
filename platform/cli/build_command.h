// `kiln build REPO --store STORE`: every job folder of REPO, validated, packaged and published
// to the artifact store as one build (or recorded as a failed build, with nothing else
// published).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

namespace kiln::cli {

struct BuildOptions {
  std::filesystem::path repo;
  std::filesystem::path store;
  std::int64_t created_ms = 0;  // the build's time (the command passes the wall clock)
};

// The bytes of a file of a job folder, or nullopt with `why` set: a symbolic link leaving
// `repo_root` (config::link_problem), not a regular file, or a failed open or read. `shown`
// names the file in `why`.
std::optional<std::string> read_job_file(const std::filesystem::path& repo_root,
                                         const std::filesystem::path& path,
                                         const std::string& shown, std::string& why);

// Returns the exit code: 0 built, 1 the build failed (recorded), 2 the store is unusable.
int run_build(const BuildOptions& options, std::ostream& out, std::ostream& err);

// `kiln builds --store STORE [--commit SHA]`: the builds, oldest first.
int run_list_builds(const std::filesystem::path& store, const std::string& commit,
                    std::ostream& out, std::ostream& err);

}  // namespace kiln::cli
