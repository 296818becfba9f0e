// The stream predicates (docs/scenarios.md): who holds a stream's writer lock, how far its
// checkpoint lags behind its source, how many writes its sink accepted. Read from the lock
// service's state, the emulator's sources and sink, and the metadata DB, without side effects.
#include <set>

#include "platform/deploy/databricks_job.h"
#include "platform/scenario/duration.h"
#include "platform/scenario/expectations.h"

namespace kiln::scenario {

using nlohmann::json;

namespace {

// The stream an expectation is about: `stream`, or that of its job on its target (the job the
// loader checked is there).
std::string stream_of(const World& w, const json& args) {
  if (args.contains("stream")) return args["stream"].get<std::string>();
  std::string job = args["job"].get<std::string>();
  const std::string target = args.value("target", "");
  for (const auto& j : w.scenario.repo) {
    if (j.name == job && (target.empty() || j.target == target)) return j.stream_name();
  }
  return job;
}

// "deployment-3 (v2)", "nobody".
std::string holder_text(const World& w, const std::string& holder) {
  if (holder.empty()) return "nobody";
  if (auto d = w.deployment_of_holder(holder)) {
    return holder + " (v" + std::to_string(d->request.version) + ")";
  }
  return holder;
}

// Whether `holder` is what the arguments ask for: the deployment of `version` of the job, or
// the holder named ("" or "none": nobody).
bool holder_matches(const World& w, const json& args, const std::string& holder) {
  if (args.contains("holder")) {
    const std::string want = args["holder"].get<std::string>();
    return holder == (want == "none" ? "" : want);
  }
  const auto d = w.deployment_of_holder(holder);
  return d && d->request.version == args["version"].get<std::int64_t>() &&
         d->request.name == args["job"].get<std::string>() &&
         (!args.contains("target") || d->request.target == args["target"].get<std::string>());
}

Check lock(World& w, const Expectation& x, const std::string& stream) {
  const core::TimeMs now = w.loop.now_ms();
  const auto state = w.locks->state(stream, nullptr);
  if (!state) {
    const bool holds =
        x.args.contains("holder") && (x.args["holder"] == "" || x.args["holder"] == "none");
    return {holds, stream + ": never used (nobody holds its lock)"};
  }
  const std::string holder = state->holder_at(now);
  std::string observed = stream + ": held by " + holder_text(w, holder);
  if (holder.empty() && !state->holder.empty()) {
    observed += " (" + state->holder + "'s lease ran out " +
                format_duration(now - state->lease_until_ms) + " ago)";
  } else if (!holder.empty()) {
    observed += ", token " + std::to_string(state->token);
  }
  observed += ", checkpoint " + std::to_string(state->committed);
  return {holder_matches(w, x.args, holder), observed};
}

Check lag(World& w, const Expectation& x, const std::string& stream) {
  const auto state = w.locks->state(stream, nullptr);
  const streams::Position committed = state ? state->committed : 0;
  const streams::Position head = w.workspace->streams().head(stream);
  const streams::Position lag = head > committed ? head - committed : 0;
  const auto max = x.args["max"].get<std::int64_t>();
  return {lag <= max, stream + ": lag " + std::to_string(lag) + " position(s) (source head " +
                          std::to_string(head) + ", checkpoint " + std::to_string(committed) + ")"};
}

Check writes(World& w, const Expectation& x, const std::string& stream) {
  std::int64_t n = 0, all = 0;
  std::set<std::string> writers;
  for (const auto& write : w.workspace->streams().sink().writes_of(stream)) {
    ++all;
    writers.insert(write.writer);
    if (x.args.contains("holder") || x.args.contains("version")) {
      if (!holder_matches(w, x.args, write.writer)) continue;
    }
    ++n;
  }
  std::string by;
  for (const auto& h : writers) by += (by.empty() ? "" : ", ") + holder_text(w, h);
  std::string observed = stream + ": " + std::to_string(all) + " write(s) accepted" +
                         (by.empty() ? "" : " (by " + by + ")");
  if (n != all) observed += ", " + std::to_string(n) + " of them by the writer asked for";
  bool holds = true;
  if (x.args.contains("count")) holds = n == x.args["count"].get<std::int64_t>();
  if (x.args.contains("at_least")) holds = holds && n >= x.args["at_least"].get<std::int64_t>();
  return {holds, observed};
}

}  // namespace

Check evaluate_stream(World& w, const Expectation& x) {
  const std::string stream = stream_of(w, x.args);
  if (x.that == "lock") return lock(w, x, stream);
  if (x.that == "lag") return lag(w, x, stream);
  return writes(w, x, stream);
}

}  // namespace kiln::scenario
