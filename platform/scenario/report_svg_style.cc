#include "platform/scenario/report_svg_style.h"

#include <array>
#include <cstdio>

namespace kiln::scenario::report::svg {

namespace {

const char* const kStyle = R"(<style>
text{font:10px sans-serif;fill:#333}
.lane-label{font-weight:bold;font-size:11px}
.lane-sub,.band-name{fill:#777;font-size:9px}
.stripe{fill:#f5f6f8}
.grid{stroke:#e1e4e8}
.axis{stroke:#9aa0a6}
.run-label{fill:#fff;font-size:9px}
.dep-label{fill:#546e7a;font-size:9px}
.dep{fill:#b0bec5}
[class^="st-"],[class^="band-"]{fill:#9e9e9e}[class^="end-"]{fill:#333}[class^="ph-"]{fill:#c6c6c6}
.st-QUEUED{fill:#bdbdbd}.st-PENDING{fill:#f2c14e}.st-BLOCKED{fill:#a79fd6}
.st-WAITING_FOR_RETRY{fill:#f0a35e}.st-RUNNING{fill:#3c9a5f}.st-TERMINATING{fill:#e8804a}
.end-SUCCESS{fill:#1b5e20}.end-FAILED,.end-TIMEDOUT,.end-INTERNAL_ERROR{fill:#c62828}
.end-CANCELED{fill:#455a64}
.ph-prepare{fill:#9ecae1}.ph-job{fill:#4292c6}.ph-stop{fill:#fd8d3c}.ph-start{fill:#74c476}
.ph-wait{fill:#9e9ac8}.ph-failed{fill:#e53935}.ph-open{fill-opacity:.45}
.band-settings{fill:#90a4ae}
.win-api_outage rect{fill:#e53935;fill-opacity:.13}.win-api_outage text{fill:#c62828}
.win-rate_limit_storm rect{fill:#fb8c00;fill-opacity:.15}.win-rate_limit_storm text{fill:#e65100}
.win-down rect{fill:url(#hatch)}.win-down text{fill:#555}
.mark line{stroke-width:1.2}
.mark-build line,.mark-merge line{stroke:#1e88e5;stroke-dasharray:4 3}
.mark-build text,.mark-merge text{fill:#1565c0}
.mark-deploy line{stroke:#8e24aa;stroke-dasharray:4 3}.mark-deploy text{fill:#6a1b9a}
.mark-fault line{stroke:#e53935}.mark-fault text{fill:#c62828}
.mark-crash line{stroke:#b71c1c;stroke-width:2}.mark-crash text{fill:#b71c1c;font-weight:bold}
.mark-start line{stroke:#2e7d32}.mark-start text{fill:#2e7d32}
.mark-note line{stroke:#9e9e9e;stroke-dasharray:2 3}.mark-note text{fill:#616161}
.mark-error line{stroke:#d50000}.mark-error text{fill:#d50000;font-weight:bold}
.verdict text{fill:#fff;font-size:9px;font-weight:bold;text-anchor:middle}
.pass circle{fill:#2e7d32}.fail circle{fill:#c62828}
.fail-line{stroke:#c62828;stroke-dasharray:3 3}
</style>)";

// clang-format off
constexpr std::array<LegendEntry, 41> kLegend = {{
    {"st-QUEUED", "queued"}, {"st-PENDING", "pending"}, {"st-BLOCKED", "blocked"},
    {"st-WAITING_FOR_RETRY", "waiting for retry"}, {"st-RUNNING", "running"},
    {"st-TERMINATING", "terminating"},
    {"end-SUCCESS", "ended: success"}, {"end-FAILED", "ended: failed"},
    {"end-TIMEDOUT", "ended: timed out"}, {"end-INTERNAL_ERROR", "ended: internal error"},
    {"end-CANCELED", "ended: canceled"},
    {"ph-prepare", "prepare"}, {"ph-job", "job"}, {"ph-stop", "stop"}, {"ph-start", "start"},
    {"ph-wait", "wait"}, {"ph-green", "green (t0)"}, {"ph-running", "until green RUNNING"},
    {"ph-health", "health window"}, {"ph-stop-blue", "stop blue"}, {"ph-abort", "abort"},
    {"ph-failed", "phase failed"}, {"band-settings", "settings in force"},
    {"win-api_outage", "API outage"}, {"win-rate_limit_storm", "rate-limit storm"},
    {"win-down", "kiln down"},
    {"mark-build", "build"}, {"mark-merge", "merge"}, {"mark-deploy", "deploy by hand"},
    {"mark-fault", "fault"}, {"mark-crash", "kiln crash"}, {"mark-start", "kiln restart"},
    {"mark-note", "note"}, {"mark-error", "error"},
    {"pass", "expectation holds"}, {"fail", "expectation fails"},
    {"lag", "checkpoint lag"}, {"bg-t0", "t0: green starts"}, {"bg-t1", "t1: green RUNNING"},
    {"bg-t2", "t2: blue stopped"}, {"bg-abort", "green aborted"},
}};
// clang-format on

}  // namespace

const char* style() {
  return kStyle;
}

std::span<const LegendEntry> legend_catalogue() {
  return kLegend;
}

std::string num(double v) {
  char text[64];
  std::snprintf(text, sizeof text, "%.1f", v);
  std::string s = text;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s;
}

}  // namespace kiln::scenario::report::svg
