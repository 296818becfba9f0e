// ClustersClient over the in-process emulator.
#include "databricks/client/clusters_client.h"

#include <catch2/catch.hpp>

#include "databricks/client/client_testing.h"
#include "databricks/client/errors.h"

namespace databricks {
namespace {

using nlohmann::json;

using Fixture = testing::ClientFixture<ClustersClient>;

const json kSpec = {{"cluster_name", "c"},
                    {"spark_version", "15.4.x-scala2.12"},
                    {"node_type_id", "i3.xlarge"},
                    {"num_workers", 1}};

TEST_CASE("a cluster is created, starts, lists, terminates and is deleted for good") {
  Fixture f;
  CHECK(f.client.path("get") == "/api/2.1/clusters/get");
  auto id = f.wait<std::string>([&](auto done) { f.client.create(kSpec, done); });
  REQUIRE(id.ok());
  REQUIRE_FALSE(id->empty());
  auto c = f.wait<Cluster>([&](auto done) { f.client.get(*id, done); });
  REQUIRE(c.ok());
  CHECK(c->cluster_id == *id);
  CHECK(c->cluster_name == "c");
  CHECK(c->state == ClusterState::pending);
  f.w.loop.run_until(f.w.loop.now_ms() + 10 * fakedb::testing::kMinute);
  c = f.wait<Cluster>([&](auto done) { f.client.get(*id, done); });
  CHECK(c->state == ClusterState::running);
  CHECK(c->usable());
  auto all = f.wait<std::vector<Cluster>>([&](auto done) { f.client.list(done); });
  REQUIRE(all.ok());
  REQUIRE(all->size() == 1);
  CHECK(f.wait<Done>([&](auto done) { f.client.terminate(*id, done); }).ok());
  f.w.loop.run_until(f.w.loop.now_ms() + 10 * fakedb::testing::kMinute);
  c = f.wait<Cluster>([&](auto done) { f.client.get(*id, done); });
  CHECK(c->state == ClusterState::terminated);
  CHECK(f.wait<Done>([&](auto done) { f.client.permanent_delete(*id, done); }).ok());
  c = f.wait<Cluster>([&](auto done) { f.client.get(*id, done); });
  REQUIRE_FALSE(c.ok());
  CHECK(is_missing(c.error()));
}

TEST_CASE("a cluster state this code does not know reads as no state, kept as text") {
  const Cluster c = Cluster::from_json({{"cluster_id", "x"}, {"state", "UNKNOWN"}});
  CHECK(c.state_text == "UNKNOWN");
  CHECK_FALSE(c.state.has_value());
  CHECK_FALSE(c.usable());
  CHECK(parse_cluster_state(to_string(ClusterState::terminating)) == ClusterState::terminating);
}

}  // namespace
}  // namespace databricks
