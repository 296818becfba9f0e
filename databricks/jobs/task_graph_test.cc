// build_task_graph and select_tasks (run-now `only`).
#include <catch2/catch.hpp>

#include "databricks/jobs/test_util.h"

using namespace databricks::jobs;           // NOLINT(google-build-using-namespace)
using namespace databricks::jobs::testing;  // NOLINT(google-build-using-namespace)

using Indices = std::vector<std::size_t>;

namespace {
// a -> b -> d, a -> c -> d, e alone (arrows point downstream).
json diamond() {
  return json::array({notebook("a"), depends(notebook("b"), {"a"}), depends(notebook("c"), {"a"}),
                      depends(notebook("d"), {"c", "b"}), notebook("e")});
}

Indices select(const json& only) {
  auto r = select_tasks(build_task_graph(diamond()), only);
  REQUIRE(r.ok());
  return r.value();
}
}  // namespace

TEST_CASE("the graph keeps declaration order and both edge directions") {
  const TaskGraph g = build_task_graph(diamond());
  CHECK(g.keys == std::vector<std::string>{"a", "b", "c", "d", "e"});
  CHECK(g.upstream[3] == Indices{2, 1});
  CHECK(g.downstream[0] == Indices{1, 2});
  CHECK(g.index_of("d") == std::optional<std::size_t>(3));
  CHECK_FALSE(g.index_of("zzz"));
}

TEST_CASE("topological order breaks ties by declaration order") {
  CHECK(build_task_graph(diamond()).topological_order == Indices{0, 1, 2, 3, 4});
  // c depends on a, declared first: a runs, then the earliest-declared ready task (c), then b.
  const json tasks = {depends(notebook("c"), {"a"}), notebook("a"), notebook("b")};
  CHECK(build_task_graph(tasks).topological_order == Indices{1, 0, 2});
}

TEST_CASE("tasks on a cycle are left out of the topological order") {
  const json tasks = {depends(notebook("a"), {"b"}), depends(notebook("b"), {"a"}), notebook("c")};
  CHECK(build_task_graph(tasks).topological_order == Indices{2});
}

TEST_CASE("the graph of malformed tasks is built without throwing") {
  const json tasks = {
      42,
      {{"task_key", 7}},
      {{"task_key", "x"}, {"depends_on", "a"}},
      {{"task_key", "y"}, {"depends_on", {5, {{"task_key", "nope"}}, {{"task_key", "x"}}}}}};
  TaskGraph g;
  REQUIRE_NOTHROW(g = build_task_graph(tasks));
  CHECK(g.keys == std::vector<std::string>{"", "", "x", "y"});
  CHECK(g.upstream[3] == Indices{2});
  CHECK(build_task_graph(json("not an array")).keys.empty());
}

TEST_CASE("duplicate depends_on entries make one edge") {
  const json tasks = {notebook("a"), depends(notebook("b"), {"a", "a"})};
  CHECK(build_task_graph(tasks).upstream[1] == Indices{0});
}

TEST_CASE("only with plain keys selects just those tasks, in declaration order") {
  CHECK(select({"d", "b"}) == Indices{1, 3});
}

TEST_CASE("only with a + prefix adds the upstream closure") {
  CHECK(select({"+d"}) == Indices{0, 1, 2, 3});
  CHECK(select({"+b"}) == Indices{0, 1});
}

TEST_CASE("only with a + suffix adds the downstream closure") {
  CHECK(select({"a+"}) == Indices{0, 1, 2, 3});
  CHECK(select({"c+"}) == Indices{2, 3});
}

TEST_CASE("only with + on both sides adds both closures") {
  CHECK(select({"+c+"}) == Indices{0, 2, 3});
}

TEST_CASE("only absent or empty selects every task") {
  CHECK(select(json()) == Indices{0, 1, 2, 3, 4});
  CHECK(select(json::array()) == Indices{0, 1, 2, 3, 4});
}

TEST_CASE("only with an unknown key is INVALID_PARAMETER_VALUE") {
  auto r = select_tasks(build_task_graph(diamond()), {"a", "+nope"});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().error_code == "INVALID_PARAMETER_VALUE");
  CHECK(r.error().message == "only[1] references unknown task key 'nope'.");
  CHECK(select_tasks(build_task_graph(diamond()), {"+"}).error().message ==
        "only[0] references unknown task key ''.");
}

TEST_CASE("only must be an array of strings") {
  CHECK(select_tasks(build_task_graph(diamond()), "a").error().message ==
        "only must be an array, got string.");
  CHECK(select_tasks(build_task_graph(diamond()), {"a", 1}).error().message ==
        "only[1] must be a string, got integer.");
}
