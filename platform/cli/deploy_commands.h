// `kiln deploy` and `kiln run`: the commands that change a workspace. Both open the artifact
// store, the metadata DB and the workspace (the REST backend, host and token resolved as the
// Databricks CLI does), and run kiln's engine on the wall clock.
//
//   kiln deploy JOB --target T --build B   records a deploy of build B (any past build: that is a
//                                          rollback) and, unless --no-wait, runs it to its end,
//                                          printing each phase
//   kiln run [--cd-target T]... [--once]   resumes every open workflow and delivers raised
//                                          deployVersions of the newest build to each target;
//                                          --once: one CD pass, then exit when nothing is left
//   kiln cleanup [--dry-run]               one stale-job cleanup pass now
// Each says what it starts with (version, DB, store, workspace host, where the token came from;
// never the token) and, with --notify-config, delivers notifications of what it did before it
// exits. A refused server certificate is said once, on `err`, as soon as a request meets it.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "platform/workspace/databricks_config.h"

namespace kiln::cli {

struct Connection {
  std::string store;  // the artifact store directory
  std::string db;     // the metadata DB file
  workspace::ConfigFlags databricks;
  std::string ca_file;               // PEM trust anchors for TLS; empty: the system store
  double poll_s = 5;                 // how often deploys poll the workspace
  std::string wait_for = "running";  // or "first-run-end"
  std::string notify_config;  // routing of notifications (docs/notifications.md); "" for none
};

// The line a command starts with: "kiln 0.1.0, db D, store S, workspace H (token from
// DATABRICKS_TOKEN)". Never the token.
std::string describe_session(const Connection& connection, const std::string& host,
                             const std::string& token_source);

struct DeployCommand {
  Connection connection;
  std::string job, target, build;
  std::string requested_by;  // "user:<name>"
  std::string reason;
  bool wait = true;
  double timeout_s = 3600;  // --wait gives up (the deploy goes on when kiln runs again)
};

// Exit code: 0 the deploy succeeded (or was queued, with --no-wait); 1 it failed, was superseded
// or did not end within the timeout; 2 the request was refused or nothing could be opened.
int run_deploy(const DeployCommand& command, std::ostream& out, std::ostream& err);

struct RunCommand {
  Connection connection;
  std::vector<std::string> cd_targets;
  bool once = false;
  double cd_interval_s = 60;       // between CD passes of a target
  bool monitor = true;             // the monitoring workflow (not with --once)
  double monitor_interval_s = 60;  // between monitoring passes
  bool cleanup = true;             // the daily stale-job cleanup (not with --once)
  double stale_days = 90;
  bool cleanup_dry_run = false;
  std::int64_t saved_jobs_limit = 10'000;  // the workspace's quota, for quota warnings
};

struct CleanupCommand {
  Connection connection;
  double stale_days = 90;
  bool dry_run = false;
};

// One cleanup pass now: prints what it deleted (or, with --dry-run, would delete) and what it
// kept and why. Exit code: 0 done, 1 the pass failed, 2 nothing could be opened.
int run_cleanup(const CleanupCommand& command, std::ostream& out, std::ostream& err);

// Prints a start line and a stop line (why it stopped, and the exit code). Exit code: 0 (after
// --once, or on SIGINT/SIGTERM); 1 if a CD pass of --once could not ask for a deploy, or a deploy
// it ran failed or was aborted; 2 if nothing could be opened.
int run_agent(const RunCommand& command, std::ostream& out, std::ostream& err);

}  // namespace kiln::cli
