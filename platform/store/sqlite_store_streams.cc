// SqliteStore: each stream's writer lock (stream_locks) and checkpoint (stream_checkpoints). The
// lock service (platform/streams/) reads, decides and puts a stream in one transaction; the
// store only keeps the rows and never decides.
#include "platform/store/sqlite_store_impl.h"

namespace kiln::store {
namespace {

// Both tables joined: a stream always has both rows (put_stream writes them together), but a
// missing checkpoint row reads as "nothing committed" rather than hiding the lock.
constexpr const char* kStreamSelect =
    "SELECT l.stream, l.holder, l.token, l.lease_until_ms, l.preferred, "
    "coalesce(c.committed, 0), coalesce(c.committed_by, ''), coalesce(c.committed_token, 0), "
    "coalesce(c.committed_ms, 0), l.head "
    "FROM stream_locks AS l LEFT JOIN stream_checkpoints AS c ON c.stream = l.stream";

Result<streams::LockState> read_stream(const Statement& s) {
  RowReader r(s);
  streams::LockState state;
  state.stream = r.text(0);
  state.holder = r.text(1);
  state.token = r.int64(2);
  state.lease_until_ms = r.int64(3);
  state.preferred = r.text(4);
  state.committed = r.int64(5);
  state.committed_by = r.text(6);
  state.committed_token = r.int64(7);
  state.committed_ms = r.int64(8);
  state.head = r.int64(9);
  return r.finish(std::move(state));
}

}  // namespace

Result<streams::LockState> SqliteStore::get_stream(const std::string& stream) {
  auto s = db_.prepare(std::string(kStreamSelect) + " WHERE l.stream = ?");
  if (!s) return s.error();
  s->bind_all(stream);
  return read_one(*s, read_stream, "stream " + stream);
}

Status SqliteStore::put_stream(const streams::LockState& state, std::int64_t updated_ms) {
  auto done = db_.transaction([&]() -> Status {
    // Upserts, not INSERT OR REPLACE: replacing would delete the lock row the checkpoint
    // refers to.
    auto lock = db_.prepare(
        "INSERT INTO stream_locks (stream, holder, token, lease_until_ms, preferred, head, "
        "updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (stream) DO UPDATE SET "
        "holder = excluded.holder, token = excluded.token, "
        "lease_until_ms = excluded.lease_until_ms, preferred = excluded.preferred, "
        "head = excluded.head, updated_ms = excluded.updated_ms");
    if (!lock) return lock.error();
    lock->bind_all(state.stream, state.holder, state.token, state.lease_until_ms, state.preferred,
                   state.head, updated_ms);
    if (auto s = lock->run(); !s) return s;
    auto checkpoint = db_.prepare(
        "INSERT INTO stream_checkpoints (stream, committed, committed_by, committed_token, "
        "committed_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (stream) DO UPDATE SET "
        "committed = excluded.committed, committed_by = excluded.committed_by, "
        "committed_token = excluded.committed_token, committed_ms = excluded.committed_ms");
    if (!checkpoint) return checkpoint.error();
    checkpoint->bind_all(state.stream, state.committed, state.committed_by, state.committed_token,
                         state.committed_ms);
    return checkpoint->run();
  });
  if (!done) return with_context("put stream " + state.stream, done.error());
  return {};
}

Result<std::vector<streams::LockState>> SqliteStore::list_streams(std::size_t limit) {
  auto s = db_.prepare(std::string(kStreamSelect) + " ORDER BY l.stream LIMIT ?");
  if (!s) return s.error();
  s->bind_all(sql_limit(limit));
  return read_all(*s, read_stream);
}

}  // namespace kiln::store
