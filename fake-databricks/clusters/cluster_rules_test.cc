// The state rules of each endpoint and the transition table.
#include <catch2/catch.hpp>

#include "fake-databricks/clusters/cluster_record.h"
#include "fake-databricks/clusters/cluster_test_support.h"

using namespace fakedb;
using namespace fakedb::clusters;
using namespace fakedb::clusters::testing;

namespace {
void check_invalid_state(const ApiResult<json>& r, const std::string& id, const char* state) {
  const ApiError e = Workspace::err(r);
  CHECK(e.http_status == 400);
  CHECK(e.error_code == "INVALID_STATE");
  CHECK(e.message == "Cluster " + id + " is in unexpected state " + state + ".");
}

std::string terminated(Workspace& w) {
  const std::string id = w.running();
  Workspace::ok(w.svc.terminate(Workspace::id_params(id)));
  w.loop.run_until_idle();
  return id;
}
}  // namespace

TEST_CASE("start on a running cluster is INVALID_STATE with the state capitalised") {
  Workspace w;
  const std::string id = w.running();
  check_invalid_state(w.svc.start(Workspace::id_params(id)), id, "Running");
}

TEST_CASE("start on a pending cluster is INVALID_STATE") {
  Workspace w;
  const std::string id = w.create();
  check_invalid_state(w.svc.start(Workspace::id_params(id)), id, "Pending");
}

TEST_CASE("start on a terminating cluster is INVALID_STATE") {
  Workspace w;
  const std::string id = w.running();
  Workspace::ok(w.svc.terminate(Workspace::id_params(id)));
  check_invalid_state(w.svc.start(Workspace::id_params(id)), id, "Terminating");
}

TEST_CASE("edit on a pending cluster is INVALID_STATE") {
  Workspace w;
  const std::string id = w.create();
  check_invalid_state(w.svc.edit(Workspace::id_params(id, Workspace::spec())), id, "Pending");
}

TEST_CASE("edit on a restarting cluster is INVALID_STATE") {
  Workspace w;
  const std::string id = w.running();
  Workspace::ok(w.svc.restart(Workspace::id_params(id)));
  check_invalid_state(w.svc.edit(Workspace::id_params(id, Workspace::spec())), id, "Restarting");
}

TEST_CASE("resize on a non-running cluster is INVALID_STATE") {
  Workspace w;
  const std::string pending = w.create();
  check_invalid_state(w.svc.resize(Workspace::id_params(pending, {{"num_workers", 1}})), pending,
                      "Pending");
  const std::string off = terminated(w);
  check_invalid_state(w.svc.resize(Workspace::id_params(off, {{"num_workers", 1}})), off,
                      "Terminated");
}

TEST_CASE("resize on a resizing cluster is INVALID_STATE") {
  Workspace w;
  const std::string id = w.running();
  Workspace::ok(w.svc.resize(Workspace::id_params(id, {{"num_workers", 4}})));
  check_invalid_state(w.svc.resize(Workspace::id_params(id, {{"num_workers", 1}})), id, "Resizing");
}

TEST_CASE("restart on a terminated cluster is INVALID_STATE") {
  Workspace w;
  const std::string id = terminated(w);
  check_invalid_state(w.svc.restart(Workspace::id_params(id)), id, "Terminated");
}

TEST_CASE("job clusters cannot be edited or started") {
  Workspace w;
  const std::string id = w.svc.launch_job_cluster(Workspace::spec(), 5, 6, nullptr, nullptr);
  w.advance(300'000);
  ApiError e = Workspace::err(w.svc.edit(Workspace::id_params(id, Workspace::spec())));
  CHECK(e.error_code == "INVALID_PARAMETER_VALUE");
  CHECK(e.message == "Cluster " + id + " was created by the Jobs service and cannot be edited.");
  w.svc.finish_job_cluster(id);
  w.loop.run_until_idle();
  e = Workspace::err(w.svc.start(Workspace::id_params(id)));
  CHECK(e.message == "Cluster " + id + " was created by the Jobs service and cannot be started.");
  CHECK(w.state(id) == "TERMINATED");
}

TEST_CASE("delete is a no-op on terminating and terminated clusters") {
  Workspace w;
  const std::string id = w.running();
  Workspace::ok(w.svc.terminate(Workspace::id_params(id)));
  const auto events = w.event_types(id).size();
  Workspace::ok(w.svc.terminate(Workspace::id_params(id)));
  CHECK(w.event_types(id).size() == events);
  w.loop.run_until_idle();
  Workspace::ok(w.svc.terminate(Workspace::id_params(id)));
  CHECK(w.state(id) == "TERMINATED");
  CHECK(w.get(id)["termination_reason"]["code"] == "USER_REQUEST");
}

TEST_CASE("delete of a pending cluster cancels its launch") {
  Workspace w;
  const std::string id = w.create();
  Workspace::ok(w.svc.terminate(Workspace::id_params(id)));
  w.loop.run_until_idle();
  CHECK(w.state(id) == "TERMINATED");
  CHECK(w.event_types(id) == std::vector<std::string>{"CREATING", "TERMINATING"});
}

TEST_CASE("a missing cluster is INVALID_PARAMETER_VALUE does not exist on every endpoint") {
  Workspace w;
  const Params p = Workspace::id_params("1121-053204-nosuchcl", Workspace::spec());
  for (auto r : {w.svc.get(p), w.svc.edit(p), w.svc.start(p), w.svc.restart(p), w.svc.resize(p),
                 w.svc.terminate(p), w.svc.permanent_delete(p), w.svc.events(p), w.svc.pin(p),
                 w.svc.unpin(p)}) {
    const ApiError e = Workspace::err(r);
    CHECK(e.http_status == 400);
    CHECK(e.error_code == "INVALID_PARAMETER_VALUE");
    CHECK(e.message == "Cluster 1121-053204-nosuchcl does not exist");
  }
}

TEST_CASE("the transition table is exactly the reference's plus start") {
  using detail::State;
  const std::vector<State> all{State::kPending,  State::kRunning,     State::kRestarting,
                               State::kResizing, State::kTerminating, State::kTerminated};
  std::vector<std::string> allowed;
  for (State a : all) {
    for (State b : all) {
      if (detail::transition_allowed(a, b)) {
        allowed.push_back(std::string(detail::state_name(a)) + ">" +
                          std::string(detail::state_name(b)));
      }
    }
  }
  CHECK(allowed == std::vector<std::string>{
                       "PENDING>RUNNING", "PENDING>TERMINATING", "RUNNING>RESTARTING",
                       "RUNNING>RESIZING", "RUNNING>TERMINATING", "RESTARTING>RUNNING",
                       "RESTARTING>TERMINATING", "RESIZING>RUNNING", "RESIZING>TERMINATING",
                       "TERMINATING>TERMINATED", "TERMINATED>PENDING"});
}
