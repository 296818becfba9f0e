// StreamFault: something going wrong with streaming runs, from a virtual time, for a window.
//
//   crash      the task attempt fails at once (its driver is lost): no release, the lease runs
//              out; the Jobs service retries the task if it may
//   stall      no processing and no calls at all (a long GC pause); afterwards it carries on,
//              and its late commit is refused if the lock moved on
//   partition  it processes, but every lock-service call fails as unavailable
//   slow       its processing rate is multiplied by `factor`
//
// The fault hits every live streaming run matching all of `job` (a glob on the job name),
// `holder` (a glob on the holder id) and `run_id` (a job run or task run id; 0: any) at `at_ms`.
// In WorkspaceConfig they are entries of faults.scheduled with kind stream_crash, stream_stall,
// stream_partition or stream_slow.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/clock/clock.h"
#include "fake-databricks/api/params.h"

namespace fakedb::streaming {

struct StreamFault {
  enum class Kind { crash, stall, partition, slow };
  Kind kind = Kind::stall;
  kiln::core::TimeMs at_ms = 0;
  kiln::core::DurationMs for_ms = 0;  // the window (not used by crash)
  double factor = 1;                  // slow: the processing rate is multiplied by this
  std::string job = "*";
  std::string holder = "*";
  std::int64_t run_id = 0;

  // {"at", "kind": "stream_stall", "for_ms", "factor", "job", "holder", "run_id"}; errors name
  // the field.
  static ApiResult<StreamFault> parse(const nlohmann::json& spec, const std::string& field);
};

const char* to_string(StreamFault::Kind kind);  // "crash", "stall", "partition", "slow"

}  // namespace fakedb::streaming
