// SqliteStore: deployments and their phases.
#include "platform/store/sqlite_store_impl.h"

namespace kiln::store {
namespace {

constexpr const char* kDeploymentColumns =
    "id, name, target, build_id, version, strategy, requested_by, reason, created_ms, status, "
    "started_ms, finished_ms, outcome_reason, owner";
constexpr const char* kPhaseColumns =
    "deployment_id, seq, phase, started_ms, finished_ms, outcome, reason";

Result<Deployment> read_deployment(const Statement& s) {
  RowReader r(s);
  Deployment d;
  d.id = r.int64(0);
  d.request = {r.text(1), r.text(2), r.text(3),  r.int64(4), r.enumeration<Strategy>(5),
               r.text(6), r.text(7), r.int64(8), r.text(13)};
  d.status = r.enumeration<DeploymentStatus>(9);
  d.started_ms = r.optional_int64(10);
  d.finished_ms = r.optional_int64(11);
  d.outcome_reason = r.text(12);
  return r.finish(std::move(d));
}

Result<DeploymentPhase> read_phase(const Statement& s) {
  RowReader r(s);
  DeploymentPhase phase{r.int64(0),          static_cast<int>(r.int64(1)),   r.text(2), r.int64(3),
                        r.optional_int64(4), r.enumeration<PhaseOutcome>(5), r.text(6)};
  return r.finish(std::move(phase));
}

std::string deployment_name(std::int64_t id) {
  return "deployment " + std::to_string(id);
}

}  // namespace

Result<Deployment> SqliteStore::create_deployment(const DeploymentRequest& request) {
  const std::string what = "create deployment of " + request.name + " on " + request.target;
  auto s = db_.prepare(
      "INSERT INTO deployments (name, target, build_id, version, strategy, requested_by, "
      "reason, created_ms, status, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?)");
  if (!s) return s.error();
  s->bind_all(request.name, request.target, request.build_id, request.version,
              to_string(request.strategy), request.requested_by, request.reason, request.created_ms,
              request.owner);
  if (auto done = s->run(); !done) {
    if (done.code() == ErrorCode::kAlreadyExists) {
      return with_context(what, {done.code(), "a queued deployment exists (supersede it first); " +
                                                  done.error().message});
    }
    return with_context(what, done.error());
  }
  Deployment deployment;
  deployment.id = db_.last_insert_rowid();
  deployment.request = request;
  return deployment;
}

Result<Deployment> SqliteStore::get_deployment(std::int64_t id) {
  auto s =
      db_.prepare(std::string("SELECT ") + kDeploymentColumns + " FROM deployments WHERE id = ?");
  if (!s) return s.error();
  s->bind_all(id);
  return read_one(*s, read_deployment, deployment_name(id));
}

Status SqliteStore::transition_deployment(const DeploymentTransition& t) {
  const std::string what =
      "move " + deployment_name(t.deployment_id) + " to " + std::string(to_string(t.status));
  if (t.status == DeploymentStatus::kQueued) {
    return Error::invalid_argument(what + ": a deployment is queued only when created");
  }
  const bool start = t.status == DeploymentStatus::kRunning;
  auto s = start ? db_.prepare(
                       "UPDATE deployments SET status = 'running', started_ms = ?1 "
                       "WHERE id = ?2 AND status = 'queued'")
                 : db_.prepare(
                       "UPDATE deployments SET status = ?3, finished_ms = ?1, "
                       "outcome_reason = ?4 WHERE id = ?2 AND status IN ('queued', 'running')");
  if (!s) return s.error();
  s->bind_all(t.at_ms, t.deployment_id);
  if (!start) s->bind(3, to_string(t.status)).bind(4, t.reason);
  if (auto done = s->run(); !done) return with_context(what, done.error());
  if (db_.changes() == 1) return {};
  auto current = get_deployment(t.deployment_id);
  if (!current) return with_context(what, current.error());
  return Error::conflict(what + ": it is " + std::string(to_string(current->status)));
}

Result<Deployment> SqliteStore::open_deployment(const std::string& name,
                                                const std::string& target) {
  auto s = db_.prepare(std::string("SELECT ") + kDeploymentColumns +
                       " FROM deployments WHERE name = ? AND target = ?"
                       " AND status IN ('queued', 'running')"
                       " ORDER BY status = 'running' DESC LIMIT 1");
  if (!s) return s.error();
  s->bind_all(name, target);
  return read_one(*s, read_deployment, "open deployment of " + name + " on " + target);
}

Result<Deployment> SqliteStore::queued_deployment(const std::string& name,
                                                  const std::string& target) {
  auto s = db_.prepare(std::string("SELECT ") + kDeploymentColumns +
                       " FROM deployments WHERE name = ? AND target = ? AND status = 'queued'");
  if (!s) return s.error();
  s->bind_all(name, target);
  return read_one(*s, read_deployment, "queued deployment of " + name + " on " + target);
}

Result<std::vector<Deployment>> SqliteStore::deployment_history(const std::string& name,
                                                                const std::string& target,
                                                                std::size_t limit) {
  auto s = db_.prepare(std::string("SELECT ") + kDeploymentColumns +
                       " FROM deployments WHERE name = ? AND target = ? ORDER BY id DESC LIMIT ?");
  if (!s) return s.error();
  s->bind_all(name, target, sql_limit(limit));
  return read_all(*s, read_deployment);
}

Result<DeploymentPhase> SqliteStore::append_phase(std::int64_t deployment_id,
                                                  const std::string& phase,
                                                  std::int64_t started_ms) {
  DeploymentPhase appended{deployment_id,          0, phase, started_ms, std::nullopt,
                           PhaseOutcome::kRunning, ""};
  auto done = db_.transaction([&]() -> Status {
    auto last =
        db_.prepare("SELECT coalesce(max(seq), 0) FROM deployment_phases WHERE deployment_id = ?");
    if (!last) return last.error();
    last->bind_all(deployment_id);
    if (auto row = last->step(); !row) return row.error();
    appended.seq = static_cast<int>(last->column_int64(0)) + 1;
    return put_phase(appended);
  });
  if (!done)
    return with_context("append phase " + phase + " to " + deployment_name(deployment_id),
                        done.error());
  return appended;
}

Status SqliteStore::finish_phase(std::int64_t deployment_id, int seq, PhaseOutcome outcome,
                                 std::int64_t finished_ms, const std::string& reason) {
  const std::string what =
      "finish phase " + std::to_string(seq) + " of " + deployment_name(deployment_id);
  if (outcome == PhaseOutcome::kRunning) {
    return Error::invalid_argument(what + ": a finished phase's outcome cannot be running");
  }
  auto s = db_.prepare(
      "UPDATE deployment_phases SET outcome = ?, finished_ms = ?, reason = ? "
      "WHERE deployment_id = ? AND seq = ? AND outcome = 'running'");
  if (!s) return s.error();
  s->bind_all(to_string(outcome), finished_ms, reason, deployment_id, seq);
  if (auto done = s->run(); !done) return with_context(what, done.error());
  if (db_.changes() == 1) return {};
  auto exists = db_.prepare("SELECT 1 FROM deployment_phases WHERE deployment_id = ? AND seq = ?");
  if (!exists) return exists.error();
  exists->bind_all(deployment_id, seq);
  auto row = exists->step();
  if (!row) return with_context(what, row.error());
  if (!*row) return Error::not_found(what + ": no such phase");
  return Error::conflict(what + ": it has already finished");
}

Result<std::vector<DeploymentPhase>> SqliteStore::list_phases(std::int64_t deployment_id) {
  auto s = db_.prepare(std::string("SELECT ") + kPhaseColumns +
                       " FROM deployment_phases WHERE deployment_id = ? ORDER BY seq");
  if (!s) return s.error();
  s->bind_all(deployment_id);
  return read_all(*s, read_phase);
}

Status SqliteStore::put_phase(const DeploymentPhase& phase) {
  auto s = db_.prepare(std::string("INSERT INTO deployment_phases (") + kPhaseColumns +
                       ") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (deployment_id, seq) DO UPDATE "
                       "SET phase = excluded.phase, started_ms = excluded.started_ms, "
                       "finished_ms = excluded.finished_ms, outcome = excluded.outcome, "
                       "reason = excluded.reason");
  if (!s) return s.error();
  s->bind_all(phase.deployment_id, phase.seq, phase.phase, phase.started_ms, phase.finished_ms,
              to_string(phase.outcome), phase.reason);
  if (auto done = s->run(); !done) {
    return with_context(
        "put phase " + std::to_string(phase.seq) + " of " + deployment_name(phase.deployment_id),
        done.error());
  }
  return {};
}

}  // namespace kiln::store
