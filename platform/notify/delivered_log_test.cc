// The delivered log: the dedup window, and its journal across a restart.
#include "platform/notify/delivered_log.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace kiln::notify {
namespace {

// A journal path in a fresh directory, removed afterwards.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("kiln-notify-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_CASE("a delivered key is remembered for the window and no longer") {
  DeliveredLog log(1'000, "", 0);
  log.record("slack\nx", 100);
  CHECK(log.contains("slack\nx", 100));
  CHECK(log.contains("slack\nx", 1'099));
  CHECK_FALSE(log.contains("pd\nx", 500));
  CHECK_FALSE(log.contains("slack\nx", 1'100));
  CHECK(log.size() == 0);
}

TEST_CASE("a window of zero remembers nothing") {
  DeliveredLog log(0, "", 0);
  log.record("k", 0);
  CHECK_FALSE(log.contains("k", 0));
}

TEST_CASE("the oldest entries go first past the entry bound") {
  DeliveredLog log(1'000'000, "", 0, /*max_entries=*/2);
  log.record("a", 1);
  log.record("b", 2);
  log.record("c", 3);
  CHECK_FALSE(log.contains("a", 3));
  CHECK(log.contains("b", 3));
  CHECK(log.contains("c", 3));
}

TEST_CASE("the journal carries delivered keys across a restart and forgets expired ones") {
  TempDir dir;
  const std::string journal = dir.file("journal.jsonl");
  {
    DeliveredLog log(1'000, journal, 0);
    log.record("old", 100);
    log.record("new", 900);
  }
  {
    std::ofstream torn(journal, std::ios::app);
    torn << "{\"key\":\"torn\",\"t";  // a crash in the middle of an append
  }
  DeliveredLog restarted(1'000, journal, 1'500);
  CHECK(restarted.journal_errors() == 0);
  CHECK_FALSE(restarted.contains("old", 1'500));
  CHECK(restarted.contains("new", 1'500));
  CHECK_FALSE(restarted.contains("torn", 1'500));
  // Rewritten with only what is still inside the window.
  CHECK(read(journal) == "{\"key\":\"new\",\"t\":900}\n");
  restarted.record("later", 1'600);
  CHECK(read(journal) == "{\"key\":\"new\",\"t\":900}\n{\"key\":\"later\",\"t\":1600}\n");
}

TEST_CASE("a journal that cannot be written leaves the log working from memory") {
  TempDir dir;
  DeliveredLog log(1'000, dir.file("missing/dir/journal.jsonl"), 0);
  log.record("k", 10);
  CHECK(log.contains("k", 20));
  CHECK(log.journal_errors() == 2);  // the rewrite at start, then the append
}

}  // namespace
}  // namespace kiln::notify
