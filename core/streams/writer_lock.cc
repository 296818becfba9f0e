#include "core/streams/writer_lock.h"

#include "core/check/check.h"

namespace kiln::streams {

namespace {

Answer accepted(const LockState& s) {
  return Answer{Refusal::kNone, "", s.holder, s.token, s.lease_until_ms, s.committed};
}

Answer refused(const LockState& s, Refusal why, std::string message) {
  return Answer{why, std::move(message), s.holder, s.token, s.lease_until_ms, s.committed};
}

void note_head(LockState& s, Position head) {
  if (head > s.head) s.head = head;
}

bool is_current(const LockState& s, const std::string& holder, std::int64_t token) {
  return !s.holder.empty() && s.holder == holder && s.token == token;
}

std::string stale(const LockState& s, const std::string& holder, std::int64_t token) {
  return holder + " with token " + std::to_string(token) + " is not the holder of " + s.stream +
         (s.holder.empty() ? " (the lock is free, token " + std::to_string(s.token) + ")"
                           : " (" + s.holder + " holds token " + std::to_string(s.token) + ")");
}

}  // namespace

std::string_view to_string(Refusal refusal) {
  switch (refusal) {
    case Refusal::kNone:
      return "none";
    case Refusal::kHeld:
      return "held";
    case Refusal::kNotCaughtUp:
      return "not-caught-up";
    case Refusal::kStaleToken:
      return "stale-token";
    case Refusal::kLeaseExpired:
      return "lease-expired";
    case Refusal::kGap:
      return "gap";
    case Refusal::kInvalid:
      return "invalid";
    case Refusal::kUnavailable:
      return "unavailable";
  }
  return "unknown";
}

Answer apply_acquire(LockState& s, const std::string& requester, Position processed, Position head,
                     core::TimeMs now, const LockOptions& options) {
  if (requester.empty() || processed < 0) {
    return refused(s, Refusal::kInvalid, "acquire needs a requester and a position >= 0");
  }
  const bool free = s.is_free(now);
  const bool mine = !s.holder.empty() && s.holder == requester;
  if (mine && !free) {  // asking again while holding: a renewal
    s.lease_until_ms = now + options.lease_ms;
    note_head(s, head);
    return accepted(s);
  }
  if (free) {
    if (!mine) ++s.token;  // a change of holder; the same holder after its lease ran out keeps it
    s.holder = requester;
    s.lease_until_ms = now + options.lease_ms;
    note_head(s, head);
    return accepted(s);
  }
  if (s.preferred != requester) {
    return refused(s, Refusal::kHeld,
                   s.stream + " is held by " + s.holder + " until " +
                       std::to_string(s.lease_until_ms) + " ms, and " + requester +
                       " is not the preferred holder");
  }
  if (processed < s.committed) {
    return refused(s, Refusal::kNotCaughtUp,
                   requester + " has processed up to " + std::to_string(processed) +
                       ", behind the checkpoint " + std::to_string(s.committed));
  }
  ++s.token;  // a takeover: the old holder's token is stale from now on
  s.holder = requester;
  s.lease_until_ms = now + options.lease_ms;
  note_head(s, head);
  return accepted(s);
}

Answer apply_renew(LockState& s, const std::string& holder, std::int64_t token, Position head,
                   core::TimeMs now, const LockOptions& options) {
  if (!is_current(s, holder, token))
    return refused(s, Refusal::kStaleToken, stale(s, holder, token));
  s.lease_until_ms = now + options.lease_ms;
  note_head(s, head);
  return accepted(s);
}

Answer apply_release(LockState& s, const std::string& holder, std::int64_t token,
                     core::TimeMs now) {
  if (!is_current(s, holder, token))
    return refused(s, Refusal::kStaleToken, stale(s, holder, token));
  s.holder.clear();
  s.lease_until_ms = now;
  return accepted(s);
}

Answer apply_commit(LockState& s, const std::string& holder, std::int64_t token, Position from,
                    Position to, Position head, core::TimeMs now, const LockOptions& options) {
  if (from < 0 || to < from) {
    return refused(s, Refusal::kInvalid,
                   "commit needs 0 <= from <= to; got [" + std::to_string(from) + ", " +
                       std::to_string(to) + ")");
  }
  if (!is_current(s, holder, token))
    return refused(s, Refusal::kStaleToken, stale(s, holder, token));
  if (now >= s.lease_until_ms) {
    return refused(s, Refusal::kLeaseExpired,
                   holder + "'s lease on " + s.stream + " ran out at " +
                       std::to_string(s.lease_until_ms) + " ms; renew it first");
  }
  if (from != s.committed) {
    return refused(s, Refusal::kGap,
                   "the write starts at " + std::to_string(from) + " but the checkpoint is " +
                       std::to_string(s.committed));
  }
  // One writer per stream: the checkpoint only ever moves under a newer (or the same) fencing
  // token. An older token committing after a newer one means two writers interleaved.
  KILN_CHECK(token >= s.committed_token, s.stream + ": a commit by " + holder + " with token " +
                                             std::to_string(token) + " after token " +
                                             std::to_string(s.committed_token) + " committed");
  if (to > from) {
    s.committed = to;
    s.committed_by = holder;
    s.committed_token = token;
    s.committed_ms = now;
  }
  s.lease_until_ms = now + options.lease_ms;
  note_head(s, head);
  return accepted(s);
}

Answer apply_prefer(LockState& s, const std::string& holder, core::TimeMs /*now*/) {
  s.preferred = holder;
  return accepted(s);
}

Answer read_answer(const LockState& s, core::TimeMs now) {
  return Answer{Refusal::kNone, "", s.holder_at(now), s.token, s.lease_until_ms, s.committed};
}

Answer RuleLockService::acquire(const std::string& stream, const std::string& requester,
                                Position processed, Position head) {
  return decide(stream, "acquire", requester, 0, [&](LockState& s, core::TimeMs now) {
    return apply_acquire(s, requester, processed, head, now, options_);
  });
}

Answer RuleLockService::renew(const std::string& stream, const std::string& holder,
                              std::int64_t token, Position head) {
  return decide(stream, "renew", holder, token, [&](LockState& s, core::TimeMs now) {
    return apply_renew(s, holder, token, head, now, options_);
  });
}

Answer RuleLockService::release(const std::string& stream, const std::string& holder,
                                std::int64_t token) {
  return decide(stream, "release", holder, token, [&](LockState& s, core::TimeMs now) {
    return apply_release(s, holder, token, now);
  });
}

Answer RuleLockService::commit(const std::string& stream, const std::string& holder,
                               std::int64_t token, Position from, Position to, Position head) {
  return decide(stream, "commit", holder, token, [&](LockState& s, core::TimeMs now) {
    return apply_commit(s, holder, token, from, to, head, now, options_);
  });
}

Answer RuleLockService::prefer(const std::string& stream, const std::string& holder) {
  return decide(stream, "prefer", holder, 0,
                [&](LockState& s, core::TimeMs now) { return apply_prefer(s, holder, now); });
}

}  // namespace kiln::streams
