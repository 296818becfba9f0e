#include "databricks/model/clusters.h"

#include <array>
#include <utility>

namespace databricks {
namespace {

constexpr std::array<std::pair<ClusterState, const char*>, 7> kStates{{
    {ClusterState::pending, "PENDING"},
    {ClusterState::running, "RUNNING"},
    {ClusterState::restarting, "RESTARTING"},
    {ClusterState::resizing, "RESIZING"},
    {ClusterState::terminating, "TERMINATING"},
    {ClusterState::terminated, "TERMINATED"},
    {ClusterState::error, "ERROR"},
}};

std::string text(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "";
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

const char* to_string(ClusterState s) {
  for (const auto& [v, name] : kStates) {
    if (v == s) return name;
  }
  return "UNKNOWN";
}

std::optional<ClusterState> parse_cluster_state(std::string_view t) {
  for (const auto& [v, name] : kStates) {
    if (t == name) return v;
  }
  return std::nullopt;
}

Cluster Cluster::from_json(const nlohmann::json& j) {
  Cluster c;
  c.cluster_id = text(j, "cluster_id");
  c.cluster_name = text(j, "cluster_name");
  c.state_text = text(j, "state");
  c.state = parse_cluster_state(c.state_text);
  c.state_message = text(j, "state_message");
  c.json = j;
  return c;
}

}  // namespace databricks
