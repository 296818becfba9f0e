// The cluster state machine table, ids, page tokens and the timings parser.
#include <array>
#include <cstdio>
#include <utility>

#include "fake-databricks/clusters/cluster_record.h"

namespace fakedb::clusters {

nlohmann::json TerminationReason::to_json() const {
  return {{"code", code}, {"type", type}, {"parameters", parameters}};
}

ApiResult<ClusterTimings> timings_from_json(const nlohmann::json& json) {
  ClusterTimings t;
  if (json.is_null()) return t;
  if (!json.is_object()) return wrong_type("cluster timings", "an object");
  const std::array<std::pair<const char*, std::int64_t*>, 8> fields{{
      {"start_min_ms", &t.start_min_ms},
      {"start_max_ms", &t.start_max_ms},
      {"restart_min_ms", &t.restart_min_ms},
      {"restart_max_ms", &t.restart_max_ms},
      {"resize_min_ms", &t.resize_min_ms},
      {"resize_max_ms", &t.resize_max_ms},
      {"terminate_min_ms", &t.terminate_min_ms},
      {"terminate_max_ms", &t.terminate_max_ms},
  }};
  for (const auto& [key, value] : json.items()) {
    std::int64_t* slot = nullptr;
    for (const auto& [name, field] : fields) {
      if (key == name) slot = field;
    }
    if (slot == nullptr) return ApiError::invalid_parameter("Unknown cluster timing: " + key);
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0) {
      return wrong_type(key, "a non-negative integer (milliseconds)");
    }
    *slot = value.get<std::int64_t>();
  }
  for (std::size_t i = 0; i < fields.size(); i += 2) {
    if (*fields[i].second > *fields[i + 1].second) {
      return ApiError::invalid_parameter(std::string(fields[i].first) + " must not exceed " +
                                         fields[i + 1].first);
    }
  }
  return t;
}

namespace detail {
namespace {
constexpr std::array<std::pair<State, std::string_view>, 6> kNames{{
    {State::kPending, "PENDING"},
    {State::kRunning, "RUNNING"},
    {State::kRestarting, "RESTARTING"},
    {State::kResizing, "RESIZING"},
    {State::kTerminating, "TERMINATING"},
    {State::kTerminated, "TERMINATED"},
}};
constexpr std::array<std::string_view, 6> kTitles{"Pending",  "Running",     "Restarting",
                                                  "Resizing", "Terminating", "Terminated"};

// The reference's table (sdk-py State docstring), plus start: TERMINATED -> PENDING.
constexpr std::array<std::pair<State, State>, 11> kAllowed{{
    {State::kPending, State::kRunning},
    {State::kPending, State::kTerminating},
    {State::kRunning, State::kResizing},
    {State::kRunning, State::kRestarting},
    {State::kRunning, State::kTerminating},
    {State::kRestarting, State::kRunning},
    {State::kRestarting, State::kTerminating},
    {State::kResizing, State::kRunning},
    {State::kResizing, State::kTerminating},
    {State::kTerminating, State::kTerminated},
    {State::kTerminated, State::kPending},
}};

std::size_t index(State s) {
  return static_cast<std::size_t>(s);
}
}  // namespace

std::string_view state_name(State s) {
  return kNames[index(s)].second;
}
std::string_view state_title(State s) {
  return kTitles[index(s)];
}

std::optional<State> parse_state(std::string_view name) {
  for (const auto& [state, text] : kNames) {
    if (text == name) return state;
  }
  return std::nullopt;
}

bool transition_allowed(State from, State to) {
  for (const auto& [a, b] : kAllowed) {
    if (a == from && b == to) return true;
  }
  return false;
}

std::string_view state_message(State s) {
  switch (s) {
    case State::kPending:
      return "Finding instances for new nodes, acquiring more instances if necessary";
    case State::kRestarting:
      return "Restarting Spark";
    case State::kResizing:
      return "Resizing cluster";
    case State::kTerminating:
      return "Terminating cluster";
    case State::kRunning:
    case State::kTerminated:
      break;
  }
  return "";
}

bool is_active(State s) {
  return s != State::kTerminating && s != State::kTerminated;
}

std::string cluster_id_prefix(kiln::core::TimeMs now_ms) {
  constexpr std::int64_t kDayMs = 86'400'000;
  std::int64_t days = now_ms / kDayMs;
  std::int64_t ms_of_day = now_ms % kDayMs;
  if (ms_of_day < 0) {
    ms_of_day += kDayMs;
    --days;
  }
  // Howard Hinnant's civil_from_days.
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t secs = ms_of_day / 1000;
  std::array<char, 16> buf{};
  std::snprintf(buf.data(), buf.size(), "%02d%02d-%02d%02d%02d-", static_cast<int>(month),
                static_cast<int>(day), static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  return buf.data();
}

std::string encode_token(std::string_view tag, std::int64_t offset) {
  const std::string plain = std::string(tag) + ":" + std::to_string(offset);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char ch : plain) {
    const auto byte = static_cast<unsigned char>(ch);
    out += kHex[byte >> 4];
    out += kHex[byte & 0xf];
  }
  return out;
}

std::optional<std::int64_t> decode_token(std::string_view tag, std::string_view token) {
  if (token.size() % 2 != 0 || token.size() > 64) return std::nullopt;
  std::string plain;
  for (std::size_t i = 0; i < token.size(); i += 2) {
    int byte = 0;
    for (std::size_t j = i; j < i + 2; ++j) {
      const char ch = token[j];
      int v = -1;
      if (ch >= '0' && ch <= '9') v = ch - '0';
      if (ch >= 'a' && ch <= 'f') v = ch - 'a' + 10;
      if (v < 0) return std::nullopt;
      byte = byte * 16 + v;
    }
    plain += static_cast<char>(byte);
  }
  const std::string prefix = std::string(tag) + ":";
  if (plain.rfind(prefix, 0) != 0 || plain.size() == prefix.size()) return std::nullopt;
  std::int64_t offset = 0;
  for (std::size_t i = prefix.size(); i < plain.size(); ++i) {
    if (plain[i] < '0' || plain[i] > '9' || offset > 1'000'000'000) return std::nullopt;
    offset = offset * 10 + (plain[i] - '0');
  }
  return offset;
}

}  // namespace detail
}  // namespace fakedb::clusters
