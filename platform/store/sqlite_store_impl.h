// Private to the store module: the SQLite MetadataStore, its methods spread over
// sqlite_store.cc (builds, jobs, runs), sqlite_store_deployments.cc, sqlite_store_workflows.cc,
// sqlite_store_streams.cc and sqlite_store_parked_jobs.cc, and the helpers they share to read
// rows.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "platform/store/metadata_store.h"
#include "platform/store/sqlite.h"

namespace kiln::store {

class SqliteStore final : public MetadataStore {
 public:
  explicit SqliteStore(Database db) : db_(std::move(db)) {}

  Status transaction(const std::function<Status()>& body) override;

  Status upsert_build(const Build& build) override;
  Result<Build> get_build(const std::string& build_id) override;
  Result<std::vector<Build>> list_builds(std::optional<BuildStatus> status,
                                         std::size_t limit) override;
  Result<std::map<BuildStatus, std::int64_t>> count_builds() override;

  Status upsert_job(const Job& job) override;
  Result<Job> get_job(const std::string& name, const std::string& target) override;
  Result<std::vector<Job>> list_jobs(const std::string& target, std::size_t limit) override;
  Result<std::vector<Job>> list_all_jobs(std::size_t limit) override;

  Result<Deployment> create_deployment(const DeploymentRequest& request) override;
  Result<Deployment> get_deployment(std::int64_t id) override;
  Status transition_deployment(const DeploymentTransition& transition) override;
  Result<Deployment> open_deployment(const std::string& name, const std::string& target) override;
  Result<Deployment> queued_deployment(const std::string& name, const std::string& target) override;
  Result<std::vector<Deployment>> deployment_history(const std::string& name,
                                                     const std::string& target,
                                                     std::size_t limit) override;
  Result<DeploymentPhase> append_phase(std::int64_t deployment_id, const std::string& phase,
                                       std::int64_t started_ms) override;
  Status finish_phase(std::int64_t deployment_id, int seq, PhaseOutcome outcome,
                      std::int64_t finished_ms, const std::string& reason) override;
  Result<std::vector<DeploymentPhase>> list_phases(std::int64_t deployment_id) override;

  Status upsert_run(const Run& run) override;
  Result<Run> get_run(std::int64_t run_id) override;
  Result<std::vector<Run>> list_runs(const std::string& job_name, const std::string& target,
                                     std::size_t limit) override;
  Result<std::vector<Run>> list_unfinished_runs(std::size_t limit) override;

  Result<Workflow> create_workflow(const NewWorkflow& workflow) override;
  Result<Workflow> get_workflow(std::int64_t id) override;
  Result<Workflow> find_open_workflow(const std::string& kind, const std::string& key) override;
  Result<std::vector<Workflow>> list_open_workflows(std::size_t limit) override;
  Result<std::vector<Workflow>> list_due_workflows(std::int64_t now_ms, std::size_t limit) override;
  Result<Workflow> commit_step(const WorkflowStep& step) override;

  Result<streams::LockState> get_stream(const std::string& stream) override;
  Status put_stream(const streams::LockState& state, std::int64_t updated_ms) override;
  Result<std::vector<streams::LockState>> list_streams(std::size_t limit) override;

  Result<std::vector<ParkedJob>> list_parked_jobs(std::size_t limit) override;
  Status remove_parked_job(std::int64_t databricks_job_id) override;

 private:
  // Inserts or replaces the phase (deployment_id, seq): StepWrites::phase.
  Status put_phase(const DeploymentPhase& phase);
  // Inserts or replaces the parked job (databricks_job_id): StepWrites::park.
  Status park_job(const ParkedJob& job);

  Database db_;
};

// Reads one row's columns into a record; a stored value outside its domain (an unknown enum
// string, JSON that does not parse) is remembered and turns the result into kCorrupt.
class RowReader {
 public:
  explicit RowReader(const Statement& statement) : s_(statement) {}
  std::int64_t int64(int column) const { return s_.column_int64(column); }
  std::string text(int column) const { return s_.column_text(column); }
  std::optional<std::int64_t> optional_int64(int column) const {
    return s_.column_optional_int64(column);
  }
  std::optional<std::string> optional_text(int column) const {
    return s_.column_optional_text(column);
  }
  template <class Enum>
  Enum enumeration(int column) {
    const std::string value = s_.column_text(column);
    if (auto parsed = enum_from_string<Enum>(value)) return *parsed;
    note("column " + std::to_string(column) + " holds unknown value '" + value + "'");
    return Enum{};
  }
  nlohmann::json json(int column);
  template <class T>
  Result<T> finish(T record) const {
    if (problem_) return Error::corrupt(s_.name() + ": " + *problem_);
    return record;
  }

 private:
  void note(std::string problem) {
    if (!problem_) problem_ = std::move(problem);
  }
  const Statement& s_;
  std::optional<std::string> problem_;
};

// SQLite's LIMIT is a signed 64-bit integer.
inline std::int64_t sql_limit(std::size_t limit) {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(limit < kMax ? limit : kMax);
}

// Steps `statement` (already bound) and reads every row with `read` (Result<T>(Statement&)).
template <class Read>
auto read_all(Statement& statement, Read read)
    -> Result<std::vector<std::decay_t<decltype(read(statement).value())>>> {
  std::vector<std::decay_t<decltype(read(statement).value())>> rows;
  while (true) {  // bounded by the statement's LIMIT
    auto row = statement.step();
    if (!row) return row.error();
    if (!*row) return rows;
    auto record = read(statement);
    if (!record) return record.error();
    rows.push_back(std::move(record).value());
  }
}

// The single row of `statement`, or kNotFound("<what> not found").
template <class Read>
auto read_one(Statement& statement, Read read, const std::string& what)
    -> decltype(read(statement)) {
  auto row = statement.step();
  if (!row) return row.error();
  if (!*row) return Error::not_found(what + " not found");
  return read(statement);
}

// Prefixes an error's message with the operation that failed, keeping its code.
inline Error with_context(const std::string& operation, const Error& error) {
  return {error.code, operation + ": " + error.message};
}

}  // namespace kiln::store
