#include "platform/scenario/field_reader.h"

#include <algorithm>
#include <map>
#include <optional>

#include "platform/config/key_suggestion.h"
#include "platform/config/yaml_document.h"
#include "platform/scenario/duration.h"

namespace kiln::scenario::detail {

using nlohmann::json;
namespace d = config::detail;

void FieldReader::error(const std::string& path, const std::string& message) {
  diagnostics_.push_back(d::diagnostic_at(file_, d::locate(root_, path), path, message));
}

void FieldReader::emulator_error(const std::string& path, const std::string& message) {
  // The emulator's messages are "<field>: <what>", the field a path from the config's root.
  const auto colon = message.find(": ");
  if (colon == std::string::npos || message.find(' ') < colon) return error(path, message);
  const std::string field = message.substr(0, colon);
  const std::string full = field[0] == '[' ? path + field : d::child_path(path, field);
  error(full, message.substr(colon + 2));
}

Where FieldReader::where(const std::string& path) const {
  const auto p = d::locate(root_, path);
  return {file_, p.line, p.column};
}

const json* FieldReader::get(const json& object, const std::string& key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const json& FieldReader::at(const std::string& path) const {
  const json* node = &doc_;
  std::string rest = path;
  while (!rest.empty()) {
    if (rest[0] == '[') {
      const auto close = rest.find(']');
      node = &(*node)[std::stoul(rest.substr(1, close - 1))];
      rest = rest.substr(close + 1);
      if (!rest.empty() && rest[0] == '.') rest = rest.substr(1);
      continue;
    }
    const auto end = std::min(rest.find('.'), rest.find('['));
    node = &(*node)[rest.substr(0, end)];
    rest = end == std::string::npos ? "" : rest.substr(end);
    if (!rest.empty() && rest[0] == '.') rest = rest.substr(1);
  }
  return *node;
}

void FieldReader::unknown_keys(const std::string& path, const json& object,
                               const std::vector<std::string>& known) {
  std::optional<std::map<std::string, d::Position, std::less<>>> positions;  // when needed
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string message = "unknown field";
    if (auto s = config::suggest(key, known)) {
      message += "; did you mean '" + *s + "'?";
    } else {
      message += "; expected one of";
      for (const auto& k : known) message += " " + k;
    }
    if (!positions) positions = d::key_positions(root_, path);  // one pass over the mapping
    const auto found = positions->find(key);
    const auto p = found != positions->end() ? found->second : d::locate(root_, path);
    diagnostics_.push_back(d::diagnostic_at(file_, p, d::child_path(path, key), message));
  }
}

const json* FieldReader::required(const std::string& path, const std::string& key) {
  const json& object = path.empty() ? doc_ : at(path);
  const json* v = get(object, key);
  if (v == nullptr || v->is_null()) {
    error(path, "missing required field '" + key + "'");
    return nullptr;
  }
  return v;
}

std::string FieldReader::required_string(const std::string& path, const std::string& key) {
  const json* v = required(path, key);
  if (v == nullptr) return "";
  if (!v->is_string() || v->get<std::string>().empty()) {
    error(d::child_path(path, key), "expected a non-empty string; got " + d::describe(*v));
    return "";
  }
  return v->get<std::string>();
}

std::optional<std::string> FieldReader::optional_string(const std::string& path, const json& object,
                                                        const std::string& key) {
  const json* v = get(object, key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    error(d::child_path(path, key), "expected a string; got " + d::describe(*v));
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<core::DurationMs> FieldReader::duration(const std::string& path, bool range_allowed) {
  const json& v = at(path);
  if (range_allowed && v.is_array()) {
    if (v.size() == 2 && v[0].is_string() && v[1].is_string()) {
      const auto lo = parse_duration(v[0].get<std::string>());
      const auto hi = parse_duration(v[1].get<std::string>());
      if (lo && hi && *lo <= *hi) return random_.uniform_int(*lo, *hi);
    }
    error(path,
          "expected a range of two durations [low, high] with low <= high; got " + d::describe(v));
    return std::nullopt;
  }
  if (v.is_string()) {
    if (auto ms = parse_duration(v.get<std::string>())) return ms;
  }
  error(path, std::string("expected a duration such as 90s, 10m, 2h, 1d or 1h30m") +
                  (range_allowed ? " (or a range [10m, 20m])" : "") + "; got " + d::describe(v));
  return std::nullopt;
}

std::optional<core::DurationMs> FieldReader::optional_duration(const std::string& path,
                                                               const json& object,
                                                               const std::string& key,
                                                               bool range_allowed) {
  if (!object.contains(key)) return std::nullopt;
  return duration(d::child_path(path, key), range_allowed);
}

std::optional<std::int64_t> FieldReader::integer(const std::string& path, std::int64_t lo,
                                                 std::int64_t hi, bool range_allowed) {
  const json& v = at(path);
  if (range_allowed && v.is_array() && v.size() == 2 && v[0].is_number_integer() &&
      v[1].is_number_integer() && v[0] <= v[1] && v[0] >= lo && v[1] <= hi) {
    return random_.uniform_int(v[0].get<std::int64_t>(), v[1].get<std::int64_t>());
  }
  if (v.is_number_integer() && v.get<std::int64_t>() >= lo && v.get<std::int64_t>() <= hi) {
    return v.get<std::int64_t>();
  }
  error(path, "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi) +
                  (range_allowed ? " (or a range [a, b])" : "") + "; got " + d::describe(v));
  return std::nullopt;
}

std::optional<double> FieldReader::number(const std::string& path, double lo, double hi,
                                          bool range_allowed) {
  const json& v = at(path);
  if (range_allowed && v.is_array() && v.size() == 2 && v[0].is_number() && v[1].is_number() &&
      v[0] <= v[1] && v[0].get<double>() >= lo && v[1].get<double>() <= hi) {
    return random_.uniform(v[0].get<double>(), v[1].get<double>());
  }
  if (v.is_number() && v.get<double>() >= lo && v.get<double>() <= hi) return v.get<double>();
  auto text = [](double x) {
    std::string s = json(x).dump();
    return s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0 ? s.substr(0, s.size() - 2) : s;
  };
  error(path, "expected a number from " + text(lo) + " to " + text(hi) +
                  (range_allowed ? " (or a range [a, b])" : "") + "; got " + d::describe(v));
  return std::nullopt;
}

void FieldReader::draw_ranges(json& node) {
  if (node.is_object()) {
    for (auto& [key, value] : node.items()) {
      if (value.is_array() && value.size() == 2 && value[0].is_number() && value[1].is_number() &&
          value[0] <= value[1] && key != "uniform") {
        const double lo = value[0].get<double>(), hi = value[1].get<double>();
        value = value[0].is_number_integer() && value[1].is_number_integer()
                    ? json(random_.uniform_int(value[0].get<std::int64_t>(),
                                               value[1].get<std::int64_t>()))
                    : json(random_.uniform(lo, hi));
      } else {
        draw_ranges(value);
      }
    }
  } else if (node.is_array()) {
    for (auto& item : node) draw_ranges(item);
  }
}

}  // namespace kiln::scenario::detail
