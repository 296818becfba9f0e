#include "platform/artifacts/build_writer.h"

#include <algorithm>
#include <tuple>

namespace kiln::artifacts {

Result<BuildRecord> BuildWriter::write(const BuildInput& input) {
  auto record = package(input);
  if (!record) return write_failed(input.commit_sha, input.created_ms, record.error().message);
  if (auto published = store_.publish_build(*record); !published) {
    return write_failed(input.commit_sha, input.created_ms, published.error().message);
  }
  return record;
}

Result<BuildRecord> BuildWriter::write_failed(const std::string& commit_sha,
                                              std::int64_t created_ms, const std::string& error) {
  BuildRecord record;
  record.commit_sha = commit_sha;
  record.created_ms = created_ms;
  record.status = kBuildFailed;
  record.error = error.empty() ? "build failed" : error;
  record.build_id = make_build_id(record);
  if (auto published = store_.publish_build(record); !published) {
    return Error{"the build failed (" + record.error +
                 ") and its failed record could not be published: " + published.error().message};
  }
  return record;
}

// Every job archived and stored; the record is built but not yet published.
Result<BuildRecord> BuildWriter::package(const BuildInput& input) {
  std::vector<const JobInput*> jobs;
  jobs.reserve(input.jobs.size());
  for (const JobInput& job : input.jobs) jobs.push_back(&job);
  std::sort(jobs.begin(), jobs.end(), [](const JobInput* x, const JobInput* y) {
    return std::tie(x->name, x->target) < std::tie(y->name, y->target);
  });

  BuildRecord record;
  record.commit_sha = input.commit_sha;
  record.created_ms = input.created_ms;
  record.status = kBuildSucceeded;
  for (const JobInput* job : jobs) {
    const std::string what = "job '" + job->name + "' (" + job->target + "): ";
    auto archive = make_archive(job->entries);
    if (!archive) return Error{what + archive.error().message};
    auto hash = store_.put_artifact(*archive);
    if (!hash) return Error{what + hash.error().message};
    record.jobs.push_back(JobArtifact{job->name, job->target, job->deploy_version,
                                      std::move(hash).value(),
                                      static_cast<std::int64_t>(archive->size())});
  }
  record.build_id = make_build_id(record);
  // Checked here too so that a bad record becomes a failed build, not a store error.
  if (auto ok = check_build_record(record); !ok) return ok.error();
  return record;
}

}  // namespace kiln::artifacts
