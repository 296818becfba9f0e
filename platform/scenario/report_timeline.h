// The report's timeline (private to report*.cc): what a run's kept events say happened, as lanes
// of bars and marks on one time axis, and its drawing as inline SVG. Times are milliseconds from
// the scenario's start. Everything is kept in ordered containers and built in event order, so
// the same RunResult always gives the same model and the same bytes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "platform/scenario/runner.h"
#include "platform/scenario/scenario.h"

namespace kiln::scenario::report {

// A stretch of time on one row of a lane: a run's state, a band's value.
struct Span {
  DurationMs from_ms = 0, to_ms = 0;
  std::string css;    // the class that colours it ("st-RUNNING", "band-settings")
  std::string title;  // the tooltip
};

// A run of a Databricks job: its states one after the other; `end_css` caps a run that ended.
struct Run {
  std::int64_t run_id = 0, job_id = 0;
  DurationMs from_ms = 0, to_ms = 0;  // first state; end (or the scenario's end if still active)
  std::vector<Span> states;
  std::string end_css;  // "end-SUCCESS", "end-FAILED", ...; "" while still active at the end
  std::string title;
};

// A row of a lane for a quantity over time, drawn under the runs. Today: which version's
// settings the job holds. Later: the writer-lock holder, the checkpoint lag.
struct Band {
  std::string name;  // shown in the gutter
  std::vector<Span> spans;
};

struct Phase {
  std::string name, outcome, reason;  // outcome: running (never ended), succeeded, failed, skipped
  std::string css;                    // "ph-stop"; "ph-failed" when it failed
  DurationMs from_ms = 0, to_ms = 0;
};

// A deployment as its kiln.deployment and kiln.phase events tell it.
struct Deployment {
  std::int64_t id = 0;
  std::string job, target;
  std::int64_t version = 0;
  std::string requested_by, status, reason;  // the last status and its reason
  DurationMs first_ms = 0, last_ms = 0;      // first event; terminal status (or the end)
  bool ended = false;                        // its status is terminal
  std::vector<Phase> phases;                 // in the order they began
};

// deployVersion may be 0: an unknown version is below every real one.
constexpr std::int64_t kUnknownVersion = -1;

// One (job, target, version): its runs, the deployments of that version, its bands.
struct Lane {
  std::string job, target;
  std::int64_t version = 0;  // kUnknownVersion: runs of a job whose version is not known
  std::vector<Run> runs;     // by start
  std::vector<std::int64_t> deployments;  // ids, ascending
  std::vector<Band> bands;
  std::string label() const;  // "orders/production v2"
};

// Something at one instant, drawn as a vertical line across every lane with a label on top.
struct Mark {
  DurationMs at_ms = 0;
  std::string css;  // mark-build, mark-deploy, mark-fault, mark-crash, mark-start, mark-note, ...
  std::string label, title;
};

// A stretch of the whole world: an API outage, a rate-limit storm, kiln being down.
struct Window {
  DurationMs from_ms = 0, to_ms = 0;
  std::string css, label, title;
};

struct VerdictMark {
  DurationMs at_ms = 0;  // when it was decided, or when an invariant was first violated
  std::size_t index = 0;
  bool holds = false;
  std::string title;
};

// A stream (report_stream.cc): who held its writer lock when (a span per holder, coloured by
// the holder's version), its checkpoint's lag behind the source over time, and the instants of
// the blue-green deploys of the jobs writing it: t0 (green starts), t1 (green RUNNING), t2
// (blue is stopped) or the abort.
struct StreamLane {
  std::string stream;
  std::vector<Span> holders;                             // css "hold-v<version>", "hold-none"
  std::vector<std::pair<DurationMs, std::int64_t>> lag;  // (time, positions), in time order
  std::int64_t lag_max = 0;
  std::vector<Mark> instants;  // css "bg-t0", "bg-t1", "bg-t2", "bg-abort"; label "t1 #2"
};

struct Timeline {
  DurationMs duration_ms = 0;
  std::vector<Lane> lanes;          // by job, target, version
  std::vector<StreamLane> streams;  // by name
  std::map<std::int64_t, Deployment> deployments;
  std::vector<Mark> marks;  // by time
  std::vector<Window> windows;
  std::vector<VerdictMark> verdicts;  // in the order of the expectations
};

Timeline build_timeline(const Scenario& scenario, const RunResult& result);
// Fills timeline.streams from the result's stream samples and the deployments already built.
void add_stream_lanes(const Scenario& scenario, const RunResult& result, Timeline& timeline);

// The timeline as one <svg> element; its classes are styled by the page (report.cc).
void write_timeline_svg(const Timeline& timeline, std::ostream& out);

// Where the plot is: a time's x. Shared by the SVG drawing and the stream lanes.
struct Plot {
  DurationMs duration_ms = 0;
  double left = 0, width = 0;
  double x(DurationMs t) const;
};
// The stream lanes' part of the drawing (report_stream.cc): the classes they use (with a colour
// per version seen), a lane's height, and a lane drawn at `top`.
std::string stream_style(const Timeline& timeline);
double stream_lane_height(const StreamLane& lane);
void write_stream_lane(const StreamLane& lane, const Plot& plot, double top, std::ostream& out);

// Text and attribute values for HTML and SVG: & < > " ' escaped.
std::string escape(std::string_view text);
// "1:02:03" (hours may pass 24): a time from the start.
std::string clock_text(DurationMs ms);
// "350ms", "4.2s", "3m47s", "2h05m", "3d04h": a duration rounded for reading.
std::string short_duration(DurationMs ms);

}  // namespace kiln::scenario::report
