// The Jobs engine's interface: job clusters, ensure_running and launch failures.
#include <catch2/catch.hpp>
#include <optional>

#include "fake-databricks/clusters/cluster_test_support.h"

using namespace fakedb;
using namespace fakedb::clusters;
using namespace fakedb::clusters::testing;

namespace {
struct Outcome {
  std::vector<std::string> ready;
  std::vector<std::string> failed;  // reason codes
  std::vector<std::int64_t> at;
  ClusterService::ReadyFn on_ready(Workspace& w) {
    return [this, &w](const std::string& id) {
      ready.push_back(id);
      at.push_back(w.loop.now_ms());
    };
  }
  ClusterService::FailedFn on_failed(Workspace& w) {
    return [this, &w](const TerminationReason& r) {
      failed.push_back(r.code);
      at.push_back(w.loop.now_ms());
    };
  }
};

const TerminationReason kCloud{"CLOUD_PROVIDER_LAUNCH_FAILURE",
                               "CLOUD_FAILURE",
                               {{"aws_api_error_code", "InsufficientInstanceCapacity"}}};
}  // namespace

TEST_CASE("job cluster lifecycle ends with JOB_FINISHED") {
  Workspace w;
  Outcome o;
  int terminated = 0;
  w.svc.on_terminated([&](const std::string&, const TerminationReason&) { ++terminated; });
  const std::string id =
      w.svc.launch_job_cluster(Workspace::spec(), 11, 22, o.on_ready(w), o.on_failed(w));
  json d = w.get(id);
  CHECK(d["state"] == "PENDING");
  CHECK(d["cluster_source"] == "JOB");
  CHECK(d["cluster_name"] == "job-11-run-22");
  CHECK(d["autotermination_minutes"] == 0);
  CHECK(d["default_tags"]["JobId"] == "11");
  CHECK(d["default_tags"]["RunName"] == "job-11-run-22");
  CHECK(w.published.back()["source"] == "JOB");
  w.loop.run_until_idle();
  CHECK(o.ready == std::vector<std::string>{id});
  CHECK(w.state(id) == "RUNNING");
  w.svc.finish_job_cluster(id);
  CHECK(w.state(id) == "TERMINATING");
  w.loop.run_until_idle();
  d = w.get(id);
  CHECK(d["state"] == "TERMINATED");
  CHECK(d["termination_reason"]["code"] == "JOB_FINISHED");
  CHECK(d["termination_reason"]["type"] == "SUCCESS");
  CHECK(o.failed.empty());
  CHECK(terminated == 0);
}

TEST_CASE("ensure_running starts a terminated cluster") {
  Workspace w;
  const std::string id = w.running();
  Workspace::ok(w.svc.terminate(Workspace::id_params(id)));
  w.loop.run_until_idle();
  Outcome o;
  w.svc.ensure_running(id, o.on_ready(w), o.on_failed(w));
  CHECK(w.state(id) == "PENDING");
  CHECK(o.ready.empty());
  w.advance(300'000);
  CHECK(o.ready == std::vector<std::string>{id});
  CHECK(w.state(id) == "RUNNING");
}

TEST_CASE("ensure_running calls back at once on a running cluster") {
  Workspace w;
  const std::string id = w.running();
  Outcome o;
  w.svc.ensure_running(id, o.on_ready(w), o.on_failed(w));
  CHECK(o.ready == std::vector<std::string>{id});
}

TEST_CASE("ensure_running waits for a pending or resizing cluster") {
  Workspace w;
  const std::string id = w.create();
  Outcome o;
  w.svc.ensure_running(id, o.on_ready(w), o.on_failed(w));
  CHECK(o.ready.empty());
  w.advance(300'000);
  CHECK(o.ready.size() == 1);
  Workspace::ok(w.svc.resize(Workspace::id_params(id, {{"num_workers", 3}})));
  w.svc.ensure_running(id, o.on_ready(w), o.on_failed(w));
  CHECK(o.ready.size() == 1);
  w.advance(180'000);
  CHECK(o.ready.size() == 2);
}

TEST_CASE("ensure_running fails on a missing or terminating cluster") {
  Workspace w;
  Outcome o;
  w.svc.ensure_running("1121-053204-nosuchcl", o.on_ready(w), o.on_failed(w));
  CHECK(o.failed == std::vector<std::string>{"INVALID_ARGUMENT"});
  const std::string id = w.running();
  Workspace::ok(w.svc.terminate(Workspace::id_params(id)));
  w.svc.ensure_running(id, o.on_ready(w), o.on_failed(w));
  CHECK(o.failed == std::vector<std::string>{"INVALID_ARGUMENT", "USER_REQUEST"});
  CHECK(o.ready.empty());
}

TEST_CASE("fail_next_launches fails a launch with the reason") {
  Workspace w;
  std::vector<std::string> terminated;
  w.svc.on_terminated(
      [&](const std::string& id, const TerminationReason&) { terminated.push_back(id); });
  w.svc.fail_next_launches(2, kCloud);
  Outcome o;
  const std::string job =
      w.svc.launch_job_cluster(Workspace::spec(), 1, 2, o.on_ready(w), o.on_failed(w));
  const std::string api = w.create();
  const std::string ok = w.create();
  w.advance(400'000);
  CHECK(o.failed == std::vector<std::string>{"CLOUD_PROVIDER_LAUNCH_FAILURE"});
  CHECK(o.ready.empty());
  json d = w.get(api);
  CHECK(d["state"] == "TERMINATED");
  CHECK(d["termination_reason"] == kCloud.to_json());
  CHECK(w.state(ok) == "RUNNING");
  CHECK(terminated == std::vector<std::string>{job, api});
  std::vector<std::string> states;
  for (const auto& f : w.published) {
    if (f["cluster_id"] == api) states.push_back(f["state"].get<std::string>());
  }
  CHECK(states == std::vector<std::string>{"PENDING", "TERMINATING", "TERMINATED"});
}

TEST_CASE("launch failure probability one fails every launch") {
  Workspace w;
  w.svc.set_launch_failure_probability(1.0, kCloud);
  const std::string a = w.create();
  const std::string b = w.create();
  w.advance(400'000);
  CHECK(w.get(a)["termination_reason"]["code"] == "CLOUD_PROVIDER_LAUNCH_FAILURE");
  CHECK(w.get(b)["termination_reason"]["type"] == "CLOUD_FAILURE");
  Workspace::ok(w.svc.start(Workspace::id_params(a)));
  w.advance(400'000);
  CHECK(w.state(a) == "TERMINATED");
  w.svc.set_launch_failure_probability(0.0, kCloud);
  Workspace::ok(w.svc.start(Workspace::id_params(a)));
  w.advance(400'000);
  CHECK(w.state(a) == "RUNNING");
}

TEST_CASE("a failed restart terminates the cluster") {
  Workspace w;
  const std::string id = w.running();
  w.svc.fail_next_launches(1, kCloud);
  Workspace::ok(w.svc.restart(Workspace::id_params(id)));
  w.advance(400'000);
  CHECK(w.state(id) == "TERMINATED");
  CHECK(w.get(id)["termination_reason"]["code"] == "CLOUD_PROVIDER_LAUNCH_FAILURE");
}

TEST_CASE("an invalid job cluster spec fails the launch") {
  Workspace w;
  Outcome o;
  const std::string id =
      w.svc.launch_job_cluster(json{{"num_workers", 1}}, 1, 2, o.on_ready(w), o.on_failed(w));
  w.advance(400'000);
  CHECK(o.failed == std::vector<std::string>{"INVALID_ARGUMENT"});
  const json reason = w.get(id)["termination_reason"];
  CHECK(reason["type"] == "CLIENT_ERROR");
  CHECK(reason["parameters"]["databricks_error_message"] ==
        "Missing required field: spark_version");
}

TEST_CASE("a user delete of a job cluster notifies on_terminated and on_failed") {
  Workspace w;
  Outcome o;
  std::vector<std::string> reasons;
  w.svc.on_terminated(
      [&](const std::string&, const TerminationReason& r) { reasons.push_back(r.code); });
  const std::string id =
      w.svc.launch_job_cluster(Workspace::spec(), 1, 2, o.on_ready(w), o.on_failed(w));
  Workspace::ok(w.svc.terminate(Workspace::id_params(id)));
  w.advance(400'000);
  CHECK(o.failed == std::vector<std::string>{"USER_REQUEST"});
  CHECK(reasons == std::vector<std::string>{"USER_REQUEST"});
}

TEST_CASE("a callback may call back into the service") {
  Workspace w;
  std::optional<std::string> id;
  id = w.svc.launch_job_cluster(
      Workspace::spec(), 1, 2, [&](const std::string& cid) { w.svc.finish_job_cluster(cid); },
      nullptr);
  w.advance(400'000);
  CHECK(w.state(*id) == "TERMINATED");
  CHECK(w.svc.count_in_state("TERMINATED") == 1);
}
