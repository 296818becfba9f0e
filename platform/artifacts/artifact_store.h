// The artifact store: where `kiln build` publishes job archives and build records, and where
// deploys read them back. Artifacts are content-addressed and immutable; a build record is
// published whole or not at all. The local directory store (local_store.h) is the default; a
// shared store implements the same interface. See docs/artifact-store.md.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/artifacts/result.h"

namespace kiln::artifacts {

inline constexpr const char* kBuildSucceeded = "succeeded";
inline constexpr const char* kBuildFailed = "failed";

// One packaged job of a build.
struct JobArtifact {
  std::string name;
  std::string target;
  std::int64_t deploy_version = 0;
  std::string content_hash;  // sha256 hex of the archive (content_hash.h)
  std::int64_t size_bytes = 0;

  friend bool operator==(const JobArtifact&, const JobArtifact&) = default;
};

// What a build produced. A failed build has status "failed", an error and no jobs.
struct BuildRecord {
  std::string build_id;    // make_build_id(): "b-<created_ms, 13 digits>-<8 hex>"
  std::string commit_sha;  // the repository's HEAD; may be empty only for a failed build
  std::int64_t created_ms = 0;
  std::string status;  // kBuildSucceeded | kBuildFailed
  std::string error;   // why a failed build failed; empty when it succeeded
  std::vector<JobArtifact> jobs;

  friend bool operator==(const BuildRecord&, const BuildRecord&) = default;
};

// JSON with stable key order; from_json uses at(), so a missing field is an error (it throws
// nlohmann::json::exception; the stores catch it and return an Error).
void to_json(nlohmann::json& j, const JobArtifact& job);
void from_json(const nlohmann::json& j, JobArtifact& job);
void to_json(nlohmann::json& j, const BuildRecord& record);
void from_json(const nlohmann::json& j, BuildRecord& record);

// A sortable build id: "b-" + created_ms zero-padded to 13 digits + "-" + the first 8 hex digits
// of the SHA-256 of the record's JSON without its build_id. Ids of builds made in different
// milliseconds sort by time; the same record always gets the same id.
std::string make_build_id(const BuildRecord& record);

// True if `id` can name a build file: 1-128 of [A-Za-z0-9._-], not starting with '.'.
bool is_build_id(std::string_view id);

// Ok, or an error saying what makes the record unpublishable: an id failing is_build_id(), a
// negative time, an unknown status, a failed build with jobs or without an error, a succeeded
// build with an error, a bad commit SHA (40 or 64 hex digits; a failed build may leave it empty),
// a job with an empty name or target, a bad content hash or a negative size, or a (name, target)
// twice.
Result<void> check_build_record(const BuildRecord& record);

class ArtifactStore {
 public:
  virtual ~ArtifactStore();

  // Stores `bytes` under their SHA-256 and returns it. Idempotent: the same bytes give the same
  // key, and an artifact already present is verified, never overwritten (a corrupt one is an
  // error).
  virtual Result<std::string> put_artifact(const std::string& bytes) = 0;

  // The artifact's bytes, verified against `content_hash`. A missing artifact, a malformed key
  // or bytes that no longer hash to the key are errors naming the hash.
  virtual Result<std::string> get_artifact(const std::string& content_hash) const = 0;

  // Publishes `record` atomically: readers see all of it or none of it. Refused if
  // check_build_record() fails, if an artifact it names is not stored, or if a different record
  // already has its id (publishing the identical record again is a no-op).
  virtual Result<void> publish_build(const BuildRecord& record) = 0;

  // Every published build, oldest first (by created_ms, then build_id).
  virtual Result<std::vector<BuildRecord>> list_builds() const = 0;

  // The build with this id; an error if there is none.
  virtual Result<BuildRecord> find_build(const std::string& build_id) const = 0;

  // Builds of this commit (SHA compared case-insensitively), oldest first; empty if none.
  virtual Result<std::vector<BuildRecord>> builds_for_commit(const std::string& sha) const = 0;

  // The newest build whose status is "succeeded", or nullopt if there is none.
  virtual Result<std::optional<BuildRecord>> latest_successful_build() const = 0;
};

// The shortest commit prefix builds_for_commit_prefix() accepts (git's own minimum).
inline constexpr std::size_t kCommitPrefixMin = 4;

// The builds of the one commit whose SHA starts with `prefix` (a full SHA, or a unique prefix
// of at least kCommitPrefixMin hex digits, case-insensitive), oldest first; empty if no build's
// commit matches. An error for a prefix that is not hex or too short, and for one matching
// several commits (the error lists them).
Result<std::vector<BuildRecord>> builds_for_commit_prefix(const ArtifactStore& store,
                                                          std::string_view prefix);

}  // namespace kiln::artifacts
