// WorkspaceConfig: everything that makes one emulated workspace what it is: identity, start
// time, limits, timings, workload models, stream sources and faults. Loaded from JSON
// (fake-databricks serve --config, scenario files); every key is checked, and an error names
// the field.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "databricks/faults/api_faults.h"
#include "fake-databricks/api/params.h"
#include "fake-databricks/clusters/cluster_service.h"
#include "fake-databricks/limits/rate_limiter.h"
#include "fake-databricks/runs/run_engine.h"
#include "fake-databricks/streaming/stream_fault.h"
#include "fake-databricks/streaming/stream_source.h"
#include "fake-databricks/workloads/workload.h"

namespace fakedb {

// A fault placed at a virtual time: the next `count` cluster launches fail, or the runs of the
// jobs named by `job` (a glob) lose their driver or hit an internal error.
struct ScheduledFault {
  kiln::core::TimeMs at_ms = 0;
  std::string kind;  // cluster_launch_failure | driver_lost | internal_error
  int count = 1;
  std::string job = "*";
  clusters::TerminationReason reason{"CLOUD_PROVIDER_LAUNCH_FAILURE", "CLOUD_FAILURE", {}};
};

struct WorkspaceConfig {
  std::string host = "https://fake.cloud.databricks.com";
  std::int64_t workspace_id = 1234567890123456;
  std::string user_name = "kiln@example.com";
  // Virtual time starts here (2026-01-01T00:00:00Z).
  kiln::core::TimeMs start_time_ms = 1'767'225'600'000;

  std::int64_t saved_jobs_max = 10'000;
  std::int64_t job_creations_per_hour = 10'000;
  limits::RateLimits rate_limits;
  workloads::Distribution latency_ms = workloads::Distribution::uniform(20, 80);

  clusters::ClusterTimings cluster_timings;
  runs::EngineConfig runs;
  workloads::WorkloadCatalog workloads;

  std::vector<databricks::faults::ApiFaultRule> api_faults;
  double cluster_launch_failure_probability = 0;
  clusters::TerminationReason cluster_launch_failure_reason{
      "CLOUD_PROVIDER_LAUNCH_FAILURE", "CLOUD_FAILURE", {}};
  std::vector<ScheduledFault> scheduled_faults;

  // Stream sources ("streams": a list of SourceSpec) and stream faults (faults.scheduled
  // entries of kind stream_crash, stream_stall, stream_partition, stream_slow).
  std::vector<streaming::SourceSpec> streams;
  std::vector<streaming::StreamFault> stream_faults;

  static ApiResult<WorkspaceConfig> from_json(const nlohmann::json& spec);
};

}  // namespace fakedb
