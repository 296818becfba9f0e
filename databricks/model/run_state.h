// A run's state as the Jobs API reports it: state.life_cycle_state (the legacy field every client
// still reads) and state.result_state (present only once the run is terminal). The emulator
// keeps its runs in these types, and kiln reads answers into them, so both speak one vocabulary.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace databricks {

enum class LifeCycleState {
  queued,
  pending,
  running,
  terminating,
  terminated,
  skipped,
  internal_error,
  blocked,
  waiting_for_retry
};

enum class ResultState {
  success,
  failed,
  timedout,
  canceled,
  maximum_concurrent_runs_reached,
  excluded,
  success_with_failures,
  upstream_failed,
  upstream_canceled,
  disabled
};

// "QUEUED", "SUCCESS", ...: the API's spelling.
const char* to_string(LifeCycleState s);
const char* to_string(ResultState r);
// The API's spelling back; nullopt for a value this code does not know (a newer service).
std::optional<LifeCycleState> parse_life_cycle_state(std::string_view text);
std::optional<ResultState> parse_result_state(std::string_view text);

// Ended for good: TERMINATED, SKIPPED or INTERNAL_ERROR.
bool is_terminal(LifeCycleState s);
// Active = QUEUED, PENDING, RUNNING or TERMINATING (runs/list active_only, max_concurrent_runs).
bool is_active(LifeCycleState s);
// Holding a place of the job's max_concurrent_runs: started and not yet ended (PENDING, RUNNING,
// TERMINATING, WAITING_FOR_RETRY); QUEUED and BLOCKED runs wait for one.
bool is_running(LifeCycleState s);

// A run's state as read from an answer. Unknown or absent values are kept as text (empty when
// absent) so nothing the service says is lost; the typed fields are set when known.
struct RunState {
  std::string life_cycle_state;  // as sent, e.g. "RUNNING"; empty if absent
  std::string result_state;      // as sent; empty until terminal
  std::string state_message;
  std::optional<LifeCycleState> life_cycle;
  std::optional<ResultState> result;

  // Terminal by the known states; an unknown life cycle is not terminal (keep waiting).
  bool terminal() const { return life_cycle && is_terminal(*life_cycle); }
  // Running by is_running; an unknown (newer) life cycle counts as running, an absent one not.
  bool running() const {
    return !life_cycle_state.empty() && (!life_cycle || is_running(*life_cycle));
  }
  bool succeeded() const { return result == ResultState::success; }
};

}  // namespace databricks
