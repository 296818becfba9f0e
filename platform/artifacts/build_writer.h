// BuildWriter: turns the jobs of one build into archives in an artifact store and publishes the
// build record, all or nothing. If any step fails (an unsafe path, a store error), the build is
// published as "failed" with the error and no jobs, and nothing else of it becomes visible
// (artifacts already stored stay as unreferenced objects; they name no build).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "platform/artifacts/archive.h"
#include "platform/artifacts/artifact_store.h"
#include "platform/artifacts/result.h"

namespace kiln::artifacts {

// One job to package: its config target, version and files (configs and code).
struct JobInput {
  std::string name;
  std::string target;
  std::int64_t deploy_version = 0;
  std::vector<ArchiveEntry> entries;
};

struct BuildInput {
  std::string commit_sha;       // git_head_sha() of the repository
  std::int64_t created_ms = 0;  // when the build ran (the caller's clock)
  std::vector<JobInput> jobs;
};

class BuildWriter {
 public:
  // `store` must outlive the writer.
  explicit BuildWriter(ArtifactStore& store) : store_(store) {}

  // Packages and publishes every job. Returns the published record: status "succeeded" with
  // every job (sorted by name, then target), or status "failed" with the first error and no jobs.
  // An Error only if not even the failed record could be published.
  Result<BuildRecord> write(const BuildInput& input);

  // Publishes a failed build for a failure found before packaging (a config that does not
  // validate, a checkout that is not a git repository). `commit_sha` may be empty.
  Result<BuildRecord> write_failed(const std::string& commit_sha, std::int64_t created_ms,
                                   const std::string& error);

 private:
  Result<BuildRecord> package(const BuildInput& input);

  ArtifactStore& store_;
};

}  // namespace kiln::artifacts
