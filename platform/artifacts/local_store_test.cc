#include "platform/artifacts/local_store.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "platform/artifacts/content_hash.h"
#include "platform/artifacts/temp_dir.h"

namespace kiln::artifacts {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

const std::string kShaA = "0123456789abcdef0123456789abcdef01234567";
const std::string kShaB = "fedcba9876543210fedcba9876543210fedcba98";

std::unique_ptr<ArtifactStore> open_store(const fs::path& root) {
  auto store = open_local_store(root);
  REQUIRE(store.ok());
  return std::move(store).value();
}

fs::path object_file(const fs::path& root, const std::string& hash) {
  return root / "objects" / hash.substr(0, 2) / hash.substr(2);
}

BuildRecord succeeded(ArtifactStore& store, const std::string& sha, std::int64_t created_ms,
                      const std::string& bytes) {
  auto hash = store.put_artifact(bytes);
  REQUIRE(hash.ok());
  BuildRecord record{"", sha, created_ms, kBuildSucceeded, "", {}};
  record.jobs.push_back(
      JobArtifact{"orders", "prod", 3, hash.value(), static_cast<std::int64_t>(bytes.size())});
  record.build_id = make_build_id(record);
  return record;
}

BuildRecord failed(const std::string& sha, std::int64_t created_ms) {
  BuildRecord record{"", sha, created_ms, kBuildFailed, "config invalid", {}};
  record.build_id = make_build_id(record);
  return record;
}

void publish(ArtifactStore& store, const BuildRecord& record) {
  auto published = store.publish_build(record);
  INFO((published.ok() ? "" : published.error().message));
  REQUIRE(published.ok());
}

std::vector<std::string> ids(const std::vector<BuildRecord>& records) {
  std::vector<std::string> out;
  out.reserve(records.size());
  for (const BuildRecord& r : records) out.push_back(r.build_id);
  return out;
}

TEST_CASE("put is idempotent and stores a read only object under its hash") {
  TempDir dir;
  auto store = open_store(dir.path());
  auto first = store->put_artifact("archive bytes");
  auto second = store->put_artifact("archive bytes");
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first.value() == sha256_hex("archive bytes"));
  CHECK(second.value() == first.value());

  const fs::path object = object_file(dir.path(), first.value());
  REQUIRE(fs::is_regular_file(object));
  CHECK((fs::status(object).permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read));
  CHECK(fs::is_empty(dir.path() / "tmp"));
  auto got = store->get_artifact(first.value());
  REQUIRE(got.ok());
  CHECK(got.value() == "archive bytes");
}

TEST_CASE("get detects a corrupted object") {
  TempDir dir;
  auto store = open_store(dir.path());
  const std::string hash = store->put_artifact("original bytes").value();
  const fs::path object = object_file(dir.path(), hash);
  fs::permissions(object, fs::perms::owner_write, fs::perm_options::add);
  {
    std::fstream file(object, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(0);
    file.put('O');
  }
  auto got = store->get_artifact(hash);
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().message.find(hash) != std::string::npos);
  CHECK(got.error().message.find("corrupt") != std::string::npos);
  // Storing the same bytes again verifies the existing copy instead of overwriting it.
  auto again = store->put_artifact("original bytes");
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().message.find("corrupt") != std::string::npos);
}

TEST_CASE("get names a missing artifact and refuses a key that is not a hash") {
  TempDir dir;
  auto store = open_store(dir.path());
  const std::string hash = sha256_hex("never stored");
  auto missing = store->get_artifact(hash);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find(hash + " is not in the store") != std::string::npos);
  auto bad_key = store->get_artifact("../../etc/passwd");
  REQUIRE_FALSE(bad_key.ok());
  CHECK(bad_key.error().message.find("not a SHA-256") != std::string::npos);
}

TEST_CASE("a stray temporary file in builds is never listed") {
  TempDir dir;
  auto store = open_store(dir.path());
  const BuildRecord record = succeeded(*store, kShaA, 1000, "job archive");
  publish(*store, record);
  std::ofstream(dir.path() / "builds" / (record.build_id + ".json.tmp")) << "{\"build_id\":";
  std::ofstream(dir.path() / "builds" / ".b-0000000002000-00000000.json") << "{";
  std::ofstream(dir.path() / "tmp" / "123-0-b-0000000003000-00000000.json") << "{";
  auto listed = store->list_builds();
  REQUIRE(listed.ok());
  CHECK(listed.value() == std::vector<BuildRecord>{record});
}

TEST_CASE(
    "publishing the same record twice is a no op but a different record under its id is refused") {
  TempDir dir;
  auto store = open_store(dir.path());
  BuildRecord record = succeeded(*store, kShaA, 1000, "job archive");
  publish(*store, record);
  publish(*store, record);
  record.jobs[0].deploy_version = 4;
  auto clash = store->publish_build(record);
  REQUIRE_FALSE(clash.ok());
  CHECK(clash.error().message.find("already published") != std::string::npos);
  CHECK(store->find_build(record.build_id)->jobs[0].deploy_version == 3);
}

TEST_CASE("a build naming a missing artifact is refused") {
  TempDir dir;
  auto store = open_store(dir.path());
  BuildRecord record{"", kShaA, 1000, kBuildSucceeded, "", {}};
  record.jobs.push_back(JobArtifact{"orders", "prod", 1, sha256_hex("not stored"), 10});
  record.build_id = make_build_id(record);
  auto published = store->publish_build(record);
  REQUIRE_FALSE(published.ok());
  CHECK(published.error().message.find("not stored") != std::string::npos);
  CHECK(store->list_builds()->empty());
}

TEST_CASE("an inconsistent build record is refused") {
  TempDir dir;
  auto store = open_store(dir.path());
  BuildRecord record = succeeded(*store, kShaA, 1000, "job archive");
  SECTION("a failed build with jobs") {
    record.status = kBuildFailed;
    record.error = "x";
  }
  SECTION("an unknown status") {
    record.status = "running";
  }
  SECTION("a bad commit sha") {
    record.commit_sha = "main";
  }
  SECTION("an unsafe id") {
    record.build_id = "../escape";
  }
  SECTION("a job twice") {
    record.jobs.push_back(record.jobs[0]);
  }
  CHECK_FALSE(store->publish_build(record).ok());
  CHECK(store->list_builds()->empty());
}

TEST_CASE("builds are listed oldest first then by id") {
  TempDir dir;
  auto store = open_store(dir.path());
  const BuildRecord late = succeeded(*store, kShaA, 3000, "a");
  const BuildRecord early = failed(kShaB, 1000);
  const BuildRecord middle_x = succeeded(*store, kShaA, 2000, "b");
  const BuildRecord middle_y = succeeded(*store, kShaB, 2000, "c");
  for (const BuildRecord& r : {late, middle_y, early, middle_x}) publish(*store, r);
  std::vector<std::string> middle = {middle_x.build_id, middle_y.build_id};
  std::sort(middle.begin(), middle.end());
  auto listed = store->list_builds();
  REQUIRE(listed.ok());
  CHECK(ids(listed.value()) ==
        std::vector<std::string>{early.build_id, middle[0], middle[1], late.build_id});
}

TEST_CASE("builds are found by id and by commit sha") {
  TempDir dir;
  auto store = open_store(dir.path());
  const BuildRecord first = succeeded(*store, kShaA, 1000, "a");
  const BuildRecord other = succeeded(*store, kShaB, 2000, "b");
  const BuildRecord second = failed(kShaA, 3000);
  for (const BuildRecord& r : {first, other, second}) publish(*store, r);

  auto found = store->find_build(other.build_id);
  REQUIRE(found.ok());
  CHECK(found.value() == other);
  auto unknown = store->find_build("b-0000000009999-00000000");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().message == "no build 'b-0000000009999-00000000' in the store");

  const std::string upper = "0123456789ABCDEF0123456789ABCDEF01234567";
  auto of_a = store->builds_for_commit(upper);
  REQUIRE(of_a.ok());
  CHECK(ids(of_a.value()) == std::vector<std::string>{first.build_id, second.build_id});
  CHECK(store->builds_for_commit(std::string(40, '0'))->empty());
}

TEST_CASE("builds are found by a unique prefix of their commit sha") {
  TempDir dir;
  auto store = open_store(dir.path());
  const std::string sha_c = "0123ffff89abcdef0123456789abcdef01234567";  // shares "0123" with A
  const BuildRecord first = succeeded(*store, kShaA, 1000, "a");
  const BuildRecord other = succeeded(*store, kShaB, 2000, "b");
  const BuildRecord second = failed(kShaA, 3000);
  const BuildRecord third = failed(sha_c, 4000);
  for (const BuildRecord& r : {first, other, second, third}) publish(*store, r);

  auto short_a = builds_for_commit_prefix(*store, "012345");  // `kiln builds --commit 012345`
  REQUIRE(short_a.ok());
  CHECK(ids(short_a.value()) == std::vector<std::string>{first.build_id, second.build_id});
  CHECK(ids(builds_for_commit_prefix(*store, "FEDC").value()) ==
        std::vector<std::string>{other.build_id});
  CHECK(ids(builds_for_commit_prefix(*store, kShaA).value()) ==
        std::vector<std::string>{first.build_id, second.build_id});
  CHECK(builds_for_commit_prefix(*store, "abcd")->empty());

  auto ambiguous = builds_for_commit_prefix(*store, "0123");
  REQUIRE_FALSE(ambiguous.ok());
  CHECK(ambiguous.error().message ==
        "commit prefix '0123' is ambiguous: builds of 2 commits match (" + kShaA + ", " + sha_c +
            "); give more digits");
  for (const std::string& bad :
       std::vector<std::string>{"012", "", "0123xyz", std::string(65, 'a')}) {
    auto refused = builds_for_commit_prefix(*store, bad);
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().message, Catch::Contains("at least 4 hex digits"));
  }
}

TEST_CASE("latest successful build skips failed builds") {
  TempDir dir;
  auto store = open_store(dir.path());
  CHECK_FALSE(store->latest_successful_build()->has_value());
  const BuildRecord good = succeeded(*store, kShaA, 1000, "a");
  publish(*store, good);
  publish(*store, failed(kShaB, 2000));
  auto latest = store->latest_successful_build();
  REQUIRE(latest.ok());
  REQUIRE(latest->has_value());
  CHECK(latest->value() == good);
}

TEST_CASE("a reopened store sees the builds and artifacts published before") {
  TempDir dir;
  BuildRecord record;
  {
    auto store = open_store(dir.path());
    record = succeeded(*store, kShaA, 1000, "kept");
    publish(*store, record);
  }
  auto reopened = open_store(dir.path());
  CHECK(reopened->find_build(record.build_id).value() == record);
  CHECK(reopened->get_artifact(record.jobs[0].content_hash).value() == "kept");
}

TEST_CASE("a build published by another store on the same directory is seen") {
  TempDir dir;
  auto first = open_store(dir.path());
  auto second = open_store(dir.path());
  const BuildRecord old_build = succeeded(*first, kShaA, 1000, "old");
  publish(*first, old_build);
  // The first store has read (and kept) the old record before the second publishes.
  REQUIRE(first->find_build(old_build.build_id).value() == old_build);
  REQUIRE(ids(first->list_builds().value()) == std::vector<std::string>{old_build.build_id});

  const BuildRecord new_build = succeeded(*second, kShaB, 2000, "new");
  publish(*second, new_build);
  auto listed = first->list_builds();
  REQUIRE(listed.ok());
  CHECK(listed.value() == std::vector<BuildRecord>{old_build, new_build});
  CHECK(first->find_build(new_build.build_id).value() == new_build);
  CHECK(first->latest_successful_build().value() == std::optional<BuildRecord>(new_build));
  CHECK(ids(first->builds_for_commit(kShaB).value()) ==
        std::vector<std::string>{new_build.build_id});
}

TEST_CASE("a corrupt build record is an error on every read") {
  TempDir dir;
  auto store = open_store(dir.path());
  const BuildRecord good = succeeded(*store, kShaA, 1000, "good");
  publish(*store, good);
  const std::string bad_id = "b-0000000002000-00000000";
  std::ofstream(dir.path() / "builds" / (bad_id + ".json")) << "{\"build_id\":";
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto found = store->find_build(bad_id);
    REQUIRE_FALSE(found.ok());
    CHECK(found.error().message.find("is not valid JSON") != std::string::npos);
    auto listed = store->list_builds();
    REQUIRE_FALSE(listed.ok());
    CHECK(listed.error().message.find(bad_id) != std::string::npos);
  }
  CHECK(store->find_build(good.build_id).value() == good);
}

TEST_CASE("build ids sort by time and name the record") {
  const BuildRecord record = failed(kShaA, 1700000000123);
  CHECK(record.build_id.starts_with("b-1700000000123-"));
  CHECK(record.build_id.size() == std::string("b-1700000000123-").size() + 8);
  CHECK(failed(kShaA, 5).build_id.starts_with("b-0000000000005-"));
  CHECK(failed(kShaB, 5).build_id != failed(kShaA, 5).build_id);
  CHECK(nlohmann::json(record).get<BuildRecord>() == record);
}

}  // namespace
}  // namespace kiln::artifacts
