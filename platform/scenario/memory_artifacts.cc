#include "platform/scenario/memory_artifacts.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>

#include "platform/artifacts/content_hash.h"

namespace kiln::scenario {
namespace {

using artifacts::BuildRecord;
using artifacts::Error;
using artifacts::Result;

std::string lowercase(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

class MemoryStore final : public artifacts::ArtifactStore {
 public:
  Result<std::string> put_artifact(const std::string& bytes) override {
    std::string key = artifacts::sha256_hex(bytes);
    objects_.try_emplace(key, bytes);
    return key;
  }

  Result<std::string> get_artifact(const std::string& content_hash) const override {
    if (!artifacts::is_content_hash(content_hash)) {
      return Error{"artifact key '" + content_hash + "' is not a SHA-256 (64 lowercase hex)"};
    }
    const auto it = objects_.find(content_hash);
    if (it == objects_.end()) return Error{"artifact " + content_hash + " is not in the store"};
    return it->second;
  }

  Result<void> publish_build(const BuildRecord& record) override {
    if (auto ok = artifacts::check_build_record(record); !ok) return ok;
    for (const auto& job : record.jobs) {
      const auto it = objects_.find(job.content_hash);
      if (it == objects_.end() || static_cast<std::int64_t>(it->second.size()) != job.size_bytes) {
        return Error{"build " + record.build_id + ": job '" + job.name + "' (" + job.target +
                     ") names artifact " + job.content_hash +
                     (it == objects_.end() ? ", which is not stored"
                                           : ", whose stored size differs from size_bytes")};
      }
    }
    const auto [it, fresh] = builds_.try_emplace(record.build_id, record);
    if (!fresh && !(it->second == record)) {
      return Error{"build " + record.build_id + " is already published with other content"};
    }
    return {};
  }

  Result<std::vector<BuildRecord>> list_builds() const override { return sorted(); }

  Result<BuildRecord> find_build(const std::string& build_id) const override {
    const auto it = builds_.find(build_id);
    if (it == builds_.end()) return Error{"no build " + build_id + " in the store"};
    return it->second;
  }

  Result<std::vector<BuildRecord>> builds_for_commit(const std::string& sha) const override {
    std::vector<BuildRecord> out;
    for (auto& r : sorted()) {
      if (lowercase(r.commit_sha) == lowercase(sha)) out.push_back(std::move(r));
    }
    return out;
  }

  Result<std::optional<BuildRecord>> latest_successful_build() const override {
    auto all = sorted();
    const auto newest = std::find_if(all.rbegin(), all.rend(), [](const BuildRecord& r) {
      return r.status == artifacts::kBuildSucceeded;
    });
    if (newest == all.rend()) return std::optional<BuildRecord>();
    return std::optional<BuildRecord>(*newest);
  }

 private:
  // Oldest first: by created_ms, then build_id.
  std::vector<BuildRecord> sorted() const {
    std::vector<BuildRecord> out;
    for (const auto& [id, r] : builds_) out.push_back(r);
    std::stable_sort(out.begin(), out.end(), [](const BuildRecord& a, const BuildRecord& b) {
      return std::tie(a.created_ms, a.build_id) < std::tie(b.created_ms, b.build_id);
    });
    return out;
  }

  std::map<std::string, std::string> objects_;  // by content hash
  std::map<std::string, BuildRecord> builds_;   // by build id
};

}  // namespace

std::unique_ptr<artifacts::ArtifactStore> make_memory_artifact_store() {
  return std::make_unique<MemoryStore>();
}

}  // namespace kiln::scenario
