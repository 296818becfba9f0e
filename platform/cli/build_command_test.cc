// kiln build end to end on a directory tree: the README's `kiln build .` archives each file of
// the job folder at its path with its bytes; a file that cannot be read, or a link leaving the
// repository, fails the build (recorded as failed, no job published).
#include "platform/cli/build_command.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "platform/artifacts/archive.h"
#include "platform/artifacts/local_store.h"
#include "platform/artifacts/temp_dir.h"

namespace kiln::cli {
namespace {

namespace fs = std::filesystem;
using artifacts::testing::TempDir;

const std::string kSha = "83f36aa0123456789abcdef0123456789abcdef0";

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// A checkout (HEAD detached at kSha) with one job folder, jobs/orders, and two targets.
void make_repo(const fs::path& repo) {
  write(repo / ".git/HEAD", kSha + "\n");
  write(repo / "jobs/orders/kiln.yaml",
        "kind: JobFolder\nconfigs: [configs/*.yaml]\nsources: [src/**/*.py]\n");
  for (const std::string target : {"development", "production"}) {
    write(repo / "jobs/orders/configs" / (target + ".yaml"),
          "kind: Job\nname: orders\ntarget: " + target +
              "\ndeployVersion: 3\nsettings:\n  tasks:\n    - task_key: main\n"
              "      spark_python_task: {python_file: src/main.py}\n");
  }
  write(repo / "jobs/orders/src/main.py", "print('orders')\n");
  write(repo / "jobs/orders/src/lib/util.py", "X = 1\n");
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Runs `kiln build REPO --store STORE` from the working directory `cwd`, restoring it after.
int build_from(const fs::path& cwd, const fs::path& repo, const fs::path& store, std::string& out) {
  const fs::path before = fs::current_path();
  fs::current_path(cwd);
  std::ostringstream o, e;
  const int code = run_build({repo, store, 1'000}, o, e);
  fs::current_path(before);
  out = o.str() + e.str();
  return code;
}

TEST_CASE("kiln build . from the repository archives every file at its path with its bytes") {
  TempDir tmp;
  const fs::path repo = tmp.path() / "repo";
  make_repo(repo);
  std::string out;
  // The README's form, and a relative path from elsewhere: both once archived 0-byte configs
  // under jobs/orders/jobs/orders/... and called the build a success.
  for (const auto& [cwd, path] :
       {std::pair{repo, fs::path(".")}, std::pair{tmp.path(), fs::path("repo")},
        std::pair{repo / "jobs", fs::path("..")}}) {
    const fs::path store = tmp.path() / ("store-" + std::to_string(path.string().size()));
    INFO("cd " << cwd << " && kiln build " << path);
    REQUIRE(build_from(cwd, path, store, out) == 0);
    auto opened = artifacts::open_local_store(store);
    REQUIRE(opened);
    auto builds = (*opened)->list_builds();
    REQUIRE(builds);
    REQUIRE(builds->size() == 1);
    const auto& record = builds->front();
    CHECK(record.status == artifacts::kBuildSucceeded);
    REQUIRE(record.jobs.size() == 2);
    for (const auto& job : record.jobs) {
      auto bytes = (*opened)->get_artifact(job.content_hash);
      REQUIRE(bytes);
      auto entries = artifacts::read_archive(*bytes);
      REQUIRE(entries);
      std::map<std::string, std::string> files;
      for (const auto& entry : *entries) files[entry.path] = entry.bytes;
      const std::string config = "configs/" + job.target + ".yaml";
      CHECK(files == std::map<std::string, std::string>{
                         {"kiln.yaml", read(repo / "jobs/orders/kiln.yaml")},
                         {config, read(repo / "jobs/orders" / config)},
                         {"src/lib/util.py", read(repo / "jobs/orders/src/lib/util.py")},
                         {"src/main.py", read(repo / "jobs/orders/src/main.py")}});
    }
  }
}

TEST_CASE("a source linking out of the repository fails the build, recorded with no job") {
  TempDir tmp;
  const fs::path repo = tmp.path() / "repo";
  make_repo(repo);
  fs::create_symlink("/proc/self/environ", repo / "jobs/orders/src/env.py");
  std::string out;
  CHECK(build_from(repo, ".", tmp.path() / "store", out) == 1);
  CHECK_THAT(out, Catch::Contains("src/env.py' is a symbolic link to '/proc/self/environ', "
                                  "outside the repository"));
  auto opened = artifacts::open_local_store(tmp.path() / "store");
  REQUIRE(opened);
  auto builds = (*opened)->list_builds();
  REQUIRE(builds);
  REQUIRE(builds->size() == 1);
  CHECK(builds->front().status == artifacts::kBuildFailed);
  CHECK(builds->front().jobs.empty());
}

TEST_CASE("a source linking inside the repository is archived with the target's bytes") {
  TempDir tmp;
  const fs::path repo = tmp.path() / "repo";
  make_repo(repo);
  write(repo / "shared/common.py", "SHARED = True\n");
  fs::create_symlink("../../../shared/common.py", repo / "jobs/orders/src/common.py");
  std::string out;
  REQUIRE(build_from(repo, ".", tmp.path() / "store", out) == 0);
  auto opened = artifacts::open_local_store(tmp.path() / "store");
  REQUIRE(opened);
  const auto record = (*opened)->list_builds()->front();
  auto entries =
      artifacts::read_archive(*(*opened)->get_artifact(record.jobs.front().content_hash));
  REQUIRE(entries);
  bool found = false;
  for (const auto& entry : *entries) {
    if (entry.path == "src/common.py") found = entry.bytes == "SHARED = True\n";
  }
  CHECK(found);
}

TEST_CASE("a file that cannot be read is an error, never empty bytes") {
  TempDir tmp;
  write(tmp.path() / "a.py", "print(1)\n");
  fs::create_directories(tmp.path() / "dir.py");
  std::string why;
  CHECK(read_job_file(tmp.path(), tmp.path() / "a.py", "a.py", why) == "print(1)\n");
  CHECK(why.empty());
  CHECK_FALSE(read_job_file(tmp.path(), tmp.path() / "missing.py", "missing.py", why));
  CHECK_THAT(why, Catch::Contains("missing.py"));
  CHECK_FALSE(read_job_file(tmp.path(), tmp.path() / "dir.py", "dir.py", why));
  CHECK_THAT(why, Catch::Contains("not a regular file"));
}

}  // namespace
}  // namespace kiln::cli
