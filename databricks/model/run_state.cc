#include "databricks/model/run_state.h"

#include <array>
#include <utility>

namespace databricks {
namespace {

constexpr std::array<std::pair<LifeCycleState, const char*>, 9> kLifeCycles{{
    {LifeCycleState::queued, "QUEUED"},
    {LifeCycleState::pending, "PENDING"},
    {LifeCycleState::running, "RUNNING"},
    {LifeCycleState::terminating, "TERMINATING"},
    {LifeCycleState::terminated, "TERMINATED"},
    {LifeCycleState::skipped, "SKIPPED"},
    {LifeCycleState::internal_error, "INTERNAL_ERROR"},
    {LifeCycleState::blocked, "BLOCKED"},
    {LifeCycleState::waiting_for_retry, "WAITING_FOR_RETRY"},
}};

constexpr std::array<std::pair<ResultState, const char*>, 10> kResults{{
    {ResultState::success, "SUCCESS"},
    {ResultState::failed, "FAILED"},
    {ResultState::timedout, "TIMEDOUT"},
    {ResultState::canceled, "CANCELED"},
    {ResultState::maximum_concurrent_runs_reached, "MAXIMUM_CONCURRENT_RUNS_REACHED"},
    {ResultState::excluded, "EXCLUDED"},
    {ResultState::success_with_failures, "SUCCESS_WITH_FAILURES"},
    {ResultState::upstream_failed, "UPSTREAM_FAILED"},
    {ResultState::upstream_canceled, "UPSTREAM_CANCELED"},
    {ResultState::disabled, "DISABLED"},
}};

template <class E, std::size_t N>
const char* name_of(const std::array<std::pair<E, const char*>, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "UNKNOWN";
}

template <class E, std::size_t N>
std::optional<E> value_of(const std::array<std::pair<E, const char*>, N>& table,
                          std::string_view text) {
  for (const auto& [v, name] : table) {
    if (text == name) return v;
  }
  return std::nullopt;
}

}  // namespace

const char* to_string(LifeCycleState s) {
  return name_of(kLifeCycles, s);
}
const char* to_string(ResultState r) {
  return name_of(kResults, r);
}

std::optional<LifeCycleState> parse_life_cycle_state(std::string_view text) {
  return value_of(kLifeCycles, text);
}
std::optional<ResultState> parse_result_state(std::string_view text) {
  return value_of(kResults, text);
}

bool is_terminal(LifeCycleState s) {
  return s == LifeCycleState::terminated || s == LifeCycleState::skipped ||
         s == LifeCycleState::internal_error;
}

bool is_active(LifeCycleState s) {
  return s == LifeCycleState::queued || s == LifeCycleState::pending ||
         s == LifeCycleState::running || s == LifeCycleState::terminating;
}

bool is_running(LifeCycleState s) {
  return s != LifeCycleState::queued && s != LifeCycleState::blocked && !is_terminal(s);
}

}  // namespace databricks
