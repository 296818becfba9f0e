// MemoryLockService: the lock service in memory, on a Clock. The same rules as the embedded
// SQLite service (platform/streams/), without durability: for tests of streaming workloads and
// for fake-databricks on its own.
#pragma once

#include <map>

#include "core/events/event.h"
#include "core/streams/writer_lock.h"

namespace kiln::streams {

class MemoryLockService final : public RuleLockService {
 public:
  // `events` may be null (nothing is published).
  MemoryLockService(core::Clock& clock, core::EventLog* events, LockOptions options = {});

  Answer read(const std::string& stream) override;
  std::optional<LockState> state(const std::string& stream, std::string* error = nullptr) override;
  std::vector<LockState> list(std::string* error = nullptr) override;

 private:
  Answer decide(const std::string& stream, const std::string& call, const std::string& caller,
                std::int64_t token, const Rule& rule) override;

  core::Clock& clock_;
  core::EventLog* events_;
  std::map<std::string, LockState> streams_;
};

}  // namespace kiln::streams
