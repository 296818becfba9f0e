#include "fake-databricks/workloads/distribution.h"

#include <cmath>

namespace fakedb::workloads {
namespace {

ApiError bad(const std::string& field, const std::string& what) {
  return ApiError::invalid_parameter(field + ": " + what);
}

bool number_pair(const nlohmann::json& v, double& x, double& y) {
  if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number()) return false;
  x = v[0].get<double>();
  y = v[1].get<double>();
  return true;
}

}  // namespace

ApiResult<Distribution> Distribution::parse(const nlohmann::json& spec, const std::string& field) {
  if (spec.is_number()) return Distribution::fixed(spec.get<double>());
  static const char* kExpected =
      "expected a number of milliseconds or one of {\"fixed\": ms}, {\"uniform\": [lo, hi]}, "
      "{\"exponential\": mean}, {\"normal\": [mean, stddev]}, {\"lognormal\": [median, sigma]}";
  if (!spec.is_object() || spec.size() != 1) return bad(field, kExpected);
  const auto first = spec.begin();
  const std::string& name = first.key();
  const nlohmann::json& v = first.value();
  Distribution d;
  if (name == "fixed" || name == "exponential") {
    if (!v.is_number() || v.get<double>() < 0)
      return bad(field + "." + name, "expected a number >= 0");
    d.kind = name == "fixed" ? Kind::fixed : Kind::exponential;
    d.a = v.get<double>();
    return d;
  }
  if (name != "uniform" && name != "normal" && name != "lognormal") return bad(field, kExpected);
  if (!number_pair(v, d.a, d.b)) return bad(field + "." + name, "expected a pair of numbers");
  if (name == "uniform") {
    if (d.a < 0 || d.b < d.a) return bad(field + ".uniform", "expected 0 <= lo <= hi");
    d.kind = Kind::uniform;
  } else if (name == "normal") {
    if (d.b < 0) return bad(field + ".normal", "expected stddev >= 0");
    d.kind = Kind::normal;
  } else {
    if (d.a <= 0 || d.b < 0) return bad(field + ".lognormal", "expected median > 0 and sigma >= 0");
    d.kind = Kind::lognormal;
  }
  return d;
}

std::int64_t Distribution::draw_ms(kiln::core::Random& random) const {
  double v = a;
  switch (kind) {
    case Kind::fixed:
      break;
    case Kind::uniform:
      v = random.uniform(a, b);
      break;
    case Kind::exponential:
      v = random.exponential(a > 0 ? a : 1);
      break;
    case Kind::normal:
      v = random.normal(a, b);
      break;
    case Kind::lognormal:
      v = random.lognormal(std::log(a), b);
      break;
  }
  return v <= 0 ? 0 : static_cast<std::int64_t>(std::llround(v));
}

nlohmann::json Distribution::to_json() const {
  switch (kind) {
    case Kind::fixed:
      return {{"fixed", a}};
    case Kind::uniform:
      return {{"uniform", {a, b}}};
    case Kind::exponential:
      return {{"exponential", a}};
    case Kind::normal:
      return {{"normal", {a, b}}};
    case Kind::lognormal:
      return {{"lognormal", {a, b}}};
  }
  return nullptr;
}

}  // namespace fakedb::workloads
