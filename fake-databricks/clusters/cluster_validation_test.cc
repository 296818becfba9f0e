// Request validation, wrong types, ids, timings and the fixed catalogues.
#include <catch2/catch.hpp>
#include <regex>

#include "fake-databricks/clusters/cluster_test_support.h"

using namespace fakedb;
using namespace fakedb::clusters;
using namespace fakedb::clusters::testing;

namespace {
std::string create_error(json body) {
  Workspace w;
  const ApiError e = Workspace::err(w.svc.create(Params(std::move(body))));
  CHECK(e.error_code == "INVALID_PARAMETER_VALUE");
  CHECK(w.svc.count_in_state("PENDING") == 0);
  return e.message;
}

bool mentions(const std::string& message, const std::string& field) {
  return message.find(field) != std::string::npos;
}
}  // namespace

TEST_CASE("create requires spark_version") {
  CHECK(create_error({{"num_workers", 1}}) == "Missing required field: spark_version");
}

TEST_CASE("create requires exactly one of num_workers and autoscale") {
  const json base{{"spark_version", "15.4.x-scala2.12"}};
  json both = base;
  both["num_workers"] = 1;
  both["autoscale"] = {{"min_workers", 1}, {"max_workers", 2}};
  CHECK(mentions(create_error(both), "num_workers or autoscale"));
  CHECK(mentions(create_error(base), "num_workers or autoscale"));
  json single = base;
  single["is_single_node"] = true;
  Workspace w;
  CHECK(w.svc.create(Params(single)).ok());
}

TEST_CASE("autoscale bounds are checked") {
  json body{{"spark_version", "15.4.x-scala2.12"},
            {"autoscale", {{"min_workers", 3}, {"max_workers", 2}}}};
  CHECK(mentions(create_error(body), "autoscale.max_workers"));
  body["autoscale"] = {{"min_workers", -1}, {"max_workers", 2}};
  CHECK(mentions(create_error(body), "autoscale.min_workers"));
  body["autoscale"] = {{"max_workers", 2}};
  CHECK(create_error(body) == "Missing required field: autoscale.min_workers");
  body["num_workers"] = -2;
  body.erase("autoscale");
  CHECK(mentions(create_error(body), "num_workers"));
}

TEST_CASE("autoscale clusters start at min_workers") {
  Workspace w;
  const std::string id = w.running(
      {{"autoscale", {{"min_workers", 1}, {"max_workers", 4}}}, {"num_workers", nullptr}});
  const json d = w.get(id);
  CHECK(d["executors"].size() == 1);
  CHECK(d["autoscale"]["max_workers"] == 4);
  CHECK_FALSE(d.contains("num_workers"));
}

TEST_CASE("autotermination_minutes must be zero or between 10 and 10000") {
  CHECK(mentions(create_error(Workspace::spec({{"autotermination_minutes", 5}})),
                 "autotermination_minutes"));
  CHECK(mentions(create_error(Workspace::spec({{"autotermination_minutes", 10001}})),
                 "autotermination_minutes"));
  Workspace w;
  CHECK(w.svc.create(Params(Workspace::spec({{"autotermination_minutes", 10}}))).ok());
  CHECK(w.svc.create(Params(Workspace::spec({{"autotermination_minutes", 10000}}))).ok());
}

TEST_CASE("more than 45 custom tags are refused") {
  json tags = json::object();
  for (int i = 0; i < 46; ++i) tags["t" + std::to_string(i)] = "v";
  CHECK(mentions(create_error(Workspace::spec({{"custom_tags", tags}})), "custom_tags"));
  tags.erase("t0");
  Workspace w;
  const std::string id = w.create({{"custom_tags", tags}});
  CHECK(w.get(id)["custom_tags"].size() == 45);
}

TEST_CASE("field type errors name the field") {
  CHECK(mentions(create_error(Workspace::spec({{"num_workers", "two"}})), "num_workers"));
  CHECK(mentions(create_error(Workspace::spec({{"spark_version", 15}})), "spark_version"));
  CHECK(mentions(create_error(Workspace::spec({{"custom_tags", {{"k", 1}}}})), "custom_tags.k"));
  CHECK(mentions(create_error(Workspace::spec({{"spark_conf", json::array()}})), "spark_conf"));
  CHECK(mentions(create_error(Workspace::spec({{"autoscale", 3}, {"num_workers", nullptr}})),
                 "autoscale"));
  CHECK(mentions(create_error(Workspace::spec({{"data_security_mode", "OPEN"}})),
                 "data_security_mode"));
  CHECK(mentions(create_error(Workspace::spec({{"init_scripts", "x"}})), "init_scripts"));
}

TEST_CASE("wrong types for cluster_id never crash") {
  Workspace w;
  w.running();
  for (const json& bad : {json(5), json::object(), json::array({1}), json(true), json(1.5)}) {
    const Params p(json{{"cluster_id", bad}, {"num_workers", "x"}, {"page_size", "y"}});
    for (auto r : {w.svc.get(p), w.svc.edit(p), w.svc.update(p), w.svc.start(p), w.svc.restart(p),
                   w.svc.resize(p), w.svc.terminate(p), w.svc.permanent_delete(p), w.svc.events(p),
                   w.svc.pin(p), w.svc.unpin(p)}) {
      const ApiError e = Workspace::err(r);
      CHECK(e.error_code == "INVALID_PARAMETER_VALUE");
      CHECK(mentions(e.message, "cluster_id"));
    }
  }
  CHECK_FALSE(w.svc.list(Params(json{{"filter_by", 3}})).ok());
  CHECK_FALSE(w.svc.list(Params(json{{"page_size", "big"}})).ok());
  CHECK_FALSE(w.svc.list(Params(json{{"filter_by", {{"is_pinned", "yes"}}}})).ok());
  CHECK_FALSE(w.svc.create(Params(json{{"spark_version", json::object()}})).ok());
  w.svc.ensure_running("", nullptr, nullptr);
  w.svc.attach("nope");
  w.svc.detach("nope");
  w.svc.finish_job_cluster("nope");
  CHECK(w.svc.count_in_state("NOT_A_STATE") == 0);
}

TEST_CASE("cluster ids encode the virtual time in UTC") {
  Workspace w;
  const std::string id = w.create();
  CHECK(std::regex_match(id, std::regex("1121-053204-[a-z0-9]{8}")));
}

TEST_CASE("the same seed gives the same cluster ids") {
  auto ids = [](std::uint64_t seed) {
    Workspace w(seed);
    std::vector<std::string> out;
    for (int i = 0; i < 4; ++i) {
      out.push_back(w.create());
      w.advance(250'000);
    }
    return out;
  };
  CHECK(ids(3) == ids(3));
  CHECK(ids(3) != ids(4));
}

TEST_CASE("timings_from_json reads known keys and rejects unknown ones") {
  auto t = timings_from_json(json{{"start_min_ms", 1}, {"start_max_ms", 2}});
  REQUIRE(t.ok());
  CHECK(t->start_min_ms == 1);
  CHECK(t->terminate_max_ms == 30'000);
  CHECK_FALSE(timings_from_json(json{{"start_slowly", 1}}).ok());
  CHECK_FALSE(timings_from_json(json{{"resize_min_ms", 999'999}}).ok());
  CHECK_FALSE(timings_from_json(json{{"start_min_ms", "1"}}).ok());
  CHECK_FALSE(timings_from_json(json::array()).ok());
}

TEST_CASE("spark_versions and list_node_types return fixed lists") {
  Workspace w;
  const json versions = Workspace::ok(w.svc.spark_versions(Params(json::object())));
  CHECK(versions["versions"].size() >= 5);
  CHECK(versions["versions"][0].contains("key"));
  const json nodes = Workspace::ok(w.svc.list_node_types(Params(json::object())));
  CHECK(nodes["node_types"].size() >= 5);
  bool has_i3 = false;
  for (const auto& n : nodes["node_types"]) {
    has_i3 = has_i3 || n["node_type_id"] == "i3.xlarge";
    // The SDKs' node selectors read the instance's local disks (selectNodeType({localDisk})).
    CHECK(n["node_instance_type"]["instance_type_id"] == n["node_type_id"]);
    CHECK(n["node_instance_type"].value("local_nvme_disks", 0) >= 1);
    CHECK(n["node_instance_type"].value("local_nvme_disk_size_gb", 0) > 0);
  }
  CHECK(has_i3);
}
