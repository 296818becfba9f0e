// The artifact store of a scenario's world: the ArtifactStore contract (artifact_store.h) kept
// in memory, so that a scenario (and each of a swarm's thousand seeds) touches no disk. Same
// ids, same records, same checks as the local store; only durability differs, and a scenario's
// artifacts live no longer than its run.
#pragma once

#include <memory>

#include "platform/artifacts/artifact_store.h"

namespace kiln::scenario {

std::unique_ptr<artifacts::ArtifactStore> make_memory_artifact_store();

}  // namespace kiln::scenario
