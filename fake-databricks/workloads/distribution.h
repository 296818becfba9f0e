// Distribution: a duration drawn from the seed, written in configs as one of
//   {"fixed": ms} | {"uniform": [lo_ms, hi_ms]} | {"exponential": mean_ms}
//   | {"normal": [mean_ms, stddev_ms]} | {"lognormal": [median_ms, sigma]}
// Draws are clamped at 0 and rounded to whole milliseconds.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/random/random.h"
#include "fake-databricks/api/params.h"

namespace fakedb::workloads {

struct Distribution {
  enum class Kind { fixed, uniform, exponential, normal, lognormal };
  Kind kind = Kind::fixed;
  double a = 0;  // fixed value, lo, mean, median
  double b = 0;  // hi, stddev, sigma

  static Distribution fixed(double ms) { return {Kind::fixed, ms, 0}; }
  static Distribution uniform(double lo_ms, double hi_ms) { return {Kind::uniform, lo_ms, hi_ms}; }
  // Errors name `field` and say what was expected.
  static ApiResult<Distribution> parse(const nlohmann::json& spec, const std::string& field);

  std::int64_t draw_ms(kiln::core::Random& random) const;
  nlohmann::json to_json() const;
};

}  // namespace fakedb::workloads
