// Internal to the clusters module: the cluster record, its state machine table and the spec
// parser. Not part of the public interface (include cluster_service.h).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock/clock.h"
#include "fake-databricks/api/params.h"
#include "fake-databricks/clusters/cluster_service.h"

namespace fakedb::clusters::detail {

enum class State : int { kPending, kRunning, kRestarting, kResizing, kTerminating, kTerminated };

std::string_view state_name(State s);   // "PENDING"
std::string_view state_title(State s);  // "Pending", as the service's error messages say it
std::optional<State> parse_state(std::string_view name);
bool transition_allowed(State from, State to);
bool is_active(State s);
std::string_view state_message(State s);  // the ClusterDetails state_message                    //
                                          // neither TERMINATING nor TERMINATED

// "MMDD-HHMMSS-" from a UTC epoch time; the caller appends the 8-character random suffix.
std::string cluster_id_prefix(kiln::core::TimeMs now_ms);
// The opaque page tokens of list and events: an offset under a per-endpoint tag.
std::string encode_token(std::string_view tag, std::int64_t offset);
std::optional<std::int64_t> decode_token(std::string_view tag, std::string_view token);

// A validated cluster spec (create, edit, update, a job's new_cluster).
struct Spec {
  nlohmann::json raw = nlohmann::json::object();  // the request as sent, echoed as `spec`
  std::string cluster_name;
  std::string spark_version;
  std::string node_type_id;
  std::string driver_node_type_id;
  bool autoscale = false;
  std::int64_t num_workers = 0;  // when !autoscale
  std::int64_t min_workers = 0, max_workers = 0;
  std::int64_t autotermination_minutes = 0;
  std::string data_security_mode = "SINGLE_USER";
  std::string single_user_name;
  std::string policy_id;
  nlohmann::json custom_tags = nlohmann::json::object();
  nlohmann::json spark_conf = nlohmann::json::object();

  std::int64_t initial_workers() const { return autoscale ? min_workers : num_workers; }
};

// Validates `raw`; for a job cluster autotermination_minutes is forced to 0.
ApiResult<Spec> parse_spec(const nlohmann::json& raw, bool job_cluster, const std::string& user);
// What can be read from an invalid job cluster spec (its launch then fails).
Spec lenient_spec(const nlohmann::json& raw, const std::string& user);
// Validates {num_workers} or {autoscale} of a resize request into `spec`.
ApiResult<bool> parse_size(const nlohmann::json& raw, Spec& spec);

struct NodeType {
  std::string_view id;
  std::int64_t memory_mb;
  std::int64_t cores;
  std::string_view category;
  std::int64_t local_nvme_gb = 0;  // one local NVMe instance-store disk of this size (0: none)
};
const std::vector<NodeType>& node_types();
const NodeType& node_type(std::string_view id);  // a plausible default for unknown ids
nlohmann::json spark_versions_json();

struct Waiter {
  ClusterService::ReadyFn on_ready;
  ClusterService::FailedFn on_failed;
};

struct Cluster {
  std::string id;
  std::int64_t seq = 0;        // creation order, the tie-breaker everywhere
  std::string source = "API";  // API or JOB
  std::int64_t job_id = 0, run_id = 0;
  std::string creator;
  Spec spec;
  State state = State::kPending;
  bool pinned = false;
  kiln::core::TimeMs start_time = 0;  // the last time it entered PENDING
  kiln::core::TimeMs terminated_time = 0;
  kiln::core::TimeMs last_restarted_time = 0;
  kiln::core::TimeMs last_state_loss_time = 0;
  kiln::core::TimeMs last_activity_time = 0;
  std::optional<TerminationReason> termination_reason;
  std::optional<TerminationReason> launch_failure;  // decided when the launch began
  std::int64_t spark_context_id = 0;
  std::int64_t current_workers = 0;
  kiln::core::TimerId step_timer = 0;  // the pending transition
  kiln::core::TimerId idle_timer = 0;  // auto-termination
  int attached = 0;
  std::vector<nlohmann::json> events;  // {cluster_id, timestamp, type, details}, oldest first
  std::vector<Waiter> waiters;
};

}  // namespace fakedb::clusters::detail
