// collect_streams: each stream's writer lock and checkpoint (docs/streams.md) as gauges: who
// holds the lock and with which token, how long its lease has left, the committed position, when
// it was committed and how far it is behind the source head. See docs/metrics.md.
#pragma once

#include <vector>

#include "core/clock/clock.h"
#include "core/streams/writer_lock.h"
#include "platform/metrics/registry.h"

namespace kiln::metrics {

// Declares the kiln_stream_* families in `registry` (also when `streams` is empty, so a failed
// read still lists them) and sets one series per stream per family, as the lock is at `now_ms`
// (the clock the lock service runs on). A pure function of its arguments: the DB collector feeds
// it the store's streams, a server could feed it a LockService's list().
void collect_streams(const std::vector<streams::LockState>& streams, core::TimeMs now_ms,
                     Registry& registry);

}  // namespace kiln::metrics
