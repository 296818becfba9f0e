// Durations as scenarios write them: "500ms", "90s", "10m", "2h", "1d", or sums such as "1h30m".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock/clock.h"

namespace kiln::scenario {

// The duration in milliseconds, or nullopt if `text` is not one (an empty string, a number
// without a unit, an unknown unit, a negative or overflowing value).
std::optional<core::DurationMs> parse_duration(std::string_view text);

// "1h30m", "90s", "250ms", "0s": the shortest exact spelling, for messages and timelines.
std::string format_duration(core::DurationMs ms);

}  // namespace kiln::scenario
