// Snapshots of the counters a running kiln keeps in memory: its RetryingWorkspace's (every
// Workspace call kiln makes) and its workflow Engine's. They are totals since the process
// started; each call sets the registry's series to the current totals, so call it just before
// rendering. See docs/metrics.md.
#pragma once

#include <cstddef>

#include "databricks/client/retrying_workspace.h"
#include "platform/metrics/registry.h"
#include "platform/workflow/engine.h"

namespace kiln::metrics {

// kiln_workspace_*: calls, attempts, retries, budget exhaustions, rate-limit waits and their
// time, backoff time, idempotency tokens.
void collect_workspace_counters(const databricks::RetryCounters& counters, Registry& registry);

// kiln_workflow_*: steps and what became of them, and the engine's queue: `tracked` workflows
// scheduled or stepping, `in_flight` of them stepping now (Engine::tracked(), in_flight()).
void collect_engine_counters(const workflow::EngineCounters& counters, std::size_t tracked,
                             std::size_t in_flight, Registry& registry);
void collect_engine_counters(const workflow::Engine& engine, Registry& registry);

}  // namespace kiln::metrics
