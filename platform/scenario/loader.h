// Reading a scenario file. Never throws and never half-loads: every problem is a Diagnostic at
// file:line:column naming the field and what was expected (with a suggestion for a misspelt key),
// and a scenario is returned only when there is none. Ranges ([lo, hi] where a number or a
// duration is expected, at the places docs/scenarios.md lists) are drawn from the seed here.
#pragma once

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

// `seed` replaces the file's seed (kiln scenario run --seed, swarm).
Loaded load_scenario_text(const std::string& file, const std::string& text,
                          std::optional<std::uint64_t> seed = std::nullopt);
Loaded load_scenario(const std::string& path, std::optional<std::uint64_t> seed = std::nullopt);

// The predicates `that:` may name, and the invariants `always:` may name.
const std::vector<std::string>& predicate_names();
const std::vector<std::string>& invariant_names();

}  // namespace kiln::scenario
