// For the client tests: a client over the in-process emulator, and a way to wait for one answer.
#pragma once

#include <catch2/catch.hpp>
#include <optional>
#include <utility>

#include "databricks/api/api_error.h"
#include "fake-databricks/workspace/testing.h"

namespace databricks::testing {

template <class Client>
struct ClientFixture {
  fakedb::testing::Workspace w;
  Client client{w.ws};

  // Starts a call with `start(done)` and runs the loop until `done` has its answer.
  template <class T, class F>
  ApiResult<T> wait(F&& start) {
    std::optional<ApiResult<T>> out;
    start([&out](ApiResult<T> r) { out.emplace(std::move(r)); });
    while (!out && w.loop.step()) {
    }
    REQUIRE(out.has_value());
    return std::move(*out);
  }
};

}  // namespace databricks::testing
