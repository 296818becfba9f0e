#include "platform/scenario/duration.h"

#include <array>
#include <cctype>
#include <limits>
#include <utility>

namespace kiln::scenario {
namespace {

constexpr std::array<std::pair<std::string_view, core::DurationMs>, 5> kUnits = {{
    {"ms", 1},
    {"s", 1'000},
    {"m", 60'000},
    {"h", 3'600'000},
    {"d", 86'400'000},
}};

}  // namespace

std::optional<core::DurationMs> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  core::DurationMs total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (std::isdigit(static_cast<unsigned char>(text[i])) == 0) return std::nullopt;
    core::DurationMs value = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) {
      if (value > std::numeric_limits<core::DurationMs>::max() / 10 - 9) return std::nullopt;
      value = value * 10 + (text[i++] - '0');
    }
    std::size_t unit_end = i;
    while (unit_end < text.size() &&
           std::isalpha(static_cast<unsigned char>(text[unit_end])) != 0) {
      ++unit_end;
    }
    const std::string_view unit = text.substr(i, unit_end - i);
    i = unit_end;
    core::DurationMs scale = 0;
    for (const auto& [name, ms] : kUnits) {
      if (unit == name) scale = ms;
    }
    if (scale == 0 || value > std::numeric_limits<core::DurationMs>::max() / scale) {
      return std::nullopt;
    }
    if (total > std::numeric_limits<core::DurationMs>::max() - value * scale) return std::nullopt;
    total += value * scale;
  }
  return total;
}

std::string format_duration(core::DurationMs ms) {
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  for (auto it = kUnits.rbegin(); it != kUnits.rend(); ++it) {
    if (ms >= it->second) {
      out += std::to_string(ms / it->second) + std::string(it->first);
      ms %= it->second;
    }
  }
  return out;
}

}  // namespace kiln::scenario
