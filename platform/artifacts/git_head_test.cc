#include "platform/artifacts/git_head.h"

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "platform/artifacts/temp_dir.h"

namespace kiln::artifacts {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

bool git_installed() {
  return std::system("git --version > /dev/null 2>&1") == 0;
}

// Runs git in `repo` with a fixed identity; REQUIREs success; returns its trimmed stdout.
std::string git(const fs::path& repo, const std::string& args) {
  const std::string command = "git -C '" + repo.string() +
                              "' -c user.name=kiln -c user.email=kiln@example.com"
                              " -c commit.gpgsign=false " +
                              args + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  REQUIRE(pipe != nullptr);
  std::string out;
  std::array<char, 256> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe.get()) != nullptr) {
    out += buffer.data();
  }
  const int status = ::pclose(pipe.release());
  INFO(command << "\n" << out);
  REQUIRE(status == 0);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// A repository on branch main with two commits.
void make_repo(const fs::path& repo) {
  fs::create_directories(repo);
  git(repo, "init -q -b main");
  git(repo, "commit -q --allow-empty -m first");
  git(repo, "commit -q --allow-empty -m second");
}

std::string head_sha(const fs::path& repo) {
  std::string error;
  std::string sha = git_head_sha(repo, &error);
  INFO(error);
  REQUIRE_FALSE(sha.empty());
  return sha;
}

TEST_CASE("git_head_sha reads the commit of a branch HEAD") {
  if (!git_installed()) {
    WARN("git is not installed: skipped");
    return;
  }
  TempDir dir;
  make_repo(dir.path());
  REQUIRE(fs::exists(dir.path() / ".git" / "refs" / "heads" / "main"));
  CHECK(head_sha(dir.path()) == git(dir.path(), "rev-parse HEAD"));
  fs::create_directories(dir.path() / "jobs" / "orders");
  CHECK(head_sha(dir.path() / "jobs" / "orders") == git(dir.path(), "rev-parse HEAD"));
}

TEST_CASE("git_head_sha reads a branch kept in packed refs") {
  if (!git_installed()) {
    WARN("git is not installed: skipped");
    return;
  }
  TempDir dir;
  make_repo(dir.path());
  git(dir.path(), "pack-refs --all --prune");
  REQUIRE_FALSE(fs::exists(dir.path() / ".git" / "refs" / "heads" / "main"));
  CHECK(head_sha(dir.path()) == git(dir.path(), "rev-parse HEAD"));
}

TEST_CASE("git_head_sha reads a detached HEAD") {
  if (!git_installed()) {
    WARN("git is not installed: skipped");
    return;
  }
  TempDir dir;
  make_repo(dir.path());
  git(dir.path(), "checkout -q --detach HEAD~1");
  const std::string first = git(dir.path(), "rev-parse HEAD");
  CHECK(first != git(dir.path(), "rev-parse main"));
  CHECK(head_sha(dir.path()) == first);
}

TEST_CASE("git_head_sha reads the HEAD of a linked worktree") {
  if (!git_installed()) {
    WARN("git is not installed: skipped");
    return;
  }
  TempDir dir;
  make_repo(dir.path() / "main");
  git(dir.path() / "main",
      "worktree add -q -b feature '" + (dir.path() / "wt").string() + "' HEAD~1");
  CHECK(head_sha(dir.path() / "wt") == git(dir.path() / "wt", "rev-parse HEAD"));
  CHECK(head_sha(dir.path() / "wt") != head_sha(dir.path() / "main"));
}

TEST_CASE("git_head_sha reports a branch without commits") {
  if (!git_installed()) {
    WARN("git is not installed: skipped");
    return;
  }
  TempDir dir;
  git(dir.path(), "init -q -b main");
  std::string error;
  CHECK(git_head_sha(dir.path(), &error).empty());
  CHECK(error.find("refs/heads/main, which has no commits yet") != std::string::npos);
}

TEST_CASE("git_head_sha reports a folder that is not a git repository") {
  TempDir dir;
  std::string error;
  CHECK(git_head_sha(dir.path(), &error).empty());
  CHECK(error.find("not a git repository: " + dir.path().string()) == 0);
}

}  // namespace
}  // namespace kiln::artifacts
