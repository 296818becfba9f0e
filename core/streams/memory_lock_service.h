// MemoryLockService: the lock service in memory, on a Clock. The same rules as the embedded
// SQLite service (platform/streams/), without durability: for tests of streaming workloads and
// for fake-databricks on its own.
#pragma once

#include <map>

#include "core/events/event.h"
#include "core/streams/writer_lock.h"

namespace kiln::streams {

class MemoryLockService final : public LockService {
 public:
  // `events` may be null (nothing is published).
  MemoryLockService(core::Clock& clock, core::EventLog* events, LockOptions options = {});

  Answer acquire(const std::string& stream, const std::string& requester, Position processed,
                 Position head) override;
  Answer renew(const std::string& stream, const std::string& holder, std::int64_t token,
               Position head) override;
  Answer release(const std::string& stream, const std::string& holder, std::int64_t token) override;
  Answer commit(const std::string& stream, const std::string& holder, std::int64_t token,
                Position from, Position to, Position head) override;
  Answer read(const std::string& stream) override;
  Answer prefer(const std::string& stream, const std::string& holder) override;
  std::optional<LockState> state(const std::string& stream, std::string* error) override;
  std::vector<LockState> list(std::string* error) override;

 private:
  template <class Rule>
  Answer apply(const std::string& stream, const std::string& call, const std::string& caller,
               std::int64_t token, Rule rule);

  core::Clock& clock_;
  core::EventLog* events_;
  LockOptions options_;
  std::map<std::string, LockState> streams_;
};

}  // namespace kiln::streams
