// Durability: what a call acknowledged is there after the process dies (kill -9) or the store is
// closed and reopened; a second connection sees it too.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>

#include "platform/store/store_testing.h"

namespace kiln::store {
namespace {

using nlohmann::json;
using testing::build;
using testing::open_store;
using testing::request;
using testing::TempDir;

constexpr int kChildCommitsMax = 1'000'000;  // the child is killed long before this

// Step i: build "b-<i>", run i + 1 and the workflow's step i in one transaction, then the ack
// (i as 8 bytes) on the pipe. Runs in the forked child: no Catch2 here, only _exit.
[[noreturn]] void commit_until_killed(const std::string& path, std::int64_t workflow_id,
                                      int ack_fd) {
  auto opened = open_sqlite_store(path);
  if (!opened) _exit(2);
  MetadataStore& store = **opened;
  std::int64_t version = 1;
  for (std::int64_t i = 0; i < kChildCommitsMax; ++i) {
    WorkflowStep step;
    step.workflow_id = workflow_id;
    step.expected_version = version;
    step.state = {{"i", i}};
    step.wake_at_ms = i;
    step.updated_ms = i;
    step.writes.run = Run{i + 1, "etl", "prod", 1, 1, "RUNNING", "", i, std::nullopt, i};
    auto committed = store.transaction([&]() -> Status {
      if (auto s = store.upsert_build(build("b-" + std::to_string(i), i)); !s) return s;
      auto w = store.commit_step(step);
      if (!w) return w.error();
      version = w->version;
      return {};
    });
    if (!committed) _exit(3);
    if (write(ack_fd, &i, sizeof i) != static_cast<ssize_t>(sizeof i)) _exit(4);
  }
  _exit(0);
}

// Reads one ack; false at end of file (the writer is gone).
bool read_ack(int fd, std::int64_t& ack) {
  std::size_t got = 0;
  auto* bytes = reinterpret_cast<char*>(&ack);
  while (got < sizeof ack) {
    const ssize_t n = read(fd, bytes + got, sizeof ack - got);
    if (n == 0) return false;
    REQUIRE(n > 0);
    got += static_cast<std::size_t>(n);
  }
  return true;
}

TEST_CASE("kill -9 at any point loses no acknowledged commit", "[durability]") {
  const int acks_before_kill = GENERATE(1, 2, 17, 150, 600);
  TempDir dir;
  const std::string path = dir.file("kiln.db");
  std::int64_t workflow_id = 0;
  {
    auto store = open_store(path);
    workflow_id = store->create_workflow({"deploy", "deploy:etl:prod", {}, 0, 0}).value().id;
  }  // no connection of ours crosses the fork

  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(fds[0]);
    commit_until_killed(path, workflow_id, fds[1]);
  }
  close(fds[1]);
  std::int64_t last_ack = -1;
  for (int i = 0; i < acks_before_kill; ++i) {
    std::int64_t ack = 0;
    REQUIRE(read_ack(fds[0], ack));  // the child exited early if this fails
    REQUIRE(ack == last_ack + 1);
    last_ack = ack;
  }
  REQUIRE(kill(child, SIGKILL) == 0);
  int wait_status = 0;
  REQUIRE(waitpid(child, &wait_status, 0) == child);
  REQUIRE(WIFSIGNALED(wait_status));
  // Acks already in the pipe were acknowledged too.
  for (std::int64_t ack = 0; read_ack(fds[0], ack);) {
    REQUIRE(ack == last_ack + 1);
    last_ack = ack;
  }
  close(fds[0]);
  INFO("acks before kill " << acks_before_kill << ", acknowledged " << last_ack + 1);

  auto db = Database::open(path);
  REQUIRE(db.ok());
  STORE_REQUIRE_OK(db->integrity_check());
  auto store = open_store(path);
  const auto workflow = store->get_workflow(workflow_id).value();
  // Every acknowledged step is there; at most one more committed without its ack.
  CHECK(workflow.version >= last_ack + 2);
  CHECK(workflow.version <= last_ack + 3);
  CHECK(workflow.state.at("i").get<std::int64_t>() == workflow.version - 2);
  const auto builds = store->count_builds().value().at(BuildStatus::kSucceeded);
  CHECK(builds == workflow.version - 1);
  for (std::int64_t i = 0; i <= last_ack; ++i) {
    REQUIRE(store->get_build("b-" + std::to_string(i)).ok());
    REQUIRE(store->get_run(i + 1).ok());
  }
}

TEST_CASE("reopening a file keeps everything", "[durability]") {
  TempDir dir;
  const std::string path = dir.file("kiln.db");
  std::int64_t deployment_id = 0;
  std::int64_t workflow_id = 0;
  {
    auto store = open_store(path);
    STORE_REQUIRE_OK(store->upsert_build(build("b1", 1)));
    STORE_REQUIRE_OK(store->upsert_job(
        {"etl", "prod", 101, 1, "b1", Strategy::kBlueGreen, JobState::kDeployed, 2}));
    deployment_id = store->create_deployment(request("etl", "prod", "b1", 1, 3)).value().id;
    STORE_REQUIRE_OK(store->append_phase(deployment_id, "deploy", 4));
    STORE_REQUIRE_OK(store->upsert_run({9, "etl", "prod", 101, 1, "RUNNING", "", 5, {}, 5}));
    workflow_id = store->create_workflow({"deploy", "k", {{"a", 1}}, 6, 6}).value().id;
  }
  auto store = open_store(path);
  CHECK(store->get_build("b1").value().commit_sha == "sha-b1");
  CHECK(store->get_job("etl", "prod").value().databricks_job_id == 101);
  CHECK(store->open_deployment("etl", "prod").value().id == deployment_id);
  CHECK(store->list_phases(deployment_id).value().size() == 1);
  CHECK(store->get_run(9).value().life_cycle_state == "RUNNING");
  CHECK(store->get_workflow(workflow_id).value().state == json{{"a", 1}});
}

TEST_CASE("a second connection sees commits and waits for the write lock", "[durability]") {
  TempDir dir;
  const std::string path = dir.file("kiln.db");
  auto first = open_store(path);
  auto second = open_store(path);
  STORE_REQUIRE_OK(first->upsert_build(build("b1", 1)));
  CHECK(second->get_build("b1").ok());
  // While the first holds an open write transaction, the second's write times out as kBusy.
  auto quick = open_sqlite_store(path, DatabaseOptions{.busy_timeout_ms = 1});
  REQUIRE(quick.ok());
  STORE_REQUIRE_OK(first->transaction([&]() -> Status {
    REQUIRE(first->upsert_build(build("b2", 2)).ok());
    CHECK((*quick)->upsert_build(build("b3", 3)).code() == ErrorCode::kBusy);
    return {};
  }));
  STORE_REQUIRE_OK(second->upsert_build(build("b3", 3)));
  CHECK(first->count_builds().value().at(BuildStatus::kSucceeded) == 3);
}

}  // namespace
}  // namespace kiln::store
