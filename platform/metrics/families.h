// The metric families kiln exposes, each declared in one place with its name, help and buckets,
// so that every source filling one (events, the DB, a snapshot) declares it identically (the
// Registry refuses two different declarations of a name). docs/metrics.md lists them all.
#pragma once

#include <vector>

#include "platform/metrics/registry.h"

namespace kiln::metrics::families {

// Upper bounds (seconds) of the histograms: a deployment (request to end) takes seconds to an
// hour (a deploy waiting for the first run to end); a phase from milliseconds to that.
extern const std::vector<double> kDeploymentDurationBuckets;
extern const std::vector<double> kPhaseDurationBuckets;

// {job, target, strategy, status}: deployments that reached each status.
Counter deployments(Registry& registry);
// {strategy, target, status}: request to end, of ended deployments.
Histogram deployment_duration(Registry& registry);

}  // namespace kiln::metrics::families
