// Registry: kiln's metrics in memory, as Prometheus models them. A family is a name, a help text
// and a type (counter, gauge or histogram); a series is one label set of a family with its value.
// Collectors fill a Registry; render_prometheus() (exposition.h) prints it. No external library:
// the model is small and the text format is exactly specified. See docs/metrics.md.
//
// Names follow Prometheus' conventions, and the registry refuses to break them: a metric name is
// [a-zA-Z_:][a-zA-Z0-9_:]*, a counter's ends in "_total", a label name is [a-zA-Z_][a-zA-Z0-9_]*
// and does not start with "__", a histogram has no "le" label. Breaking a rule is a programming
// error: std::logic_error.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::metrics {

// Label name -> value, so a label set is always in label-name order.
using Labels = std::map<std::string, std::string>;

enum class MetricType { kCounter, kGauge, kHistogram };

// "counter", "gauge", "histogram": the words of a # TYPE line.
std::string_view to_string(MetricType type);

// One series' data. Counters and gauges use `value`; histograms the rest.
struct Sample {
  double value = 0;
  std::vector<std::uint64_t> bucket_counts;  // observations per bucket, not cumulative
  std::uint64_t count = 0;                   // all observations (+Inf included)
  double sum = 0;
};

struct Family {
  std::string name;
  std::string help;
  MetricType type = MetricType::kGauge;
  std::vector<double> upper_bounds;  // histograms: finite, strictly increasing; +Inf is implied
  std::map<Labels, Sample> series;   // in label-set order
};

class Registry;

// Handles onto a family of a Registry; valid as long as the Registry.
class Counter {
 public:
  // Adds `by` (finite, >= 0) to the series, creating it at 0 first.
  void inc(const Labels& labels, double by = 1) const;
  // Sets the series to `total` (finite, >= 0): for a total counted elsewhere (a snapshot of
  // RetryCounters, a count read from the DB).
  void set_total(const Labels& labels, double total) const;

 private:
  friend class Registry;
  explicit Counter(Family& family) : family_(&family) {}
  Family* family_;
};

class Gauge {
 public:
  void set(const Labels& labels, double value) const;
  void add(const Labels& labels, double delta) const;

 private:
  friend class Registry;
  explicit Gauge(Family& family) : family_(&family) {}
  Family* family_;
};

class Histogram {
 public:
  // Counts `value` in the first bucket whose upper bound is >= value (+Inf otherwise) and adds
  // it to the sum. A NaN is refused (std::logic_error).
  void observe(const Labels& labels, double value) const;

 private:
  friend class Registry;
  explicit Histogram(Family& family) : family_(&family) {}
  Family* family_;
};

class Registry {
 public:
  // Declares a family, or returns the one already declared with this name, type, help and
  // buckets; a different declaration under the same name is std::logic_error.
  Counter counter(std::string_view name, std::string_view help);
  Gauge gauge(std::string_view name, std::string_view help);
  Histogram histogram(std::string_view name, std::string_view help,
                      std::vector<double> upper_bounds);

  // Every family, by name.
  const std::map<std::string, Family, std::less<>>& families() const { return families_; }
  // The family of this name, or nullptr.
  const Family* find(std::string_view name) const;
  // The series of family `name` with exactly these labels, or nullptr.
  const Sample* sample(std::string_view name, const Labels& labels) const;

 private:
  Family& declare(std::string_view name, std::string_view help, MetricType type,
                  std::vector<double> upper_bounds);
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace kiln::metrics
