// The Prometheus text exposition format, version 0.0.4 (Content-Type
// `text/plain; version=0.0.4; charset=utf-8`), as Prometheus itself and promtool parse it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "platform/metrics/registry.h"

namespace kiln::metrics {

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Every family of `registry` by name: `# HELP`, `# TYPE`, then its series in label-set order
// (labels in name order; a histogram's cumulative `_bucket` lines with `le` last and ending at
// "+Inf", then `_sum` and `_count`). No timestamps: the scraper stamps the samples. A family with
// no series yet prints only its HELP and TYPE lines. Output is a pure function of the registry.
std::string render_prometheus(const Registry& registry);

// The families of several registries (say one filled per scrape from the DB, one kept by an
// EventCollector) as one exposition, all by name. A family name in two of them is a
// std::logic_error: each family has one source.
std::string render_prometheus(const std::vector<const Registry*>& registries);

// A sample value: integers without a decimal point ("3", "-2"), others in the shortest form that
// reads back as the same double ("0.005", "1.5e+20"), and "+Inf", "-Inf", "NaN".
std::string format_value(double value);

// A label value with \ " and newline escaped as \\ \" \n.
std::string escape_label_value(std::string_view value);

// A HELP text with \ and newline escaped as \\ \n.
std::string escape_help(std::string_view help);

}  // namespace kiln::metrics
