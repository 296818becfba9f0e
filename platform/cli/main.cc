// kiln: CI/CD for Databricks jobs.
//   kiln validate PATH...                         check job configs and folders
//   kiln build REPO --store STORE                 package every job of REPO as one build
//   kiln builds --store STORE                     list builds (--commit SHA: of one commit)
//   kiln deploy JOB --target T --build B ...      deploy a build of a job (a rollback too)
//   kiln run [--cd-target T]... [--once] ...      run kiln: CD and every open workflow
//   kiln status [JOB] --db DB                     what is deployed where
//   kiln history JOB --db DB                      a job's deployments
//   kiln cleanup [--dry-run] ...                  delete stale kiln-managed jobs now
//   kiln metrics --db DB [--store STORE]          Prometheus text format
//   kiln scenario run FILE [--seed N] ...         run a scenario on virtual time, with verdicts
//   kiln scenario swarm FILE --seeds N [--quiet]  run it under many seeds
// docs/cli.md has every option.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>

#include "platform/cli/build_command.h"
#include "platform/cli/deploy_commands.h"
#include "platform/cli/status_commands.h"
#include "platform/config/validate_command.h"
#include "platform/metrics/metrics_command.h"
#include "platform/scenario/scenario_command.h"
#include "platform/store/sqlite_store.h"

namespace {

// --db and --store fall back to KILN_DB and KILN_STORE.
void add_db(CLI::App* command, std::string& db) {
  command->add_option("--db", db, "The metadata DB (an SQLite file)")
      ->envname("KILN_DB")
      ->required();
}
void add_store(CLI::App* command, std::string& store) {
  command->add_option("--store", store, "The artifact store (a directory)")
      ->envname("KILN_STORE")
      ->required();
}

void add_connection(CLI::App* command, kiln::cli::Connection& c) {
  add_store(command, c.store);
  add_db(command, c.db);
  command->add_option("--host", c.databricks.host, "Workspace URL (else DATABRICKS_HOST, profile)");
  command->add_option("--token", c.databricks.token,
                      "Access token (shows in ps: prefer DATABRICKS_TOKEN or --token-file)");
  command->add_option("--token-file", c.databricks.token_file,
                      "A file holding the access token (else DATABRICKS_TOKEN_FILE)");
  command->add_option("--profile", c.databricks.profile, "Profile of ~/.databrickscfg");
  command->add_option("--config-file", c.databricks.config_file, "Instead of ~/.databrickscfg");
  command->add_option("--ca-file", c.ca_file, "PEM trust anchors for TLS (else the system's)");
  command->add_option("--poll", c.poll_s, "Seconds between polls of the workspace")
      ->check(CLI::Range(0.01, 3600.0));
  command
      ->add_option("--wait-for", c.wait_for,
                   "A deploy succeeds when its run is running, or has ended (first-run-end)")
      ->check(CLI::IsMember({"running", "first-run-end"}));
  command
      ->add_option("--notify-config", c.notify_config,
                   "Where notifications go (docs/notifications.md)")
      ->check(CLI::ExistingFile);
}

std::string user_name() {
  const char* user = std::getenv("USER");
  return std::string("user:") + (user != nullptr && *user != '\0' ? user : "unknown");
}

// Opens the DB for a read-only command; exit code 2 with a message if it cannot be.
std::unique_ptr<kiln::store::MetadataStore> open_db(const std::string& db, const char* command) {
  if (db != ":memory:" && !std::filesystem::exists(db)) {
    std::cerr << command << ": no metadata DB at " << db << "\n";
    return nullptr;
  }
  auto store = kiln::store::open_sqlite_store(db);
  if (!store) {
    std::cerr << command << ": " << db << ": " << store.error().describe() << "\n";
    return nullptr;
  }
  return std::move(store).value();
}

}  // namespace

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
  add_store(build_cmd, store);

  auto* builds_cmd = app.add_subcommand("builds", "List the builds in a store");
  // One variable per option: CLI11 fills an option of a subcommand that was not invoked from
  // its environment variable, which would overwrite a shared one.
  std::string builds_store;
  builds_cmd->add_option("--store", builds_store, "The artifact store (a directory)")
      ->envname("KILN_STORE")
      ->required()
      ->check(CLI::ExistingDirectory);
  builds_cmd->add_option(
      "--commit", commit,
      "Only the builds of this commit (a full SHA or a unique prefix of 4+ hex digits)");

  kiln::cli::DeployCommand deploy;
  deploy.requested_by = user_name();
  bool no_wait = false;
  auto* deploy_cmd = app.add_subcommand(
      "deploy", "Deploy a build of a job to a target (an older build: a rollback)");
  deploy_cmd->add_option("job", deploy.job, "The job's name")->required();
  deploy_cmd->add_option("--target", deploy.target, "The target (environment)")->required();
  deploy_cmd->add_option("--build", deploy.build, "The build id (kiln builds lists them)")
      ->required();
  deploy_cmd->add_option("--reason", deploy.reason, "Why, for the history");
  deploy_cmd->add_option("--by", deploy.requested_by, "Who asks (default user:$USER)");
  deploy_cmd->add_flag("--no-wait", no_wait, "Record the request and return");
  deploy_cmd->add_option("--timeout", deploy.timeout_s, "Seconds to wait for the deploy's end")
      ->check(CLI::PositiveNumber);
  add_connection(deploy_cmd, deploy.connection);

  kiln::cli::RunCommand run;
  auto* run_cmd = app.add_subcommand("run", "Run kiln: CD for the targets and every open workflow");
  run_cmd->add_option("--cd-target", run.cd_targets, "A target CD delivers to (repeatable)");
  run_cmd->add_flag("--once", run.once, "One CD pass; exit when its deploys have ended");
  run_cmd->add_option("--cd-interval", run.cd_interval_s, "Seconds between CD passes of a target")
      ->check(CLI::Range(0.1, 86'400.0));
  add_connection(run_cmd, run.connection);

  run_cmd->add_flag("!--no-monitor", run.monitor, "Do not run the monitoring workflow");
  run_cmd
      ->add_option("--monitor-interval", run.monitor_interval_s,
                   "Seconds between monitoring passes")
      ->check(CLI::Range(0.1, 86'400.0));
  run_cmd->add_flag("!--no-cleanup", run.cleanup, "Do not run the daily stale-job cleanup");
  run_cmd->add_flag("--cleanup-dry-run", run.cleanup_dry_run,
                    "Cleanup only says what it would delete");
  run_cmd->add_option("--stale-days", run.stale_days, "Days without a run before a job is stale")
      ->check(CLI::PositiveNumber);
  run_cmd->add_option("--saved-jobs-limit", run.saved_jobs_limit, "The workspace's job quota")
      ->check(CLI::PositiveNumber);

  kiln::cli::CleanupCommand cleanup;
  auto* cleanup_cmd =
      app.add_subcommand("cleanup", "Delete stale kiln-managed jobs now (docs/operations.md)");
  cleanup_cmd->add_flag("--dry-run", cleanup.dry_run, "Only say what would be deleted");
  cleanup_cmd->add_option("--stale-days", cleanup.stale_days, "Days without a run before stale")
      ->check(CLI::PositiveNumber);
  add_connection(cleanup_cmd, cleanup.connection);

  std::string metrics_db, metrics_store;
  auto* metrics_cmd = app.add_subcommand(
      "metrics", "Print kiln's metrics in the Prometheus text format (docs/metrics.md)");
  add_db(metrics_cmd, metrics_db);
  metrics_cmd->add_option("--store", metrics_store, "The artifact store (builds per target)")
      ->envname("KILN_STORE");

  kiln::cli::StatusQuery status;
  std::string status_db, job, target;
  auto* status_cmd = app.add_subcommand("status", "What is deployed where");
  status_cmd->add_option("job", job, "Only this job");
  status_cmd->add_option("--target", target, "Only this target");
  add_db(status_cmd, status_db);

  kiln::cli::HistoryQuery history;
  std::string history_db, history_target;
  auto* history_cmd = app.add_subcommand("history", "A job's deployments, newest first");
  history_cmd->add_option("job", history.job, "The job's name")->required();
  history_cmd->add_option("--target", history_target, "Only this target");
  history_cmd->add_option("--limit", history.limit, "At most this many")
      ->check(CLI::PositiveNumber);
  history_cmd->add_flag("--phases", history.phases, "Also each deployment's phases");
  add_db(history_cmd, history_db);

  auto* scenario_cmd = app.add_subcommand("scenario", "Run scenario files (docs/scenarios.md)");
  scenario_cmd->require_subcommand(1);
  kiln::scenario::RunCommand scenario_run;
  std::uint64_t run_seed = 0;
  auto* scenario_run_cmd =
      scenario_cmd->add_subcommand("run", "Run a scenario; exit 0 if every expectation holds");
  scenario_run_cmd->add_option("file", scenario_run.file, "The scenario file")->required();
  auto* seed_option =
      scenario_run_cmd->add_option("--seed", run_seed, "Instead of the file's seed");
  scenario_run_cmd->add_option("--trace", scenario_run.trace, "Write every event as JSON lines");
  scenario_run_cmd->add_option("--report", scenario_run.report, "Write an HTML report");
  scenario_run_cmd->add_flag("--quiet", scenario_run.quiet, "Only the verdicts, no timeline");
  kiln::scenario::SwarmCommand swarm;
  std::uint64_t swarm_seed = 0;
  auto* swarm_cmd = scenario_cmd->add_subcommand("swarm", "Run a scenario under many seeds");
  swarm_cmd->add_option("file", swarm.file, "The scenario file")->required();
  // A range names its bounds in the message ("Value 0 not in range 1 to 10000000"), where
  // PositiveNumber's names the doubles' limits.
  swarm_cmd->add_option("--seeds", swarm.seeds, "How many seeds (at least 1)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{10'000'000}));
  auto* first_seed_option =
      swarm_cmd->add_option("--first-seed", swarm_seed, "The first seed (default: the file's)");
  bool swarm_quiet = false;
  swarm_cmd->add_flag("--quiet", swarm_quiet, "No progress line");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints the message (naming the option); every usage error is exit code 2, as
    // docs/cli.md says of bad input (CLI11's own codes, 105 and such, mean nothing to a script).
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (scenario_run_cmd->parsed()) {
    if (seed_option->count() > 0) scenario_run.seed = run_seed;
    return kiln::scenario::run_command(scenario_run, std::cout, std::cerr);
  }
  if (swarm_cmd->parsed()) {
    if (first_seed_option->count() > 0) swarm.first_seed = swarm_seed;
    swarm.progress = swarm_quiet                  ? kiln::scenario::Progress::kNone
                     : isatty(STDERR_FILENO) != 0 ? kiln::scenario::Progress::kTerminal
                                                  : kiln::scenario::Progress::kLines;
    return kiln::scenario::swarm_command(swarm, std::cout, std::cerr);
  }
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
  if (builds_cmd->parsed()) {
    return kiln::cli::run_list_builds(builds_store, commit, std::cout, std::cerr);
  }
  if (deploy_cmd->parsed()) {
    deploy.wait = !no_wait;
    return kiln::cli::run_deploy(deploy, std::cout, std::cerr);
  }
  if (run_cmd->parsed()) return kiln::cli::run_agent(run, std::cout, std::cerr);
  if (cleanup_cmd->parsed()) return kiln::cli::run_cleanup(cleanup, std::cout, std::cerr);
  if (metrics_cmd->parsed()) {
    return kiln::metrics::run_metrics_command(metrics_db, metrics_store, std::cout, std::cerr);
  }
  if (status_cmd->parsed()) {
    auto opened = open_db(status_db, "kiln status");
    if (!opened) return 2;
    if (!job.empty()) status.job = job;
    if (!target.empty()) status.target = target;
    return kiln::cli::print_status(*opened, status, std::cout, std::cerr);
  }
  if (history_cmd->parsed()) {
    auto opened = open_db(history_db, "kiln history");
    if (!opened) return 2;
    if (!history_target.empty()) history.target = history_target;
    return kiln::cli::print_history(*opened, history, std::cout, std::cerr);
  }
  return 2;
}
