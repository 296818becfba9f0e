// VirtualTime: drives a workspace's SimulatedLoop from the wall clock for `serve`. Virtual time
// runs `time_scale` times faster than the wall clock, plus whatever the admin endpoint skipped
// ahead. Only `serve` uses the wall clock; the emulator itself never does.
#pragma once

#include <chrono>

#include "core/clock/simulated_loop.h"

namespace fakedb::serve {

class VirtualTime {
 public:
  VirtualTime(kiln::core::SimulatedLoop& loop, double time_scale)
      : loop_(loop),
        scale_(time_scale),
        origin_ms_(loop.now_ms()),
        wall_origin_(std::chrono::steady_clock::now()) {}

  // Runs every event due by now (wall-anchored), so answers reflect the current virtual time.
  void catch_up() { loop_.run_until(target_ms()); }
  // Skips ahead: runs everything due in the next `ms` of virtual time at once.
  void advance(kiln::core::DurationMs ms) {
    skipped_ms_ += ms;
    catch_up();
  }
  // A virtual duration as wall milliseconds (for slow answers).
  std::chrono::milliseconds to_wall(kiln::core::DurationMs ms) const {
    return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(ms) / scale_));
  }
  kiln::core::TimeMs now_ms() const { return loop_.now_ms(); }
  double scale() const { return scale_; }

 private:
  kiln::core::TimeMs target_ms() const {
    const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - wall_origin_);
    const auto scaled = static_cast<kiln::core::TimeMs>(static_cast<double>(wall.count()) * scale_);
    return origin_ms_ + scaled + skipped_ms_;
  }

  kiln::core::SimulatedLoop& loop_;
  double scale_;
  kiln::core::TimeMs origin_ms_;
  std::chrono::steady_clock::time_point wall_origin_;
  kiln::core::DurationMs skipped_ms_ = 0;
};

}  // namespace fakedb::serve
