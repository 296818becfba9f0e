#include "platform/streams/store_lock_service.h"

#include <exception>

#include "core/streams/lock_events.h"

namespace kiln::streams {
namespace {

Answer unavailable(const std::string& why) {
  return Answer{Refusal::kUnavailable, "the lock service's store failed: " + why, "", 0, 0, 0};
}

}  // namespace

StoreLockService::StoreLockService(store::MetadataStore& store, core::Clock& clock,
                                   core::EventLog* events, LockOptions options)
    : RuleLockService(options), store_(store), clock_(clock), events_(events) {}

Answer StoreLockService::decide(const std::string& stream, const std::string& call,
                                const std::string& caller, std::int64_t token, const Rule& rule) {
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
      // A rule that changed nothing (a refusal, a repeated prefer) writes nothing.
      if (!is_new && before == after) return {};
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

Answer StoreLockService::read(const std::string& stream) {
  std::string error;
  const auto s = state(stream, &error);
  if (!error.empty()) return unavailable(error);
  if (!s) return Answer{};
  return read_answer(*s, clock_.now_ms());
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
