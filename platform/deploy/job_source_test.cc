#include "platform/deploy/job_source.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "platform/artifacts/build_writer.h"
#include "platform/artifacts/local_store.h"
#include "platform/store/store_testing.h"

namespace kiln::deploy {
namespace {

const std::string kConfig = R"(kind: Job
name: orders
target: production
deployVersion: 4
settings:
  tasks:
    - task_key: main
      notebook_task: {notebook_path: /Workspace/etl/nb}
      new_cluster: {spark_version: 15.4.x-scala2.12, node_type_id: i3.xlarge, num_workers: 1}
)";

struct Fixture {
  store::testing::TempDir dir;
  std::unique_ptr<artifacts::ArtifactStore> store =
      std::move(artifacts::open_local_store(dir.file("a")).value());

  artifacts::BuildRecord build(const std::string& config_text) {
    artifacts::BuildWriter writer(*store);
    artifacts::BuildInput input{std::string(40, 'c'), 1'000, {}};
    input.jobs.push_back({"orders",
                          "production",
                          4,
                          {{"kiln.yaml", "kind: JobFolder\nconfigs: [c/*.yaml]\n", false},
                           {"c/production.yaml", config_text, false},
                           {"src/main.py", "print(1)\n", false}}});
    return writer.write(input).value();
  }
};

}  // namespace

TEST_CASE("A job's config is read back from its build", "[job-source]") {
  Fixture f;
  const auto record = f.build(kConfig);
  auto source = load_job_source(*f.store, record.build_id, "orders", "production");
  REQUIRE(source.ok());
  CHECK(source->config.deploy_version == 4);
  CHECK(source->config.file == "c/production.yaml");
  CHECK(source->build.commit_sha == std::string(40, 'c'));
  CHECK(source->config.settings["tasks"][0]["task_key"] == "main");
}

TEST_CASE("Every way a job cannot be read from a build is an error naming it", "[job-source]") {
  Fixture f;
  const auto record = f.build(kConfig);
  CHECK_THAT(load_job_source(*f.store, "b-missing", "orders", "production").error().message,
             Catch::Contains("b-missing"));
  CHECK_THAT(load_job_source(*f.store, record.build_id, "orders", "dev").error().message,
             Catch::Contains("has no job orders (dev); it has orders (production)"));

  // A corrupt archive is refused by its hash, never deployed.
  const auto& hash = record.jobs[0].content_hash;
  const auto object =
      std::filesystem::path(f.dir.file("a")) / "objects" / hash.substr(0, 2) / hash.substr(2);
  std::filesystem::permissions(object, std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  {
    std::ofstream out(object, std::ios::binary | std::ios::trunc);
    out << "not the archive";
  }
  CHECK_THAT(load_job_source(*f.store, record.build_id, "orders", "production").error().message,
             Catch::Contains(hash.substr(0, 12)));

  artifacts::BuildWriter writer(*f.store);
  const auto failed = writer.write_failed(std::string(40, 'd'), 2'000, "bad config").value();
  CHECK_THAT(load_job_source(*f.store, failed.build_id, "orders", "production").error().message,
             Catch::Contains("failed (bad config)"));
}

}  // namespace kiln::deploy
