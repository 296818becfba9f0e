// DeliveredLog: which notifications each sink was given recently, so that one delivered is not
// delivered again within the dedup window: an event published twice (a step replayed after a
// crash, a monitoring pass seeing the same drift) notifies once. With a journal file the memory
// survives a restart of kiln.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>

#include "core/clock/clock.h"

namespace kiln::notify {

class DeliveredLog {
 public:
  // `window_ms` 0 remembers nothing. With a `journal` path, the entries still inside the window
  // at `now_ms` are read from it, the file is rewritten with only those, and every new entry is
  // appended. A journal that cannot be read or written leaves the log working from memory and
  // counts a journal error. At most `max_entries` are kept (the oldest go first).
  DeliveredLog(core::DurationMs window_ms, std::string journal, core::TimeMs now_ms,
               std::size_t max_entries = 100'000);

  // True if `key` was recorded within the window before `now_ms`.
  bool contains(const std::string& key, core::TimeMs now_ms);
  void record(const std::string& key, core::TimeMs at_ms);

  std::size_t size() const { return at_.size(); }
  std::uint64_t journal_errors() const { return journal_errors_; }

 private:
  void remember(const std::string& key, core::TimeMs at_ms);
  void prune(core::TimeMs now_ms);

  core::DurationMs window_ms_;
  std::string journal_;
  std::size_t max_entries_;
  std::map<std::string, core::TimeMs> at_;                  // key -> last delivered
  std::deque<std::pair<core::TimeMs, std::string>> order_;  // in recording order
  std::uint64_t journal_errors_ = 0;
};

}  // namespace kiln::notify
