#include "platform/store/sqlite_store.h"

#include "platform/store/migrations.h"
#include "platform/store/sqlite_store_impl.h"

namespace kiln::store {
namespace {

constexpr const char* kBuildColumns = "build_id, commit_sha, created_ms, status, error, job_count";
constexpr const char* kJobColumns =
    "name, target, databricks_job_id, deployed_version, deployed_build_id, strategy, state, "
    "updated_ms, owner";
constexpr const char* kRunColumns =
    "run_id, job_name, target, databricks_job_id, version, life_cycle_state, result_state, "
    "start_ms, end_ms, updated_ms";

Result<Build> read_build(const Statement& s) {
  RowReader r(s);
  Build build{r.text(0), r.text(1), r.int64(2), r.enumeration<BuildStatus>(3),
              r.text(4), r.int64(5)};
  return r.finish(std::move(build));
}

Result<Job> read_job(const Statement& s) {
  RowReader r(s);
  Job job{r.text(0),
          r.text(1),
          r.optional_int64(2),
          r.optional_int64(3),
          r.optional_text(4),
          r.enumeration<Strategy>(5),
          r.enumeration<JobState>(6),
          r.int64(7),
          r.text(8)};
  return r.finish(std::move(job));
}

Result<Run> read_run(const Statement& s) {
  RowReader r(s);
  Run run{r.int64(0), r.text(1), r.text(2),  r.int64(3),          r.int64(4),
          r.text(5),  r.text(6), r.int64(7), r.optional_int64(8), r.int64(9)};
  return r.finish(std::move(run));
}

}  // namespace

nlohmann::json RowReader::json(int column) {
  auto value = nlohmann::json::parse(s_.column_text(column), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) note("column " + std::to_string(column) + " holds invalid JSON");
  return value;
}

Result<std::unique_ptr<MetadataStore>> open_sqlite_store(const std::string& path,
                                                         const DatabaseOptions& options) {
  auto db = Database::open(path, options);
  if (!db) return db.error();
  if (auto migrated = migrate(*db); !migrated)
    return with_context("open " + path, migrated.error());
  return std::unique_ptr<MetadataStore>(std::make_unique<SqliteStore>(std::move(db).value()));
}

Status SqliteStore::transaction(const std::function<Status()>& body) {
  return db_.transaction(body);
}

// --- builds --------------------------------------------------------------------------------

Status SqliteStore::upsert_build(const Build& build) {
  // An upsert, not INSERT OR REPLACE: replacing would delete the row that jobs and
  // deployments refer to.
  auto s = db_.prepare(std::string("INSERT INTO builds (") + kBuildColumns +
                       ") VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (build_id) DO UPDATE SET "
                       "commit_sha = excluded.commit_sha, created_ms = excluded.created_ms, "
                       "status = excluded.status, error = excluded.error, "
                       "job_count = excluded.job_count");
  if (!s) return s.error();
  s->bind_all(build.build_id, build.commit_sha, build.created_ms, to_string(build.status),
              build.error, build.job_count);
  if (auto done = s->run(); !done)
    return with_context("upsert build " + build.build_id, done.error());
  return {};
}

Result<Build> SqliteStore::get_build(const std::string& build_id) {
  auto s = db_.prepare(std::string("SELECT ") + kBuildColumns + " FROM builds WHERE build_id = ?");
  if (!s) return s.error();
  s->bind_all(build_id);
  return read_one(*s, read_build, "build " + build_id);
}

Result<std::vector<Build>> SqliteStore::list_builds(std::optional<BuildStatus> status,
                                                    std::size_t limit) {
  auto s = db_.prepare(std::string("SELECT ") + kBuildColumns +
                       " FROM builds WHERE ?1 IS NULL OR status = ?1"
                       " ORDER BY created_ms DESC, rowid DESC LIMIT ?2");
  if (!s) return s.error();
  std::optional<std::string> status_text;
  if (status) status_text = std::string(to_string(*status));
  s->bind_all(status_text, sql_limit(limit));
  return read_all(*s, read_build);
}

Result<std::map<BuildStatus, std::int64_t>> SqliteStore::count_builds() {
  auto s = db_.prepare("SELECT status, count(*) FROM builds GROUP BY status");
  if (!s) return s.error();
  std::map<BuildStatus, std::int64_t> counts = {
      {BuildStatus::kRunning, 0}, {BuildStatus::kSucceeded, 0}, {BuildStatus::kFailed, 0}};
  auto rows = read_all(*s, [](const Statement& row) -> Result<std::pair<BuildStatus, int64_t>> {
    RowReader r(row);
    auto status = r.enumeration<BuildStatus>(0);
    return r.finish(std::pair{status, r.int64(1)});
  });
  if (!rows) return rows.error();
  for (const auto& [status, count] : *rows) counts[status] = count;
  return counts;
}

// --- jobs ----------------------------------------------------------------------------------

Status SqliteStore::upsert_job(const Job& job) {
  auto s =
      db_.prepare(std::string("INSERT INTO jobs (") + kJobColumns +
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name, target) DO UPDATE SET "
                  "databricks_job_id = excluded.databricks_job_id, "
                  "deployed_version = excluded.deployed_version, "
                  "deployed_build_id = excluded.deployed_build_id, strategy = excluded.strategy, "
                  "state = excluded.state, updated_ms = excluded.updated_ms, "
                  "owner = excluded.owner");
  if (!s) return s.error();
  s->bind_all(job.name, job.target, job.databricks_job_id, job.deployed_version,
              job.deployed_build_id, to_string(job.strategy), to_string(job.state), job.updated_ms,
              job.owner);
  if (auto done = s->run(); !done) {
    return with_context("upsert job " + job.name + " on " + job.target, done.error());
  }
  return {};
}

Result<Job> SqliteStore::get_job(const std::string& name, const std::string& target) {
  auto s = db_.prepare(std::string("SELECT ") + kJobColumns +
                       " FROM jobs WHERE name = ? AND target = ?");
  if (!s) return s.error();
  s->bind_all(name, target);
  return read_one(*s, read_job, "job " + name + " on " + target);
}

Result<std::vector<Job>> SqliteStore::list_jobs(const std::string& target, std::size_t limit) {
  auto s = db_.prepare(std::string("SELECT ") + kJobColumns +
                       " FROM jobs WHERE target = ? ORDER BY name LIMIT ?");
  if (!s) return s.error();
  s->bind_all(target, sql_limit(limit));
  return read_all(*s, read_job);
}

Result<std::vector<Job>> SqliteStore::list_all_jobs(std::size_t limit) {
  auto s = db_.prepare(std::string("SELECT ") + kJobColumns +
                       " FROM jobs ORDER BY name, target LIMIT ?");
  if (!s) return s.error();
  s->bind_all(sql_limit(limit));
  return read_all(*s, read_job);
}

// --- runs ----------------------------------------------------------------------------------

Status SqliteStore::upsert_run(const Run& run) {
  auto s = db_.prepare(
      std::string("INSERT INTO runs (") + kRunColumns +
      ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET "
      "job_name = excluded.job_name, target = excluded.target, "
      "databricks_job_id = excluded.databricks_job_id, version = excluded.version, "
      "life_cycle_state = excluded.life_cycle_state, result_state = excluded.result_state, "
      "start_ms = excluded.start_ms, end_ms = excluded.end_ms, updated_ms = excluded.updated_ms");
  if (!s) return s.error();
  s->bind_all(run.run_id, run.job_name, run.target, run.databricks_job_id, run.version,
              run.life_cycle_state, run.result_state, run.start_ms, run.end_ms, run.updated_ms);
  if (auto done = s->run(); !done) {
    return with_context("upsert run " + std::to_string(run.run_id), done.error());
  }
  return {};
}

Result<Run> SqliteStore::get_run(std::int64_t run_id) {
  auto s = db_.prepare(std::string("SELECT ") + kRunColumns + " FROM runs WHERE run_id = ?");
  if (!s) return s.error();
  s->bind_all(run_id);
  return read_one(*s, read_run, "run " + std::to_string(run_id));
}

Result<std::vector<Run>> SqliteStore::list_runs(const std::string& job_name,
                                                const std::string& target, std::size_t limit) {
  auto s = db_.prepare(std::string("SELECT ") + kRunColumns +
                       " FROM runs WHERE job_name = ? AND target = ?"
                       " ORDER BY start_ms DESC, run_id DESC LIMIT ?");
  if (!s) return s.error();
  s->bind_all(job_name, target, sql_limit(limit));
  return read_all(*s, read_run);
}

Result<std::vector<Run>> SqliteStore::list_unfinished_runs(std::size_t limit) {
  auto s = db_.prepare(std::string("SELECT ") + kRunColumns +
                       " FROM runs WHERE end_ms IS NULL ORDER BY run_id LIMIT ?");
  if (!s) return s.error();
  s->bind_all(sql_limit(limit));
  return read_all(*s, read_run);
}

}  // namespace kiln::store
