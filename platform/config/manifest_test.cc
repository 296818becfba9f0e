// kiln.yaml, the job folder manifest: resolution of configs and sources, and its errors.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "platform/config/job_config.h"
#include "platform/config/test_folder.h"

using kiln::config::load_folder;
using kiln::config::testing::job_yaml;
using kiln::config::testing::TestTree;

namespace {

using Errors = std::vector<std::string>;
using Files = std::vector<std::string>;

const std::string kSettings =
    "  tasks:\n    - task_key: a\n      notebook_task: {notebook_path: /Shared/x}\n";

Errors errors(const TestTree& tree) {
  Errors out;
  for (const auto& d : load_folder(tree.root()).diagnostics) {
    std::string text = d.to_string();
    const std::string prefix = tree.root().generic_string() + "/";
    if (text.starts_with(prefix)) text.erase(0, prefix.size());
    out.push_back(text);
  }
  return out;
}

}  // namespace

TEST_CASE("the manifest resolves configs and sources in sorted order") {
  TestTree tree({{"kiln.yaml",
                  "kind: JobFolder\nconfigs: [configs/*.yaml]\n"
                  "sources: [src/**/*.py, notebooks/*.ipynb, README.md]\n"},
                 {"configs/prod.yaml", job_yaml("etl", "production", kSettings)},
                 {"configs/dev.yaml", job_yaml("etl", "development", kSettings)},
                 {"configs/notes.txt", "not yaml"},
                 {"src/main.py", ""},
                 {"src/lib/util.py", ""},
                 {"src/lib/deep/more.py", ""},
                 {"src/.hidden.py", ""},
                 {"notebooks/report.ipynb", "{}"},
                 {"README.md", "#"}});
  const auto result = load_folder(tree.root());
  INFO((result.diagnostics.empty() ? "" : result.diagnostics[0].to_string()));
  REQUIRE(result.ok());
  REQUIRE(result.folders.size() == 1);
  const auto& folder = result.folders[0];
  CHECK(folder.dir == tree.root().generic_string());
  CHECK(folder.config_files == Files{"configs/dev.yaml", "configs/prod.yaml"});
  CHECK(folder.source_files == Files{"README.md", "notebooks/report.ipynb", "src/lib/deep/more.py",
                                     "src/lib/util.py", "src/main.py"});
  REQUIRE(folder.configs.size() == 2);
  CHECK(folder.configs[0].target == "development");
  CHECK(folder.configs[1].target == "production");
}

TEST_CASE("a misspelt manifest key suggests the right key") {
  TestTree tree({{"kiln.yaml", "kind: JobFolder\nconfigs: [dev.yaml]\nsorces: [a.py]\n"},
                 {"dev.yaml", job_yaml("etl", "dev", kSettings)}});
  CHECK(errors(tree) == Errors{"kiln.yaml:3:1: sorces: unknown key 'sorces'; did you mean "
                               "'sources'?"});
}

TEST_CASE("a manifest glob matching nothing is an error") {
  TestTree tree({{"kiln.yaml", "kind: JobFolder\nconfigs: [dev.yaml]\nsources:\n  - src/*.py\n"},
                 {"dev.yaml", job_yaml("etl", "dev", kSettings)}});
  CHECK(errors(tree) == Errors{"kiln.yaml:4:5: sources[0]: glob 'src/*.py' matched no files"});
}

TEST_CASE("a manifest path leaving the folder is refused") {
  TestTree tree({{"kiln.yaml",
                  "kind: JobFolder\nconfigs: [dev.yaml, ../other/*.yaml]\n"
                  "sources: [/etc/passwd]\n"},
                 {"dev.yaml", job_yaml("etl", "dev", kSettings)}});
  CHECK(errors(tree) ==
        Errors{"kiln.yaml:2:21: configs[1]: '..' would leave the job folder; expected a path "
               "inside it",
               "kiln.yaml:3:11: sources[0]: expected a path relative to the job folder, got an "
               "absolute path"});
}

TEST_CASE("a manifest naming a missing file or a directory is an error") {
  TestTree tree({{"kiln.yaml", "kind: JobFolder\nconfigs: [dev.yaml, prod.yaml]\nsources: [src]\n"},
                 {"dev.yaml", job_yaml("etl", "dev", kSettings)},
                 {"src/a.py", ""}});
  CHECK(errors(tree) ==
        Errors{"kiln.yaml:2:21: configs[1]: file 'prod.yaml' does not exist in the job folder",
               "kiln.yaml:3:11: sources[0]: 'src' is a directory; expected a file or a glob such "
               "as 'src/**/*'"});
}

TEST_CASE("a manifest needs kind JobFolder and configs") {
  TestTree tree({{"kiln.yaml", "kind: Job\nsources: [a.py]\n"}, {"a.py", ""}});
  CHECK(errors(tree) ==
        Errors{"kiln.yaml:1:1: configs: required key is missing; expected a sequence of config "
               "files or globs",
               "kiln.yaml:1:7: kind: expected 'JobFolder', got a string ('Job')"});
  TestTree empty_configs({{"kiln.yaml", "kind: JobFolder\nconfigs: []\n"}});
  CHECK(errors(empty_configs) ==
        Errors{"kiln.yaml:2:10: configs: expected a sequence of at least one relative path or "
               "glob, got an empty sequence"});
  TestTree wrong_type({{"kiln.yaml", "kind: JobFolder\nconfigs: dev.yaml\n"}});
  CHECK(errors(wrong_type) ==
        Errors{"kiln.yaml:2:10: configs: expected a sequence of at least one relative path or "
               "glob, got a string ('dev.yaml')"});
}

TEST_CASE("the manifest is never one of its own configs") {
  TestTree tree({{"kiln.yaml", "kind: JobFolder\nconfigs: ['*.yaml']\n"},
                 {"dev.yaml", job_yaml("etl", "dev", kSettings)}});
  const auto result = load_folder(tree.root());
  REQUIRE(result.ok());
  CHECK(result.folders.at(0).config_files == Files{"dev.yaml"});
  TestTree literal({{"kiln.yaml", "kind: JobFolder\nconfigs: [kiln.yaml]\n"}});
  CHECK(errors(literal) ==
        Errors{"kiln.yaml:2:11: configs[0]: kiln.yaml is the folder's manifest; expected a job "
               "config file"});
}

TEST_CASE("a nested job folder's files are not its parent's") {
  TestTree tree({{"kiln.yaml", "kind: JobFolder\nconfigs: ['**/*.yaml']\n"},
                 {"dev.yaml", job_yaml("outer", "dev", kSettings)},
                 {"inner/kiln.yaml", "kind: JobFolder\nconfigs: [dev.yaml]\n"},
                 {"inner/dev.yaml", job_yaml("inner", "dev", kSettings)}});
  const auto result = load_folder(tree.root());
  REQUIRE(result.ok());
  CHECK(result.folders.at(0).config_files == Files{"dev.yaml"});
}
