// clusters/list and clusters/events: filters, order and paging.
#include <catch2/catch.hpp>

#include "fake-databricks/clusters/cluster_test_support.h"

using namespace fakedb;
using namespace fakedb::clusters;
using namespace fakedb::clusters::testing;

namespace {
std::vector<std::string> ids_of(const json& page) {
  std::vector<std::string> out;
  for (const auto& c : page.value("clusters", json::array())) {
    out.push_back(c["cluster_id"].get<std::string>());
  }
  return out;
}
}  // namespace

TEST_CASE("list orders active clusters newest first then terminated ones") {
  Workspace w;
  const std::string a = w.running();
  const std::string b = w.running();
  const std::string c = w.running();
  Workspace::ok(w.svc.terminate(Workspace::id_params(b)));
  w.loop.run_until(w.loop.now_ms() + 60'000);
  const std::string d = w.create();
  CHECK(ids_of(Workspace::ok(w.svc.list(Params(json::object())))) ==
        std::vector<std::string>{d, c, a, b});
}

TEST_CASE("list filters by state source pin and policy") {
  Workspace w;
  const std::string running = w.running({{"policy_id", "P1"}});
  const std::string pending = w.create();
  const std::string job = w.svc.launch_job_cluster(Workspace::spec(), 1, 2, nullptr, nullptr);
  Workspace::ok(w.svc.pin(Workspace::id_params(pending)));
  auto list = [&](json filter) {
    return ids_of(Workspace::ok(w.svc.list(Params(json{{"filter_by", filter}}))));
  };
  CHECK(list({{"cluster_states", {"RUNNING"}}}) == std::vector<std::string>{running});
  CHECK(list({{"cluster_states", {"PENDING"}}}) == std::vector<std::string>{pending, job});
  CHECK(list({{"cluster_sources", {"JOB"}}}) == std::vector<std::string>{job});
  CHECK(list({{"is_pinned", true}}) == std::vector<std::string>{pending});
  CHECK(list({{"policy_id", "P1"}}) == std::vector<std::string>{running});
  const ApiError e =
      Workspace::err(w.svc.list(Params(json{{"filter_by", {{"cluster_states", {"SLEEPING"}}}}})));
  CHECK(e.message.find("filter_by.cluster_states") != std::string::npos);
}

TEST_CASE("list reads dotted filter_by from a query string") {
  Workspace w;
  const std::string running = w.running();
  w.create();
  auto params = Params::from(ApiRequest::get(
      "/api/2.1/clusters/list",
      {{"filter_by.cluster_states", "RUNNING"}, {"filter_by.cluster_states", "RESIZING"}}));
  REQUIRE(params.ok());
  CHECK(ids_of(Workspace::ok(w.svc.list(*params))) == std::vector<std::string>{running});
}

TEST_CASE("list pages with opaque tokens") {
  Workspace w;
  std::vector<std::string> all;
  for (int i = 0; i < 5; ++i) {
    all.insert(all.begin(), w.create());
    w.advance(1000);
  }
  json page = Workspace::ok(w.svc.list(Params(json{{"page_size", 2}})));
  std::vector<std::string> seen = ids_of(page);
  CHECK_FALSE(page.contains("prev_page_token"));
  while (page.contains("next_page_token")) {
    const std::string token = page["next_page_token"].get<std::string>();
    CHECK(token.find_first_not_of("0123456789abcdef") == std::string::npos);
    page = Workspace::ok(w.svc.list(Params(json{{"page_size", 2}, {"page_token", token}})));
    CHECK(page.contains("prev_page_token"));
    for (const auto& id : ids_of(page)) seen.push_back(id);
  }
  CHECK(seen == all);
  const json back = Workspace::ok(
      w.svc.list(Params(json{{"page_size", 2}, {"page_token", page["prev_page_token"]}})));
  CHECK(ids_of(back) == std::vector<std::string>{all[2], all[3]});
  CHECK_FALSE(w.svc.list(Params(json{{"page_token", "zz"}})).ok());
}

TEST_CASE("list hides clusters terminated over 30 days ago unless pinned") {
  Workspace w;
  const std::string a = w.running();
  const std::string b = w.running();
  Workspace::ok(w.svc.pin(Workspace::id_params(b)));
  Workspace::ok(w.svc.terminate(Workspace::id_params(a)));
  Workspace::ok(w.svc.terminate(Workspace::id_params(b)));
  w.loop.run_until_idle();
  w.advance(29 * kDay);
  CHECK(ids_of(Workspace::ok(w.svc.list(Params(json::object())))).size() == 2);
  w.advance(2 * kDay);
  CHECK(ids_of(Workspace::ok(w.svc.list(Params(json::object())))) == std::vector<std::string>{b});
  CHECK(w.state(a) == "TERMINATED");  // get still answers until 60 days
}

TEST_CASE("events are newest first by default and oldest first with ASC") {
  Workspace w;
  const std::string id = w.running();
  json desc = Workspace::ok(w.svc.events(Workspace::id_params(id)));
  CHECK(desc["total_count"] == 3);
  CHECK(desc["events"][0]["type"] == "RUNNING");
  CHECK(desc["events"][2]["type"] == "CREATING");
  CHECK(desc["events"][2]["timestamp"] == kT0);
  CHECK(desc["events"][0]["cluster_id"] == id);
  json asc = Workspace::ok(w.svc.events(Workspace::id_params(id, {{"order", "ASC"}})));
  CHECK(asc["events"][0]["type"] == "CREATING");
  CHECK_FALSE(w.svc.events(Workspace::id_params(id, {{"order", "UP"}})).ok());
}

TEST_CASE("events page with page_token and report total_count") {
  Workspace w;
  const std::string id = w.running();
  for (int i = 0; i < 3; ++i) {
    Workspace::ok(w.svc.pin(Workspace::id_params(id)));
    Workspace::ok(w.svc.unpin(Workspace::id_params(id)));
  }
  std::vector<std::string> types;
  json page = Workspace::ok(w.svc.events(Workspace::id_params(id, {{"page_size", 4}})));
  CHECK(page["total_count"] == 9);
  for (;;) {
    for (const auto& e : page["events"]) types.push_back(e["type"].get<std::string>());
    if (!page.contains("next_page_token")) break;
    page = Workspace::ok(w.svc.events(
        Workspace::id_params(id, {{"page_size", 4}, {"page_token", page["next_page_token"]}})));
    CHECK(page.contains("prev_page_token"));
  }
  CHECK(types.size() == 9);
  CHECK(types.front() == "UNPINNED");
  CHECK(types.back() == "CREATING");
  CHECK_FALSE(w.svc.events(Workspace::id_params(id, {{"page_size", 501}})).ok());
}

TEST_CASE("events legacy limit and offset return next_page") {
  Workspace w;
  const std::string id = w.running();
  json page = Workspace::ok(w.svc.events(Workspace::id_params(id, {{"limit", 2}})));
  REQUIRE(page.contains("next_page"));
  CHECK(page["next_page"]["offset"] == 2);
  CHECK(page["next_page"]["limit"] == 2);
  CHECK(page["next_page"]["cluster_id"] == id);
  json next = Workspace::ok(w.svc.events(Params(page["next_page"])));
  CHECK(next["events"].size() == 1);
  CHECK(next["events"][0]["type"] == "CREATING");
  CHECK_FALSE(next.contains("next_page"));
}

TEST_CASE("events filter by type and time window") {
  Workspace w;
  const std::string id = w.running();
  const auto ran = w.get(id)["last_restarted_time"].get<std::int64_t>();
  Workspace::ok(w.svc.resize(Workspace::id_params(id, {{"num_workers", 4}})));
  json r = Workspace::ok(w.svc.events(
      Workspace::id_params(id, {{"event_types", {"RUNNING", "RESIZING"}}, {"order", "ASC"}})));
  REQUIRE(r["events"].size() == 2);
  CHECK(r["events"][1]["details"]["target_num_workers"] == 4);
  r = Workspace::ok(
      w.svc.events(Workspace::id_params(id, {{"start_time", ran}, {"end_time", ran}})));
  CHECK(r["total_count"] == 2);  // DRIVER_HEALTHY and RUNNING
  CHECK_FALSE(w.svc.events(Workspace::id_params(id, {{"event_types", {"NAPPING"}}})).ok());
}

TEST_CASE("pin and unpin record events once") {
  Workspace w;
  const std::string id = w.create();
  Workspace::ok(w.svc.pin(Workspace::id_params(id)));
  Workspace::ok(w.svc.pin(Workspace::id_params(id)));
  Workspace::ok(w.svc.unpin(Workspace::id_params(id)));
  CHECK(w.event_types(id) == std::vector<std::string>{"CREATING", "PINNED", "UNPINNED"});
}
