#include "platform/streams/store_lock_service.h"

#include <exception>

#include "core/streams/lock_events.h"

namespace kiln::streams {
namespace {

// Every field: a rule that changed nothing (a refusal, a repeated prefer) writes nothing.
bool same(const LockState& a, const LockState& b) {
  return a.stream == b.stream && a.holder == b.holder && a.token == b.token &&
         a.lease_until_ms == b.lease_until_ms && a.preferred == b.preferred &&
         a.committed == b.committed && a.committed_by == b.committed_by &&
         a.committed_token == b.committed_token && a.committed_ms == b.committed_ms &&
         a.head == b.head;
}

Answer unavailable(const std::string& why) {
  return Answer{Refusal::kUnavailable, "the lock service's store failed: " + why, "", 0, 0, 0};
}

Answer answer_of(const LockState& s, core::TimeMs now) {
  return Answer{Refusal::kNone, "", s.holder_at(now), s.token, s.lease_until_ms, s.committed};
}

}  // namespace

StoreLockService::StoreLockService(store::MetadataStore& store, core::Clock& clock,
                                   core::EventLog* events, LockOptions options)
    : store_(store), clock_(clock), events_(events), options_(options) {}

template <class Rule>
Answer StoreLockService::apply(const std::string& stream, const std::string& call,
                               const std::string& caller, std::int64_t token, Rule rule) {
  if (stream.empty()) return Answer{Refusal::kInvalid, "a stream needs a name", "", 0, 0, 0};
  LockState before;
  LockState after;
  Answer answer;
  core::TimeMs now = 0;
  try {
    const auto done = store_.transaction([&]() -> store::Status {
      // Read the time under the store's write lock: another process may have held it for a
      // while, and its decisions were made at times up to now.
      now = clock_.now_ms();
      auto stored = store_.get_stream(stream);
      bool is_new = false;
      if (stored) {
        before = std::move(stored).value();
      } else if (stored.code() == store::ErrorCode::kNotFound) {
        before = LockState{};
        before.stream = stream;
        is_new = true;
      } else {
        return stored.error();
      }
      after = before;
      answer = rule(after, now);
      if (!is_new && same(before, after)) return {};
      return store_.put_stream(after, now);
    });
    if (!done) return unavailable(done.error().describe());
  } catch (const std::exception& e) {  // the contract: an answer, never an exception
    return unavailable(e.what());
  }
  if (events_ != nullptr) {
    if (auto event = lock_event(before, after, call, caller, token, answer, now)) {
      events_->publish(*event);
    }
  }
  return answer;
}

Answer StoreLockService::acquire(const std::string& stream, const std::string& requester,
                                 Position processed, Position head) {
  return apply(stream, "acquire", requester, 0, [&](LockState& s, core::TimeMs now) {
    return apply_acquire(s, requester, processed, head, now, options_);
  });
}

Answer StoreLockService::renew(const std::string& stream, const std::string& holder,
                               std::int64_t token, Position head) {
  return apply(stream, "renew", holder, token, [&](LockState& s, core::TimeMs now) {
    return apply_renew(s, holder, token, head, now, options_);
  });
}

Answer StoreLockService::release(const std::string& stream, const std::string& holder,
                                 std::int64_t token) {
  return apply(stream, "release", holder, token, [&](LockState& s, core::TimeMs now) {
    return apply_release(s, holder, token, now);
  });
}

Answer StoreLockService::commit(const std::string& stream, const std::string& holder,
                                std::int64_t token, Position from, Position to, Position head) {
  return apply(stream, "commit", holder, token, [&](LockState& s, core::TimeMs now) {
    return apply_commit(s, holder, token, from, to, head, now, options_);
  });
}

Answer StoreLockService::prefer(const std::string& stream, const std::string& holder) {
  return apply(stream, "prefer", holder, 0,
               [&](LockState& s, core::TimeMs now) { return apply_prefer(s, holder, now); });
}

Answer StoreLockService::read(const std::string& stream) {
  std::string error;
  const auto s = state(stream, &error);
  if (!error.empty()) return unavailable(error);
  if (!s) return Answer{};
  return answer_of(*s, clock_.now_ms());
}

std::optional<LockState> StoreLockService::state(const std::string& stream, std::string* error) {
  auto stored = store_.get_stream(stream);
  if (stored) return std::move(stored).value();
  if (stored.code() != store::ErrorCode::kNotFound && error != nullptr) {
    *error = stored.error().describe();
  }
  return std::nullopt;
}

std::vector<LockState> StoreLockService::list(std::string* error) {
  auto streams = store_.list_streams(kStreamsMax);
  if (streams) return std::move(streams).value();
  if (error != nullptr) *error = streams.error().describe();
  return {};
}

}  // namespace kiln::streams
