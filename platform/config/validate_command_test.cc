// kiln validate PATH...: every diagnostic printed, a summary line, exit status 0 or 1.
#include "platform/config/validate_command.h"

#include <catch2/catch.hpp>
#include <sstream>
#include <string>

#include "platform/config/test_folder.h"

using kiln::config::run_validate;
using kiln::config::testing::job_yaml;
using kiln::config::testing::TestTree;

namespace {

const std::string kTasks = "  tasks: [{task_key: a, notebook_task: {notebook_path: /x}}]\n";

}  // namespace

TEST_CASE("validate of a valid repository exits zero with a summary") {
  TestTree tree({{"jobs/etl/kiln.yaml", "kind: JobFolder\nconfigs: ['*.yaml']\n"},
                 {"jobs/etl/dev.yaml", job_yaml("etl", "dev", kTasks)},
                 {"jobs/etl/prod.yaml", job_yaml("etl", "prod", kTasks)}});
  std::ostringstream out;
  CHECK(run_validate({tree.root().string()}, out) == 0);
  CHECK(out.str() == "kiln validate: ok, 2 configs in 1 job folder\n");
}

TEST_CASE("validate prints every diagnostic and exits one") {
  TestTree tree({{"dev.yaml", "kind: Job\nname: etl\ntarget: dev\ndeployVerison: 1\n" +
                                  std::string("settings:\n") + kTasks}});
  std::ostringstream out;
  CHECK(run_validate({tree.file("dev.yaml")}, out) == 1);
  const std::string f = tree.file("dev.yaml");
  CHECK(out.str() ==
        f + ":1:1: deployVersion: required key is missing; expected an integer >= 0\n" + f +
            ":4:1: deployVerison: unknown key 'deployVerison'; did you mean "
            "'deployVersion'?\n"
            "kiln validate: 2 errors\n");
}

TEST_CASE("validate of a missing path fails") {
  std::ostringstream out;
  CHECK(run_validate({"/nonexistent/kiln-config-test"}, out) == 1);
  CHECK(out.str() ==
        "/nonexistent/kiln-config-test: no such file or directory\nkiln validate: 1 error\n");
}

TEST_CASE("validate finds a duplicate name and target across its paths") {
  TestTree tree(
      {{"a.yaml", job_yaml("etl", "dev", kTasks)}, {"b.yaml", job_yaml("etl", "dev", kTasks)}});
  std::ostringstream out;
  CHECK(run_validate({tree.file("b.yaml"), tree.file("a.yaml"), tree.file("a.yaml")}, out) == 1);
  CHECK(out.str() == tree.file("b.yaml") +
                         ":2:7: name: job 'etl' with target 'dev' is also "
                         "configured in " +
                         tree.file("a.yaml") +
                         ":2:7; expected one config per (name, target)\nkiln validate: 1 error\n");
}

TEST_CASE("validate of a manifest loads its folder") {
  TestTree tree({{"kiln.yaml", "kind: JobFolder\nconfigs: [dev.yaml]\n"},
                 {"dev.yaml", job_yaml("etl", "dev", kTasks)}});
  std::ostringstream out;
  CHECK(run_validate({tree.file("kiln.yaml")}, out) == 0);
  CHECK(out.str() == "kiln validate: ok, 1 config in 1 job folder\n");
}
