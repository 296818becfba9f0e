// Draws the report's timeline as one inline <svg> with its own <style>: labels of marks and
// windows on top, the time axis, a lane per job version (deploy phases, runs, bands), the
// expectations at the bottom, then a legend of what was drawn. Lay out first (every row and
// height is known before the <svg> tag is written), then draw; tooltips are <title> elements.
#include <algorithm>
#include <array>
#include <cstdio>
#include <set>

#include "platform/scenario/report_svg_style.h"
#include "platform/scenario/report_timeline.h"

namespace kiln::scenario::report {

namespace {

using svg::num;

constexpr double kWidth = 1200;
constexpr double kGutter = 210;  // lane labels
constexpr double kRight = 24;
constexpr double kPlotWidth = kWidth - kGutter - kRight;
constexpr double kCharWidth = 6.0;  // of a 10px label, a little generous
constexpr double kLabelRow = 13;
constexpr std::size_t kMaxLabelRows = 8;
constexpr double kPhaseRow = 9, kRunRow = 14, kBandRow = 6, kGap = 3;
constexpr double kLaneMinHeight = 36;
constexpr std::size_t kMaxRunRows = 8;  // runs at once in a lane, one row each
constexpr double kTall = 600;     // lanes taller than this get the axis's labels below them too
constexpr double kNarrowRun = 8;  // a run narrower than this is drawn as one bar
constexpr double kVerdictRow = 17;
constexpr std::size_t kMaxVerdictRows = 20;
constexpr DurationMs kMinute = 60'000, kHour = 60 * kMinute, kDay = 24 * kHour;

struct Legend {
  std::string css, label;
};

// `text` cut to the gutter, for characters about `char_width` wide.
std::string fit(const std::string& text, double char_width) {
  const auto room = static_cast<std::size_t>((kGutter - 16) / char_width);
  return text.size() > room ? text.substr(0, room - 3) + "..." : text;
}

double text_width(const std::string& text) {
  return static_cast<double>(text.size()) * kCharWidth;
}

// Rows of intervals that must not overlap; an item goes in the first row with room.
class Rows {
 public:
  explicit Rows(std::size_t max_rows) : max_rows_(max_rows) {}
  // The row for [from, to]: the last allowed row when none has room (it will overlap there).
  std::size_t place(double from, double to) {
    for (std::size_t r = 0; r < rows_.size(); ++r) {
      if (fits(r, from, to)) return add(r, from, to);
    }
    if (rows_.size() < max_rows_) {
      rows_.emplace_back();
      return add(rows_.size() - 1, from, to);
    }
    overflowed_ = true;
    return add(rows_.size() - 1, from, to);
  }
  std::size_t count() const { return rows_.size(); }
  bool overflowed() const { return overflowed_; }  // some items overlap in the last row

 private:
  bool fits(std::size_t r, double from, double to) const {
    return std::none_of(rows_[r].begin(), rows_[r].end(),
                        [&](const auto& used) { return from < used.second && used.first < to; });
  }
  std::size_t add(std::size_t r, double from, double to) {
    rows_[r].push_back({from, to});
    return r;
  }
  std::size_t max_rows_;
  bool overflowed_ = false;
  std::vector<std::vector<std::pair<double, double>>> rows_;
};

// Tick spacing: the first step that gives at most about one tick per 80px.
DurationMs tick_step(DurationMs duration_ms) {
  constexpr std::array<DurationMs, 27> kSteps = {
      1000,        2000,        5000,         10'000,       15'000,       30'000,    kMinute,
      2 * kMinute, 5 * kMinute, 10 * kMinute, 15 * kMinute, 30 * kMinute, kHour,     2 * kHour,
      3 * kHour,   6 * kHour,   12 * kHour,   kDay,         2 * kDay,     5 * kDay,  7 * kDay,
      14 * kDay,   30 * kDay,   60 * kDay,    90 * kDay,    180 * kDay,   365 * kDay};
  const auto max_ticks = static_cast<DurationMs>(kPlotWidth / 80);
  for (const auto step : kSteps) {
    if (duration_ms / step <= max_ticks) return step;
  }
  return kSteps.back();
}

// "0:30", "36:00"; "0:00:30" under a minute's spacing; "1d 6:00" past a day in runs of days;
// "14d" when the ticks are days apart.
std::string tick_label(DurationMs t, DurationMs step, DurationMs duration_ms) {
  if (step < kMinute) return clock_text(t);
  const auto hm = [](DurationMs ms) {
    char text[64];
    std::snprintf(text, sizeof text, "%lld:%02lld", static_cast<long long>(ms / kHour),
                  static_cast<long long>(ms / kMinute % 60));
    return std::string(text);
  };
  if (step >= kDay) return std::to_string(t / kDay) + "d";
  if (duration_ms < 2 * kDay || t < kDay) return hm(t);
  return std::to_string(t / kDay) + "d" + (t % kDay == 0 ? "" : " " + hm(t % kDay));
}

// A label above the axis: a mark's or a window's.
struct TopLabel {
  DurationMs at_ms = 0;
  std::string text;
  bool to_left = false;  // it would pass the right edge: drawn ending at its line
  std::size_t row = 0;
};

struct LaneLayout {
  double top = 0, height = 0;
  std::vector<std::size_t> run_rows;  // per run
  std::size_t rows = 0;
  bool runs_overlap = false;  // more runs at once than rows: the last row has them all
};

class Drawing {
 public:
  Drawing(const Timeline& t, std::ostream& out) : t_(t), out_(out) {}

  void write() {
    layout();
    out_ << "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << num(kWidth) << " "
         << num(height_) << "\" width=\"" << num(kWidth) << "\" role=\"img\">\n"
         << svg::style() << "\n"
         << stream_style(t_) << "\n"
         << "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
            "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fafafa\"/>"
            "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#9e9e9e\" stroke-width=\"2\"/>"
            "</pattern></defs>\n";
    for (std::size_t i = 0; i < lanes_.size(); ++i) lane_background(i);
    grid();
    for (std::size_t i = 0; i < t_.windows.size(); ++i) window(t_.windows[i], window_labels_[i]);
    for (std::size_t i = 0; i < t_.lanes.size(); ++i) lane(i);
    for (std::size_t i = 0; i < t_.streams.size(); ++i) {
      write_stream_lane(t_.streams[i], plot(), lanes_[t_.lanes.size() + i].top, out_);
    }
    for (std::size_t i = 0; i < t_.marks.size(); ++i) mark(t_.marks[i], mark_labels_[i]);
    verdicts();
    legend();
    out_ << "</svg>\n";
  }

 private:
  Plot plot() const { return {t_.duration_ms, kGutter, kPlotWidth}; }
  double x(DurationMs t) const { return plot().x(t); }
  double label_y(std::size_t row) const { return 4 + static_cast<double>(row + 1) * kLabelRow - 3; }

  // --- layout ---------------------------------------------------------------------------------

  void layout() {
    Rows top(kMaxLabelRows);
    // Windows and marks in time order, a window before a mark at the same time.
    std::vector<std::pair<DurationMs, TopLabel*>> order;
    for (const auto& w : t_.windows) window_labels_.push_back({w.from_ms, w.label});
    for (const auto& m : t_.marks) mark_labels_.push_back({m.at_ms, m.label});
    for (auto& l : window_labels_) order.push_back({l.at_ms, &l});
    for (auto& l : mark_labels_) order.push_back({l.at_ms, &l});
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [at, label] : order) {
      if (label->text.empty()) continue;
      const double w = text_width(label->text), at_x = x(at);
      label->to_left = at_x + 3 + w > kWidth - 2;
      label->row = label->to_left ? top.place(at_x - 3 - w, at_x) : top.place(at_x, at_x + 3 + w);
    }
    axis_y_ = 4 + static_cast<double>(top.count()) * kLabelRow + 14;
    lanes_top_ = axis_y_ + 6;
    double y = lanes_top_;
    for (const auto& l : t_.lanes) {
      lanes_.push_back(lane_layout(l, y));
      y += lanes_.back().height;
    }
    for (const auto& stream : t_.streams) {  // after the job lanes: lanes_ has both
      lanes_.push_back({y, stream_lane_height(stream), {}, 0, false});
      y += lanes_.back().height;
    }
    lanes_bottom_ = y;
    Rows rows(kMaxVerdictRows);
    for (const auto& v : t_.verdicts) {
      verdict_rows_.push_back(rows.place(x(v.at_ms) - 8, x(v.at_ms) + 8));
    }
    verdicts_top_ = lanes_bottom_ + 4;
    verdicts_bottom_ =
        verdicts_top_ + std::max<double>(1, static_cast<double>(rows.count())) * kVerdictRow;
    collect_used();
    legend_ = legend_entries();
    tall_ = lanes_bottom_ - lanes_top_ > kTall;
    legend_top_ = verdicts_bottom_ + (tall_ ? 26 : 14);
    height_ = legend_top_ + legend_height();
  }

  LaneLayout lane_layout(const Lane& l, double top) const {
    LaneLayout out;
    out.top = top;
    Rows rows(kMaxRunRows);
    for (const auto& r : l.runs) out.run_rows.push_back(rows.place(x(r.from_ms), x(r.to_ms) + 3));
    out.rows = rows.count();
    out.runs_overlap = rows.overflowed();
    const double runs_end = runs_top(out) + static_cast<double>(out.rows) * (kRunRow + kGap);
    out.height =
        std::max(kLaneMinHeight, bands_top(out, runs_end) - top +
                                     static_cast<double>(l.bands.size()) * (kBandRow + kGap) + 3);
    return out;
  }
  static double runs_top(const LaneLayout& l) { return l.top + 4 + kPhaseRow + kGap + 2; }
  // Bands start under the runs, and under the gutter's two lines of text.
  static double bands_top(const LaneLayout& l, double runs_end) {
    return std::max(runs_end, l.top + 31);
  }

  // --- background -----------------------------------------------------------------------------

  void lane_background(std::size_t i) {
    const auto& lo = lanes_[i];
    if (i % 2 == 0) {
      out_ << "<rect class=\"stripe\" x=\"0\" y=\"" << num(lo.top) << "\" width=\"" << num(kWidth)
           << "\" height=\"" << num(lo.height) << "\"/>\n";
    }
  }

  void grid() {
    const DurationMs step = tick_step(t_.duration_ms);
    out_ << "<g>";
    for (DurationMs t = 0; t <= t_.duration_ms; t += step) {
      const std::string tx = num(x(t));
      out_ << "<line class=\"grid\" x1=\"" << tx << "\" y1=\"" << num(axis_y_) << "\" x2=\"" << tx
           << "\" y2=\"" << num(verdicts_bottom_) << "\"/><text x=\"" << tx << "\" y=\""
           << num(axis_y_ - 3) << "\" text-anchor=\"middle\">"
           << escape(tick_label(t, step, t_.duration_ms)) << "</text>";
      if (tall_) {
        out_ << "<text x=\"" << tx << "\" y=\"" << num(verdicts_bottom_ + 12)
             << "\" text-anchor=\"middle\">" << escape(tick_label(t, step, t_.duration_ms))
             << "</text>";
      }
    }
    out_ << "<line class=\"axis\" x1=\"" << num(kGutter) << "\" y1=\"" << num(axis_y_) << "\" x2=\""
         << num(kGutter + kPlotWidth) << "\" y2=\"" << num(axis_y_) << "\"/></g>\n";
  }

  void window(const Window& w, const TopLabel& label) {
    const double x0 = x(w.from_ms), width = std::max(x(w.to_ms) - x0, 1.0);
    out_ << "<g class=\"" << escape(w.css) << "\"><title>" << escape(w.title)
         << "</title><rect x=\"" << num(x0) << "\" y=\"" << num(axis_y_) << "\" width=\""
         << num(width) << "\" height=\"" << num(verdicts_bottom_ - axis_y_) << "\"/>";
    top_text(label, x0);
    out_ << "</g>\n";
  }

  void top_text(const TopLabel& label, double at_x) {
    if (label.text.empty()) return;
    out_ << "<text x=\"" << num(label.to_left ? at_x - 3 : at_x + 3) << "\" y=\""
         << num(label_y(label.row)) << "\"" << (label.to_left ? " text-anchor=\"end\"" : "") << ">"
         << escape(label.text) << "</text>";
  }

  // --- lanes ----------------------------------------------------------------------------------

  void lane(std::size_t i) {
    const Lane& l = t_.lanes[i];
    const LaneLayout& lo = lanes_[i];
    out_ << "<g class=\"lane\">";
    gutter(l, lo);
    deployments(l, lo);
    for (std::size_t r = 0; r < l.runs.size(); ++r) {
      const std::size_t row = lo.run_rows[r];
      const bool crowded = lo.runs_overlap && row + 1 == lo.rows;
      run(l.runs[r], runs_top(lo) + static_cast<double>(row) * (kRunRow + kGap), !crowded);
    }
    if (lo.runs_overlap) {
      out_ << "<text class=\"band-name\" x=\"" << num(kGutter - 6) << "\" y=\""
           << num(runs_top(lo) + static_cast<double>(lo.rows - 1) * (kRunRow + kGap) + 10)
           << "\" text-anchor=\"end\">more runs overlap here</text>";
    }
    double y = bands_top(lo, runs_top(lo) + static_cast<double>(lo.rows) * (kRunRow + kGap));
    for (const auto& b : l.bands) {
      band(b, y);
      y += kBandRow + kGap;
    }
    out_ << "</g>\n";
  }

  void gutter(const Lane& l, const LaneLayout& lo) {
    const std::string label = l.label();
    std::string sub;
    for (const auto id : l.deployments) sub += (sub.empty() ? "#" : ", #") + std::to_string(id);
    sub = (sub.empty() ? "no deployment" : "deployment " + sub) + "; " +
          std::to_string(l.runs.size()) + (l.runs.size() == 1 ? " run" : " runs");
    out_ << "<text class=\"lane-label\" x=\"8\" y=\"" << num(lo.top + 13) << "\"><title>"
         << escape(label) << "</title>" << escape(fit(label, 6.6))
         << "</text><text class=\"lane-sub\" x=\"8\" y=\"" << num(lo.top + 25) << "\"><title>"
         << escape(sub) << "</title>" << escape(fit(sub, 5)) << "</text>";
  }

  // Each deployment's whole stretch as a thin line with its phases over it; then "#id status"
  // after the phases, where it covers neither a phase nor another label.
  void deployments(const Lane& l, const LaneLayout& lo) {
    const double top = lo.top + 4;
    std::vector<std::pair<double, double>> taken;
    for (const auto id : l.deployments) {
      const Deployment& d = t_.deployments.at(id);
      const double x0 = x(d.first_ms), x1 = std::max(x(d.last_ms), x0 + 1);
      out_ << "<g><title>" << escape(deployment_title(d)) << "</title><rect class=\"dep\" x=\""
           << num(x0) << "\" y=\"" << num(top + kPhaseRow) << "\" width=\"" << num(x1 - x0)
           << "\" height=\"2\"/>";
      for (const auto& p : d.phases) {
        const double px = x(p.from_ms), pw = std::max(x(p.to_ms) - px, 2.0);
        out_ << "<rect class=\"" << escape(p.css) << (p.outcome == "running" ? " ph-open" : "")
             << "\" x=\"" << num(px) << "\" y=\"" << num(top) << "\" width=\"" << num(pw)
             << "\" height=\"" << num(kPhaseRow) << "\"><title>" << escape(phase_title(d, p))
             << "</title></rect>";
        taken.push_back({px, px + pw});
      }
      out_ << "</g>";
    }
    for (const auto id : l.deployments) {
      const Deployment& d = t_.deployments.at(id);
      const std::string text = "#" + std::to_string(d.id) + " " + d.status;
      const double end = d.phases.empty() ? x(d.first_ms) + 1 : x(d.phases.back().to_ms) + 2;
      const double from = end + 3, to = from + text_width(text) * 0.9;
      const bool free = to < kWidth && std::none_of(taken.begin(), taken.end(), [&](const auto& u) {
                          return from < u.second && u.first < to;
                        });
      if (!free) continue;
      taken.push_back({from, to});
      out_ << "<text class=\"dep-label\" x=\"" << num(from) << "\" y=\"" << num(top + kPhaseRow - 1)
           << "\">" << escape(text) << "</text>";
    }
  }

  // The run's tooltip on its group shows over its cap and its label; each state has its own,
  // unless the run is too narrow to tell its states apart: then one bar in its longest state.
  void run(const Run& r, double y, bool labelled) {
    out_ << "<g><title>" << escape(r.title) << "</title>";
    const auto longest = longest_state(r);
    if (x(r.to_ms) - x(r.from_ms) < kNarrowRun && longest != r.states.end()) {
      out_ << "<rect class=\"" << escape(longest->css) << "\" x=\"" << num(x(r.from_ms))
           << "\" y=\"" << num(y) << "\" width=\"" << num(std::max(x(r.to_ms) - x(r.from_ms), 1.0))
           << "\" height=\"" << num(kRunRow) << "\"/>";
    }
    for (const auto& s : r.states) {
      if (x(r.to_ms) - x(r.from_ms) < kNarrowRun) break;
      const double sx = x(s.from_ms), sw = std::max(x(s.to_ms) - sx, 1.0);
      out_ << "<rect class=\"" << escape(s.css) << "\" x=\"" << num(sx) << "\" y=\"" << num(y)
           << "\" width=\"" << num(sw) << "\" height=\"" << num(kRunRow) << "\"><title>"
           << escape(s.title) << "</title></rect>";
    }
    if (!r.end_css.empty()) {
      out_ << "<rect class=\"" << escape(r.end_css) << "\" x=\"" << num(x(r.to_ms) - 2) << "\" y=\""
           << num(y - 1) << "\" width=\"3\" height=\"" << num(kRunRow + 2) << "\"/>";
    }
    if (labelled) run_label(r, y);
    out_ << "</g>";
  }

  // The run's id inside its longest state when it fits: whole, or its last digits.
  static std::vector<Span>::const_iterator longest_state(const Run& r) {
    return std::max_element(r.states.begin(), r.states.end(), [](const Span& a, const Span& b) {
      return a.to_ms - a.from_ms < b.to_ms - b.from_ms;
    });
  }

  void run_label(const Run& r, double y) {
    const auto longest = longest_state(r);
    if (longest == r.states.end()) return;
    const double room = x(longest->to_ms) - x(longest->from_ms) - 8;
    std::string text = "run " + std::to_string(r.run_id);
    if (text_width(text) * 0.9 > room) text = "..." + std::to_string(r.run_id % 100000);
    if (text_width(text) * 0.9 > room) return;
    out_ << "<text class=\"run-label\" x=\"" << num(x(longest->from_ms) + 4) << "\" y=\""
         << num(y + 10) << "\">" << escape(text) << "</text>";
  }

  void band(const Band& b, double y) {
    out_ << "<text class=\"band-name\" x=\"" << num(kGutter - 6) << "\" y=\"" << num(y + kBandRow)
         << "\" text-anchor=\"end\">" << escape(b.name) << "</text>";
    for (const auto& s : b.spans) {
      const double sx = x(s.from_ms), sw = std::max(x(s.to_ms) - sx, 1.0);
      out_ << "<rect class=\"" << escape(s.css) << "\" x=\"" << num(sx) << "\" y=\"" << num(y)
           << "\" width=\"" << num(sw) << "\" height=\"" << num(kBandRow) << "\"><title>"
           << escape(s.title) << "</title></rect>";
    }
  }

  // --- marks, verdicts, legend ------------------------------------------------------------------

  void mark(const Mark& m, const TopLabel& label) {
    const double mx = x(m.at_ms);
    out_ << "<g class=\"mark " << escape(m.css) << "\"><title>" << escape(m.title)
         << "</title><line x1=\"" << num(mx) << "\" y1=\"" << num(label_y(label.row) - 9)
         << "\" x2=\"" << num(mx) << "\" y2=\"" << num(verdicts_bottom_) << "\"/>";
    top_text(label, mx);
    out_ << "</g>\n";
  }

  void verdicts() {
    out_ << "<text class=\"lane-label\" x=\"8\" y=\"" << num(verdicts_top_ + 12)
         << "\">expectations</text>\n";
    for (std::size_t i = 0; i < t_.verdicts.size(); ++i) {
      const auto& v = t_.verdicts[i];
      const std::string css = v.holds ? "pass" : "fail";
      const double vx = x(v.at_ms),
                   vy = verdicts_top_ + static_cast<double>(verdict_rows_[i]) * kVerdictRow + 8;
      out_ << "<g class=\"verdict " << css << "\"><title>" << escape(v.title) << "</title>";
      if (!v.holds) {
        out_ << "<line class=\"fail-line\" x1=\"" << num(vx) << "\" y1=\"" << num(lanes_top_)
             << "\" x2=\"" << num(vx) << "\" y2=\"" << num(vy) << "\"/>";
      }
      out_ << "<circle cx=\"" << num(vx) << "\" cy=\"" << num(vy) << "\" r=\"7\"/><text x=\""
           << num(vx) << "\" y=\"" << num(vy + 3) << "\">" << v.index + 1 << "</text></g>\n";
    }
  }

  // The fixed entries that were used, then any other class of a state or phase (a phase of a
  // strategy this list does not know yet), named by itself.
  std::vector<Legend> legend_entries() const {
    std::vector<Legend> out;
    std::set<std::string> known;
    for (const auto& e : svg::legend_catalogue()) {
      known.insert(e.css);
      if (used_.count(e.css) > 0) out.push_back({e.css, e.label});
    }
    for (const auto& css : used_) {
      if (known.count(css) > 0) continue;
      for (const std::string prefix : {"st-", "end-", "ph-"}) {
        if (css.rfind(prefix, 0) == 0) {
          out.push_back({css, (prefix == "end-" ? "ended: " : "") + css.substr(prefix.size())});
        }
      }
      if (css.rfind("hold-", 0) == 0) {  // hold-v2, hold-none
        const std::string who = css.substr(5);
        out.push_back({css, "lock held by " + (who == "none" ? "nobody" : who)});
      }
    }
    return out;
  }

  static double legend_item_width(const Legend& e) { return 18 + text_width(e.label) + 14; }

  // The legend flows in lines, from the gutter's edge.
  double legend_height() const {
    double lx = kGutter, lines = 1;
    for (const auto& e : legend_) {
      if (lx + legend_item_width(e) > kWidth - kRight) {
        lx = kGutter;
        ++lines;
      }
      lx += legend_item_width(e);
    }
    return lines * 16 + 6;
  }

  void collect_used() {
    for (const auto& l : t_.lanes) {
      for (const auto id : l.deployments) {
        for (const auto& p : t_.deployments.at(id).phases) {
          used_.insert(p.css);
        }
      }
      for (const auto& r : l.runs) {
        for (const auto& s : r.states) used_.insert(s.css);
        if (!r.end_css.empty()) used_.insert(r.end_css);
      }
      for (const auto& b : l.bands) {
        for (const auto& s : b.spans) used_.insert(s.css);
      }
    }
    for (const auto& lane : t_.streams) {
      for (const auto& span : lane.holders) used_.insert(span.css);
      for (const auto& m : lane.instants) used_.insert(m.css);
      if (!lane.lag.empty()) used_.insert("lag");
    }
    for (const auto& w : t_.windows) used_.insert(w.css);
    for (const auto& m : t_.marks) used_.insert(m.css);
    for (const auto& v : t_.verdicts) used_.insert(v.holds ? "pass" : "fail");
  }

  void legend() {
    out_ << "<g class=\"legend\">";
    double lx = kGutter, ly = legend_top_;
    for (const auto& e : legend_) {
      if (lx + legend_item_width(e) > kWidth - kRight) {
        lx = kGutter;
        ly += 16;
      }
      legend_swatch(e, lx, ly);
      out_ << "<text x=\"" << num(lx + 16) << "\" y=\"" << num(ly + 9) << "\">" << escape(e.label)
           << "</text>";
      lx += legend_item_width(e);
    }
    out_ << "</g>\n";
  }

  void legend_swatch(const Legend& e, double lx, double ly) {
    const std::string css = e.css;
    if (css == "lag") {
      out_ << "<polyline class=\"lag\" points=\"" << num(lx) << "," << num(ly + 9) << " "
           << num(lx + 6) << "," << num(ly + 9) << " " << num(lx + 6) << "," << num(ly + 2) << " "
           << num(lx + 12) << "," << num(ly + 2) << "\"/>";
    } else if (css.rfind("bg-", 0) == 0) {
      out_ << "<g class=\"" << css << "\"><line x1=\"" << num(lx + 5) << "\" y1=\"" << num(ly - 1)
           << "\" x2=\"" << num(lx + 5) << "\" y2=\"" << num(ly + 11) << "\"/></g>";
    } else if (css.rfind("mark-", 0) == 0) {
      out_ << "<g class=\"mark " << css << "\"><line x1=\"" << num(lx + 5) << "\" y1=\""
           << num(ly - 1) << "\" x2=\"" << num(lx + 5) << "\" y2=\"" << num(ly + 11) << "\"/></g>";
    } else if (css.rfind("win-", 0) == 0) {
      out_ << "<g class=\"" << css << "\"><rect x=\"" << num(lx) << "\" y=\"" << num(ly)
           << "\" width=\"12\" height=\"10\"/></g>";
    } else if (css == "pass" || css == "fail") {
      out_ << "<g class=\"verdict " << css << "\"><circle cx=\"" << num(lx + 6) << "\" cy=\""
           << num(ly + 5) << "\" r=\"5\"/></g>";
    } else {
      out_ << "<rect class=\"" << css << "\" x=\"" << num(lx) << "\" y=\"" << num(ly)
           << "\" width=\"12\" height=\"10\"/>";
    }
  }

  // --- text -----------------------------------------------------------------------------------

  std::string phase_title(const Deployment& d, const Phase& p) const {
    return "deployment #" + std::to_string(d.id) + " v" + std::to_string(d.version) + ": " +
           p.name + " " + p.outcome + ", " + clock_text(p.from_ms) + " to " + clock_text(p.to_ms) +
           " (" + short_duration(p.to_ms - p.from_ms) + ")" +
           (p.reason.empty() ? "" : "\n" + p.reason);
  }

  std::string deployment_title(const Deployment& d) const {
    std::string title = "deployment #" + std::to_string(d.id) + " of " + d.job + "/" + d.target +
                        " v" + std::to_string(d.version) + " by " + d.requested_by + ": " +
                        d.status + (d.reason.empty() ? "" : " (" + d.reason + ")");
    for (const auto& p : d.phases) {
      title += "\n  " + p.name + " " + p.outcome + " " + short_duration(p.to_ms - p.from_ms);
    }
    return title;
  }

  const Timeline& t_;
  std::ostream& out_;
  std::vector<TopLabel> window_labels_, mark_labels_;
  std::vector<LaneLayout> lanes_;
  std::vector<std::size_t> verdict_rows_;
  std::set<std::string> used_;  // every class the drawing uses
  std::vector<Legend> legend_;
  double axis_y_ = 0, lanes_top_ = 0, lanes_bottom_ = 0, verdicts_top_ = 0, verdicts_bottom_ = 0;
  double legend_top_ = 0, height_ = 0;
  bool tall_ = false;  // the axis is labelled under the lanes too
};

}  // namespace

void write_timeline_svg(const Timeline& timeline, std::ostream& out) {
  Drawing(timeline, out).write();
}

}  // namespace kiln::scenario::report
