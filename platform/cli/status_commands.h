// `kiln status [JOB]` and `kiln history JOB`: what the metadata DB says is deployed, and how it
// got there. Read-only; they never call the workspace (monitoring keeps the DB true to it).
#pragma once

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>

#include "platform/store/metadata_store.h"

namespace kiln::cli {

// "2026-11-21T08:41:00Z" (UTC, seconds) from epoch milliseconds.
std::string format_time(std::int64_t ms);

struct StatusQuery {
  std::optional<std::string> job;     // every job if empty
  std::optional<std::string> target;  // every target if empty
};

// One line per (job, target): deployed version, build, commit, state, Databricks job id, the
// latest run kiln knows of and its state, and a deployment under way if any. Exit code: 0; 1 if
// the job asked for is not known; 2 if the DB cannot be read.
int print_status(store::MetadataStore& store, const StatusQuery& query, std::ostream& out,
                 std::ostream& err);

struct HistoryQuery {
  std::string job;
  std::optional<std::string> target;  // every target the job has if empty
  std::size_t limit = 20;
  bool phases = false;  // also list each deployment's phases
};

// The job's deployments, newest first: id, when, status, version, build, who asked and why, and
// how it ended. Exit code as print_status.
int print_history(store::MetadataStore& store, const HistoryQuery& query, std::ostream& out,
                  std::ostream& err);

}  // namespace kiln::cli
