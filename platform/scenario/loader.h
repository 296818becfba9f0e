// Reading a scenario file. Never throws and never half-loads: every problem is a Diagnostic at
// file:line:column naming the field and what was expected (with a suggestion for a misspelt key),
// and a scenario is returned only when there is none. Ranges ([lo, hi] where a number or a
// duration is expected, at the places docs/scenarios.md lists) are drawn from the seed here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/config/diagnostic.h"
#include "platform/scenario/scenario.h"

namespace kiln::scenario {

struct Loaded {
  std::optional<Scenario> scenario;
  std::vector<config::Diagnostic> diagnostics;  // sorted by line, column
  bool ok() const { return scenario.has_value(); }
};

// How a diagnostic of a loader bug starts (an exception caught at the file, never expected).
inline constexpr const char* kInternalError = "internal error while loading: ";
// Larger scenario files are refused (the job configs' limit).
inline constexpr std::size_t kScenarioBytesMax = std::size_t{4} * 1024 * 1024;

// `seed` replaces the file's seed (kiln scenario run --seed, swarm).
Loaded load_scenario_text(const std::string& file, const std::string& text,
                          std::optional<std::uint64_t> seed = std::nullopt);
Loaded load_scenario(const std::string& path, std::optional<std::uint64_t> seed = std::nullopt);

// The predicates `that:` may name, and the invariants `always:` may name.
const std::vector<std::string>& predicate_names();
const std::vector<std::string>& invariant_names();

}  // namespace kiln::scenario
