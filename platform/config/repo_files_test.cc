// Which files of a job folder kiln validate lets through to the build: symbolic links must stay
// inside the repository (and out of its .git); file names must be archivable (no backslash).
#include "platform/config/repo_files.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "platform/config/job_config.h"
#include "platform/config/test_folder.h"

using kiln::config::load_folder;
using kiln::config::load_repo;
using kiln::config::LoadResult;
using kiln::config::testing::job_yaml;
using kiln::config::testing::TestTree;

namespace {

namespace fs = std::filesystem;

const std::string kTasks =
    "  tasks:\n"
    "    - task_key: main\n"
    "      spark_python_task: {python_file: src/main.py}\n";

// A repository (it has .git) with one job folder, jobs/etl, whose sources are src/**/*.
TestTree make_tree() {
  return TestTree(
      {{".git/HEAD", "ref: refs/heads/main\n"},
       {"jobs/etl/kiln.yaml", "kind: JobFolder\nconfigs: [configs/*.yaml]\nsources: [src/**/*]\n"},
       {"jobs/etl/configs/dev.yaml", job_yaml("etl", "dev", kTasks)},
       {"jobs/etl/src/main.py", "print(1)\n"},
       {"shared/common.py", "X = 1\n"}});
}

std::vector<std::string> messages(const LoadResult& result) {
  std::vector<std::string> out;
  for (const auto& d : result.diagnostics) out.push_back(d.to_string());
  return out;
}

}  // namespace

TEST_CASE("a source linking out of the repository is refused, naming the link and its target") {
  TestTree tree = make_tree();
  fs::create_symlink("/proc/self/environ", tree.root() / "jobs/etl/src/env.py");
  const LoadResult result = load_repo(tree.root());
  REQUIRE(result.diagnostics.size() == 1);
  CHECK(result.diagnostics[0].file == tree.file("jobs/etl/kiln.yaml"));
  CHECK(result.diagnostics[0].line == 3);
  CHECK(result.diagnostics[0].field == "sources[0]");
  CHECK(result.diagnostics[0].message ==
        "'src/env.py' is a symbolic link to '/proc/self/environ', outside the repository (" +
            fs::canonical(tree.root()).string() +
            "); expected a file inside it (kiln build would archive the target's bytes)");
}

TEST_CASE("links named directly, through a linked directory, or as kiln.yaml are checked too") {
  TestTree tree = make_tree();
  tree.write("jobs/etl/kiln.yaml",
             "kind: JobFolder\nconfigs: [configs/*.yaml]\nsources: [src/main.py, lib/passwd]\n");
  fs::create_directory_symlink("/etc", tree.root() / "jobs/etl/lib");
  const auto got = messages(load_folder(tree.root() / "jobs/etl"));
  REQUIRE(got.size() == 1);
  CHECK_THAT(got[0], Catch::Contains("sources[1]: 'lib/passwd' leads through a symbolic link to "
                                     "'/etc/passwd', outside the repository"));

  TestTree linked = make_tree();
  fs::rename(linked.root() / "jobs/etl/kiln.yaml", linked.root() / "manifest.yaml");
  fs::create_symlink("../../manifest.yaml", linked.root() / "jobs/etl/kiln.yaml");
  CHECK(messages(load_folder(linked.root() / "jobs/etl")).empty());  // inside the repository
  fs::remove(linked.root() / "jobs/etl/kiln.yaml");
  fs::create_symlink("/etc/passwd", linked.root() / "jobs/etl/kiln.yaml");
  const auto manifest = messages(load_folder(linked.root() / "jobs/etl"));
  REQUIRE(manifest.size() == 1);
  CHECK_THAT(manifest[0], Catch::Contains("kiln.yaml' is a symbolic link to '/etc/passwd', "
                                          "outside the repository"));
}

TEST_CASE("a link to a file inside the repository is a source like any other") {
  TestTree tree = make_tree();
  fs::create_symlink("../../../shared/common.py", tree.root() / "jobs/etl/src/common.py");
  const LoadResult result = load_repo(tree.root());
  CHECK(messages(result).empty());
  REQUIRE(result.folders.size() == 1);
  CHECK(result.folders[0].source_files == std::vector<std::string>{"src/common.py", "src/main.py"});
}

TEST_CASE("a link into the repository's .git or to nothing is refused") {
  TestTree tree = make_tree();
  fs::create_symlink("../../../.git/HEAD", tree.root() / "jobs/etl/src/head.py");
  fs::create_symlink("missing.py", tree.root() / "jobs/etl/src/gone.py");
  const auto got = messages(load_repo(tree.root()));
  REQUIRE(got.size() == 1);  // a dangling link is no file: the glob does not list it
  CHECK_THAT(got[0], Catch::Contains("'src/head.py' is a symbolic link to '../../../.git/HEAD', "
                                     "inside the repository's .git"));
  CHECK_THAT(kiln::config::link_problem(fs::canonical(tree.root()),
                                        tree.root() / "jobs/etl/src/gone.py", "src/gone.py"),
             Catch::Contains("which does not exist"));
}

TEST_CASE("a file name kiln build cannot archive is refused by validate") {
  TestTree tree = make_tree();
  tree.write("jobs/etl/src/a\\b.py", "");
  const auto got = messages(load_repo(tree.root()));
  REQUIRE(got.size() == 1);
  CHECK_THAT(got[0], Catch::EndsWith("sources[0]: file name 'src/a\\b.py' holds a backslash, "
                                     "which kiln build cannot archive; rename the file"));
  // A backslash in a manifest pattern is no separator either.
  tree.write("jobs/etl/kiln.yaml",
             "kind: JobFolder\nconfigs: [configs/*.yaml]\nsources: ['src\\main.py']\n");
  const auto pattern = messages(load_repo(tree.root()));
  REQUIRE(pattern.size() >= 1);
  CHECK_THAT(pattern[0], Catch::Contains("a backslash is not a path separator here"));
  CHECK(kiln::config::file_name_problem("src/ok.py").empty());
  CHECK_THAT(kiln::config::file_name_problem("src/\xff.py"), Catch::Contains("is not UTF-8"));
  CHECK_THAT(kiln::config::file_name_problem("src/a\nb.py"),
             Catch::Contains("'src/a\\nb.py' holds a control character"));
}

TEST_CASE("a job folder reached through a directory link is judged against the link's repository") {
  TestTree tree = make_tree();
  TestTree outside(
      {{"kiln.yaml", "kind: JobFolder\nconfigs: [configs/*.yaml]\nsources: [src/**/*]\n"},
       {"configs/dev.yaml", job_yaml("etl", "dev", kTasks)},
       {"src/main.py", "print(1)\n"}});
  fs::create_symlink("/etc/passwd", outside.root() / "src/env.py");
  fs::create_directory_symlink(outside.root(), tree.root() / "jobs/evil");
  // Resolving the folder first would make the outside folder its own repository, and
  // src/env.py -> /etc/passwd would pass.
  const auto got = messages(load_folder(tree.root() / "jobs/evil"));
  REQUIRE_FALSE(got.empty());
  CHECK_THAT(got[0], Catch::Contains("outside the repository (" +
                                     fs::canonical(tree.root()).string() + ")"));
}
