// Glob matching with `*` (any run, including empty) and `?` (one character); everything else
// matches itself. Used for fault patterns ("POST /api/2.*/jobs/run-now") and workload rules.
#pragma once

#include <string_view>

namespace kiln::core {

bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace kiln::core
