#include "platform/metrics/stream_metrics.h"

#include <algorithm>

namespace kiln::metrics {

void collect_streams(const std::vector<streams::LockState>& streams, core::TimeMs now_ms,
                     Registry& r) {
  const Gauge token = r.gauge("kiln_stream_lock_token",
                              "The stream's fencing token: one more on every change of writer.");
  // One series per stream, held or not: `kiln_stream_lock_held == 0` is the "no writer" alert,
  // which a series that vanished while the lock is free could only give through absent().
  const Gauge held = r.gauge("kiln_stream_lock_held",
                             "1 while the writer named by holder holds the stream's lock; 0 "
                             "(without holder) while the lock is free.");
  const Gauge lease = r.gauge("kiln_stream_lease_remaining_seconds",
                              "Time left on the holder's lease; 0 while the lock is free.");
  const Gauge position = r.gauge("kiln_stream_checkpoint_position",
                                 "The committed position: every source position below it has "
                                 "its outputs written.");
  const Gauge committed_at = r.gauge("kiln_stream_checkpoint_timestamp_seconds",
                                     "When the checkpoint last moved (Unix time).");
  const Gauge lag = r.gauge("kiln_stream_checkpoint_lag_positions",
                            "Source positions not yet committed: the newest head any caller "
                            "reported minus the checkpoint.");
  for (const auto& s : streams) {
    const Labels labels{{"stream", s.stream}};
    token.set(labels, static_cast<double>(s.token));
    const std::string holder = s.holder_at(now_ms);
    if (holder.empty()) {
      held.set(labels, 0);
    } else {
      held.set({{"stream", s.stream}, {"holder", holder}}, 1);
    }
    const core::DurationMs left_ms =
        holder.empty() ? 0 : std::max<core::DurationMs>(0, s.lease_until_ms - now_ms);
    lease.set(labels, static_cast<double>(left_ms) / 1000.0);
    position.set(labels, static_cast<double>(s.committed));
    if (!s.committed_by.empty()) {
      committed_at.set(labels, static_cast<double>(s.committed_ms) / 1000.0);
    }
    lag.set(labels, static_cast<double>(s.lag()));
  }
}

}  // namespace kiln::metrics
