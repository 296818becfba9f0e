// The `metric` predicate: what `kiln metrics` would print at that virtual instant (the metrics
// read from the scenario's metadata DB and artifact store, docs/metrics.md), one family's
// series matched by labels and summed (a histogram's: its counts), compared with value, min and
// max.
#include "platform/metrics/db_collector.h"
#include "platform/metrics/exposition.h"
#include "platform/metrics/registry.h"
#include "platform/scenario/expectations.h"
#include "platform/scenario/world.h"

namespace kiln::scenario {

using nlohmann::json;

Check evaluate_metric(World& w, const Expectation& x) {
  metrics::Registry registry;
  const auto problems =
      metrics::collect_from_db(*w.store, w.artifacts.get(), w.loop.now_ms(), registry);
  const std::string wanted = x.args["name"].get<std::string>();
  const json labels = x.args.value("labels", json::object());
  double sum = 0;
  int series = 0;
  // Counters and gauges by their value; a histogram by its count of observations.
  if (const metrics::Family* family = registry.find(wanted)) {
    for (const auto& [got, sample] : family->series) {
      bool match = true;
      for (const auto& [key, v] : labels.items()) {
        const auto it = got.find(key);
        match = match && it != got.end() && v.is_string() && it->second == v.get<std::string>();
      }
      if (!match) continue;
      sum += family->type == metrics::MetricType::kHistogram ? static_cast<double>(sample.count)
                                                             : sample.value;
      ++series;
    }
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
