// Internal: how kiln types a YAML scalar (the YAML 1.2 core schema, as JSON values).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <variant>

namespace kiln::config::detail {

// The JSON value of a scalar with yaml-cpp tag `tag` ("?" plain, "!" quoted, "tag:yaml.org,
// 2002:int" and friends explicit), or a message saying why it has none.
std::variant<nlohmann::json, std::string> resolve_scalar(const std::string& tag,
                                                         const std::string& text);

}  // namespace kiln::config::detail
