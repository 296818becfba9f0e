// Typo suggestions for unknown keys and enum values: "did you mean 'deployVersion'?".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::config {

// Damerau-Levenshtein distance in its optimal-string-alignment form: insertions, deletions,
// substitutions and transpositions of adjacent characters each cost 1. Case-sensitive.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The known word closest to `word`, if it is close enough to be a likely typo: distance <= 2, or
// <= 1 when the known word has at most 4 characters. Letter case is ignored when comparing. Ties
// go to the earlier entry of `known`.
std::optional<std::string> suggest(std::string_view word, const std::vector<std::string>& known);

}  // namespace kiln::config
