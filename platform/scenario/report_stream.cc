// The report's stream lanes: for each stream, who held its writer lock over time (a band
// coloured by the holder's version), its checkpoint's lag behind the source (a step chart), and
// the t0/t1/t2 instants of the blue-green deploys of the jobs writing it. Built from the run's
// stream samples (runner.h) and the deployments the timeline already knows.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>

#include "platform/scenario/report_svg_style.h"
#include "platform/scenario/report_timeline.h"

namespace kiln::scenario::report {

namespace {

constexpr double kInstantRow = 18, kHolderRow = 10, kLagRow = 26, kGap = 3;
constexpr double kInstantCharWidth = 4.8;  // of an 8px label
constexpr double kLaneMinHeight = 36;

// A colour per version, cycling; nobody and unknown holders are grey.
constexpr std::array<const char*, 8> kVersionColours = {"#1e88e5", "#43a047", "#8e24aa", "#fb8c00",
                                                        "#00897b", "#c0ca33", "#6d4c41", "#d81b60"};

using svg::num;

std::optional<std::int64_t> deployment_id(const std::string& holder) {
  static const std::string kPrefix = "deployment-";
  if (holder.rfind(kPrefix, 0) != 0) return std::nullopt;
  std::int64_t id = 0;
  const char* end = holder.data() + holder.size();
  const auto [last, ec] = std::from_chars(holder.data() + kPrefix.size(), end, id);
  if (ec != std::errc() || last != end) return std::nullopt;
  return id;
}

// "deployment-3 (v2)" and its class.
std::pair<std::string, std::string> holder_of(const Timeline& t, const std::string& holder) {
  if (holder.empty()) return {"nobody", "hold-none"};
  if (const auto id = deployment_id(holder)) {
    if (const auto d = t.deployments.find(*id); d != t.deployments.end()) {
      return {holder + " (v" + std::to_string(d->second.version) + ")",
              "hold-v" + std::to_string(d->second.version)};
    }
  }
  return {holder, "hold-unknown"};
}

std::string from_to(DurationMs from, DurationMs to) {
  return clock_text(from) + " to " + clock_text(to) + " (" + short_duration(to - from) + ")";
}

// The stream a job's versions share (the repo's first commit says which).
std::string stream_of_job(const Scenario& s, const std::string& job, const std::string& target) {
  for (const auto& j : s.repo) {
    if (j.name == job && j.target == target) return j.stream_name();
  }
  return "";
}

void add_instants(const Scenario& s, const Timeline& t, StreamLane& lane) {
  for (const auto& [id, d] : t.deployments) {
    if (stream_of_job(s, d.job, d.target) != lane.stream) continue;
    const std::string who = "#" + std::to_string(id) + " v" + std::to_string(d.version);
    for (const auto& p : d.phases) {
      std::string css, label, what;
      if (p.name == "green") {
        css = "bg-t0", label = "t0", what = "green is created and started";
      } else if (p.name == "health") {
        css = "bg-t1", label = "t1", what = "green's run is RUNNING; its health window begins";
      } else if (p.name == "stop-blue") {
        css = "bg-t2", label = "t2", what = "green holds the lock; blue is stopped";
      } else if (p.name == "abort") {
        css = "bg-abort", label = "abort", what = "green is given up; blue runs on";
      } else {
        continue;
      }
      lane.instants.push_back(
          {p.from_ms, css, label,
           label + " of deployment " + who + " at " + clock_text(p.from_ms) + ": " + what});
    }
  }
  std::stable_sort(lane.instants.begin(), lane.instants.end(),
                   [](const Mark& a, const Mark& b) { return a.at_ms < b.at_ms; });
}

}  // namespace

double Plot::x(DurationMs t) const {
  const auto d = static_cast<double>(std::max<DurationMs>(duration_ms, 1));
  const auto at = static_cast<double>(std::clamp<DurationMs>(t, 0, duration_ms));
  return left + width * at / d;
}

void add_stream_lanes(const Scenario& s, const RunResult& r, Timeline& t) {
  std::map<std::string, std::vector<const StreamSample*>> by_stream;
  for (const auto& sample : r.stream_samples) by_stream[sample.stream].push_back(&sample);
  for (const auto& [name, samples] : by_stream) {
    StreamLane lane;
    lane.stream = name;
    for (std::size_t i = 0; i < samples.size();) {
      const StreamSample& first = *samples[i];
      std::size_t next = i + 1;
      while (next < samples.size() && samples[next]->holder == first.holder) ++next;
      const DurationMs to = next < samples.size() ? samples[next]->at_ms : t.duration_ms;
      if (to > first.at_ms || next == samples.size()) {
        const auto [who, css] = holder_of(t, first.holder);
        lane.holders.push_back({first.at_ms, to, css,
                                (first.holder.empty() ? "nobody holds the lock"
                                                      : who + " holds the lock (token " +
                                                            std::to_string(first.token) + ")") +
                                    " from " + from_to(first.at_ms, to)});
      }
      i = next;
    }
    for (const auto* sample : samples) {
      const std::int64_t lag = std::max<std::int64_t>(0, sample->head - sample->committed);
      lane.lag.push_back({sample->at_ms, lag});
      lane.lag_max = std::max(lane.lag_max, lag);
    }
    add_instants(s, t, lane);
    t.streams.push_back(std::move(lane));
  }
}

std::string stream_style(const Timeline& t) {
  std::set<std::int64_t> versions;
  for (const auto& lane : t.streams) {
    for (const auto& span : lane.holders) {
      if (span.css.rfind("hold-v", 0) == 0) versions.insert(std::stoll(span.css.substr(6)));
    }
  }
  std::string out =
      "<style>\n"
      ".ph-green{fill:#a5d6a7}.ph-running{fill:#9e9ac8}.ph-health{fill:#26a69a}"
      ".ph-stop-blue{fill:#5c6bc0}.ph-abort{fill:#bcaaa4}\n"
      ".hold-none{fill:#eceff1}.hold-unknown{fill:#9e9e9e}\n"
      ".lag{fill:none;stroke:#d81b60;stroke-width:1.2}.lag-base{stroke:#cfd8dc}\n"
      ".bg-t0 line,.bg-t1 line,.bg-t2 line,.bg-abort line{stroke-width:1;stroke-dasharray:2 2}\n"
      ".bg-t0 line{stroke:#2e7d32}.bg-t1 line{stroke:#00897b}.bg-t2 line{stroke:#3949ab}"
      ".bg-abort line{stroke:#c62828}\n"
      ".bg-t0 text,.bg-t1 text,.bg-t2 text,.bg-abort text{font-size:8px;fill:#455a64}\n";
  for (const auto v : versions) {
    out += ".hold-v" + std::to_string(v) + "{fill:" +
           kVersionColours[static_cast<std::size_t>(v < 0 ? 0 : v) % kVersionColours.size()] + "}";
  }
  return out + "\n</style>";
}

double stream_lane_height(const StreamLane&) {
  return std::max(kLaneMinHeight, 4 + kInstantRow + kHolderRow + kGap + kLagRow + 6);
}

void write_stream_lane(const StreamLane& lane, const Plot& plot, double top, std::ostream& out) {
  const double height = stream_lane_height(lane);
  const double holder_y = top + 4 + kInstantRow;
  const double lag_top = holder_y + kHolderRow + kGap, lag_bottom = lag_top + kLagRow;
  out << "<g class=\"lane stream-lane\"><text class=\"lane-label\" x=\"8\" y=\"" << num(top + 13)
      << "\">" << escape("stream " + lane.stream) << "</text><text class=\"lane-sub\" x=\"8\" y=\""
      << num(top + 25) << "\">writer lock; checkpoint lag</text>";
  // The instants, over the whole lane, labelled on top in two rows (a label goes to the
  // second when it would run into the first row's last one).
  double row_end[2] = {-1e9, -1e9};
  for (const auto& m : lane.instants) {
    const double mx = plot.x(m.at_ms);
    const double width = static_cast<double>(m.label.size()) * kInstantCharWidth + 4;
    const int row = mx + 2 >= row_end[0] || mx + 2 < row_end[1] ? 0 : 1;
    row_end[row] = mx + 2 + width;
    out << "<g class=\"" << escape(m.css) << "\"><title>" << escape(m.title)
        << "</title><line x1=\"" << num(mx) << "\" y1=\"" << num(top + 4) << "\" x2=\"" << num(mx)
        << "\" y2=\"" << num(top + height - 2) << "\"/><text x=\"" << num(mx + 2) << "\" y=\""
        << num(top + 4 + (row == 0 ? 7 : 15)) << "\">" << escape(m.label) << "</text></g>";
  }
  out << "<text class=\"band-name\" x=\"" << num(plot.left - 6) << "\" y=\""
      << num(holder_y + kHolderRow - 2) << "\" text-anchor=\"end\">lock holder</text>";
  for (const auto& span : lane.holders) {
    const double sx = plot.x(span.from_ms), sw = std::max(plot.x(span.to_ms) - sx, 1.0);
    out << "<rect class=\"" << escape(span.css) << "\" x=\"" << num(sx) << "\" y=\""
        << num(holder_y) << "\" width=\"" << num(sw) << "\" height=\"" << num(kHolderRow)
        << "\"><title>" << escape(span.title) << "</title></rect>";
  }
  // The lag as a step chart: each sample holds until the next one.
  out << "<text class=\"band-name\" x=\"" << num(plot.left - 6) << "\" y=\"" << num(lag_top + 8)
      << "\" text-anchor=\"end\"><title>the source's head minus the checkpoint, on a square-root "
         "scale</title>lag, max "
      << lane.lag_max << "</text><line class=\"lag-base\" x1=\"" << num(plot.left) << "\" y1=\""
      << num(lag_bottom) << "\" x2=\"" << num(plot.left + plot.width) << "\" y2=\""
      << num(lag_bottom) << "\"/>";
  if (lane.lag.empty()) {
    out << "</g>\n";
    return;
  }
  // A square-root scale: a catch-up of thousands of positions and a stall's few hundred both
  // show.
  const double max = std::sqrt(static_cast<double>(lane.lag_max));
  auto y = [&](std::int64_t lag) {
    return max > 0 ? lag_bottom - kLagRow * std::sqrt(static_cast<double>(lag)) / max : lag_bottom;
  };
  std::string points;
  for (std::size_t i = 0; i < lane.lag.size(); ++i) {
    const auto [at, lag] = lane.lag[i];
    const DurationMs to = i + 1 < lane.lag.size() ? lane.lag[i + 1].first : at;
    points += num(plot.x(at)) + "," + num(y(lag)) + " " + num(plot.x(to)) + "," + num(y(lag)) + " ";
  }
  points.pop_back();
  out << "<polyline class=\"lag\" points=\"" << points << "\"><title>"
      << escape("checkpoint lag of " + lane.stream + ": at most " + std::to_string(lane.lag_max) +
                " positions; " + std::to_string(lane.lag.back().second) + " at the end")
      << "</title></polyline></g>\n";
}

}  // namespace kiln::scenario::report
