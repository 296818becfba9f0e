#include "core/clock/simulated_loop.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using kiln::core::SimulatedLoop;

TEST_CASE("simulated loop jumps straight to the next event") {
  SimulatedLoop loop(1000);
  std::vector<long> seen;
  loop.schedule_at(5000, [&] { seen.push_back(loop.now_ms()); });
  loop.schedule_after(100, [&] { seen.push_back(loop.now_ms()); });
  CHECK(loop.run_until_idle() == 2);
  CHECK(seen == std::vector<long>{1100, 5000});
  CHECK(loop.now_ms() == 5000);
}

TEST_CASE("events at the same instant run in insertion order") {
  SimulatedLoop loop;
  std::string order;
  for (char c : std::string("abcdef")) loop.schedule_at(10, [&order, c] { order += c; });
  loop.schedule_at(5, [&] { loop.schedule_at(10, [&] { order += 'g'; }); });
  loop.run_until_idle();
  CHECK(order == "abcdefg");
}

TEST_CASE("an event scheduled in the past runs now after those already due") {
  SimulatedLoop loop(50);
  std::string order;
  loop.schedule_at(50, [&] { order += 'a'; });
  loop.schedule_at(10, [&] { order += 'b'; });
  loop.run_until_idle();
  CHECK(order == "ab");
  CHECK(loop.now_ms() == 50);
}

TEST_CASE("a cancelled event never runs and cancel reports whether it was pending") {
  SimulatedLoop loop;
  int runs = 0;
  auto id = loop.schedule_at(10, [&] { ++runs; });
  auto other = loop.schedule_at(20, [&] { ++runs; });
  CHECK(loop.cancel(id));
  CHECK_FALSE(loop.cancel(id));
  loop.run_until_idle();
  CHECK(runs == 1);
  CHECK_FALSE(loop.cancel(other));
  CHECK(loop.pending() == 0);
}

TEST_CASE("run_until runs what is due and stops the clock at the bound") {
  SimulatedLoop loop;
  int runs = 0;
  loop.schedule_at(10, [&] { ++runs; });
  loop.schedule_at(20, [&] { ++runs; });
  loop.schedule_at(30, [&] { ++runs; });
  CHECK(loop.run_until(20) == 2);
  CHECK(loop.now_ms() == 20);
  CHECK(loop.run_until(25) == 0);
  CHECK(loop.now_ms() == 25);
  CHECK(loop.next_event_ms() == 30);
}

TEST_CASE("run_until_idle stops at its event bound") {
  SimulatedLoop loop;
  std::function<void()> again = [&] { loop.schedule_after(1, again); };
  loop.schedule_at(0, again);
  CHECK(loop.run_until_idle(1000) == 1000);
  CHECK(loop.pending() == 1);
}
