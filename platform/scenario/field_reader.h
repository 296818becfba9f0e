// Internal to the scenario loader (loader.cc, stream_fields.cc): reads fields of a scenario
// document, turning every problem into a Diagnostic at file:line:column with the field's path,
// and draws ranges ([lo, hi] where a number or a duration is expected) from the seed's
// "scenario" stream, in the order the fields are read.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/random/random.h"
#include "platform/config/diagnostic.h"
#include "platform/scenario/scenario.h"

namespace kiln::scenario::detail {

class FieldReader {
 public:
  FieldReader(std::string file, const YAML::Node& root, nlohmann::json doc)
      : file_(std::move(file)), root_(root), doc_(std::move(doc)) {}

  // Ranges are drawn from this seed's "scenario" stream from now on.
  void seed(std::uint64_t seed) { random_ = core::Random(seed).stream("scenario"); }

  const nlohmann::json& doc() const { return doc_; }
  std::vector<config::Diagnostic>& diagnostics() { return diagnostics_; }
  bool failed() const { return !diagnostics_.empty(); }

  void error(const std::string& path, const std::string& message);
  // An emulator config error ("streams[0].rate: expected ...") for the config found at `path`:
  // located at the field it names under `path`.
  void emulator_error(const std::string& path, const std::string& message);
  Where where(const std::string& path) const;

  static const nlohmann::json* get(const nlohmann::json& object, const std::string& key);
  // The node at `path` (built by child_path/item_path from the document's own keys).
  const nlohmann::json& at(const std::string& path) const;
  void unknown_keys(const std::string& path, const nlohmann::json& object,
                    const std::vector<std::string>& known);
  const nlohmann::json* required(const std::string& path, const std::string& key);
  std::string required_string(const std::string& path, const std::string& key);
  std::optional<std::string> optional_string(const std::string& path, const nlohmann::json& object,
                                             const std::string& key);
  // A duration at `path`, or a range [lo, hi] of them drawn from the seed when allowed.
  std::optional<core::DurationMs> duration(const std::string& path, bool range_allowed);
  std::optional<core::DurationMs> optional_duration(const std::string& path,
                                                    const nlohmann::json& object,
                                                    const std::string& key, bool range_allowed);
  // An integer at `path` within [lo, hi], or a range [a, b] drawn from the seed when allowed.
  std::optional<std::int64_t> integer(const std::string& path, std::int64_t lo, std::int64_t hi,
                                      bool range_allowed);
  // A number at `path` within [lo, hi], or a range [a, b] drawn from the seed when allowed.
  std::optional<double> number(const std::string& path, double lo, double hi, bool range_allowed);
  // Replaces every [lo, hi] pair of numbers under `node` (except under a "uniform" key, the
  // emulator's own distribution) by a value drawn from the seed.
  void draw_ranges(nlohmann::json& node);

 private:
  std::string file_;
  YAML::Node root_;
  nlohmann::json doc_;
  core::Random random_{0};
  std::vector<config::Diagnostic> diagnostics_;
};

}  // namespace kiln::scenario::detail
