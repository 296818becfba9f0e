#include "fake-databricks/workloads/instant.h"

#include <date/date.h>

#include <chrono>
#include <sstream>

namespace fakedb::workloads {

ApiResult<kiln::core::TimeMs> parse_instant(const nlohmann::json& spec, const std::string& field) {
  if (spec.is_number_integer()) return spec.get<kiln::core::TimeMs>();
  if (spec.is_string()) {
    std::istringstream in(spec.get<std::string>());
    date::sys_time<std::chrono::milliseconds> t;
    in >> date::parse("%FT%TZ", t);
    if (!in.fail()) return t.time_since_epoch().count();
  }
  return ApiError::invalid_parameter(
      field + ": expected epoch milliseconds or a UTC time like \"2026-01-01T00:00:00Z\"");
}

}  // namespace fakedb::workloads
