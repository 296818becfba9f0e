// SqliteStore: workflow instances, and commit_step, the engine's one durable write per step.
#include "platform/store/sqlite_store_impl.h"

namespace kiln::store {
namespace {

constexpr const char* kWorkflowColumns =
    "id, kind, key, state_json, status, wake_at_ms, attempt, version, created_ms, updated_ms";

Result<Workflow> read_workflow(const Statement& s) {
  RowReader r(s);
  Workflow w;
  w.id = r.int64(0);
  w.kind = r.text(1);
  w.key = r.text(2);
  w.state = r.json(3);
  w.status = r.enumeration<WorkflowStatus>(4);
  w.wake_at_ms = r.int64(5);
  w.attempt = static_cast<int>(r.int64(6));
  w.version = r.int64(7);
  w.created_ms = r.int64(8);
  w.updated_ms = r.int64(9);
  return r.finish(std::move(w));
}

// Sorted keys (nlohmann's default object), so equal states are equal bytes.
Result<std::string> state_text(const nlohmann::json& state) {
  try {
    return state.dump();
  } catch (const nlohmann::json::exception& e) {
    return Error::invalid_argument(std::string("workflow state cannot be stored: ") + e.what());
  }
}

std::string workflow_name(std::int64_t id) {
  return "workflow " + std::to_string(id);
}

}  // namespace

Result<Workflow> SqliteStore::create_workflow(const NewWorkflow& workflow) {
  const std::string what = "create workflow " + workflow.kind + " " + workflow.key;
  auto state = state_text(workflow.state);
  if (!state) return with_context(what, state.error());
  auto s = db_.prepare(
      "INSERT INTO workflows (kind, key, state_json, status, wake_at_ms, attempt, version, "
      "created_ms, updated_ms) VALUES (?1, ?2, ?3, 'open', ?4, 0, 1, ?5, ?5)");
  if (!s) return s.error();
  s->bind_all(workflow.kind, workflow.key, *state, workflow.wake_at_ms, workflow.created_ms);
  if (auto done = s->run(); !done) {
    if (done.code() == ErrorCode::kAlreadyExists) {
      return with_context(what, {done.code(), "an open one exists; " + done.error().message});
    }
    return with_context(what, done.error());
  }
  return Workflow{db_.last_insert_rowid(),
                  workflow.kind,
                  workflow.key,
                  workflow.state,
                  WorkflowStatus::kOpen,
                  workflow.wake_at_ms,
                  0,
                  1,
                  workflow.created_ms,
                  workflow.created_ms};
}

Result<Workflow> SqliteStore::get_workflow(std::int64_t id) {
  auto s = db_.prepare(std::string("SELECT ") + kWorkflowColumns + " FROM workflows WHERE id = ?");
  if (!s) return s.error();
  s->bind_all(id);
  return read_one(*s, read_workflow, workflow_name(id));
}

Result<Workflow> SqliteStore::find_open_workflow(const std::string& kind, const std::string& key) {
  auto s = db_.prepare(std::string("SELECT ") + kWorkflowColumns +
                       " FROM workflows WHERE kind = ? AND key = ? AND status = 'open'");
  if (!s) return s.error();
  s->bind_all(kind, key);
  return read_one(*s, read_workflow, "open workflow " + kind + " " + key);
}

Result<std::vector<Workflow>> SqliteStore::list_open_workflows(std::size_t limit) {
  auto s = db_.prepare(std::string("SELECT ") + kWorkflowColumns +
                       " FROM workflows WHERE status = 'open' ORDER BY wake_at_ms, id LIMIT ?");
  if (!s) return s.error();
  s->bind_all(sql_limit(limit));
  return read_all(*s, read_workflow);
}

Result<std::vector<Workflow>> SqliteStore::list_due_workflows(std::int64_t now_ms,
                                                              std::size_t limit) {
  auto s = db_.prepare(std::string("SELECT ") + kWorkflowColumns +
                       " FROM workflows WHERE status = 'open' AND wake_at_ms <= ?"
                       " ORDER BY wake_at_ms, id LIMIT ?");
  if (!s) return s.error();
  s->bind_all(now_ms, sql_limit(limit));
  return read_all(*s, read_workflow);
}

Result<Workflow> SqliteStore::commit_step(const WorkflowStep& step) {
  const std::string what = "commit step of " + workflow_name(step.workflow_id) + " at version " +
                           std::to_string(step.expected_version);
  auto state = state_text(step.state);
  if (!state) return with_context(what, state.error());
  std::optional<Workflow> stored;
  auto done = db_.transaction([&]() -> Status {
    // Optimistic versioning: the row moves on only from the version the step was computed on.
    auto s = db_.prepare(
        "UPDATE workflows SET state_json = ?, status = ?, wake_at_ms = ?, attempt = ?, "
        "version = version + 1, updated_ms = ? WHERE id = ? AND version = ? AND status = 'open'");
    if (!s) return s.error();
    s->bind_all(*state, to_string(step.status), step.wake_at_ms, step.attempt, step.updated_ms,
                step.workflow_id, step.expected_version);
    if (auto updated = s->run(); !updated) return updated;
    if (db_.changes() != 1) {
      auto current = get_workflow(step.workflow_id);
      if (!current) return current.error();
      return Error::conflict("stored version " + std::to_string(current->version) + ", status " +
                             std::string(to_string(current->status)));
    }
    const StepWrites& writes = step.writes;
    const bool starts =
        writes.deployment && writes.deployment->status == DeploymentStatus::kRunning;
    if (starts) {
      if (auto s2 = transition_deployment(*writes.deployment); !s2) return s2;
    }
    if (writes.run) {
      if (auto s2 = upsert_run(*writes.run); !s2) return s2;
    }
    if (writes.job) {
      if (auto s2 = upsert_job(*writes.job); !s2) return s2;
    }
    for (const DeploymentPhase& phase : writes.phases) {
      if (auto s2 = put_phase(phase); !s2) return s2;
    }
    if (writes.unpark) {
      if (auto s2 = remove_parked_job(*writes.unpark); !s2) return s2;
    }
    if (writes.park) {
      if (auto s2 = park_job(*writes.park); !s2) return s2;
    }
    if (writes.deployment && !starts) {
      if (auto s2 = transition_deployment(*writes.deployment); !s2) return s2;
    }
    auto now = get_workflow(step.workflow_id);
    if (!now) return now.error();
    stored = std::move(now).value();
    return {};
  });
  if (!done) return with_context(what, done.error());
  return std::move(*stored);
}

}  // namespace kiln::store
