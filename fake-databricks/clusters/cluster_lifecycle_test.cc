// The all-purpose cluster lifecycle on virtual time.
#include <catch2/catch.hpp>

#include "fake-databricks/clusters/cluster_test_support.h"

using namespace fakedb;
using namespace fakedb::clusters;
using namespace fakedb::clusters::testing;

TEST_CASE("create returns a pending cluster that runs within the start timings") {
  Workspace w;
  const std::string id = w.create();
  json d = w.get(id);
  CHECK(d["state"] == "PENDING");
  CHECK(d["start_time"] == kT0);
  CHECK(d["cluster_source"] == "API");
  CHECK(d["autotermination_minutes"] == 120);
  CHECK_FALSE(d.contains("driver"));
  w.advance(180'000 - 1);
  CHECK(w.state(id) == "PENDING");
  w.advance(300'000 - 180'000 + 1);
  d = w.get(id);
  CHECK(d["state"] == "RUNNING");
  CHECK(d["executors"].size() == 2);
  CHECK(d["driver"].contains("private_ip"));
  CHECK(d["cluster_memory_mb"] == 3 * 31232);
  CHECK(d["spark_context_id"].is_number_integer());
  CHECK(d["jdbc_port"] == 10000);
  CHECK(d["data_security_mode"] == "SINGLE_USER");
  CHECK(d["enable_elastic_disk"] == false);
  CHECK(d["default_tags"]["ClusterId"] == id);
  CHECK(d["default_tags"]["Vendor"] == "Databricks");
  CHECK(d["spec"]["num_workers"] == 2);
  CHECK(w.event_types(id) == std::vector<std::string>{"CREATING", "DRIVER_HEALTHY", "RUNNING"});
}

TEST_CASE("custom timings set the launch duration exactly") {
  Workspace w(7, ClusterTimings{1000, 1000, 10, 10, 10, 10, 5, 5});
  const std::string id = w.create();
  w.advance(999);
  CHECK(w.state(id) == "PENDING");
  w.advance(1);
  CHECK(w.state(id) == "RUNNING");
}

TEST_CASE("delete terminates asynchronously with USER_REQUEST") {
  Workspace w;
  const std::string id = w.running();
  Workspace::ok(w.svc.terminate(Workspace::id_params(id)));
  json d = w.get(id);
  CHECK(d["state"] == "TERMINATING");
  CHECK(d["termination_reason"]["code"] == "USER_REQUEST");
  CHECK(d["termination_reason"]["type"] == "SUCCESS");
  const auto before = w.loop.now_ms();
  w.loop.run_until_idle();
  d = w.get(id);
  CHECK(d["state"] == "TERMINATED");
  CHECK(d["terminated_time"].get<std::int64_t>() - before >= 5'000);
  CHECK(d["terminated_time"].get<std::int64_t>() - before <= 30'000);
  CHECK_FALSE(d.contains("executors"));
}

TEST_CASE("edit restarts a running cluster with the new spec") {
  Workspace w;
  const std::string id = w.running();
  const auto context = w.get(id)["spark_context_id"];
  const auto first_run = w.get(id)["last_restarted_time"].get<std::int64_t>();
  Workspace::ok(w.svc.edit(Workspace::id_params(id, Workspace::spec({{"num_workers", 3}}))));
  CHECK(w.state(id) == "RESTARTING");
  w.advance(120'000);
  json d = w.get(id);
  CHECK(d["state"] == "RUNNING");
  CHECK(d["num_workers"] == 3);
  CHECK(d["executors"].size() == 3);
  CHECK(d["spark_context_id"] != context);
  CHECK(d["last_restarted_time"].get<std::int64_t>() > first_run);
  const auto types = w.event_types(id);
  CHECK(std::vector<std::string>(types.end() - 4, types.end()) ==
        std::vector<std::string>{"EDITED", "RESTARTING", "DRIVER_HEALTHY", "RUNNING"});
}

TEST_CASE("edit of a terminated cluster keeps it terminated") {
  Workspace w;
  const std::string id = w.running();
  Workspace::ok(w.svc.terminate(Workspace::id_params(id)));
  w.loop.run_until_idle();
  Workspace::ok(w.svc.edit(Workspace::id_params(id, Workspace::spec({{"num_workers", 5}}))));
  CHECK(w.state(id) == "TERMINATED");
  CHECK(w.get(id)["num_workers"] == 5);
  CHECK(w.event_types(id).back() == "EDITED");
}

TEST_CASE("update applies the masked fields like edit") {
  Workspace w;
  const std::string id = w.running();
  Workspace::ok(w.svc.update(Workspace::id_params(
      id, {{"update_mask", "num_workers"}, {"cluster", {{"num_workers", 4}}}})));
  CHECK(w.state(id) == "RESTARTING");
  w.advance(120'000);
  CHECK(w.get(id)["num_workers"] == 4);
  CHECK(w.get(id)["cluster_name"] == "c");
}

TEST_CASE("restart gives a running cluster a new spark context") {
  Workspace w;
  const std::string id = w.running();
  const auto context = w.get(id)["spark_context_id"];
  Workspace::ok(w.svc.restart(Workspace::id_params(id)));
  CHECK(w.state(id) == "RESTARTING");
  w.advance(59'999);
  CHECK(w.state(id) == "RESTARTING");
  w.advance(60'001);
  CHECK(w.state(id) == "RUNNING");
  CHECK(w.get(id)["spark_context_id"] != context);
}

TEST_CASE("resize goes through RESIZING and reports the upsize") {
  Workspace w;
  const std::string id = w.running();
  Workspace::ok(w.svc.resize(Workspace::id_params(id, {{"num_workers", 6}})));
  CHECK(w.state(id) == "RESIZING");
  json ev = Workspace::ok(w.svc.events(Workspace::id_params(id, {{"limit", 1}})));
  CHECK(ev["events"][0]["type"] == "RESIZING");
  CHECK(ev["events"][0]["details"]["current_num_workers"] == 2);
  CHECK(ev["events"][0]["details"]["target_num_workers"] == 6);
  w.advance(180'000);
  CHECK(w.state(id) == "RUNNING");
  CHECK(w.get(id)["executors"].size() == 6);
  CHECK(w.event_types(id).back() == "UPSIZE_COMPLETED");
}

TEST_CASE("permanent delete removes the cluster from every call") {
  Workspace w;
  const std::string id = w.running();
  Workspace::ok(w.svc.permanent_delete(Workspace::id_params(id)));
  const ApiError e = Workspace::err(w.svc.get(Workspace::id_params(id)));
  CHECK(e.error_code == "INVALID_PARAMETER_VALUE");
  CHECK(e.message == "Cluster " + id + " does not exist");
  CHECK_FALSE(w.svc.start(Workspace::id_params(id)).ok());
  CHECK_FALSE(w.svc.terminate(Workspace::id_params(id)).ok());
  CHECK_FALSE(w.svc.events(Workspace::id_params(id)).ok());
  CHECK_FALSE(Workspace::ok(w.svc.list(Params(json::object()))).contains("clusters"));
  CHECK(w.svc.count_in_state("TERMINATED") == 0);
  CHECK(w.published.back()["state"] == "TERMINATED");
  CHECK(w.loop.run_until_idle() == 0);
}

TEST_CASE("auto-termination ends an idle cluster with INACTIVITY") {
  Workspace w;
  const std::string id = w.running({{"autotermination_minutes", 10}});
  const auto ran_at = w.get(id)["last_restarted_time"].get<std::int64_t>();
  w.loop.run_until(ran_at + 10 * kMinute - 1);
  CHECK(w.state(id) == "RUNNING");
  w.loop.run_until(ran_at + 10 * kMinute);
  json d = w.get(id);
  CHECK(d["state"] == "TERMINATING");
  CHECK(d["termination_reason"]["code"] == "INACTIVITY");
  CHECK(d["termination_reason"]["parameters"]["inactivity_duration_min"] == "10");
}

TEST_CASE("attach prevents auto-termination and detach re-arms it") {
  Workspace w;
  const std::string id = w.running({{"autotermination_minutes", 10}});
  w.svc.attach(id);
  w.advance(3 * 60 * kMinute);
  CHECK(w.state(id) == "RUNNING");
  w.svc.detach(id);
  w.advance(10 * kMinute - 1);
  CHECK(w.state(id) == "RUNNING");
  w.advance(1);
  CHECK(w.state(id) == "TERMINATING");
}

TEST_CASE("autotermination_minutes zero disables auto-termination") {
  Workspace w;
  const std::string id = w.running({{"autotermination_minutes", 0}});
  CHECK(w.loop.run_until_idle() == 0);
  CHECK(w.state(id) == "RUNNING");
}

TEST_CASE("lose_driver terminates with DRIVER_UNREACHABLE and notifies on_terminated") {
  Workspace w;
  std::vector<std::pair<std::string, std::string>> seen;
  w.svc.on_terminated(
      [&](const std::string& cid, const TerminationReason& r) { seen.emplace_back(cid, r.code); });
  const std::string id = w.running();
  CHECK(w.svc.lose_driver(id));
  CHECK_FALSE(w.svc.lose_driver(id));
  CHECK(w.state(id) == "TERMINATING");
  CHECK(seen.empty());
  w.advance(30'000);
  CHECK(w.state(id) == "TERMINATED");
  REQUIRE(seen.size() == 1);
  CHECK(seen[0] == std::pair<std::string, std::string>{id, "DRIVER_UNREACHABLE"});
  const auto types = w.event_types(id);
  CHECK(std::vector<std::string>(types.end() - 2, types.end()) ==
        std::vector<std::string>{"DRIVER_NOT_RESPONDING", "TERMINATING"});
  CHECK_FALSE(w.svc.lose_driver("0000-000000-missing0"));
}

TEST_CASE("every state change is published as cluster.state") {
  Workspace w;
  const std::string id = w.running();
  Workspace::ok(w.svc.terminate(Workspace::id_params(id)));
  w.loop.run_until_idle();
  std::vector<std::string> states;
  for (const auto& f : w.published) {
    CHECK(f["cluster_id"] == id);
    CHECK(f["source"] == "API");
    states.push_back(f["state"].get<std::string>());
  }
  CHECK(states == std::vector<std::string>{"PENDING", "RUNNING", "TERMINATING", "TERMINATED"});
  CHECK(w.published[2]["reason"] == "USER_REQUEST");
  CHECK(w.published[3]["reason"] == "USER_REQUEST");
}

TEST_CASE("get keeps terminated clusters for 60 days") {
  Workspace w;
  const std::string id = w.running();
  Workspace::ok(w.svc.terminate(Workspace::id_params(id)));
  w.loop.run_until_idle();
  w.advance(59 * kDay);
  CHECK(w.state(id) == "TERMINATED");
  w.advance(2 * kDay);
  CHECK_FALSE(w.svc.get(Workspace::id_params(id)).ok());
}

TEST_CASE("start brings a terminated cluster back with the same id") {
  Workspace w;
  const std::string id = w.running();
  Workspace::ok(w.svc.terminate(Workspace::id_params(id)));
  w.loop.run_until_idle();
  Workspace::ok(w.svc.start(Workspace::id_params(id)));
  json d = w.get(id);
  CHECK(d["state"] == "PENDING");
  CHECK_FALSE(d.contains("termination_reason"));
  CHECK_FALSE(d.contains("terminated_time"));
  w.advance(300'000);
  CHECK(w.state(id) == "RUNNING");
  CHECK(w.event_types(id).at(4) == "STARTING");
}
