#include "databricks/model/run_state.h"

#include <catch2/catch.hpp>

namespace databricks {
namespace {

TEST_CASE("every life cycle and result state reads back from the API's spelling") {
  for (auto s : {LifeCycleState::queued, LifeCycleState::pending, LifeCycleState::running,
                 LifeCycleState::terminating, LifeCycleState::terminated, LifeCycleState::skipped,
                 LifeCycleState::internal_error, LifeCycleState::blocked,
                 LifeCycleState::waiting_for_retry}) {
    CHECK(parse_life_cycle_state(to_string(s)) == s);
  }
  for (auto r :
       {ResultState::success, ResultState::failed, ResultState::timedout, ResultState::canceled,
        ResultState::maximum_concurrent_runs_reached, ResultState::excluded,
        ResultState::success_with_failures, ResultState::upstream_failed,
        ResultState::upstream_canceled, ResultState::disabled}) {
    CHECK(parse_result_state(to_string(r)) == r);
  }
  CHECK(std::string(to_string(LifeCycleState::internal_error)) == "INTERNAL_ERROR");
  CHECK_FALSE(parse_life_cycle_state("running"));  // the API's spelling is upper case
  CHECK_FALSE(parse_result_state(""));
}

TEST_CASE("terminal, active and running are the Jobs API's groupings") {
  CHECK(is_terminal(LifeCycleState::terminated));
  CHECK(is_terminal(LifeCycleState::skipped));
  CHECK(is_terminal(LifeCycleState::internal_error));
  CHECK_FALSE(is_terminal(LifeCycleState::terminating));
  CHECK(is_active(LifeCycleState::queued));
  CHECK_FALSE(is_active(LifeCycleState::blocked));
  CHECK(is_running(LifeCycleState::waiting_for_retry));
  CHECK_FALSE(is_running(LifeCycleState::queued));
  CHECK_FALSE(is_running(LifeCycleState::blocked));
  CHECK_FALSE(is_running(LifeCycleState::terminated));
}

TEST_CASE("a state this code does not know is kept as text and is neither terminal nor lost") {
  RunState s;
  s.life_cycle_state = "HIBERNATING";  // a newer service's state
  CHECK_FALSE(s.terminal());
  CHECK(s.running());  // it started and has not ended, as far as anyone can tell
  RunState absent;
  CHECK_FALSE(absent.running());
  CHECK_FALSE(absent.terminal());
}

}  // namespace
}  // namespace databricks
