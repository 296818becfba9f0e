#include "platform/artifacts/local_store.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <mutex>
#include <system_error>
#include <tuple>
#include <utility>

#include "platform/artifacts/content_hash.h"
#include "platform/artifacts/durable_file.h"

namespace kiln::artifacts {
namespace {

namespace fs = std::filesystem;

constexpr mode_t kReadOnly = 0444;
constexpr std::string_view kRecordSuffix = ".json";

Result<BuildRecord> parse_record(const fs::path& file) {
  auto text = read_file_bytes(file);
  if (!text) return text.error();
  const nlohmann::json json = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Error{"build record " + file.string() + " is not valid JSON"};
  try {
    return json.get<BuildRecord>();
  } catch (const nlohmann::json::exception& e) {
    return Error{"build record " + file.string() + " is malformed: " + e.what()};
  }
}

std::string record_text(const BuildRecord& record) {
  return nlohmann::json(record).dump(2) + "\n";
}

class LocalStore final : public ArtifactStore {
 public:
  explicit LocalStore(const fs::path& root)
      : objects_(root / "objects"), builds_(root / "builds"), tmp_(root / "tmp") {}

  Result<std::string> put_artifact(const std::string& bytes) override {
    std::string hash = sha256_hex(bytes);
    const fs::path path = object_path(hash);
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) return Error{"cannot create " + path.parent_path().string() + ": " + ec.message()};
    auto published = publish_file(tmp_, path, bytes, kReadOnly);
    if (!published) return published.error();
    if (*published == Published::kAlreadyExisted) {
      // Never overwritten: the copy already stored must be intact.
      if (auto existing = get_artifact(hash); !existing) return existing.error();
    }
    return hash;
  }

  Result<std::string> get_artifact(const std::string& content_hash) const override {
    if (!is_content_hash(content_hash)) {
      return Error{"artifact key '" + content_hash + "' is not a SHA-256 (64 lowercase hex)"};
    }
    const fs::path path = object_path(content_hash);
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      return Error{"artifact " + content_hash + " is not in the store (" + path.string() + ")"};
    }
    auto bytes = read_file_bytes(path);
    if (!bytes) return Error{"artifact " + content_hash + ": " + bytes.error().message};
    const std::string actual = sha256_hex(*bytes);
    if (actual != content_hash) {
      return Error{"artifact " + content_hash + " is corrupt: its bytes hash to " + actual + " (" +
                   path.string() + ")"};
    }
    return bytes;
  }

  Result<void> publish_build(const BuildRecord& record) override {
    if (auto ok = check_build_record(record); !ok) return ok;
    for (const JobArtifact& job : record.jobs) {
      std::error_code ec;
      const auto size = fs::file_size(object_path(job.content_hash), ec);
      if (ec || size != static_cast<std::uintmax_t>(job.size_bytes)) {
        return Error{
            "build " + record.build_id + ": job '" + job.name + "' (" + job.target +
            ") names artifact " + job.content_hash +
            (ec ? ", which is not stored" : ", whose stored size differs from size_bytes")};
      }
    }
    const std::string text = record_text(record);
    const fs::path path = record_path(record.build_id);
    auto published = publish_file(tmp_, path, text, kReadOnly);
    if (!published) return published.error();
    if (*published == Published::kAlreadyExisted) {
      auto existing = read_file_bytes(path);
      if (!existing) return existing.error();
      if (*existing != text) {
        return Error{"build " + record.build_id + " is already published with other content"};
      }
    }
    return {};
  }

  Result<std::vector<BuildRecord>> list_builds() const override {
    auto all = scan_builds();
    if (!all) return all.error();
    std::vector<BuildRecord> records;
    records.reserve(all->size());
    for (const auto& record : *all) records.push_back(*record);
    return records;
  }

  Result<BuildRecord> find_build(const std::string& build_id) const override {
    if (!is_build_id(build_id)) return Error{"'" + build_id + "' is not a build id"};
    std::error_code ec;
    if (!fs::is_regular_file(record_path(build_id), ec)) {
      return Error{"no build '" + build_id + "' in the store"};
    }
    auto record = read_record(build_id);
    if (!record) return record.error();
    return BuildRecord(**record);
  }

  Result<std::vector<BuildRecord>> builds_for_commit(const std::string& sha) const override {
    auto all = scan_builds();
    if (!all) return all.error();
    const std::string wanted = lowercase(sha);
    std::vector<BuildRecord> matching;
    for (const auto& record : *all) {
      if (lowercase(record->commit_sha) == wanted) matching.push_back(*record);
    }
    return matching;
  }

  Result<std::optional<BuildRecord>> latest_successful_build() const override {
    auto all = scan_builds();
    if (!all) return all.error();
    const auto newest = std::find_if(all->rbegin(), all->rend(), [](const RecordPtr& r) {
      return r->status == kBuildSucceeded;
    });
    if (newest == all->rend()) return std::optional<BuildRecord>();
    return std::optional<BuildRecord>(**newest);
  }

  Result<void> create_folders() const {
    for (const fs::path& dir : {objects_, builds_, tmp_}) {
      std::error_code ec;
      fs::create_directories(dir, ec);
      if (ec) return Error{"cannot create " + dir.string() + ": " + ec.message()};
    }
    return {};
  }

 private:
  static std::string lowercase(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  }

  fs::path object_path(const std::string& hash) const {
    return objects_ / hash.substr(0, 2) / hash.substr(2);
  }

  fs::path record_path(const std::string& build_id) const {
    return builds_ / (build_id + std::string(kRecordSuffix));
  }

  using RecordPtr = std::shared_ptr<const BuildRecord>;

  // Every published build, oldest first (by created_ms, then build_id). The directory is read
  // each time, to see builds other processes published; only new names are parsed.
  Result<std::vector<RecordPtr>> scan_builds() const {
    std::vector<RecordPtr> records;
    std::error_code ec;
    for (fs::directory_iterator it(builds_, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      // Only completed records: "<build id>.json". Anything else (a stray temporary, an editor's
      // backup) is not a build.
      if (name.size() <= kRecordSuffix.size() || !name.ends_with(kRecordSuffix)) continue;
      const std::string id = name.substr(0, name.size() - kRecordSuffix.size());
      if (!is_build_id(id) || !it->is_regular_file(ec)) continue;
      auto record = read_record(id);
      if (!record) return record.error();
      records.push_back(std::move(record).value());
    }
    if (ec) return Error{"cannot list " + builds_.string() + ": " + ec.message()};
    std::sort(records.begin(), records.end(), [](const RecordPtr& x, const RecordPtr& y) {
      return std::tie(x->created_ms, x->build_id) < std::tie(y->created_ms, y->build_id);
    });
    return records;
  }

  // The record stored under `build_id`; it must name itself by that id. A record file is
  // published once and never replaced, so it is parsed once and then served from memory; one
  // that fails to parse is not kept, and fails again on every read.
  Result<RecordPtr> read_record(const std::string& build_id) const {
    {
      const std::lock_guard lock(mutex_);
      if (const auto known = parsed_.find(build_id); known != parsed_.end()) return known->second;
    }
    const fs::path path = record_path(build_id);
    auto record = parse_record(path);
    if (!record) return record.error();
    if (record->build_id != build_id) {
      return Error{"build record " + path.string() + " names itself '" + record->build_id + "'"};
    }
    auto parsed = std::make_shared<const BuildRecord>(std::move(record).value());
    const std::lock_guard lock(mutex_);
    return parsed_.try_emplace(build_id, std::move(parsed)).first->second;
  }

  fs::path objects_;
  fs::path builds_;
  fs::path tmp_;
  // Build id -> its parsed record, for every record read so far (bounded by the records in
  // builds/, which list_builds returns whole anyway). The mutex keeps the const readers safe
  // to call from several threads, as const methods are expected to be.
  mutable std::mutex mutex_;
  mutable std::map<std::string, RecordPtr, std::less<>> parsed_;
};

}  // namespace

Result<std::unique_ptr<ArtifactStore>> open_local_store(const std::filesystem::path& root) {
  auto store = std::make_unique<LocalStore>(root);
  if (auto ok = store->create_folders(); !ok) return ok.error();
  return std::unique_ptr<ArtifactStore>(std::move(store));
}

}  // namespace kiln::artifacts
