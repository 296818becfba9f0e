// collect_from_db: what a one-shot process (`kiln metrics`) can know from the metadata DB and the
// artifact store: CI build counts and the latest build per target, each job's deployed version,
// state and run health, deployments by status and their latency, open workflows and how overdue
// they are, each stream's writer lock and checkpoint (stream_metrics.h). Everything is read at
// the time of the call; counters are totals recounted from the records (so two calls agree, and
// a restart never resets them). See docs/metrics.md.
#pragma once

#include <string>
#include <vector>

#include "core/clock/clock.h"
#include "platform/artifacts/artifact_store.h"
#include "platform/metrics/registry.h"
#include "platform/store/metadata_store.h"

namespace kiln::metrics {

// Fills `registry`, which should be fresh (a second call into the same registry would count each
// deployment's latency twice and keep series of jobs since removed), from `db` and, if not null,
// `artifacts` (the CI builds: the DB only records builds that were deployed). `now_ms` (the clock
// the DB's times come from) says which open workflows are overdue. Every family is declared even
// when a read fails; a failed read leaves its series out and is returned as a message ("" never),
// and `kiln_metrics_source_up` says which source answered. Returns no messages when everything was
// read.
std::vector<std::string> collect_from_db(store::MetadataStore& db,
                                         const artifacts::ArtifactStore* artifacts,
                                         core::TimeMs now_ms, Registry& registry);

}  // namespace kiln::metrics
