#include "core/clock/real_loop.h"

#include <chrono>

namespace kiln::core {

RealLoop::~RealLoop() {
  for (auto& [id, timer] : timers_) timer->cancel();
}

TimeMs RealLoop::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TimerId RealLoop::schedule_at(TimeMs at_ms, std::function<void()> fn) {
  const TimerId id = next_id_++;
  auto timer = std::make_shared<boost::asio::steady_timer>(io_);
  const DurationMs delay = at_ms - now_ms();
  timer->expires_after(std::chrono::milliseconds(delay > 0 ? delay : 0));
  timers_.emplace(id, timer);
  timer->async_wait([this, id, fn = std::move(fn)](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled
    if (timers_.erase(id) == 0) return;
    fn();
  });
  return id;
}

bool RealLoop::cancel(TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return false;
  it->second->cancel();
  timers_.erase(it);
  return true;
}

}  // namespace kiln::core
