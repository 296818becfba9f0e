// Streaming runs through the whole workspace: a job whose parameters name a stream, started by
// run-now, writing under kiln's lock; cancel, crash and configuration.
#include <catch2/catch.hpp>

#include "core/streams/memory_lock_service.h"
#include "fake-databricks/workspace/testing.h"

namespace fakedb::testing {
namespace {

json streams_config(json faults = json::array()) {
  const json model = {{"kind", "streaming"}, {"startup_ms", 2'000}};
  return {{"workloads", {{"rules", {{{"match", {{"path", "*stream*"}}}, {"model", model}}}}}},
          {"streams", {{{"name", "orders"}, {"rate", 100}}}},
          {"faults", {{"scheduled", std::move(faults)}}}};
}

json streaming_job(const std::string& name, const std::string& holder) {
  json job = job_spec(name, json::array({notebook_task("main", "/Workspace/orders/stream_main")}));
  job["parameters"] = {{{"name", "kiln_stream"}, {"default", "orders"}},
                       {{"name", "kiln_holder"}, {"default", holder}}};
  return job;
}

struct StreamsWorkspace : Workspace {
  explicit StreamsWorkspace(json faults = json::array())
      : Workspace(streams_config(std::move(faults))) {
    ws.attach_streams(locks);
  }
  ~StreamsWorkspace() { ws.detach_streams(); }  // locks goes before the workspace
  std::string holder() {
    const auto s = locks.state("orders", nullptr);
    return s ? s->holder_at(loop.now_ms()) : "";
  }
  kiln::streams::MemoryLockService locks{loop, &events};
};

}  // namespace

TEST_CASE("a job naming a stream writes its outputs under the lock and cancel releases it") {
  StreamsWorkspace w;
  const auto job_id = w.create_job(streaming_job("orders-v1", "v1"));
  const auto run_id = w.run_now(job_id);
  w.advance(10 * kMinute);
  REQUIRE(w.life_cycle(run_id) == "RUNNING");

  const auto runs = w.ws.streams().runs();
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].setup.holder == "v1");
  CHECK(runs[0].setup.job_id == job_id);
  CHECK(runs[0].setup.run_id == run_id);
  CHECK(runs[0].role == streaming::Role::writer);
  const auto& writes = w.ws.streams().sink().writes();
  REQUIRE_FALSE(writes.empty());
  CHECK(writes.front().from == 0);
  CHECK(writes.front().writer == "v1");
  CHECK_FALSE(streaming::exactly_once_violation(w.ws.streams().sink(), "orders").has_value());
  CHECK(w.holder() == "v1");

  w.ok(w.post("runs/cancel", {{"run_id", run_id}}));
  CHECK(w.holder().empty());  // released at once, not after the lease
  const std::size_t written = writes.size();
  w.advance(kRunTime);
  CHECK(w.result(run_id) == "CANCELED");
  CHECK(w.ws.streams().sink().writes().size() == written);
  CHECK(w.ws.streams().run(runs[0].setup.task_run_id)->role == streaming::Role::stopped);
}

TEST_CASE("run-now job parameters name the holder and a job without a stream has no stream run") {
  StreamsWorkspace w;
  const auto job_id = w.create_job(streaming_job("orders-v2", "v1"));
  const auto run_id = w.run_now(job_id, {{"job_parameters", {{"kiln_holder", "v2"}}}});
  json plain = job_spec("plain", json::array({notebook_task("main", "/Workspace/stream_x")}));
  const auto plain_run = w.run_now(w.create_job(plain));
  w.advance(10 * kMinute);
  CHECK(w.life_cycle(plain_run) == "RUNNING");
  const auto runs = w.ws.streams().runs();
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].setup.run_id == run_id);
  CHECK(runs[0].setup.holder == "v2");
  CHECK(w.holder() == "v2");
}

TEST_CASE("a crashed streaming attempt fails and keeps the lock until its lease runs out") {
  const kiln::core::TimeMs start = test_config().start_time_ms;
  StreamsWorkspace w(
      json::array({{{"at", start + 8 * kMinute}, {"kind", "stream_crash"}, {"job", "orders-*"}}}));
  const auto run_id = w.run_now(w.create_job(streaming_job("orders-v1", "v1")));
  w.advance(8 * kMinute);
  REQUIRE(w.holder() == "v1");
  w.advance(1);
  CHECK(w.ws.streams().runs().at(0).role == streaming::Role::stopped);
  CHECK(w.holder() == "v1");  // no release
  w.advance(kRunTime);
  CHECK(w.result(run_id) == "FAILED");
  CHECK(w.holder().empty());  // the lease ran out
}

TEST_CASE("without a lock service a job naming a stream runs as a plain streaming task") {
  Workspace w(streams_config());
  const auto run_id = w.run_now(w.create_job(streaming_job("orders-v1", "v1")));
  w.advance(10 * kMinute);
  CHECK(w.life_cycle(run_id) == "RUNNING");
  CHECK(w.ws.streams().runs().empty());
  CHECK(w.ws.streams().sink().writes().empty());
}

TEST_CASE("stream sources and faults in the workspace config name a wrong field") {
  auto config = WorkspaceConfig::from_json(
      {{"streams", {{{"name", "orders"}, {"rate", 250}}}},
       {"faults",
        {{"scheduled",
          {{{"at", 5}, {"kind", "stream_partition"}, {"for_ms", 1000}, {"holder", "v2"}},
           {{"at", 5}, {"kind", "driver_lost"}}}}}}});
  REQUIRE(config.ok());
  CHECK(config->streams.at(0).rate == 250);
  CHECK(config->stream_faults.at(0).kind == streaming::StreamFault::Kind::partition);
  CHECK(config->scheduled_faults.size() == 1);
  auto bad = WorkspaceConfig::from_json({{"streams", {{{"name", "orders"}, {"rate", "fast"}}}}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "streams[0].rate: expected positions per second from 0 to 10000000");
  bad = WorkspaceConfig::from_json({{"streams", {{{"name", "orders"}}, {{"name", "orders"}}}}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "streams[1].name: a second source of orders");
  bad = WorkspaceConfig::from_json(
      {{"faults", {{"scheduled", {{{"at", 5}, {"kind", "stream_stall"}}}}}}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "faults.scheduled[0].for_ms: required for stream_stall");
  bad = WorkspaceConfig::from_json(
      {{"workloads", {{"default", {{"kind", "streaming"}, {"tick_ms", -1}}}}}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message ==
        "workloads.default.tick_ms: expected an integer from 1 to 3600000 (milliseconds)");
}

}  // namespace fakedb::testing
