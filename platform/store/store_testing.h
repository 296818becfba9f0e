// Test helpers for the store's tests (not part of kiln_store).
#pragma once

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "platform/store/sqlite_store.h"

namespace kiln::store::testing {

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "kiln-store-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Opens the store at `path` (":memory:" by default), failing the test with the error if it
// does not open.
inline std::unique_ptr<MetadataStore> open_store(const std::string& path = ":memory:") {
  auto store = open_sqlite_store(path);
  INFO((store ? std::string() : store.error().describe()));
  REQUIRE(store.ok());
  return std::move(store).value();
}

// REQUIREs that `result` is ok, showing its error otherwise.
#define STORE_REQUIRE_OK(result)                                              \
  do {                                                                        \
    const auto& store_result_ = (result);                                     \
    INFO((store_result_ ? std::string() : store_result_.error().describe())); \
    REQUIRE(store_result_.ok());                                              \
  } while (false)

inline Build build(const std::string& id, std::int64_t created_ms,
                   BuildStatus status = BuildStatus::kSucceeded) {
  return Build{id, "sha-" + id, created_ms, status, "", 3};
}

inline DeploymentRequest request(const std::string& name, const std::string& target,
                                 const std::string& build_id, std::int64_t version,
                                 std::int64_t created_ms) {
  return DeploymentRequest{name,           target,       build_id,  version, Strategy::kBlueGreen,
                           "cd:" + target, "version up", created_ms};
}

}  // namespace kiln::store::testing
