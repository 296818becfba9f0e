#include "core/streams/invariants.h"

namespace kiln::streams {

namespace {

std::string text(const nlohmann::json& fields, const char* key) {
  const auto it = fields.find(key);
  return it != fields.end() && it->is_string() ? it->get<std::string>() : "";
}

std::int64_t number(const nlohmann::json& fields, const char* key) {
  const auto it = fields.find(key);
  return it != fields.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

}  // namespace

InvariantChecker::Stream& InvariantChecker::stream(const std::string& name) {
  for (auto& [n, s] : streams_) {
    if (n == name) return s;
  }
  streams_.emplace_back(name, Stream{});
  return streams_.back().second;
}

const InvariantChecker::Stream* InvariantChecker::find(const std::string& name) const {
  for (const auto& [n, s] : streams_) {
    if (n == name) return &s;
  }
  return nullptr;
}

std::string InvariantChecker::stream_of_holder(const std::string& holder) const {
  for (const auto& [h, s] : holders_seen_) {
    if (h == holder) return s;
  }
  return "";
}

void InvariantChecker::fail(core::TimeMs t, const std::string& invariant, const std::string& what) {
  violations_.push_back(std::to_string(t) + " ms: " + invariant + ": " + what);
}

void InvariantChecker::check_handbacks(core::TimeMs now) {
  for (auto it = handbacks_.begin(); it != handbacks_.end();) {
    if (now < it->due_ms) {
      ++it;
      continue;
    }
    fail(it->due_ms, "handback",
         "no holder other than " + it->green + " took " + it->stream + " back within " +
             std::to_string(options_.handback_bound_ms) + " ms of the abort");
    it = handbacks_.erase(it);
  }
}

void InvariantChecker::observe(const core::Event& e) {
  check_handbacks(e.time_ms);
  const auto& f = e.fields;
  if (e.type == "stream.lock") {
    const std::string name = text(f, "stream");
    Stream& s = stream(name);
    const std::int64_t token = number(f, "token");
    if (token < s.token) fail(e.time_ms, "single-writer", name + ": the token went back");
    s.token = token;
    s.holder = text(f, "holder");
    if (!s.holder.empty()) {
      if (stream_of_holder(s.holder).empty()) holders_seen_.emplace_back(s.holder, name);
      for (auto it = handbacks_.begin(); it != handbacks_.end();) {
        it = (it->stream == name && s.holder != it->green) ? handbacks_.erase(it) : it + 1;
      }
    }
  } else if (e.type == "stream.write") {
    ++writes_;
    const std::string name = text(f, "stream");
    Stream& s = stream(name);
    const std::int64_t token = number(f, "token");
    const std::string writer = text(f, "writer");
    const std::int64_t from = number(f, "from");
    const std::int64_t to = number(f, "to");
    if (token != s.token || writer != s.holder) {
      fail(e.time_ms, "single-writer",
           name + ": " + writer + " wrote [" + std::to_string(from) + ", " + std::to_string(to) +
               ") with token " + std::to_string(token) + " but the newest token is " +
               std::to_string(s.token) + " (" + (s.holder.empty() ? "released" : s.holder) + ")");
    }
    if (s.written && from != s.next) {
      fail(e.time_ms, "contiguous",
           name + ": a write starts at " + std::to_string(from) + " after one that ended at " +
               std::to_string(s.next) + (from < s.next ? " (written twice)" : " (a gap)"));
    }
    if (to <= from) fail(e.time_ms, "contiguous", name + ": an empty or reversed write");
    s.written = true;
    s.next = to;
  } else if (e.type == "kiln.phase" && text(f, "phase") == "stop-blue" &&
             text(f, "outcome") == "running") {
    const std::string green = "deployment-" + std::to_string(number(f, "deployment"));
    const std::string name = stream_of_holder(green);
    const Stream* s = find(name);
    if (s == nullptr || s->holder != green) {
      fail(e.time_ms, "blue-kept",
           "deployment " + std::to_string(number(f, "deployment")) +
               " began to stop blue while its green did not hold the lock" +
               (s == nullptr ? "" : " (" + (s->holder.empty() ? "nobody" : s->holder) + " did)"));
    }
  } else if (e.type == "kiln.deployment" &&
             (text(f, "status") == "aborted" || text(f, "status") == "superseded")) {
    const std::string green = "deployment-" + std::to_string(number(f, "deployment"));
    const std::string name = stream_of_holder(green);
    const Stream* s = find(name);
    // Only a stream someone held before green: a first deploy has nobody to hand back to.
    if (s != nullptr && s->token > 1) {
      if (s->holder == green || s->holder.empty()) {
        handbacks_.push_back({name, green, e.time_ms + options_.handback_bound_ms});
      }
    }
  }
}

void InvariantChecker::finish(core::TimeMs now) {
  check_handbacks(now);
  handbacks_.clear();
}

}  // namespace kiln::streams
