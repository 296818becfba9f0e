// What a deploy deploys: one job of one target, read back from a published build. The archive is
// verified against its content hash (artifact_store.h) and its config parsed again with the
// validator `kiln build` used, so a deploy never trusts anything it has not checked.
#pragma once

#include <string>

#include "platform/artifacts/artifact_store.h"
#include "platform/config/job_config.h"

namespace kiln::deploy {

struct JobSource {
  artifacts::BuildRecord build;
  artifacts::JobArtifact artifact;
  config::JobConfig config;  // config.file is the path inside the archive
};

// The job (name, target) of build `build_id`. Errors (a person reads them in a deploy's failure
// reason): no such build, a failed build, no such job in it, a corrupt or unreadable archive, no
// config of that target in the archive or one that no longer validates.
artifacts::Result<JobSource> load_job_source(const artifacts::ArtifactStore& store,
                                             const std::string& build_id, const std::string& name,
                                             const std::string& target);

}  // namespace kiln::deploy
