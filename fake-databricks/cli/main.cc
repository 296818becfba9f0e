// fake-databricks: the emulator's command line. `demo` drives a workspace on virtual time;
// `serve` (the HTTP server) comes with the wire issue.
#include <CLI/CLI.hpp>
#include <iostream>

#include "fake-databricks/cli/demo.h"

int main(int argc, char** argv) {
  CLI::App app{"fake-databricks: an emulated Databricks workspace on virtual time"};
  app.require_subcommand(1);
  fakedb::cli::DemoOptions demo;
  auto* demo_cmd = app.add_subcommand(
      "demo", "Run a few jobs through an emulated workspace and print what happened");
  demo_cmd->add_option("--seed", demo.seed, "Seed of the simulated world")->capture_default_str();
  demo_cmd->add_option("--hours", demo.hours, "Virtual hours to simulate")
      ->check(CLI::Range(1, 24 * 365))
      ->capture_default_str();
  demo_cmd->add_flag("--api-calls", demo.show_api_calls, "Also print every API call");
  CLI11_PARSE(app, argc, argv);
  if (demo_cmd->parsed()) return fakedb::cli::run_demo(demo, std::cout);
  return 2;
}
