// FaultyStore (tests only): a MetadataStore that forwards every call to another one, except
// the calls it was told to break, which fail with a storage error (as SQLite's I/O errors do).
// LevelDB's EnvWrapper idea: a fault injector overrides only what it breaks. Used by the
// monitoring and cleanup tests to prove that a storage error fails a pass instead of being read
// as "no row".
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "platform/store/metadata_store.h"

namespace kiln::store::testing {

class FaultyStore final : public MetadataStore {
 public:
  explicit FaultyStore(std::unique_ptr<MetadataStore> inner) : inner_(std::move(inner)) {}

  // Calls of `method` ("get_job", "upsert_job", ...) fail with kStorage: after `offset` more
  // calls go through, `times` times (-1: until heal()).
  void fail(const std::string& method, int times = -1, int offset = 0) {
    faults_[method] = Fault{offset, times};
  }
  void heal() { faults_.clear(); }
  // How many calls of `method` failed so far.
  int failures(const std::string& method) const {
    auto it = failed_.find(method);
    return it == failed_.end() ? 0 : it->second;
  }
  MetadataStore& inner() { return *inner_; }

  Status transaction(const std::function<Status()>& body) override {
    return inner_->transaction(body);
  }
  Status upsert_build(const Build& build) override {
    if (auto e = broken("upsert_build")) return *e;
    return inner_->upsert_build(build);
  }
  Result<Build> get_build(const std::string& build_id) override {
    if (auto e = broken("get_build")) return *e;
    return inner_->get_build(build_id);
  }
  Result<std::vector<Build>> list_builds(std::optional<BuildStatus> status,
                                         std::size_t limit) override {
    if (auto e = broken("list_builds")) return *e;
    return inner_->list_builds(status, limit);
  }
  Result<std::map<BuildStatus, std::int64_t>> count_builds() override {
    if (auto e = broken("count_builds")) return *e;
    return inner_->count_builds();
  }
  Status upsert_job(const Job& job) override {
    if (auto e = broken("upsert_job")) return *e;
    return inner_->upsert_job(job);
  }
  Result<Job> get_job(const std::string& name, const std::string& target) override {
    if (auto e = broken("get_job")) return *e;
    return inner_->get_job(name, target);
  }
  Result<std::vector<Job>> list_jobs(const std::string& target, std::size_t limit) override {
    if (auto e = broken("list_jobs")) return *e;
    return inner_->list_jobs(target, limit);
  }
  Result<std::vector<Job>> list_all_jobs(std::size_t limit) override {
    if (auto e = broken("list_all_jobs")) return *e;
    return inner_->list_all_jobs(limit);
  }
  Result<Deployment> create_deployment(const DeploymentRequest& request) override {
    if (auto e = broken("create_deployment")) return *e;
    return inner_->create_deployment(request);
  }
  Result<Deployment> get_deployment(std::int64_t id) override {
    if (auto e = broken("get_deployment")) return *e;
    return inner_->get_deployment(id);
  }
  Status transition_deployment(const DeploymentTransition& transition) override {
    if (auto e = broken("transition_deployment")) return *e;
    return inner_->transition_deployment(transition);
  }
  Result<Deployment> open_deployment(const std::string& name, const std::string& target) override {
    if (auto e = broken("open_deployment")) return *e;
    return inner_->open_deployment(name, target);
  }
  Result<Deployment> queued_deployment(const std::string& name,
                                       const std::string& target) override {
    if (auto e = broken("queued_deployment")) return *e;
    return inner_->queued_deployment(name, target);
  }
  Result<std::vector<Deployment>> deployment_history(const std::string& name,
                                                     const std::string& target,
                                                     std::size_t limit) override {
    if (auto e = broken("deployment_history")) return *e;
    return inner_->deployment_history(name, target, limit);
  }
  Result<DeploymentPhase> append_phase(std::int64_t deployment_id, const std::string& phase,
                                       std::int64_t started_ms) override {
    if (auto e = broken("append_phase")) return *e;
    return inner_->append_phase(deployment_id, phase, started_ms);
  }
  Status finish_phase(std::int64_t deployment_id, int seq, PhaseOutcome outcome,
                      std::int64_t finished_ms, const std::string& reason) override {
    if (auto e = broken("finish_phase")) return *e;
    return inner_->finish_phase(deployment_id, seq, outcome, finished_ms, reason);
  }
  Result<std::vector<DeploymentPhase>> list_phases(std::int64_t deployment_id) override {
    if (auto e = broken("list_phases")) return *e;
    return inner_->list_phases(deployment_id);
  }
  Status upsert_run(const Run& run) override {
    if (auto e = broken("upsert_run")) return *e;
    return inner_->upsert_run(run);
  }
  Result<Run> get_run(std::int64_t run_id) override {
    if (auto e = broken("get_run")) return *e;
    return inner_->get_run(run_id);
  }
  Result<std::vector<Run>> list_runs(const std::string& job_name, const std::string& target,
                                     std::size_t limit) override {
    if (auto e = broken("list_runs")) return *e;
    return inner_->list_runs(job_name, target, limit);
  }
  Result<std::vector<Run>> list_unfinished_runs(std::size_t limit) override {
    if (auto e = broken("list_unfinished_runs")) return *e;
    return inner_->list_unfinished_runs(limit);
  }
  Result<Workflow> create_workflow(const NewWorkflow& workflow) override {
    if (auto e = broken("create_workflow")) return *e;
    return inner_->create_workflow(workflow);
  }
  Result<Workflow> get_workflow(std::int64_t id) override {
    if (auto e = broken("get_workflow")) return *e;
    return inner_->get_workflow(id);
  }
  Result<Workflow> find_open_workflow(const std::string& kind, const std::string& key) override {
    if (auto e = broken("find_open_workflow")) return *e;
    return inner_->find_open_workflow(kind, key);
  }
  Result<std::vector<Workflow>> list_open_workflows(std::size_t limit) override {
    if (auto e = broken("list_open_workflows")) return *e;
    return inner_->list_open_workflows(limit);
  }
  Result<std::vector<Workflow>> list_due_workflows(std::int64_t now_ms,
                                                   std::size_t limit) override {
    if (auto e = broken("list_due_workflows")) return *e;
    return inner_->list_due_workflows(now_ms, limit);
  }
  Result<Workflow> commit_step(const WorkflowStep& step) override {
    if (auto e = broken("commit_step")) return *e;
    return inner_->commit_step(step);
  }
  Result<streams::LockState> get_stream(const std::string& stream) override {
    if (auto e = broken("get_stream")) return *e;
    return inner_->get_stream(stream);
  }
  Status put_stream(const streams::LockState& state, std::int64_t updated_ms) override {
    if (auto e = broken("put_stream")) return *e;
    return inner_->put_stream(state, updated_ms);
  }
  Result<std::vector<streams::LockState>> list_streams(std::size_t limit) override {
    if (auto e = broken("list_streams")) return *e;
    return inner_->list_streams(limit);
  }
  Result<std::vector<ParkedJob>> list_parked_jobs(std::size_t limit) override {
    if (auto e = broken("list_parked_jobs")) return *e;
    return inner_->list_parked_jobs(limit);
  }
  Status remove_parked_job(std::int64_t databricks_job_id) override {
    if (auto e = broken("remove_parked_job")) return *e;
    return inner_->remove_parked_job(databricks_job_id);
  }

 private:
  struct Fault {
    int offset = 0;
    int times = -1;
  };
  std::optional<Error> broken(const std::string& method) {
    auto it = faults_.find(method);
    if (it == faults_.end()) return std::nullopt;
    Fault& f = it->second;
    if (f.offset > 0) {
      --f.offset;
      return std::nullopt;
    }
    if (f.times == 0) return std::nullopt;
    if (f.times > 0) --f.times;
    ++failed_[method];
    return Error{ErrorCode::kStorage, method + ": disk I/O error (injected)"};
  }

  std::unique_ptr<MetadataStore> inner_;
  std::map<std::string, Fault> faults_;
  std::map<std::string, int> failed_;
};

}  // namespace kiln::store::testing
