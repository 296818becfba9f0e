#include "fake-databricks/streaming/stream_source.h"

#include <algorithm>
#include <cmath>

#include "fake-databricks/workloads/instant.h"

namespace fakedb::streaming {
namespace {

ApiError bad(const std::string& field, const std::string& what) {
  return ApiError::invalid_parameter(field + ": " + what);
}

std::int64_t to_milli_rate(double rate) {
  return std::llround(rate * 1000);
}

// floor(milli_rate * elapsed_ms / 10^6) without overflow for any rate up to kMaxSourceRate over
// decades: split the elapsed time into whole seconds and the rest.
Position positions(std::int64_t milli_rate, DurationMs elapsed_ms) {
  const std::int64_t seconds = elapsed_ms / 1000;
  const std::int64_t rest_ms = elapsed_ms % 1000;
  const std::int64_t per_seconds = milli_rate * seconds;  // in thousandths of a position
  return per_seconds / 1000 + ((per_seconds % 1000) * 1000 + milli_rate * rest_ms) / 1'000'000;
}

ApiResult<double> parse_rate(const nlohmann::json& v, const std::string& field) {
  if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > kMaxSourceRate) {
    return bad(field, "expected positions per second from 0 to 10000000");
  }
  return v.get<double>();
}

ApiResult<std::int64_t> parse_count(const nlohmann::json& v, const std::string& field,
                                    const char* what) {
  if (!v.is_number_integer() || v.get<std::int64_t>() < 0) {
    return bad(field, std::string("expected ") + what + " (an integer >= 0)");
  }
  return v.get<std::int64_t>();
}

}  // namespace

ApiResult<SourceChange> SourceChange::parse(const nlohmann::json& spec, const std::string& field) {
  if (!spec.is_object()) return bad(field, "expected {at, rate | burst | pause_ms}");
  SourceChange c;
  bool has_at = false;
  for (const auto& [key, v] : spec.items()) {
    const std::string f = field + "." + key;
    if (key == "at") {
      auto at = workloads::parse_instant(v, f);
      if (!at) return at.error();
      c.at_ms = *at;
      has_at = true;
    } else if (key == "rate") {
      auto rate = parse_rate(v, f);
      if (!rate) return rate.error();
      c.rate = *rate;
    } else if (key == "burst") {
      auto n = parse_count(v, f, "a number of positions");
      if (!n) return n.error();
      c.burst = *n;
    } else if (key == "pause_ms") {
      auto ms = parse_count(v, f, "milliseconds");
      if (!ms) return ms.error();
      c.pause_ms = *ms;
    } else {
      return bad(f, "unknown field (expected at, rate, burst, pause_ms)");
    }
  }
  if (!has_at) return bad(field + ".at", "required (epoch ms or UTC time)");
  if (!c.rate && c.burst == 0 && c.pause_ms == 0) {
    return bad(field, "expected a rate, a burst or a pause_ms");
  }
  return c;
}

ApiResult<SourceSpec> SourceSpec::parse(const nlohmann::json& spec, const std::string& field) {
  if (!spec.is_object()) return bad(field, "expected {name, rate, start_position, changes}");
  SourceSpec s;
  for (const auto& [key, v] : spec.items()) {
    const std::string f = field + "." + key;
    if (key == "name") {
      if (!v.is_string() || v.get<std::string>().empty()) return bad(f, "expected a stream name");
      s.name = v.get<std::string>();
    } else if (key == "rate") {
      auto rate = parse_rate(v, f);
      if (!rate) return rate.error();
      s.rate = *rate;
    } else if (key == "start_position") {
      auto p = parse_count(v, f, "a position");
      if (!p) return p.error();
      s.start_position = *p;
    } else if (key == "changes") {
      if (!v.is_array()) return bad(f, "expected a list of changes");
      for (std::size_t i = 0; i < v.size(); ++i) {
        auto c = SourceChange::parse(v[i], f + "[" + std::to_string(i) + "]");
        if (!c) return c.error();
        s.changes.push_back(*c);
      }
    } else {
      return bad(f, "unknown field (expected name, rate, start_position, changes)");
    }
  }
  if (s.name.empty()) return bad(field + ".name", "required");
  return s;
}

StreamSource::StreamSource(SourceSpec spec, TimeMs start_ms)
    : spec_(std::move(spec)), start_ms_(start_ms) {
  build();
}

void StreamSource::add(const SourceChange& change) {
  spec_.changes.push_back(change);
  build();
}

void StreamSource::build() {
  // Every instant where something changes: the changes themselves and the ends of pauses.
  struct Point {
    TimeMs at_ms;
    const SourceChange* change;  // nullptr: a pause ends
  };
  std::vector<Point> points;
  for (const auto& c : spec_.changes) {
    const TimeMs at = std::max(c.at_ms, start_ms_);
    points.push_back({at, &c});
    if (c.pause_ms > 0) points.push_back({at + c.pause_ms, nullptr});
  }
  // Ties keep the order the changes were given in.
  std::stable_sort(points.begin(), points.end(),
                   [](const Point& a, const Point& b) { return a.at_ms < b.at_ms; });

  std::int64_t configured = to_milli_rate(spec_.rate);
  TimeMs paused_until = start_ms_;
  pieces_.assign(1, Piece{start_ms_, spec_.start_position, configured});
  for (const auto& p : points) {
    const Piece& last = pieces_.back();
    Position base = last.base + positions(last.milli_rate, p.at_ms - last.from_ms);
    if (p.change != nullptr) {
      if (p.change->rate) configured = to_milli_rate(*p.change->rate);
      base += p.change->burst;
      paused_until = std::max(paused_until, p.at_ms + p.change->pause_ms);
    }
    const Piece next{p.at_ms, base, p.at_ms < paused_until ? 0 : configured};
    if (pieces_.back().from_ms == p.at_ms) {
      pieces_.back() = next;  // several changes at one instant: the last state holds
    } else {
      pieces_.push_back(next);
    }
  }
}

const StreamSource::Piece& StreamSource::piece_at(TimeMs now_ms) const {
  const auto after =
      std::upper_bound(pieces_.begin(), pieces_.end(), now_ms,
                       [](TimeMs t, const Piece& piece) { return t < piece.from_ms; });
  return after == pieces_.begin() ? pieces_.front() : *(after - 1);
}

Position StreamSource::head(TimeMs now_ms) const {
  if (now_ms < start_ms_) return spec_.start_position;
  const Piece& piece = piece_at(now_ms);
  return piece.base + positions(piece.milli_rate, now_ms - piece.from_ms);
}

double StreamSource::rate(TimeMs now_ms) const {
  return static_cast<double>(piece_at(now_ms).milli_rate) / 1000;
}

}  // namespace fakedb::streaming
