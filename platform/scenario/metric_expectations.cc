// The `metric` predicate: what `kiln metrics` would print at that virtual instant (the metrics
// read from the scenario's metadata DB and artifact store, docs/metrics.md), one family's
// series matched by labels and summed, compared with value, min and max.
#include <sstream>

#include "platform/metrics/db_collector.h"
#include "platform/metrics/exposition.h"
#include "platform/scenario/expectations.h"
#include "platform/scenario/world.h"

namespace kiln::scenario {

namespace {

using nlohmann::json;

// One sample line of the text format: `name{k="v",...} value`. False for comments and blanks.
bool parse_sample(const std::string& line, std::string& name,
                  std::map<std::string, std::string>& labels, double& value) {
  if (line.empty() || line[0] == '#') return false;
  std::size_t i = 0;
  while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
  name = line.substr(0, i);
  labels.clear();
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      const std::size_t eq = line.find('=', i);
      if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') return false;
      const std::string key = line.substr(i, eq - i);
      std::string text;
      std::size_t j = eq + 2;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size()) {
          ++j;
          text += line[j] == 'n' ? '\n' : line[j];
        } else {
          text += line[j];
        }
      }
      labels[key] = text;
      i = j + 1;
      if (i < line.size() && line[i] == ',') ++i;
    }
    ++i;  // '}'
  }
  try {
    value = std::stod(line.substr(i));
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

}  // namespace

Check evaluate_metric(World& w, const Expectation& x) {
  metrics::Registry registry;
  const auto problems =
      metrics::collect_from_db(*w.store, w.artifacts.get(), w.loop.now_ms(), registry);
  const std::string wanted = x.args["name"].get<std::string>();
  const json labels = x.args.value("labels", json::object());
  std::istringstream text(metrics::render_prometheus(registry));
  std::string line, name;
  std::map<std::string, std::string> got;
  double value = 0, sum = 0;
  int series = 0;
  while (std::getline(text, line)) {
    if (!parse_sample(line, name, got, value) || name != wanted) continue;
    bool match = true;
    for (const auto& [key, v] : labels.items()) {
      const auto it = got.find(key);
      match = match && it != got.end() && v.is_string() && it->second == v.get<std::string>();
    }
    if (!match) continue;
    sum += value;
    ++series;
  }
  std::string observed = wanted + (labels.empty() ? "" : labels.dump()) + " = " +
                         metrics::format_value(sum) + " (" + std::to_string(series) + " series)";
  if (!problems.empty()) observed += "; not read: " + problems.front();
  bool holds = series > 0;
  if (series == 0)
    observed = "no series of " + wanted + " matches" + (labels.empty() ? "" : " " + labels.dump());
  if (x.args.contains("value")) holds = holds && sum == x.args["value"].get<double>();
  if (x.args.contains("min")) holds = holds && sum >= x.args["min"].get<double>();
  if (x.args.contains("max")) holds = holds && sum <= x.args["max"].get<double>();
  return {holds, observed};
}

}  // namespace kiln::scenario
