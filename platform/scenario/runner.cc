#include "platform/scenario/runner.h"

#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "core/events/trace.h"
#include "platform/scenario/duration.h"
#include "platform/scenario/expectations.h"
#include "platform/scenario/stream_fields.h"
#include "platform/scenario/world.h"

namespace kiln::scenario {

using nlohmann::json;

namespace {

std::string clock_text(core::DurationMs ms) {
  char text[32];
  const auto s = ms / 1000;
  std::snprintf(text, sizeof text, "%3lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return text;
}

std::string field(const json& f, const char* key) {
  if (!f.contains(key)) return "";
  return f[key].is_string() ? f[key].get<std::string>() : f[key].dump();
}

// The writer lock's changes, refusals and the streaming runs' roles and faults.
std::string stream_line(const std::string& type, const json& f) {
  const std::string stream = field(f, "stream");
  if (type == "stream.lock") {
    const std::string holder = field(f, "holder");
    return "    lock " + stream + " " +
           (holder.empty() ? "released by " + field(f, "previous")
                           : "-> " + holder + " (" + field(f, "how") + ", token " +
                                 field(f, "token") + ", checkpoint " + field(f, "committed") + ")");
  }
  if (type == "stream.preferred") {
    return "    lock " + stream + ": preferred holder " +
           (field(f, "preferred").empty() ? "none" : field(f, "preferred"));
  }
  if (type == "stream.refused") {
    return "    lock " + stream + " refuses " + field(f, "call") + " of " + field(f, "caller") +
           " (token " + field(f, "token") + "): " + field(f, "refusal");
  }
  if (type == "stream.run" && field(f, "role") != "starting") {
    return "    stream " + stream + ": " + field(f, "holder") + " (run " + field(f, "run_id") +
           ") " + field(f, "role") + (f.contains("reason") ? " (" + field(f, "reason") + ")" : "") +
           ", processed " + field(f, "processed");
  }
  if (type == "stream.fault" && field(f, "phase") == "start") {
    return "    stream " + stream + ": " + field(f, "fault") + " of " + field(f, "holder") +
           " (run " + field(f, "run_id") + ")";
  }
  return "";
}

bool kept_for_report(const std::string& type) {
  return type != "api.call" && type != "task.state" && type != "stream.write";
}

// Samples every stream's lock and checkpoint for the report: at each change of holder, and at
// the first event of every period. Reads only (the lock service's state, the sources' heads).
class StreamSampler {
 public:
  StreamSampler(World& w, std::vector<StreamSample>& out)
      : w_(w),
        out_(out),
        period_ms_(std::max<core::DurationMs>(1000, w.scenario.duration_ms / 600)) {}

  void on_event(const core::Event& e) {
    if (e.type == "stream.lock" || e.time_ms >= next_ms_) sample(e.time_ms);
  }
  void sample(core::TimeMs now) {
    next_ms_ = now + period_ms_;
    for (const auto& s : w_.locks->list(nullptr)) {
      out_.push_back({now - w_.start_ms(), s.stream, s.holder_at(now), s.token, s.committed,
                      w_.workspace->streams().head(s.stream)});
    }
  }

 private:
  World& w_;
  std::vector<StreamSample>& out_;
  core::DurationMs period_ms_;
  core::TimeMs next_ms_ = 0;
};

}  // namespace

bool RunResult::passed() const {
  if (!error.empty()) return false;
  for (const auto& v : verdicts) {
    if (!v.holds) return false;
  }
  return true;
}

std::string replay_command(const Scenario& s) {
  return "kiln scenario run " + s.file + " --seed " + std::to_string(s.seed);
}

std::string timeline_line(const core::Event& e, core::TimeMs start_ms) {
  const json& f = e.fields;
  std::string what;
  if (e.type == "scenario.build") {
    what = "build " + field(f, "build") + "  " + field(f, "build_id") + " of commit " +
           field(f, "commit") + " (" + field(f, "why") + ")";
  } else if (e.type == "scenario.merge") {
    what = "merge  " + field(f, "changes");
  } else if (e.type == "scenario.deploy") {
    what = "deploy by hand  " + field(f, "job") + "/" + field(f, "target") + " build " +
           field(f, "build") +
           (f.contains("refused") ? "  REFUSED: " + field(f, "refused")
                                  : "  -> deployment " + field(f, "deployment"));
  } else if (e.type == "scenario.note") {
    what = "note  " + field(f, "text");
  } else if (e.type == "scenario.error") {
    what = "ERROR  " + field(f, "message");
  } else if (e.type == "scenario.verdict") {
    what = std::string(f.value("holds", false) ? "PASS" : "FAIL") + "  " + field(f, "expectation") +
           "  (" + field(f, "observed") + ")";
  } else if (e.type == "kiln.crash") {
    what = "kiln CRASHES" +
           (f.value("restart_after_ms", 0) > 0
                ? " (back in " + format_duration(f["restart_after_ms"].get<std::int64_t>()) + ")"
                : std::string());
  } else if (e.type == "kiln.start") {
    what = "kiln starts (" + field(f, "open_workflows") + " open workflow(s))";
  } else if (e.type == "kiln.deployment") {
    what = "deployment " + field(f, "deployment") + "  " + field(f, "job") + "/" +
           field(f, "target") + " v" + field(f, "version") + "  " + field(f, "status") +
           (f.contains("reason") ? ": " + field(f, "reason") : "") +
           (field(f, "status") == "queued" ? " (" + field(f, "requested_by") + ")" : "");
  } else if (e.type == "kiln.phase") {
    if (field(f, "outcome") == "running") return "";
    what = "  " + field(f, "job") + "/" + field(f, "target") + " " + field(f, "phase") + " " +
           field(f, "outcome") + (f.contains("reason") ? ": " + field(f, "reason") : "");
  } else if (e.type == "run.state") {
    const std::string state = field(f, "state");
    if (state != "RUNNING" && state != "TERMINATED" && state != "INTERNAL_ERROR" &&
        state != "SKIPPED") {
      return "";
    }
    what = "    run " + field(f, "run_id") + " of job " + field(f, "job_id") + " " + state +
           (f.contains("result") ? " " + field(f, "result") : "");
  } else if (e.type == "fault") {
    what = "FAULT  " + field(f, "kind") + (field(f, "job").empty() ? "" : " on " + field(f, "job"));
  } else if (e.type == "scenario.fault" && f.contains("label")) {
    what = "FAULT  " + field(f, "label");
  } else if (e.type.rfind("stream.", 0) == 0) {
    what = stream_line(e.type, f);
    if (what.empty()) return "";
  } else if (e.type == "job.created" || e.type == "job.deleted") {
    what = "    " + e.type + " " + field(f, "job_id") +
           (f.contains("name") ? " (" + field(f, "name") + ")" : "");
  } else {
    return "";
  }
  return clock_text(e.time_ms - start_ms) + "  " + what;
}

RunResult run_scenario(const Scenario& scenario, const RunOptions& options) {
  RunResult result;
  const auto wall_start = std::chrono::steady_clock::now();
  std::unique_ptr<World> world;
  try {
    world = std::make_unique<World>(scenario);
  } catch (const std::exception& e) {
    result.error = e.what();
    return result;
  }
  World& w = *world;
  result.start_ms = w.start_ms();
  std::optional<core::TraceRecorder> recorder;
  if (options.trace != nullptr || options.fingerprint) recorder.emplace(w.events, options.trace);
  core::EventLog::SubscriptionId printer = 0;
  StreamSampler sampler(w, result.stream_samples);
  if (options.timeline != nullptr || options.keep_events) {
    printer = w.events.subscribe([&](const core::Event& e) {
      if (options.timeline != nullptr) {
        const std::string line = timeline_line(e, w.start_ms());
        if (!line.empty()) *options.timeline << line << "\n";
      }
      if (options.keep_events && kept_for_report(e.type)) result.kept.push_back(e);
      if (options.keep_events) sampler.on_event(e);
    });
  }
  Invariants invariants(w);
  w.publish(
      "scenario.start",
      {{"name", scenario.name}, {"seed", scenario.seed}, {"duration_ms", scenario.duration_ms}});
  try {
    w.begin();
  } catch (const std::exception& e) {
    result.error = e.what();
    return result;
  }

  // The timeline.
  for (const auto& event : scenario.timeline) {
    w.loop.schedule_at(w.start_ms() + event.at_ms, [&w, &event] {
      if (event.kind == "merge")
        w.merge(event);
      else if (event.kind == "deploy")
        w.deploy(event);
      else if (event.kind == "crash")
        w.crash(event);
      else if (event.kind == "note")
        w.publish("scenario.note", {{"text", event.text}});
      else if (is_stream_event(event.kind))
        w.stream_event(event);
      else
        w.publish("scenario.fault", {{"kind", event.kind}, {"at_ms", event.at_ms}});
    });
  }

  // Expectations checked at times; `always` and `end` are decided after the run.
  std::vector<std::optional<Verdict>> decided(scenario.expectations.size());
  auto decide = [&](std::size_t i, bool holds, std::string observed) {
    if (decided[i]) return;
    decided[i] = Verdict{i, holds, w.elapsed_ms(), std::move(observed)};
    w.publish("scenario.verdict", {{"index", i},
                                   {"expectation", scenario.expectations[i].describe()},
                                   {"holds", holds},
                                   {"observed", decided[i]->observed}});
  };
  for (std::size_t i = 0; i < scenario.expectations.size(); ++i) {
    const auto& x = scenario.expectations[i];
    if (x.when == "at") {
      w.loop.schedule_at(w.start_ms() + x.at_ms, [&, i] {
        const auto check = evaluate(w, scenario.expectations[i]);
        decide(i, check.holds, check.observed);
      });
    } else if (x.when == "eventually") {
      // Checked every `every` from `after` until it holds or the window closes.
      // The poll holds itself only weakly (a strong self-reference would never be freed); the
      // loop's pending entry holds it strongly until the window is decided.
      auto poll = std::make_shared<std::function<void(core::TimeMs)>>();
      *poll = [&, i,
               self = std::weak_ptr<std::function<void(core::TimeMs)>>(poll)](core::TimeMs at) {
        const auto& ex = scenario.expectations[i];
        const auto check = evaluate(w, ex);
        const core::TimeMs last = w.start_ms() + ex.at_ms + ex.within_ms;
        if (check.holds || at >= last) {
          decide(i, check.holds,
                 check.holds ? check.observed
                             : "not within " + format_duration(ex.within_ms) +
                                   "; last seen: " + check.observed);
          return;
        }
        const core::TimeMs next = std::min(at + ex.every_ms, last);
        w.loop.schedule_at(next, [again = self.lock(), next] { (*again)(next); });
      };
      const core::TimeMs first = w.start_ms() + x.at_ms;
      w.loop.schedule_at(first, [poll, first] { (*poll)(first); });
    }
  }

  const core::TimeMs end = w.start_ms() + scenario.duration_ms;
  w.loop.run_until(end);
  if (options.keep_events) sampler.sample(end);
  invariants.finish();
  for (std::size_t i = 0; i < scenario.expectations.size(); ++i) {
    const auto& x = scenario.expectations[i];
    if (x.when == "end") {
      const auto check = evaluate(w, x);
      decide(i, check.holds, check.observed);
    } else if (x.when == "always") {
      const auto v = invariants.violation(i);
      decide(i, !v,
             v ? "violated at " + format_duration(v->first) + ": " + v->second : "held throughout");
    } else if (!decided[i]) {
      decide(i, false, "never checked");
    }
  }
  w.publish("scenario.end", {{"events", w.events.published()}});
  if (printer != 0) w.events.unsubscribe(printer);

  for (auto& v : decided) result.verdicts.push_back(std::move(*v));
  result.fingerprint = recorder ? recorder->fingerprint() : "";
  result.events = w.events.published();
  result.simulated_ms = scenario.duration_ms;
  result.wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

}  // namespace kiln::scenario
