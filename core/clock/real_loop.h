// RealLoop: the Clock on the wall clock, over a Boost.Asio io_context. The same code that runs
// on SimulatedLoop runs here unchanged (kiln against a real workspace, fake-databricks serve).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>

#include "core/clock/clock.h"

namespace kiln::core {

class RealLoop final : public Clock {
 public:
  // The io_context must outlive the loop; the caller runs it (io.run()).
  explicit RealLoop(boost::asio::io_context& io) : io_(io) {}
  ~RealLoop() override;

  // Wall-clock time (system clock, epoch ms). Used only off the simulated path.
  TimeMs now_ms() const override;
  TimerId schedule_at(TimeMs at_ms, std::function<void()> fn) override;
  bool cancel(TimerId id) override;

 private:
  boost::asio::io_context& io_;
  TimerId next_id_ = 1;
  std::map<TimerId, std::shared_ptr<boost::asio::steady_timer>> timers_;
};

}  // namespace kiln::core
