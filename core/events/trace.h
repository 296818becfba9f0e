// Trace: the events of a run as JSON lines, and its fingerprint (SHA-256 of exactly those bytes).
// Same (scenario, seed, code) => same bytes => same fingerprint.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "core/events/event.h"

namespace kiln::core {

// Incremental SHA-256 (OpenSSL), as lowercase hex.
class Fingerprint {
 public:
  Fingerprint();
  ~Fingerprint();
  Fingerprint(const Fingerprint&) = delete;
  Fingerprint& operator=(const Fingerprint&) = delete;

  void add(std::string_view bytes);
  // The digest of everything added so far; adding more afterwards is allowed.
  std::string hex() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Subscribes to an EventLog for its lifetime; writes each event as one line to `out` (if given)
// and folds it into the fingerprint.
class TraceRecorder {
 public:
  explicit TraceRecorder(EventLog& log, std::ostream* out = nullptr);
  ~TraceRecorder();
  TraceRecorder(const TraceRecorder&) = delete;
  TraceRecorder& operator=(const TraceRecorder&) = delete;

  std::string fingerprint() const { return fingerprint_.hex(); }
  std::uint64_t lines() const { return lines_; }

 private:
  EventLog& log_;
  std::ostream* out_;
  EventLog::SubscriptionId subscription_;
  Fingerprint fingerprint_;
  std::uint64_t lines_ = 0;
};

}  // namespace kiln::core
