// StoreLockService: the embedded lock service, the writer locks and checkpoints of streaming
// jobs kept in the metadata DB (docs/streams.md). The rules are core/streams/writer_lock.h's;
// this class only makes each call one transaction of the store, so every process that opens
// the same DB file sees one lock service.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/clock/clock.h"
#include "core/events/event.h"
#include "core/streams/writer_lock.h"
#include "platform/store/metadata_store.h"

namespace kiln::streams {

class StoreLockService final : public RuleLockService {
 public:
  // The most streams list() returns.
  static constexpr std::size_t kStreamsMax = 100'000;

  // `store` and `clock` must outlive the service; `events` may be null (nothing is published).
  // Do not call the service inside a store.transaction() of your own: its events are published
  // when its own transaction commits, which would then not yet be durable.
  StoreLockService(store::MetadataStore& store, core::Clock& clock, core::EventLog* events,
                   LockOptions options = {});

  // Reads only (no transaction, no write); a stream never used reads as all zero.
  Answer read(const std::string& stream) override;
  std::optional<LockState> state(const std::string& stream, std::string* error = nullptr) override;
  std::vector<LockState> list(std::string* error = nullptr) override;

 private:
  // Each call is one store transaction: read the stream (new: all zero), apply the rule at the
  // clock's now, write the stream back if the rule changed it (or it is new), commit, and only
  // then publish the event lock_event() makes. A storage error answers kUnavailable with the
  // store's message, and nothing is written or published.
  Answer decide(const std::string& stream, const std::string& call, const std::string& caller,
                std::int64_t token, const Rule& rule) override;

  store::MetadataStore& store_;
  core::Clock& clock_;
  core::EventLog* events_;
};

}  // namespace kiln::streams
