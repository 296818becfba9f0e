#include "core/streams/invariants.h"

#include <catch2/catch.hpp>

namespace kiln::streams {
namespace {

core::Event lock(core::TimeMs t, const std::string& holder, std::int64_t token) {
  return {t, "stream.lock", {{"stream", "s"}, {"holder", holder}, {"token", token}}};
}
core::Event write(core::TimeMs t, const std::string& writer, std::int64_t token, std::int64_t from,
                  std::int64_t to) {
  return {t,
          "stream.write",
          {{"stream", "s"}, {"writer", writer}, {"token", token}, {"from", from}, {"to", to}}};
}
core::Event phase(core::TimeMs t, std::int64_t deployment, const std::string& name) {
  return {t, "kiln.phase", {{"deployment", deployment}, {"phase", name}, {"outcome", "running"}}};
}
core::Event aborted(core::TimeMs t, std::int64_t deployment) {
  return {t, "kiln.deployment", {{"deployment", deployment}, {"status", "aborted"}}};
}

std::vector<std::string> check(const std::vector<core::Event>& events,
                               core::TimeMs end = 1'000'000) {
  InvariantChecker checker(InvariantOptions{10'000});
  for (const auto& e : events) checker.observe(e);
  checker.finish(end);
  return checker.violations();
}

}  // namespace

TEST_CASE("a clean handover from blue to green breaks no invariant") {
  CHECK(check({lock(0, "deployment-1", 1), write(1, "deployment-1", 1, 0, 10),
               lock(2, "deployment-2", 2), write(3, "deployment-2", 2, 10, 20),
               phase(4, 2, "stop-blue")})
            .empty());
}

TEST_CASE("a write with a stale token breaks single-writer") {
  const auto v = check(
      {lock(0, "deployment-1", 1), lock(2, "deployment-2", 2), write(3, "deployment-1", 1, 0, 10)});
  REQUIRE(v.size() == 1);
  CHECK_THAT(v[0], Catch::Contains("single-writer") && Catch::Contains("newest token is 2"));
}

TEST_CASE("gaps and positions written twice break contiguous") {
  const auto gap = check({lock(0, "a", 1), write(1, "a", 1, 0, 10), write(2, "a", 1, 11, 20)});
  REQUIRE(gap.size() == 1);
  CHECK_THAT(gap[0], Catch::Contains("(a gap)"));
  const auto dup = check({lock(0, "a", 1), write(1, "a", 1, 0, 10), write(2, "a", 1, 5, 20)});
  REQUIRE(dup.size() == 1);
  CHECK_THAT(dup[0], Catch::Contains("(written twice)"));
}

TEST_CASE("stopping blue before green holds the lock breaks blue-kept") {
  const auto v = check({lock(0, "deployment-1", 1), lock(1, "deployment-2", 2),
                        lock(2, "deployment-1", 3), phase(3, 2, "stop-blue")});
  REQUIRE(v.size() == 1);
  CHECK_THAT(v[0], Catch::Contains("blue-kept") && Catch::Contains("deployment-1 did"));
}

TEST_CASE("after an abort blue must hold the lock again within the bound") {
  CHECK(check({lock(0, "deployment-1", 1), lock(1, "deployment-2", 2), aborted(5, 2),
               lock(9'000, "deployment-1", 3)})
            .empty());
  const auto late = check({lock(0, "deployment-1", 1), lock(1, "deployment-2", 2), aborted(5, 2),
                           lock(20'000, "deployment-1", 3)});
  REQUIRE(late.size() == 1);
  CHECK_THAT(late[0], Catch::StartsWith("10005 ms: handback"));
  // A green given up for a newer request hands back the same way.
  const core::Event superseded{5, "kiln.deployment", {{"deployment", 2}, {"status", "superseded"}}};
  CHECK(check({lock(0, "deployment-1", 1), lock(1, "deployment-2", 2), superseded}).size() == 1);
  // Still open at the end of the run: checked then.
  CHECK(check({lock(0, "deployment-1", 1), lock(1, "deployment-2", 2), aborted(5, 2)}, 50'000)
            .size() == 1);
}

}  // namespace kiln::streams
