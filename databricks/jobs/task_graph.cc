// The task DAG of a job: build, order, find cycles, and the run-now `only` selection.
#include <algorithm>
#include <functional>
#include <queue>
#include <unordered_map>

#include "databricks/jobs/checks.h"
#include "databricks/jobs/job_settings.h"
#include "databricks/jobs/validate_parts.h"

namespace databricks::jobs {

using detail::json;

std::optional<std::size_t> TaskGraph::index_of(const std::string& key) const {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] == key) return i;
  }
  return std::nullopt;
}

namespace {
std::string key_of(const json& task) {
  if (!task.is_object()) return {};
  auto it = task.find("task_key");
  return it != task.end() && it->is_string() ? it->get<std::string>() : std::string();
}
}  // namespace

TaskGraph build_task_graph(const json& tasks) {
  TaskGraph g;
  if (!tasks.is_array()) return g;
  const std::size_t n = tasks.size();
  g.keys.reserve(n);
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < n; ++i) {
    g.keys.push_back(key_of(tasks[i]));
    index.emplace(g.keys.back(), i);  // the first declaration wins
  }
  g.upstream.assign(n, {});
  g.downstream.assign(n, {});
  for (std::size_t i = 0; i < n; ++i) {
    const json& t = tasks[i];
    if (!t.is_object()) continue;
    auto deps = t.find("depends_on");
    if (deps == t.end() || !deps->is_array()) continue;
    for (const json& d : *deps) {
      auto it = index.find(key_of(d));
      if (it == index.end() || !d.is_object()) continue;
      const std::size_t u = it->second;
      auto& up = g.upstream[i];
      if (std::find(up.begin(), up.end(), u) != up.end()) continue;  // duplicate edge
      up.push_back(u);
      g.downstream[u].push_back(i);
    }
  }
  // Kahn's algorithm with a min-heap of ready indices: among ready tasks the earliest declared
  // goes first, so the order is deterministic and stable under unrelated edits.
  std::vector<std::size_t> pending(n);
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
  for (std::size_t i = 0; i < n; ++i) {
    pending[i] = g.upstream[i].size();
    if (pending[i] == 0) ready.push(i);
  }
  while (!ready.empty()) {
    const std::size_t i = ready.top();
    ready.pop();
    g.topological_order.push_back(i);
    for (std::size_t d : g.downstream[i]) {
      if (--pending[d] == 0) ready.push(d);
    }
  }
  return g;
}

namespace detail {

std::vector<std::size_t> find_cycle(const TaskGraph& g) {
  // Depth-first search over upstream edges; a grey node met again closes a cycle.
  enum Color : unsigned char { kWhite, kGrey, kBlack };
  std::vector<Color> color(g.keys.size(), kWhite);
  std::vector<std::size_t> stack;
  std::vector<std::size_t> cycle;
  std::function<bool(std::size_t)> visit = [&](std::size_t i) {
    color[i] = kGrey;
    stack.push_back(i);
    for (std::size_t u : g.upstream[i]) {
      if (color[u] == kGrey) {
        auto from = std::find(stack.begin(), stack.end(), u);
        cycle.assign(from, stack.end());
        cycle.push_back(u);
        return true;
      }
      if (color[u] == kWhite && visit(u)) return true;
    }
    stack.pop_back();
    color[i] = kBlack;
    return false;
  };
  for (std::size_t i = 0; i < g.keys.size(); ++i) {
    if (color[i] == kWhite && visit(i)) break;
  }
  return cycle;
}

}  // namespace detail

namespace {
void close_over(const std::vector<std::vector<std::size_t>>& edges, std::size_t start,
                std::vector<bool>& selected) {
  std::vector<std::size_t> todo{start};
  while (!todo.empty()) {
    const std::size_t i = todo.back();
    todo.pop_back();
    for (std::size_t j : edges[i]) {
      if (!selected[j]) {
        selected[j] = true;
        todo.push_back(j);
      }
    }
  }
}
}  // namespace

ApiResult<std::vector<std::size_t>> select_tasks(const TaskGraph& graph, const json& only) {
  const std::size_t n = graph.keys.size();
  std::vector<std::size_t> all(n);
  for (std::size_t i = 0; i < n; ++i) all[i] = i;
  if (only.is_null()) return all;
  if (auto e = detail::check_array(only, "only")) return *e;
  if (only.empty()) return all;

  std::vector<bool> selected(n, false);
  for (std::size_t k = 0; k < only.size(); ++k) {
    const std::string path = detail::item_path("only", k);
    if (auto e = detail::check_string(only[k], path)) return *e;
    std::string key = only[k].get<std::string>();
    const bool up = !key.empty() && key.front() == '+';
    if (up) key.erase(0, 1);
    const bool down = !key.empty() && key.back() == '+';
    if (down) key.pop_back();
    auto i = graph.index_of(key);
    if (key.empty() || !i) {
      return detail::invalid(path, path + " references unknown task key '" + key + "'.");
    }
    selected[*i] = true;
    if (up) close_over(graph.upstream, *i, selected);
    if (down) close_over(graph.downstream, *i, selected);
  }
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < n; ++i) {
    if (selected[i]) out.push_back(i);
  }
  return out;
}

}  // namespace databricks::jobs
