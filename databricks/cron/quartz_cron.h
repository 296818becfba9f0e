// QuartzCron: a Databricks job schedule's `quartz_cron_expression`, parsed once and evaluated
// in the schedule's `timezone_id`. Syntax, error messages and DST rules: docs/cron.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "databricks/api/api_error.h"
#include "databricks/cron/cron_fields.h"
#include "databricks/cron/time_zone.h"

namespace databricks::cron {

class QuartzCron {
 public:
  // Parses a Quartz expression: 6 or 7 space-separated fields
  // "sec min hour day-of-month month day-of-week [year]", case-insensitive. Errors are
  // ApiError::invalid_parameter("Invalid quartz_cron_expression '<expr>': <what is wrong>"),
  // field kQuartzCronField ("schedule.quartz_cron_expression").
  static ApiResult<QuartzCron> parse(std::string_view expression);

  // The first fire time strictly after `after_epoch_ms` (UTC epoch milliseconds), evaluated in
  // zone `tz`, as UTC epoch milliseconds of a whole second. nullopt if it never fires again
  // (nothing fires after 2099 local time).
  std::optional<std::int64_t> next_after(std::int64_t after_epoch_ms, const TimeZone& tz) const;

  const std::string& expression() const { return expression_; }

 private:
  QuartzCron(std::string expression, CronFields fields)
      : expression_(std::move(expression)), fields_(fields) {}

  std::string expression_;
  CronFields fields_;
};

}  // namespace databricks::cron
