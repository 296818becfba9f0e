// An instant in a config: epoch milliseconds, or a UTC time like "2026-01-01T00:00:00Z".
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/clock/clock.h"
#include "fake-databricks/api/params.h"

namespace fakedb::workloads {

// Errors name `field` and show both forms.
ApiResult<kiln::core::TimeMs> parse_instant(const nlohmann::json& spec, const std::string& field);

}  // namespace fakedb::workloads
