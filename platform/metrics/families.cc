#include "platform/metrics/families.h"

namespace kiln::metrics::families {

const std::vector<double> kDeploymentDurationBuckets = {1,   5,   10,  30,   60,
                                                        120, 300, 600, 1800, 3600};
const std::vector<double> kPhaseDurationBuckets = {0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600};

Counter deployments(Registry& registry) {
  return registry.counter("kiln_deployments_total",
                          "Deployments that reached each status (queued: requested).");
}

Histogram deployment_duration(Registry& registry) {
  return registry.histogram("kiln_deployment_duration_seconds",
                            "Time from a deployment's request to its end, by how it ended.",
                            kDeploymentDurationBuckets);
}

}  // namespace kiln::metrics::families
