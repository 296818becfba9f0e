#include "fake-databricks/streaming/stream_fault.h"

#include "fake-databricks/workloads/instant.h"

namespace fakedb::streaming {
namespace {

ApiError bad(const std::string& field, const std::string& what) {
  return ApiError::invalid_parameter(field + ": " + what);
}

}  // namespace

const char* to_string(StreamFault::Kind kind) {
  switch (kind) {
    case StreamFault::Kind::crash:
      return "crash";
    case StreamFault::Kind::stall:
      return "stall";
    case StreamFault::Kind::partition:
      return "partition";
    case StreamFault::Kind::slow:
      return "slow";
  }
  return "unknown";
}

ApiResult<StreamFault> StreamFault::parse(const nlohmann::json& spec, const std::string& field) {
  if (!spec.is_object()) return bad(field, "expected an object");
  StreamFault fault;
  bool has_at = false, has_kind = false;
  for (const auto& [key, v] : spec.items()) {
    const std::string f = field + "." + key;
    if (key == "at") {
      auto at = workloads::parse_instant(v, f);
      if (!at) return at.error();
      fault.at_ms = *at;
      has_at = true;
    } else if (key == "kind") {
      has_kind = true;
      if (v == "stream_crash") {
        fault.kind = Kind::crash;
      } else if (v == "stream_stall") {
        fault.kind = Kind::stall;
      } else if (v == "stream_partition") {
        fault.kind = Kind::partition;
      } else if (v == "stream_slow") {
        fault.kind = Kind::slow;
      } else {
        return bad(f, "expected stream_crash, stream_stall, stream_partition or stream_slow");
      }
    } else if (key == "for_ms") {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 1) {
        return bad(f, "expected milliseconds (an integer >= 1)");
      }
      fault.for_ms = v.get<std::int64_t>();
    } else if (key == "factor") {
      if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1000) {
        return bad(f, "expected a number from 0 to 1000");
      }
      fault.factor = v.get<double>();
    } else if (key == "job" || key == "holder") {
      if (!v.is_string()) return bad(f, "expected a glob string");
      (key == "job" ? fault.job : fault.holder) = v.get<std::string>();
    } else if (key == "run_id") {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 0) return bad(f, "expected a run id");
      fault.run_id = v.get<std::int64_t>();
    } else {
      return bad(f, "unknown field (expected at, kind, for_ms, factor, job, holder, run_id)");
    }
  }
  if (!has_at) return bad(field + ".at", "required (epoch ms or UTC time)");
  if (!has_kind) return bad(field + ".kind", "required");
  if (fault.kind != Kind::crash && fault.for_ms == 0) {
    return bad(field + ".for_ms", std::string("required for stream_") + to_string(fault.kind));
  }
  return fault;
}

}  // namespace fakedb::streaming
