// Job folders and repositories: relative task paths, one job per folder, one config per
// (name, target), deterministic order.
#include <catch2/catch.hpp>
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

using Errors = std::vector<std::string>;

const std::string kManifest =
    "kind: JobFolder\nconfigs: [configs/*.yaml]\nsources: [src/**/*.py, notebooks/*]\n";

const std::string kTasks =
    "  tasks:\n"
    "    - task_key: ingest\n"
    "      spark_python_task: {python_file: src/ingest.py}\n"
    "    - task_key: report\n"
    "      depends_on: [{task_key: ingest}]\n"
    "      notebook_task: {notebook_path: notebooks/report}\n";

Errors errors(const LoadResult& result, const TestTree& tree) {
  Errors out;
  const std::string prefix = tree.root().generic_string() + "/";
  for (const auto& d : result.diagnostics) {
    std::string text = d.to_string();
    if (text.starts_with(prefix)) text.erase(0, prefix.size());
    out.push_back(text);
  }
  return out;
}

}  // namespace

TEST_CASE("a valid folder loads with everything resolved") {
  TestTree tree(
      {{"kiln.yaml", kManifest},
       {"configs/dev.yaml", job_yaml("etl", "development", kTasks)},
       {"configs/prod.yaml", "owner: ops@example.com\n" + job_yaml("etl", "production", kTasks)},
       {"src/ingest.py", "print('hi')\n"},
       {"src/etl/transform.py", ""},
       {"notebooks/report.ipynb", "{}"}});
  const LoadResult result = load_folder(tree.root());
  CHECK(errors(result, tree).empty());
  REQUIRE(result.folders.size() == 1);
  const auto& folder = result.folders[0];
  CHECK(folder.source_files == std::vector<std::string>{"notebooks/report.ipynb",
                                                        "src/etl/transform.py", "src/ingest.py"});
  REQUIRE(folder.configs.size() == 2);
  CHECK(folder.configs[0].file == tree.file("configs/dev.yaml"));
  CHECK(folder.configs[1].owner == "ops@example.com");
  CHECK(folder.configs[1].settings["tasks"][1]["notebook_task"]["notebook_path"] ==
        "notebooks/report");
}

TEST_CASE("a relative task path not among the sources is an error at the field") {
  TestTree tree({{"kiln.yaml",
                  "kind: JobFolder\nconfigs: [configs/dev.yaml]\n"
                  "sources: [notebooks/*]\n"},
                 {"configs/dev.yaml", job_yaml("etl", "dev", kTasks)},
                 {"src/ingest.py", ""},
                 {"notebooks/report.py", ""}});
  CHECK(errors(load_folder(tree.root()), tree) ==
        Errors{"configs/dev.yaml:8:40: settings.tasks[0].spark_python_task.python_file: "
               "'src/ingest.py' is not one of the job's sources; expected a file matched by "
               "sources in kiln.yaml"});
}

TEST_CASE("a relative task path to a missing file is an error at the field") {
  TestTree tree({{"kiln.yaml", kManifest},
                 {"configs/dev.yaml", job_yaml("etl", "dev", kTasks)},
                 {"src/other.py", ""},
                 {"notebooks/report.sql", ""}});
  CHECK(errors(load_folder(tree.root()), tree) ==
        Errors{"configs/dev.yaml:8:40: settings.tasks[0].spark_python_task.python_file: file "
               "'src/ingest.py' does not exist in the job folder; expected a path relative to "
               "the folder, or an absolute workspace path"});
}

TEST_CASE("a relative task path leaving the folder is refused") {
  TestTree tree({{"kiln.yaml", "kind: JobFolder\nconfigs: [dev.yaml]\n"},
                 {"dev.yaml", job_yaml("etl", "dev",
                                       "  tasks:\n    - task_key: a\n"
                                       "      spark_python_task: {python_file: ../x.py}\n")}});
  CHECK(errors(load_folder(tree.root()), tree) ==
        Errors{"dev.yaml:8:40: settings.tasks[0].spark_python_task.python_file: '..' would "
               "leave the job folder; expected a path inside it"});
}

TEST_CASE("absolute workspace paths URIs and git sources are left alone") {
  TestTree tree({{"kiln.yaml", "kind: JobFolder\nconfigs: ['*.yaml']\n"},
                 {"dev.yaml", job_yaml("etl", "dev",
                                       "  tasks:\n"
                                       "    - task_key: a\n"
                                       "      spark_python_task: {python_file: dbfs:/jobs/a.py}\n"
                                       "    - task_key: b\n"
                                       "      notebook_task: {notebook_path: /Shared/etl}\n"
                                       "    - task_key: c\n"
                                       "      spark_python_task: {python_file: s3://b/c.py}\n"
                                       "    - task_key: d\n"
                                       "      notebook_task: {notebook_path: etl, source: GIT}\n"
                                       "  git_source: {git_url: 'https://x/y', "
                                       "git_provider: github, git_branch: main}\n")}});
  const LoadResult result = load_folder(tree.root());
  CHECK(errors(result, tree).empty());
}

TEST_CASE("two configs of a folder with the same target are an error") {
  TestTree tree({{"kiln.yaml", "kind: JobFolder\nconfigs: ['*.yaml']\n"},
                 {"a.yaml", job_yaml("etl", "dev",
                                     "  tasks: [{task_key: a, notebook_task: "
                                     "{notebook_path: /x}}]\n")},
                 {"b.yaml", job_yaml("etl", "dev",
                                     "  tasks: [{task_key: a, notebook_task: "
                                     "{notebook_path: /x}}]\n")}});
  const LoadResult result = load_folder(tree.root());
  CHECK(errors(result, tree) ==
        Errors{"b.yaml:2:7: name: job 'etl' with target 'dev' is also configured in " +
               tree.file("a.yaml") + ":2:7; expected one config per (name, target)"});
}

TEST_CASE("the configs of one folder name the same job") {
  TestTree tree({{"kiln.yaml", "kind: JobFolder\nconfigs: ['*.yaml']\n"},
                 {"a.yaml", job_yaml("etl", "dev",
                                     "  tasks: [{task_key: a, notebook_task: "
                                     "{notebook_path: /x}}]\n")},
                 {"b.yaml", job_yaml("report", "prod",
                                     "  tasks: [{task_key: a, notebook_task: "
                                     "{notebook_path: /x}}]\n")}});
  CHECK(errors(load_folder(tree.root()), tree) ==
        Errors{"b.yaml:2:7: name: expected 'etl' as in " + tree.file("a.yaml") +
               ":2:7: a job folder holds one job; got 'report'"});
}

TEST_CASE("the same name and target in two folders names both files") {
  const std::string tasks = "  tasks: [{task_key: a, notebook_task: {notebook_path: /x}}]\n";
  TestTree tree({{"jobs/one/kiln.yaml", "kind: JobFolder\nconfigs: [prod.yaml]\n"},
                 {"jobs/one/prod.yaml", job_yaml("etl", "production", tasks)},
                 {"jobs/two/kiln.yaml", "kind: JobFolder\nconfigs: [prod.yaml]\n"},
                 {"jobs/two/prod.yaml", job_yaml("etl", "production", tasks)}});
  const LoadResult result = load_repo(tree.root());
  CHECK(result.folders.size() == 2);
  CHECK(errors(result, tree) ==
        Errors{"jobs/two/prod.yaml:2:7: name: job 'etl' with target 'production' is also "
               "configured in " +
               tree.file("jobs/one/prod.yaml") + ":2:7; expected one config per (name, target)"});
}

TEST_CASE("a repository skips git hidden and build directories") {
  const std::string tasks = "  tasks: [{task_key: a, notebook_task: {notebook_path: /x}}]\n";
  const std::string manifest = "kind: JobFolder\nconfigs: [dev.yaml]\n";
  TestTree tree({{"jobs/etl/kiln.yaml", manifest},
                 {"jobs/etl/dev.yaml", job_yaml("etl", "dev", tasks)},
                 {".git/x/kiln.yaml", "broken: ["},
                 {"build/x/kiln.yaml", "broken: ["},
                 {"out/CMakeCache.txt", ""},
                 {"out/x/kiln.yaml", "broken: ["}});
  const LoadResult result = load_repo(tree.root());
  CHECK(errors(result, tree).empty());
  REQUIRE(result.folders.size() == 1);
  CHECK(result.folders[0].dir == tree.file("jobs/etl"));
}

TEST_CASE("a repository without job folders is an error") {
  TestTree tree({{"README.md", "#"}});
  CHECK(errors(load_repo(tree.root()), tree) ==
        Errors{tree.root().generic_string() +
               ": no job folder found; expected a directory holding kiln.yaml"});
}

TEST_CASE("the same input always gives the same diagnostics in the same order") {
  const std::string bad =
      "kind: Job\nname: etl\ntarget: dev\ndeployVerison: 1\nstrategy: x\n"
      "settings:\n  tasks: [{task_key: a}, {task_key: a}]\n";
  TestTree tree({{"b/kiln.yaml", "kind: JobFolder\nconfigs: ['*.yaml']\nsources: [nope/*]\n"},
                 {"b/z.yaml", bad},
                 {"b/a.yaml", bad},
                 {"a/kiln.yaml", "kind: JobFolder\nconfig: []\n"}});
  const Errors first = errors(load_repo(tree.root()), tree);
  CHECK(first.size() >= 8);
  for (int i = 0; i < 5; ++i) CHECK(errors(load_repo(tree.root()), tree) == first);
  CHECK(first.front().starts_with("a/kiln.yaml:1:1: configs:"));
}
