// The local artifact store: a directory on this machine (the default store).
//
//   STORE/objects/ab/cdef...   an artifact, named by its SHA-256 (first 2 hex digits / other 62),
//                              read-only (0444), never overwritten
//   STORE/builds/<id>.json     a published build record
//   STORE/tmp/                 files being written; each is fsync'd, then linked or renamed into
//                              place, so readers never see a partial file
//
// Builds of a commit are found by scanning builds/ (no second index to keep consistent).
// Several processes may share one store: objects are published with link(2), which never
// replaces an existing file, and build records likewise. See docs/artifact-store.md.
#pragma once

#include <filesystem>
#include <memory>

#include "platform/artifacts/artifact_store.h"

namespace kiln::artifacts {

// Opens the store at `root`, creating it and its folders if absent.
Result<std::unique_ptr<ArtifactStore>> open_local_store(const std::filesystem::path& root);

}  // namespace kiln::artifacts
