// Internal: a YAML document as kiln reads it. Parsing and conversion to JSON never throw; every
// problem (syntax, duplicate keys, tags, numbers JSON cannot hold, alias bombs) becomes a
// Diagnostic. Positions are 1-based.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/config/diagnostic.h"

namespace kiln::config::detail {

struct Position {
  int line = 0, column = 0;
};

// Where `node` starts, or `fallback` when yaml-cpp recorded no position for it.
Position position_of(const YAML::Node& node, Position fallback);

Diagnostic diagnostic_at(const std::string& file, Position at, std::string field,
                         std::string message);

// Parses text holding exactly one YAML document. A syntax error, an empty file, several
// documents, a byte that is not UTF-8 or a control character, a quote never closed and a line
// of a block mapping without ':' (yaml_source.h) are reported and give nullopt.
std::optional<YAML::Node> parse_document(const std::string& file, const std::string& text,
                                         std::vector<Diagnostic>& diagnostics);

// Converts a node to JSON: plain scalars by the YAML 1.2 core schema (null, true/false, integers,
// floats, else strings), quoted scalars and !!str as strings. Reports duplicate keys, keys that
// are not scalars, control characters in keys (in values too, but for tab and newline), unsupported
// tags, integers outside 64 bits, .inf/.nan, nesting deeper than 64 levels and documents over
// 100,000 nodes (aliases expand). `field` is the node's path.
nlohmann::json to_json(const YAML::Node& node, const std::string& file, const std::string& field,
                       std::vector<Diagnostic>& diagnostics);

// Removes the diagnostics after index `causes_end` about a field (or a field under one) already
// reported in [causes_begin, causes_end): a value that could not be read is not also of the
// wrong type.
void drop_consequences(std::vector<Diagnostic>& diagnostics, std::size_t causes_begin,
                       std::size_t causes_end);

// The position of the node at a JSON-style path ("settings.tasks[2].depends_on[0].task_key")
// under root; when the path leads nowhere, the position of the deepest node found on the way.
// An empty value (`key:`) is located at its key.
Position locate(const YAML::Node& root, std::string_view path);

// The position of the key `key` in the mapping at `path` (for unknown-key errors).
Position locate_key(const YAML::Node& root, std::string_view path, std::string_view key);

// Where each key of the mapping at `path` is (the first occurrence of a repeated key), found in
// one pass: loops that report many keys of one mapping use this rather than locate_key, which
// scans the mapping each time.
std::map<std::string, Position, std::less<>> key_positions(const YAML::Node& root,
                                                           std::string_view path);
// keys[key], or `fallback` when the key is not there.
Position position_in(const std::map<std::string, Position, std::less<>>& keys, std::string_view key,
                     Position fallback);

// "a string ('abc')", "an integer (3)", "a float (1.5)", "a boolean (true)", "null",
// "a mapping", "a sequence": what the user wrote, for "expected X, got Y" messages.
std::string describe(const nlohmann::json& value);

// Joins a path and a key or an index the way field paths are written.
std::string child_path(const std::string& parent, std::string_view key);
std::string item_path(const std::string& parent, std::size_t index);

}  // namespace kiln::config::detail
