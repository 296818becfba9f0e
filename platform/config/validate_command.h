// `kiln validate PATH...`: the command's body, kept out of the executable so it can be tested.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace kiln::config {

// Validates each path: a directory is loaded as a repository (every job folder under it), a
// kiln.yaml as its job folder, any other file as one config without folder checks. Configs from
// all paths must not share a (name, target). Prints every diagnostic, one per line, then a
// summary line; returns 0 when there is none, 1 otherwise.
int run_validate(const std::vector<std::string>& paths, std::ostream& out);

}  // namespace kiln::config
