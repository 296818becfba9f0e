#include "core/streams/memory_lock_service.h"

#include "core/streams/lock_events.h"

namespace kiln::streams {

MemoryLockService::MemoryLockService(core::Clock& clock, core::EventLog* events,
                                     LockOptions options)
    : RuleLockService(options), clock_(clock), events_(events) {}

Answer MemoryLockService::decide(const std::string& stream, const std::string& call,
                                 const std::string& caller, std::int64_t token, const Rule& rule) {
  if (stream.empty()) return Answer{Refusal::kInvalid, "a stream needs a name", "", 0, 0, 0};
  auto [it, added] = streams_.try_emplace(stream);
  if (added) it->second.stream = stream;
  const LockState before = it->second;
  const core::TimeMs now = clock_.now_ms();
  Answer answer = rule(it->second, now);
  if (events_) {
    if (auto event = lock_event(before, it->second, call, caller, token, answer, now)) {
      events_->publish(*event);
    }
  }
  return answer;
}

Answer MemoryLockService::read(const std::string& stream) {
  const auto it = streams_.find(stream);
  if (it == streams_.end()) return Answer{};
  return read_answer(it->second, clock_.now_ms());
}

std::optional<LockState> MemoryLockService::state(const std::string& stream, std::string*) {
  const auto it = streams_.find(stream);
  if (it == streams_.end()) return std::nullopt;
  return it->second;
}

std::vector<LockState> MemoryLockService::list(std::string*) {
  std::vector<LockState> out;
  for (const auto& [name, s] : streams_) out.push_back(s);
  return out;
}

}  // namespace kiln::streams
