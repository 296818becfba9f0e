// Internal: checks of a YAML file's text that yaml-cpp (0.7) does not make. It accepts a quoted
// scalar left open (the quote swallows the rest of the file, so later keys silently vanish), a
// line without ':' in a block mapping (it becomes a key with a null value), bytes that are not
// UTF-8 and control characters. Each is reported at file:line:column.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "platform/config/diagnostic.h"

namespace kiln::config::detail {

// Every character must be one YAML allows in a stream (YAML 1.2, 5.1: tab, line feed, carriage
// return, printable ASCII, NEL and printable Unicode) and the bytes UTF-8. Reports the first
// offending character; false if there is one.
bool check_characters(const std::string& file, const std::string& text,
                      std::vector<Diagnostic>& diagnostics);

// Walks the parsed document (at most `max_nodes` nodes, aliases included) and reports quoted
// scalars whose closing quote is missing, and keys of block mappings not followed by ':'.
// False if there is any.
bool check_structure(const std::string& file, const std::string& text, const YAML::Node& root,
                     std::size_t max_nodes, std::vector<Diagnostic>& diagnostics);

}  // namespace kiln::config::detail
