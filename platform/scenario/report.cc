#include "platform/scenario/report.h"

#include <cstdio>
#include <ctime>

#include "platform/scenario/duration.h"
#include "platform/scenario/report_timeline.h"

namespace kiln::scenario {

namespace {

using report::clock_text;
using report::escape;
using report::short_duration;

const char* const kPageStyle = R"(<style>
body{font:14px/1.45 system-ui,sans-serif;color:#222;margin:24px auto;max-width:1240px;padding:0 16px}
h1{margin:0 0 4px;font-size:26px}
h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.desc{margin:0 0 14px;color:#444;max-width:900px}
.summary{display:flex;gap:32px;align-items:flex-start;flex-wrap:wrap}
.score{font-size:40px;font-weight:bold;line-height:1.1;padding:10px 18px;border-radius:8px}
.score.ok{background:#e8f5e9;color:#1b5e20}.score.bad{background:#ffebee;color:#b71c1c}
.score small{display:block;font-size:14px;font-weight:normal;color:#444}
.n-pass{color:#2e7d32}.n-fail{color:#c62828}.n-zero{color:#9e9e9e}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 14px;margin:0}
dt{color:#666}dd{margin:0}
code{font:12px ui-monospace,monospace;background:#f3f4f6;padding:1px 4px;border-radius:3px}
.error{background:#ffebee;color:#b71c1c;padding:8px 12px;border-radius:6px}
.timeline{overflow-x:auto}.timeline svg{max-width:100%;height:auto}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid #eee}
th{background:#fafafa;font-weight:600}
td.num{text-align:right}
.PASS,.succeeded{color:#2e7d32;font-weight:bold}
.FAIL,.failed,.phase-failed{color:#c62828;font-weight:bold}
.aborted,.superseded{color:#8d6e63}
.phase-running{color:#8d6e63}
.observed,.where{color:#555}
</style>)";

std::string utc_text(core::TimeMs ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return text;
}

std::string wall_text(const RunResult& r) {
  char text[64];
  const double ratio = r.wall_s > 0 ? static_cast<double>(r.simulated_ms) / 1000.0 / r.wall_s : 0;
  std::snprintf(text, sizeof text, "%.2f s (%.0fx real time)", r.wall_s, ratio);
  return text;
}

void fact(std::ostream& out, const std::string& name, const std::string& html_value) {
  out << "<dt>" << escape(name) << "</dt><dd>" << html_value << "</dd>\n";
}

void header(const Scenario& s, const RunResult& r, std::ostream& out) {
  std::size_t passed = 0;
  for (const auto& v : r.verdicts) passed += v.holds ? 1 : 0;
  const std::size_t failed = r.verdicts.size() - passed;
  out << "<header>\n<h1>" << escape(s.name) << "</h1>\n<p class=\"desc\">" << escape(s.description)
      << "</p>\n";
  if (!r.error.empty()) out << "<p class=\"error\">" << escape(r.error) << "</p>\n";
  out << "<div class=\"summary\">\n<div class=\"score " << (r.passed() ? "ok" : "bad") << "\">"
      << "<span class=\"" << (passed > 0 ? "n-pass" : "n-zero") << "\">" << passed
      << " PASS</span> &middot; <span class=\"" << (failed > 0 ? "n-fail" : "n-zero") << "\">"
      << failed << " FAIL</span><small>" << passed << " of " << r.verdicts.size()
      << " expectation(s) hold</small></div>\n<dl>\n";
  fact(out, "file", "<code>" + escape(s.file) + "</code>");
  fact(out, "seed", std::to_string(s.seed));
  fact(out, "simulated",
       escape(format_duration(r.simulated_ms)) + " from " + escape(utc_text(r.start_ms)) +
           " (virtual clock)");
  fact(out, "wall time", escape(wall_text(r)));
  fact(out, "events", std::to_string(r.events));
  fact(out, "trace", "<code>" + escape(r.fingerprint) + "</code>");
  fact(out, "replay", "<code>" + escape(replay_command(s)) + "</code>");
  out << "</dl>\n</div>\n</header>\n";
}

void expectations_table(const Scenario& s, const RunResult& r, std::ostream& out) {
  out << "<section>\n<h2>Expectations</h2>\n<table>\n<tr><th>#</th><th>verdict</th><th>where</th>"
         "<th>what</th><th>decided at</th><th>observed</th></tr>\n";
  for (const auto& v : r.verdicts) {
    const auto& x = s.expectations[v.index];
    const char* verdict = v.holds ? "PASS" : "FAIL";
    out << "<tr><td class=\"num\">" << v.index + 1 << "</td><td class=\"" << verdict << "\">"
        << verdict << "</td><td class=\"where\">" << escape(x.where.to_string()) << "</td><td>"
        << escape(x.describe()) << "</td><td>" << escape(clock_text(v.at_ms))
        << "</td><td class=\"observed\">" << escape(v.observed) << "</td></tr>\n";
  }
  out << "</table>\n</section>\n";
}

std::string phases_html(const report::Deployment& d) {
  std::string out;
  for (const auto& p : d.phases) {
    if (!out.empty()) out += " &middot; ";
    const std::string css =
        p.outcome == "succeeded" ? "" : " class=\"phase-" + escape(p.outcome) + "\"";
    out += "<span" + css + " title=\"" +
           escape(p.outcome + (p.reason.empty() ? "" : ": " + p.reason)) + "\">" +
           escape(p.name + " " + short_duration(p.to_ms - p.from_ms)) +
           (p.outcome == "succeeded" ? "" : " " + escape(p.outcome)) + "</span>";
  }
  return out;
}

void deployments_table(const report::Timeline& t, std::ostream& out) {
  out << "<section>\n<h2>Deployments</h2>\n";
  if (t.deployments.empty()) {
    out << "<p>None.</p>\n</section>\n";
    return;
  }
  out << "<table>\n<tr><th>#</th><th>job/target</th><th>version</th><th>requested by</th>"
         "<th>began</th><th>took</th><th>status</th><th>reason</th><th>phases</th></tr>\n";
  for (const auto& [id, d] : t.deployments) {
    out << "<tr><td class=\"num\">" << id << "</td><td>" << escape(d.job + "/" + d.target)
        << "</td><td>v" << d.version << "</td><td>" << escape(d.requested_by) << "</td><td>"
        << escape(clock_text(d.first_ms)) << "</td><td>"
        << escape(d.ended ? short_duration(d.last_ms - d.first_ms) : "not done")
        << "</td><td class=\"" << escape(d.status) << "\">" << escape(d.status) << "</td><td>"
        << escape(d.reason) << "</td><td>" << phases_html(d) << "</td></tr>\n";
  }
  out << "</table>\n</section>\n";
}

void errors(const RunResult& r, std::ostream& out) {
  std::string items;
  for (const auto& e : r.kept) {
    if (e.type != "scenario.error") continue;
    items += "<li>" + escape(clock_text(e.time_ms - r.start_ms)) + " " +
             escape(e.fields.value("message", "")) + "</li>\n";
  }
  if (items.empty()) return;
  out << "<section>\n<h2>Errors</h2>\n<ul class=\"error\">\n" << items << "</ul>\n</section>\n";
}

}  // namespace

void write_report(const Scenario& scenario, const RunResult& result, std::ostream& out) {
  const report::Timeline timeline = report::build_timeline(scenario, result);
  out << "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
      << escape(scenario.name) << ": scenario report</title>\n"
      << kPageStyle << "\n</head>\n<body>\n";
  header(scenario, result, out);
  errors(result, out);
  out << "<section>\n<h2>Timeline</h2>\n<div class=\"timeline\">\n";
  report::write_timeline_svg(timeline, out);
  out << "</div>\n<p class=\"where\">Hover over a bar or a mark for its details. Lanes: one per "
         "job version; the thin strip on top shows its deployments' phases, the bars its "
         "runs. Then one per stream: who holds its writer lock (by version), its checkpoint's "
         "lag behind the source, and the t0/t1/t2 of blue-green deploys.</p>\n</section>\n";
  expectations_table(scenario, result, out);
  deployments_table(timeline, out);
  out << "</body>\n</html>\n";
}

}  // namespace kiln::scenario
