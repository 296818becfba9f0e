#include "platform/artifacts/archive.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "platform/artifacts/content_hash.h"

namespace kiln::artifacts {
namespace {

std::vector<ArchiveEntry> sample_entries() {
  return {
      {"config/prod.yaml", "name: orders\nschedule: daily\n", false},
      {"src/main.py", "print('hello')\n", false},
      {"bin/run.sh", "#!/bin/sh\nexec python src/main.py\n", true},
      {"empty.txt", "", false},
  };
}

std::string archive_of(const std::vector<ArchiveEntry>& entries) {
  auto archive = make_archive(entries);
  REQUIRE(archive.ok());
  return archive.value();
}

TEST_CASE("the same entries give byte identical archives in any input order") {
  const std::vector<ArchiveEntry> entries = sample_entries();
  const std::string first = archive_of(entries);
  CHECK(archive_of(entries) == first);
  const std::vector<ArchiveEntry> reversed(entries.rbegin(), entries.rend());
  CHECK(archive_of(reversed) == first);
}

TEST_CASE("the gzip header carries no timestamp and no file name") {
  const std::string archive = archive_of(sample_entries());
  REQUIRE(archive.size() > 10);
  CHECK(static_cast<unsigned char>(archive[0]) == 0x1f);
  CHECK(static_cast<unsigned char>(archive[1]) == 0x8b);
  CHECK((static_cast<unsigned char>(archive[3]) & 0x08U) == 0);  // FNAME
  CHECK(archive.substr(4, 4) == std::string(4, '\0'));           // MTIME
}

TEST_CASE("a different byte or mode or mtime changes the content hash") {
  const std::string base = sha256_hex(archive_of(sample_entries()));

  std::vector<ArchiveEntry> one_byte = sample_entries();
  one_byte[1].bytes[0] = 'P';
  CHECK(sha256_hex(archive_of(one_byte)) != base);

  std::vector<ArchiveEntry> mode = sample_entries();
  mode[0].executable = true;
  CHECK(sha256_hex(archive_of(mode)) != base);

  auto later = make_archive(sample_entries(), 1700000000);
  REQUIRE(later.ok());
  CHECK(sha256_hex(*later) != base);
}

TEST_CASE("an archive round trips its entries sorted by path") {
  std::vector<ArchiveEntry> entries = sample_entries();
  entries.push_back({"notebooks/h\xc3\xa9llo-\xc3\xbcn\xc3\xaf.py", "# caf\xc3\xa9\n", false});
  entries.push_back({"data/blob.bin", std::string("\0\x01\xff\x7f", 4), false});
  entries.push_back({std::string(150, 'd') + "/" + std::string(120, 'f') + ".py", "x = 1\n", true});

  auto read = read_archive(archive_of(entries));
  REQUIRE(read.ok());
  std::vector<ArchiveEntry> expected = entries;
  std::sort(expected.begin(), expected.end(),
            [](const ArchiveEntry& x, const ArchiveEntry& y) { return x.path < y.path; });
  CHECK(read.value() == expected);
}

TEST_CASE("an empty list of entries makes an empty archive") {
  auto read = read_archive(archive_of({}));
  REQUIRE(read.ok());
  CHECK(read->empty());
}

TEST_CASE("unsafe archive paths are refused") {
  const std::vector<std::string> paths = {
      "/etc/passwd", "../up.py", "a/../../b", "a/..", "",
      "a//b",        "./a",      "a/",        "a\\b", std::string("a\0b", 3)};
  for (const std::string& path : paths) {
    INFO("path: " << path);
    auto archive = make_archive({{"ok.txt", "fine", false}, {path, "x", false}});
    REQUIRE_FALSE(archive.ok());
    CHECK(archive.error().message.find("archive path") != std::string::npos);
  }
}

TEST_CASE("a path given twice is refused") {
  auto archive = make_archive({{"a.py", "1", false}, {"a.py", "2", false}});
  REQUIRE_FALSE(archive.ok());
  CHECK(archive.error().message == "archive path 'a.py' appears more than once");
}

TEST_CASE("bytes that are not an archive are refused on read") {
  auto read = read_archive("this is not a tar.gz");
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().message.find("archive:") == 0);
}

TEST_CASE("content hashes are SHA-256 in lowercase hex") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(is_content_hash(sha256_hex("")));
  CHECK_FALSE(is_content_hash("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
  CHECK_FALSE(is_content_hash("../../etc/passwd"));
}

}  // namespace
}  // namespace kiln::artifacts
