// Clusters as the Clusters API answers them (clusters/get, clusters/list), read at the edge.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace databricks {

enum class ClusterState { pending, running, restarting, resizing, terminating, terminated, error };

// "PENDING", ...: the API's spelling; parse gives nullopt for a state this code does not know
// (the service also sends UNKNOWN).
const char* to_string(ClusterState s);
std::optional<ClusterState> parse_cluster_state(std::string_view text);

struct Cluster {
  std::string cluster_id;
  std::string cluster_name;
  std::string state_text;  // as sent; empty if absent
  std::optional<ClusterState> state;
  std::string state_message;
  nlohmann::json json;  // the answer as received

  static Cluster from_json(const nlohmann::json& j);
  bool usable() const { return state == ClusterState::running || state == ClusterState::resizing; }
};

}  // namespace databricks
