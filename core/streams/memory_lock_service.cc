#include "core/streams/memory_lock_service.h"

#include "core/streams/lock_events.h"

namespace kiln::streams {

MemoryLockService::MemoryLockService(core::Clock& clock, core::EventLog* events,
                                     LockOptions options)
    : clock_(clock), events_(events), options_(options) {}

template <class Rule>
Answer MemoryLockService::apply(const std::string& stream, const std::string& call,
                                const std::string& caller, std::int64_t token, Rule rule) {
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

Answer MemoryLockService::acquire(const std::string& stream, const std::string& requester,
                                  Position processed, Position head) {
  return apply(stream, "acquire", requester, 0, [&](LockState& s, core::TimeMs now) {
    return apply_acquire(s, requester, processed, head, now, options_);
  });
}

Answer MemoryLockService::renew(const std::string& stream, const std::string& holder,
                                std::int64_t token, Position head) {
  return apply(stream, "renew", holder, token, [&](LockState& s, core::TimeMs now) {
    return apply_renew(s, holder, token, head, now, options_);
  });
}

Answer MemoryLockService::release(const std::string& stream, const std::string& holder,
                                  std::int64_t token) {
  return apply(stream, "release", holder, token, [&](LockState& s, core::TimeMs now) {
    return apply_release(s, holder, token, now);
  });
}

Answer MemoryLockService::commit(const std::string& stream, const std::string& holder,
                                 std::int64_t token, Position from, Position to, Position head) {
  return apply(stream, "commit", holder, token, [&](LockState& s, core::TimeMs now) {
    return apply_commit(s, holder, token, from, to, head, now, options_);
  });
}

Answer MemoryLockService::read(const std::string& stream) {
  const auto it = streams_.find(stream);
  if (it == streams_.end()) return Answer{};
  const LockState& s = it->second;
  return Answer{Refusal::kNone,   "",         s.holder_at(clock_.now_ms()), s.token,
                s.lease_until_ms, s.committed};
}

Answer MemoryLockService::prefer(const std::string& stream, const std::string& holder) {
  return apply(stream, "prefer", holder, 0,
               [&](LockState& s, core::TimeMs now) { return apply_prefer(s, holder, now); });
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
