#include "platform/store/migrations.h"

#include <array>
#include <string>

namespace kiln::store {
namespace {

// Tables are STRICT (types enforced); enumerations are CHECKed against their API strings; free
// text is NOT NULL with '' for "none"; times are integer milliseconds since the epoch (or of
// virtual time), NULL while unknown. A released migration is never edited: change the schema by
// appending one.
constexpr std::string_view kV1 = R"sql(
PRAGMA application_id = 1263094862;

CREATE TABLE builds (
  build_id   TEXT PRIMARY KEY NOT NULL,
  commit_sha TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  status     TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  error      TEXT NOT NULL DEFAULT '',
  job_count  INTEGER NOT NULL DEFAULT 0 CHECK (job_count >= 0)
) STRICT;
CREATE INDEX builds_newest ON builds (created_ms DESC);
CREATE INDEX builds_by_status ON builds (status, created_ms DESC);

CREATE TABLE jobs (
  name              TEXT NOT NULL,
  target            TEXT NOT NULL,
  databricks_job_id INTEGER,
  deployed_version  INTEGER,
  deployed_build_id TEXT REFERENCES builds (build_id),
  strategy          TEXT NOT NULL CHECK (strategy IN ('simple', 'blue-green')),
  state             TEXT NOT NULL CHECK (state IN ('deploying', 'deployed', 'failed', 'removed')),
  updated_ms        INTEGER NOT NULL,
  PRIMARY KEY (name, target)
) STRICT;
CREATE INDEX jobs_by_target ON jobs (target, name);

CREATE TABLE deployments (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  name           TEXT NOT NULL,
  target         TEXT NOT NULL,
  build_id       TEXT NOT NULL REFERENCES builds (build_id),
  version        INTEGER NOT NULL,
  strategy       TEXT NOT NULL CHECK (strategy IN ('simple', 'blue-green')),
  requested_by   TEXT NOT NULL,
  reason         TEXT NOT NULL DEFAULT '',
  status         TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed',
                                                 'aborted', 'superseded')),
  created_ms     INTEGER NOT NULL,
  started_ms     INTEGER,
  finished_ms    INTEGER,
  outcome_reason TEXT NOT NULL DEFAULT '',
  CHECK ((status IN ('queued', 'running')) = (finished_ms IS NULL))
) STRICT;
-- At most one open deployment per (job, target).
CREATE UNIQUE INDEX deployments_one_open ON deployments (name, target)
  WHERE status IN ('queued', 'running');
CREATE INDEX deployments_history ON deployments (name, target, id DESC);

CREATE TABLE deployment_phases (
  deployment_id INTEGER NOT NULL REFERENCES deployments (id),
  seq           INTEGER NOT NULL CHECK (seq >= 1),
  phase         TEXT NOT NULL,
  started_ms    INTEGER NOT NULL,
  finished_ms   INTEGER,
  outcome       TEXT NOT NULL CHECK (outcome IN ('running', 'succeeded', 'failed', 'skipped')),
  reason        TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (deployment_id, seq),
  CHECK ((outcome = 'running') = (finished_ms IS NULL))
) STRICT, WITHOUT ROWID;
-- A finished deployment's history is final: its phases no longer change.
CREATE TRIGGER deployment_phases_insert_open BEFORE INSERT ON deployment_phases
  WHEN (SELECT status FROM deployments WHERE id = NEW.deployment_id)
       NOT IN ('queued', 'running')
BEGIN SELECT RAISE(ABORT, 'deployment is finished; its phases are final'); END;
CREATE TRIGGER deployment_phases_update_open BEFORE UPDATE ON deployment_phases
  WHEN (SELECT status FROM deployments WHERE id = OLD.deployment_id)
       NOT IN ('queued', 'running')
BEGIN SELECT RAISE(ABORT, 'deployment is finished; its phases are final'); END;

CREATE TABLE runs (
  run_id            INTEGER PRIMARY KEY,
  job_name          TEXT NOT NULL,
  target            TEXT NOT NULL,
  databricks_job_id INTEGER NOT NULL,
  version           INTEGER NOT NULL,
  life_cycle_state  TEXT NOT NULL,
  result_state      TEXT NOT NULL DEFAULT '',
  start_ms          INTEGER NOT NULL,
  end_ms            INTEGER,
  updated_ms        INTEGER NOT NULL
) STRICT;
CREATE INDEX runs_of_job ON runs (job_name, target, start_ms DESC, run_id DESC);
CREATE INDEX runs_unfinished ON runs (run_id) WHERE end_ms IS NULL;
)sql";

constexpr std::string_view kV2 = R"sql(
CREATE TABLE workflows (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  kind       TEXT NOT NULL CHECK (kind <> ''),
  key        TEXT NOT NULL,
  state_json TEXT NOT NULL CHECK (json_valid(state_json)),
  status     TEXT NOT NULL CHECK (status IN ('open', 'done', 'failed')),
  wake_at_ms INTEGER NOT NULL,
  attempt    INTEGER NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  version    INTEGER NOT NULL CHECK (version >= 1),
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
) STRICT;
-- At most one open workflow per (kind, key), e.g. ('deploy', 'deploy:<job>:<target>').
CREATE UNIQUE INDEX workflows_one_open ON workflows (kind, key) WHERE status = 'open';
CREATE INDEX workflows_open_by_wake ON workflows (wake_at_ms, id) WHERE status = 'open';
CREATE INDEX workflows_by_key ON workflows (kind, key, id);
)sql";

// A deploy request may wait behind the running deploy of its job: at most one running and at
// most one queued deployment per (job, target). A newer request supersedes the queued one.
constexpr std::string_view kV3 = R"sql(
DROP INDEX deployments_one_open;
CREATE UNIQUE INDEX deployments_one_running ON deployments (name, target)
  WHERE status = 'running';
CREATE UNIQUE INDEX deployments_one_queued ON deployments (name, target)
  WHERE status = 'queued';
)sql";

// Who is notified about a job: the config's owner, on the job and on each deployment.
constexpr std::string_view kV4 = R"sql(
ALTER TABLE jobs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE deployments ADD COLUMN owner TEXT NOT NULL DEFAULT '';
)sql";

// Streaming jobs (docs/streams.md): each stream's writer lock and its checkpoint, one row each,
// written together by put_stream; and the blue jobs a blue-green deploy keeps for a fast rollback.
// The triggers hold what the lock protocol promises even against a buggy writer: a checkpoint
// never moves back and a fencing token never goes down (a reset deletes both rows).
constexpr std::string_view kV5 = R"sql(
CREATE TABLE stream_locks (
  stream         TEXT PRIMARY KEY NOT NULL CHECK (stream <> ''),
  holder         TEXT NOT NULL DEFAULT '',
  token          INTEGER NOT NULL DEFAULT 0 CHECK (token >= 0),
  lease_until_ms INTEGER NOT NULL DEFAULT 0,
  preferred      TEXT NOT NULL DEFAULT '',
  head           INTEGER NOT NULL DEFAULT 0 CHECK (head >= 0),
  updated_ms     INTEGER NOT NULL
) STRICT;
CREATE TRIGGER stream_locks_token_grows BEFORE UPDATE OF token ON stream_locks
  WHEN NEW.token < OLD.token
BEGIN SELECT RAISE(ABORT, 'a fencing token never goes down'); END;

CREATE TABLE stream_checkpoints (
  stream          TEXT PRIMARY KEY NOT NULL REFERENCES stream_locks (stream),
  committed       INTEGER NOT NULL DEFAULT 0 CHECK (committed >= 0),
  committed_by    TEXT NOT NULL DEFAULT '',
  committed_token INTEGER NOT NULL DEFAULT 0 CHECK (committed_token >= 0),
  committed_ms    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TRIGGER stream_checkpoints_forward BEFORE UPDATE OF committed ON stream_checkpoints
  WHEN NEW.committed < OLD.committed
BEGIN SELECT RAISE(ABORT, 'a checkpoint never moves back'); END;

CREATE TABLE parked_jobs (
  databricks_job_id INTEGER PRIMARY KEY,
  name              TEXT NOT NULL,
  target            TEXT NOT NULL,
  deployment_id     INTEGER NOT NULL REFERENCES deployments (id),
  version           INTEGER NOT NULL,
  build_id          TEXT NOT NULL REFERENCES builds (build_id),
  parked_ms         INTEGER NOT NULL,
  until_ms          INTEGER NOT NULL CHECK (until_ms >= parked_ms)
) STRICT;
CREATE INDEX parked_jobs_by_until ON parked_jobs (until_ms, databricks_job_id);
)sql";

constexpr std::array kMigrations = {
    Migration{1, "builds, jobs per target, deployments and their phases, runs", kV1},
    Migration{2, "workflow instances with their state and next wake-up", kV2},
    Migration{3, "one running and one queued deployment per job and target", kV3},
    Migration{4, "the owner of each job and deployment", kV4},
    Migration{5, "stream writer locks and checkpoints; parked blue-green jobs", kV5},
};

Status apply(Database& db, const Migration& migration) {
  return db.transaction([&]() -> Status {
    // Another process may have applied it while this one waited for the write lock.
    auto current = schema_version(db);
    if (!current) return current.error();
    if (*current >= migration.version) return {};
    if (auto s = db.exec(migration.sql); !s) {
      return Error{s.code(), "migration " + std::to_string(migration.version) + " (" +
                                 std::string(migration.description) + "): " + s.error().message};
    }
    return db.exec("PRAGMA user_version = " + std::to_string(migration.version));
  });
}

// A database at version 0 is either new (empty) or someone else's.
Status check_fresh(Database& db) {
  auto application_id = db.query_int64("PRAGMA application_id");
  if (!application_id) return application_id.error();
  auto objects = db.query_int64("SELECT count(*) FROM sqlite_schema");
  if (!objects) return objects.error();
  if (*application_id != 0 || *objects != 0) {
    return Error{ErrorCode::kNotADatabase,
                 db.path() + " is an SQLite database but not a kiln metadata DB (application_id " +
                     std::to_string(*application_id) + ", " + std::to_string(*objects) +
                     " schema objects, user_version 0)"};
  }
  return {};
}

}  // namespace

std::span<const Migration> schema_migrations() {
  return kMigrations;
}

int latest_schema_version() {
  return kMigrations.back().version;
}

Result<int> schema_version(Database& db) {
  auto version = db.query_int64("PRAGMA user_version");
  if (!version) return version.error();
  return static_cast<int>(*version);
}

Status migrate(Database& db, int target_version) {
  if (target_version < 0 || target_version > latest_schema_version()) {
    return Error::invalid_argument("no schema version " + std::to_string(target_version) +
                                   " (this kiln knows 0.." +
                                   std::to_string(latest_schema_version()) + ")");
  }
  auto current = schema_version(db);
  if (!current) return current.error();
  if (*current > target_version) {
    return Error{ErrorCode::kSchemaTooNew,
                 db.path() + " has schema version " + std::to_string(*current) +
                     ", newer than this kiln's " + std::to_string(target_version) +
                     "; upgrade kiln to open it"};
  }
  if (*current == 0) {
    if (auto s = check_fresh(db); !s) return s;
  } else if (auto id = db.query_int64("PRAGMA application_id"); !id || *id != kApplicationId) {
    if (!id) return id.error();
    return Error{ErrorCode::kNotADatabase, db.path() + " is not a kiln metadata DB"};
  }
  for (const Migration& migration : kMigrations) {
    if (migration.version <= *current || migration.version > target_version) continue;
    if (auto s = apply(db, migration); !s) return s;
  }
  return {};
}

}  // namespace kiln::store
