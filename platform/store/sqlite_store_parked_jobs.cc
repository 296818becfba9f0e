// SqliteStore: parked jobs, the blue jobs blue-green deploys keep for a fast rollback. Written
// with a deploy step (StepWrites::park, unpark); read and forgotten by cleanup and rollback.
#include "platform/store/sqlite_store_impl.h"

namespace kiln::store {
namespace {

constexpr const char* kParkedColumns =
    "databricks_job_id, name, target, deployment_id, version, build_id, parked_ms, until_ms";

Result<ParkedJob> read_parked_job(const Statement& s) {
  RowReader r(s);
  ParkedJob job{r.int64(0), r.text(1), r.text(2),  r.int64(3),
                r.int64(4), r.text(5), r.int64(6), r.int64(7)};
  return r.finish(std::move(job));
}

std::string parked_name(std::int64_t databricks_job_id) {
  return "parked job " + std::to_string(databricks_job_id);
}

}  // namespace

Result<std::vector<ParkedJob>> SqliteStore::list_parked_jobs(std::size_t limit) {
  auto s = db_.prepare(std::string("SELECT ") + kParkedColumns +
                       " FROM parked_jobs ORDER BY until_ms, databricks_job_id LIMIT ?");
  if (!s) return s.error();
  s->bind_all(sql_limit(limit));
  return read_all(*s, read_parked_job);
}

Status SqliteStore::remove_parked_job(std::int64_t databricks_job_id) {
  auto s = db_.prepare("DELETE FROM parked_jobs WHERE databricks_job_id = ?");
  if (!s) return s.error();
  s->bind_all(databricks_job_id);
  if (auto done = s->run(); !done) {
    return with_context("remove " + parked_name(databricks_job_id), done.error());
  }
  return {};
}

Status SqliteStore::park_job(const ParkedJob& job) {
  auto s = db_.prepare(std::string("INSERT INTO parked_jobs (") + kParkedColumns +
                       ") VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (databricks_job_id) DO "
                       "UPDATE SET name = excluded.name, target = excluded.target, "
                       "deployment_id = excluded.deployment_id, version = excluded.version, "
                       "build_id = excluded.build_id, parked_ms = excluded.parked_ms, "
                       "until_ms = excluded.until_ms");
  if (!s) return s.error();
  s->bind_all(job.databricks_job_id, job.name, job.target, job.deployment_id, job.version,
              job.build_id, job.parked_ms, job.until_ms);
  if (auto done = s->run(); !done) {
    return with_context("park job " + std::to_string(job.databricks_job_id) + " (" + job.name +
                            " on " + job.target + ")",
                        done.error());
  }
  return {};
}

}  // namespace kiln::store
