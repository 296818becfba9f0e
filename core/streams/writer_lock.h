// The writer-lock and checkpoint protocol of a streaming job (docs/streams.md).
//
// Each stream has one named writer lock and one checkpoint. The lock has a holder, a lease (the
// holder must renew it before it runs out) and a fencing token that grows by one on every change
// of holder. The checkpoint is the committed position: every source position below it has had
// its outputs written, exactly once. A write of outputs and the commit of its position are one
// call (`commit`), accepted only from the current holder with the current token and a live
// lease, and only if it starts exactly at the committed position, so outputs have no gap and no
// duplicate whoever writes them.
//
// kiln names a preferred holder per stream (the version being deployed). A requester that is
// the preferred holder and has caught up (processed every position below the committed one)
// takes the lock from the current holder; anyone else gets the lock only when it is free:
// never held, released, or its lease ran out.
//
// The rules are pure functions over one stream's LockState, so every implementation (the
// embedded SQLite service in platform/streams/, the in-memory one here, a shared service later)
// decides exactly alike.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock/clock.h"

namespace kiln::streams {

// A source position: a Kafka offset, a block height. A run that has "processed up to P" has
// processed every position below P.
using Position = std::int64_t;

struct LockOptions {
  core::DurationMs lease_ms = 30'000;  // how long a grant, renewal or commit keeps the lock
};

// One stream's lock and checkpoint, as an implementation stores them.
struct LockState {
  std::string stream;
  std::string holder;                // "" : never held, or released
  std::int64_t token = 0;            // the current (or last) holder's fencing token; 0: never held
  core::TimeMs lease_until_ms = 0;   // the holder's lease runs out at this instant
  std::string preferred;             // kiln's preferred holder; "" : none
  Position committed = 0;            // the checkpoint
  std::string committed_by;          // who committed it ("" : nobody yet)
  std::int64_t committed_token = 0;  // with which token
  core::TimeMs committed_ms = 0;     // when
  Position head = 0;                 // the newest source head any caller reported (for lag)

  // Nobody holds the lock at `now`: never held, released, or the lease has run out.
  bool is_free(core::TimeMs now) const { return holder.empty() || now >= lease_until_ms; }
  // The holder at `now`, "" if the lock is free.
  std::string holder_at(core::TimeMs now) const { return is_free(now) ? "" : holder; }
  Position lag() const { return head > committed ? head - committed : 0; }
  bool operator==(const LockState&) const = default;
};

enum class Refusal {
  kNone,          // accepted
  kHeld,          // acquire: another holder's lease is live and the requester may not take it
  kNotCaughtUp,   // acquire: the preferred requester has not processed up to the checkpoint
  kStaleToken,    // renew/release/commit: the token (or holder) is not the current one
  kLeaseExpired,  // commit: the caller is the holder but its lease ran out; renew first
  kGap,           // commit: `from` is not the committed position
  kInvalid,       // a malformed call: empty names, to < from, negative positions
  kUnavailable,   // the service could not answer (storage error, partition); try again
};
std::string_view to_string(Refusal refusal);  // "held", "not-caught-up", "stale-token", ...

// What every call answers: whether it was accepted, and the stream as it is after the call.
struct Answer {
  Refusal refusal = Refusal::kNone;
  std::string message;              // why it was refused, for people ("" when accepted)
  std::string holder;               // the holder after the call ("" : free)
  std::int64_t token = 0;           // the current token after the call
  core::TimeMs lease_until_ms = 0;  // the holder's lease after the call
  Position committed = 0;           // the checkpoint after the call
  bool ok() const { return refusal == Refusal::kNone; }
};

// --- the rules: each applies one call to `state` at `now`, changing it only when accepted ---

// Asks for the lock, having processed up to `processed`; `head` is the source head the caller
// sees (0: unknown). Granted when the requester already holds it (a renewal: same token), when
// the lock is free (a new holder: token + 1; the same holder after its lease ran out keeps its
// token), or when the requester is the preferred holder and processed >= committed (a takeover:
// token + 1). The answer's `committed` is where the new holder must write from.
Answer apply_acquire(LockState& state, const std::string& requester, Position processed,
                     Position head, core::TimeMs now, const LockOptions& options);

// Extends the holder's lease. Refused with kStaleToken unless (holder, token) is current; a
// holder whose lease ran out but whom nobody replaced is renewed (its token is still current).
Answer apply_renew(LockState& state, const std::string& holder, std::int64_t token, Position head,
                   core::TimeMs now, const LockOptions& options);

// Gives the lock up (a run shutting down). The token stays as it was; the next holder gets
// token + 1. Refused with kStaleToken unless (holder, token) is current.
Answer apply_release(LockState& state, const std::string& holder, std::int64_t token,
                     core::TimeMs now);

// Writes the outputs of positions [from, to) and commits `to`, renewing the lease. Accepted only
// from the current (holder, token) with a live lease and from == committed; to >= from (to ==
// from commits nothing but renews).
Answer apply_commit(LockState& state, const std::string& holder, std::int64_t token, Position from,
                    Position to, Position head, core::TimeMs now, const LockOptions& options);

// kiln names the preferred holder ("" : none). Never refused; the lock itself does not move.
Answer apply_prefer(LockState& state, const std::string& holder, core::TimeMs now);

// What `read` answers for a stream at `now`: its holder then ("" once the lease ran out).
Answer read_answer(const LockState& state, core::TimeMs now);

// --- the interfaces ---

// What a streaming job calls. Every call is one atomic decision over the stream's state; a
// stream that was never used is created on first call with everything zero.
class StreamCoordinator {
 public:
  virtual ~StreamCoordinator() = default;
  virtual Answer acquire(const std::string& stream, const std::string& requester,
                         Position processed, Position head) = 0;
  virtual Answer renew(const std::string& stream, const std::string& holder, std::int64_t token,
                       Position head) = 0;
  virtual Answer release(const std::string& stream, const std::string& holder,
                         std::int64_t token) = 0;
  virtual Answer commit(const std::string& stream, const std::string& holder, std::int64_t token,
                        Position from, Position to, Position head) = 0;
  // The stream as it is now (a run reads its starting position from `committed`).
  virtual Answer read(const std::string& stream) = 0;
};

// What kiln itself calls (the deploy workflow, monitoring and metrics).
class LockService : public StreamCoordinator {
 public:
  virtual Answer prefer(const std::string& stream, const std::string& holder) = 0;
  // The stream's whole state; nullopt if it was never used. kUnavailable errors read as nullopt
  // only when `error` is null; otherwise *error says why.
  virtual std::optional<LockState> state(const std::string& stream,
                                         std::string* error = nullptr) = 0;
  // Every stream, by name.
  virtual std::vector<LockState> list(std::string* error = nullptr) = 0;
};

// A LockService whose calls are the rules above: an implementation only says how one decision
// over one stream's state is made atomically (`decide`). So the services cannot drift apart.
class RuleLockService : public LockService {
 public:
  explicit RuleLockService(LockOptions options) : options_(options) {}

  Answer acquire(const std::string& stream, const std::string& requester, Position processed,
                 Position head) final;
  Answer renew(const std::string& stream, const std::string& holder, std::int64_t token,
               Position head) final;
  Answer release(const std::string& stream, const std::string& holder, std::int64_t token) final;
  Answer commit(const std::string& stream, const std::string& holder, std::int64_t token,
                Position from, Position to, Position head) final;
  Answer prefer(const std::string& stream, const std::string& holder) final;

 protected:
  using Rule = std::function<Answer(LockState& state, core::TimeMs now)>;
  // Applies `rule` to the stream's state (a new stream: all zero with its name) at one instant,
  // keeping the change; publishes lock_event(call, caller, token) once it is kept.
  virtual Answer decide(const std::string& stream, const std::string& call,
                        const std::string& caller, std::int64_t token, const Rule& rule) = 0;

 private:
  LockOptions options_;
};

}  // namespace kiln::streams
