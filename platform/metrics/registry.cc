#include "platform/metrics/registry.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace kiln::metrics {
namespace {

bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_metric_name(std::string_view name) {
  if (name.empty() || !(is_letter(name[0]) || name[0] == ':')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_letter(c) || is_digit(c) || c == ':'; });
}

bool is_label_name(std::string_view name) {
  if (name.empty() || !is_letter(name[0]) || name.starts_with("__")) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return is_letter(c) || is_digit(c); });
}

[[noreturn]] void fail(const Family& family, const std::string& what) {
  throw std::logic_error("metric " + family.name + ": " + what);
}

Sample& series(Family& family, const Labels& labels) {
  auto it = family.series.find(labels);
  if (it != family.series.end()) return it->second;
  for (const auto& [name, value] : labels) {
    if (!is_label_name(name)) fail(family, "bad label name \"" + name + "\"");
    if (family.type == MetricType::kHistogram && name == "le") {
      fail(family, "a histogram cannot have an \"le\" label");
    }
  }
  Sample sample;
  if (family.type == MetricType::kHistogram) {
    sample.bucket_counts.assign(family.upper_bounds.size(), 0);
  }
  return family.series.emplace(labels, std::move(sample)).first->second;
}

void check_counter_value(const Family& family, double value) {
  if (!std::isfinite(value) || value < 0) {
    fail(family, "a counter takes finite, non-negative values, not " + std::to_string(value));
  }
}

}  // namespace

std::string_view to_string(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

void Counter::inc(const Labels& labels, double by) const {
  check_counter_value(*family_, by);
  series(*family_, labels).value += by;
}

void Counter::set_total(const Labels& labels, double total) const {
  check_counter_value(*family_, total);
  series(*family_, labels).value = total;
}

void Gauge::set(const Labels& labels, double value) const {
  series(*family_, labels).value = value;
}

void Gauge::add(const Labels& labels, double delta) const {
  series(*family_, labels).value += delta;
}

void Histogram::observe(const Labels& labels, double value) const {
  if (std::isnan(value)) fail(*family_, "cannot observe NaN");
  Sample& sample = series(*family_, labels);
  const auto& bounds = family_->upper_bounds;
  const auto bucket = std::lower_bound(bounds.begin(), bounds.end(), value);
  if (bucket != bounds.end())
    ++sample.bucket_counts[static_cast<std::size_t>(bucket - bounds.begin())];
  ++sample.count;
  sample.sum += value;
}

Counter Registry::counter(std::string_view name, std::string_view help) {
  return Counter(declare(name, help, MetricType::kCounter, {}));
}

Gauge Registry::gauge(std::string_view name, std::string_view help) {
  return Gauge(declare(name, help, MetricType::kGauge, {}));
}

Histogram Registry::histogram(std::string_view name, std::string_view help,
                              std::vector<double> upper_bounds) {
  return Histogram(declare(name, help, MetricType::kHistogram, std::move(upper_bounds)));
}

const Family* Registry::find(std::string_view name) const {
  auto it = families_.find(name);
  return it == families_.end() ? nullptr : &it->second;
}

const Sample* Registry::sample(std::string_view name, const Labels& labels) const {
  const Family* family = find(name);
  if (family == nullptr) return nullptr;
  auto it = family->series.find(labels);
  return it == family->series.end() ? nullptr : &it->second;
}

Family& Registry::declare(std::string_view name, std::string_view help, MetricType type,
                          std::vector<double> upper_bounds) {
  Family family{std::string(name), std::string(help), type, std::move(upper_bounds), {}};
  if (!is_metric_name(name)) fail(family, "bad metric name");
  if (type == MetricType::kCounter && !name.ends_with("_total")) {
    fail(family, "a counter's name ends in _total");
  }
  for (std::size_t i = 0; i < family.upper_bounds.size(); ++i) {
    if (!std::isfinite(family.upper_bounds[i]) ||
        (i > 0 && family.upper_bounds[i] <= family.upper_bounds[i - 1])) {
      fail(family, "bucket bounds must be finite and strictly increasing (+Inf is implied)");
    }
  }
  auto it = families_.find(name);
  if (it == families_.end()) return families_.emplace(family.name, std::move(family)).first->second;
  Family& existing = it->second;
  if (existing.type != type || existing.help != family.help ||
      existing.upper_bounds != family.upper_bounds) {
    fail(family, "declared twice, differently");
  }
  return existing;
}

}  // namespace kiln::metrics
