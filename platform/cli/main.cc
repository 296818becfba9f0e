// kiln: CI/CD for Databricks jobs.
//   kiln validate PATH...             check job configs and folders
//   kiln build REPO --store STORE     package every job of REPO as one build
//   kiln builds --store STORE         list builds (--commit SHA: of one commit)
// Deploys, status and history come with the workflow engine.
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>

#include "platform/cli/build_command.h"
#include "platform/config/validate_command.h"

int main(int argc, char** argv) {
  CLI::App app{"kiln: CI/CD for Databricks jobs"};
  app.require_subcommand(1);

  std::vector<std::string> paths;
  auto* validate = app.add_subcommand("validate", "Check job configs (files or job folders)");
  validate->add_option("paths", paths, "Config files or job folders")->required();

  kiln::cli::BuildOptions build;
  std::string repo, store, commit;
  auto* build_cmd = app.add_subcommand("build", "Package every job folder of REPO as one build");
  build_cmd->add_option("repo", repo, "The repository (a git checkout)")
      ->required()
      ->check(CLI::ExistingDirectory);
  build_cmd->add_option("--store", store, "The artifact store (a directory)")->required();

  auto* builds_cmd = app.add_subcommand("builds", "List the builds in a store");
  builds_cmd->add_option("--store", store, "The artifact store (a directory)")
      ->required()
      ->check(CLI::ExistingDirectory);
  builds_cmd->add_option("--commit", commit, "Only the builds of this commit SHA");

  CLI11_PARSE(app, argc, argv);
  if (validate->parsed()) return kiln::config::run_validate(paths, std::cout);
  if (build_cmd->parsed()) {
    build.repo = repo;
    build.store = store;
    // The real command stamps builds with the wall clock; nothing simulated runs here.
    build.created_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    return kiln::cli::run_build(build, std::cout, std::cerr);
  }
  if (builds_cmd->parsed()) return kiln::cli::run_list_builds(store, commit, std::cout, std::cerr);
  return 2;
}
