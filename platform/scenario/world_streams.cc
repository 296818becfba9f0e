// The world's stream events: a source's change, and faults on streaming runs, chosen when the
// event happens (a `version` names the run of the newest deployment of that deployVersion).
#include <charconv>

#include "platform/deploy/databricks_job.h"
#include "platform/scenario/duration.h"
#include "platform/scenario/world.h"

namespace kiln::scenario {

using fakedb::streaming::StreamFault;
using nlohmann::json;

namespace {

std::string number_text(double v) {
  std::string s = json(v).dump();
  return s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0 ? s.substr(0, s.size() - 2) : s;
}

// What a fault event does, for the trace and the timeline.
std::string fault_label(const TimelineEvent& e, const std::string& who) {
  if (e.kind == "lock_partition") {
    return "lock partition of " + who + " for " + format_duration(e.for_ms);
  }
  if (e.kind == "stream_stall") return "stall of " + who + " for " + format_duration(e.for_ms);
  if (e.kind == "stream_crash") return "crash of " + who;
  if (e.kind == "stream_slow") {
    return who + " slowed x" + number_text(e.factor) + " for " + format_duration(e.for_ms);
  }
  return who + " hangs" + (e.for_ms > 0 ? " for " + format_duration(e.for_ms) : "");
}

}  // namespace

std::string World::holder_of(const std::string& job, const std::string& target,
                             std::int64_t version) const {
  auto history = store->deployment_history(job, target, 1'000'000);  // newest first
  if (!history) return "";
  for (const auto& d : *history) {
    if (d.request.version == version) return deploy::holder_name(d.id);
  }
  return "";
}

std::optional<store::Deployment> World::deployment_of_holder(const std::string& holder) const {
  static const std::string kPrefix = "deployment-";
  if (holder.rfind(kPrefix, 0) != 0) return std::nullopt;
  std::int64_t id = 0;
  const char* begin = holder.data() + kPrefix.size();
  const char* end = holder.data() + holder.size();
  const auto [last, ec] = std::from_chars(begin, end, id);
  if (ec != std::errc() || last != end) return std::nullopt;
  auto d = store->get_deployment(id);
  if (!d) return std::nullopt;
  return std::move(d).value();
}

void World::stream_event(const TimelineEvent& e) {
  const core::TimeMs now = loop.now_ms();
  json fields = {{"kind", e.kind}, {"at_ms", e.at_ms}};
  if (e.kind == "stream_rate") {
    fakedb::streaming::SourceChange change;
    change.at_ms = now;
    change.rate = e.rate;
    change.burst = e.burst;
    change.pause_ms = e.pause_ms;
    workspace->streams().change_source(e.stream, change);
    std::string what;
    if (e.rate) what = "rate " + number_text(*e.rate) + "/s";
    if (e.burst > 0) what += (what.empty() ? "" : ", ") + ("burst of " + std::to_string(e.burst));
    if (e.pause_ms > 0)
      what += (what.empty() ? "" : ", ") + ("pause " + format_duration(e.pause_ms));
    fields["stream"] = e.stream;
    fields["label"] = "source " + e.stream + ": " + what;
    publish("scenario.fault", std::move(fields));
    return;
  }
  StreamFault fault;
  fault.at_ms = now;
  fault.job = e.job.empty() ? "*" : e.job;
  fault.holder = e.holder.empty() ? "*" : e.holder;
  fault.for_ms = e.for_ms;
  std::string who = e.job.empty() ? "runs of holder " + e.holder : "runs of " + e.job;
  if (e.version) {
    fault.holder = holder_of(e.job, e.target, *e.version);
    who = e.job + " v" + std::to_string(*e.version);
    fields["version"] = *e.version;
    if (fault.holder.empty()) {
      fields["label"] = fault_label(e, who) + ": no deployment of v" + std::to_string(*e.version) +
                        " yet, nothing hit";
      publish("scenario.fault", std::move(fields));
      return;
    }
    who += " (" + fault.holder + ")";
  }
  if (e.kind == "lock_partition") {
    fault.kind = StreamFault::Kind::partition;
  } else if (e.kind == "stream_stall") {
    fault.kind = StreamFault::Kind::stall;
  } else if (e.kind == "stream_crash") {
    fault.kind = StreamFault::Kind::crash;
  } else {  // stream_slow; run_hang: it stops processing, its calls go on
    fault.kind = StreamFault::Kind::slow;
    fault.factor = e.kind == "stream_slow" ? e.factor : 0;
    if (e.kind == "run_hang" && fault.for_ms <= 0) {
      fault.for_ms = std::max<core::DurationMs>(1, start_ms_ + scenario.duration_ms - now);
    }
  }
  fields["job"] = fault.job;
  fields["holder"] = fault.holder;
  if (fault.for_ms > 0) fields["for_ms"] = fault.for_ms;
  if (fault.kind == StreamFault::Kind::slow) fields["factor"] = fault.factor;
  fields["label"] = fault_label(e, who);
  publish("scenario.fault", std::move(fields));
  workspace->streams().inject(fault);
}

}  // namespace kiln::scenario
