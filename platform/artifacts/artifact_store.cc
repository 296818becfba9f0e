#include "platform/artifacts/artifact_store.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "platform/artifacts/content_hash.h"

namespace kiln::artifacts {
namespace {

constexpr std::size_t kBuildIdLengthMax = 128;
// Milliseconds since the epoch have 13 digits until the year 2286: ids sort by time until then.
constexpr std::size_t kBuildIdMillisDigits = 13;

bool is_hex(std::string_view s) {
  for (char c : s) {
    const bool digit = c >= '0' && c <= '9';
    const bool lower = c >= 'a' && c <= 'f';
    const bool upper = c >= 'A' && c <= 'F';
    if (!digit && !lower && !upper) return false;
  }
  return true;
}

Result<void> check_job(const std::string& build, const JobArtifact& job) {
  const std::string where = "build " + build + ": job '" + job.name + "' (" + job.target + ")";
  if (job.name.empty()) return Error{"build " + build + ": a job has an empty name"};
  if (job.target.empty()) return Error{where + " has an empty target"};
  if (!is_content_hash(job.content_hash)) {
    return Error{where + " has content hash '" + job.content_hash +
                 "', which is not 64 lowercase hex digits"};
  }
  if (job.size_bytes < 0) return Error{where + " has a negative size"};
  return {};
}

}  // namespace

ArtifactStore::~ArtifactStore() = default;

void to_json(nlohmann::json& j, const JobArtifact& job) {
  j = nlohmann::json{{"name", job.name},
                     {"target", job.target},
                     {"deploy_version", job.deploy_version},
                     {"content_hash", job.content_hash},
                     {"size_bytes", job.size_bytes}};
}

void from_json(const nlohmann::json& j, JobArtifact& job) {
  j.at("name").get_to(job.name);
  j.at("target").get_to(job.target);
  j.at("deploy_version").get_to(job.deploy_version);
  j.at("content_hash").get_to(job.content_hash);
  j.at("size_bytes").get_to(job.size_bytes);
}

void to_json(nlohmann::json& j, const BuildRecord& record) {
  j = nlohmann::json{{"build_id", record.build_id},     {"commit_sha", record.commit_sha},
                     {"created_ms", record.created_ms}, {"status", record.status},
                     {"error", record.error},           {"jobs", record.jobs}};
}

void from_json(const nlohmann::json& j, BuildRecord& record) {
  j.at("build_id").get_to(record.build_id);
  j.at("commit_sha").get_to(record.commit_sha);
  j.at("created_ms").get_to(record.created_ms);
  j.at("status").get_to(record.status);
  j.at("error").get_to(record.error);
  j.at("jobs").get_to(record.jobs);
}

std::string make_build_id(const BuildRecord& record) {
  BuildRecord without_id = record;
  without_id.build_id.clear();
  const std::string digest = sha256_hex(nlohmann::json(without_id).dump());
  std::string millis = std::to_string(record.created_ms);
  if (millis.size() < kBuildIdMillisDigits) {
    millis.insert(0, kBuildIdMillisDigits - millis.size(), '0');
  }
  return "b-" + millis + "-" + digest.substr(0, 8);
}

bool is_build_id(std::string_view id) {
  if (id.empty() || id.size() > kBuildIdLengthMax || id.front() == '.') return false;
  for (char c : id) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

Result<void> check_build_record(const BuildRecord& record) {
  const std::string& id = record.build_id;
  if (!is_build_id(id)) {
    return Error{"build id '" + id + "' is not 1-128 of [A-Za-z0-9._-] (not starting with '.')"};
  }
  if (record.created_ms < 0) return Error{"build " + id + " has a negative created_ms"};
  const bool failed = record.status == kBuildFailed;
  if (!failed && record.status != kBuildSucceeded) {
    return Error{"build " + id + " has status '" + record.status +
                 "' (expected succeeded or failed)"};
  }
  if (failed && !record.jobs.empty()) return Error{"failed build " + id + " lists jobs"};
  if (failed && record.error.empty()) return Error{"failed build " + id + " has no error"};
  if (!failed && !record.error.empty()) return Error{"succeeded build " + id + " has an error"};
  const std::size_t sha_length = record.commit_sha.size();
  const bool sha_ok = (sha_length == 40 || sha_length == 64) && is_hex(record.commit_sha);
  if (!sha_ok && !(failed && record.commit_sha.empty())) {
    return Error{"build " + id + " has commit SHA '" + record.commit_sha +
                 "' (expected 40 or 64 hex digits)"};
  }
  std::set<std::pair<std::string, std::string>> seen;
  for (const JobArtifact& job : record.jobs) {
    if (auto ok = check_job(id, job); !ok) return ok;
    if (!seen.emplace(job.name, job.target).second) {
      return Error{"build " + id + " lists job '" + job.name + "' (" + job.target + ") twice"};
    }
  }
  return {};
}

Result<std::vector<BuildRecord>> builds_for_commit_prefix(const ArtifactStore& store,
                                                          std::string_view prefix) {
  const bool hex = std::all_of(prefix.begin(), prefix.end(),
                               [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  if (!hex || prefix.size() < kCommitPrefixMin || prefix.size() > 64) {
    return Error{"commit '" + std::string(prefix.substr(0, 80)) +
                 "': expected a commit SHA or a prefix of at least " +
                 std::to_string(kCommitPrefixMin) + " hex digits"};
  }
  std::string wanted(prefix);
  std::transform(wanted.begin(), wanted.end(), wanted.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto all = store.list_builds();
  if (!all) return all.error();
  std::set<std::string> commits;  // sorted, so a list of candidates reads the same every time
  std::vector<BuildRecord> matching;
  for (const BuildRecord& record : *all) {
    std::string sha = record.commit_sha;
    std::transform(sha.begin(), sha.end(), sha.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!sha.starts_with(wanted)) continue;
    commits.insert(sha);
    matching.push_back(record);
  }
  if (commits.size() > 1) {
    std::string list;
    for (const std::string& sha : commits) list += (list.empty() ? "" : ", ") + sha;
    return Error{"commit prefix '" + wanted + "' is ambiguous: builds of " +
                 std::to_string(commits.size()) + " commits match (" + list +
                 "); give more digits"};
  }
  return matching;
}

}  // namespace kiln::artifacts
