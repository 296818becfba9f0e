// Read-only REST handlers: get, list, events, spark-versions and list-node-types.
#include <algorithm>
#include <array>
#include <cstdio>

#include "core/random/random.h"
#include "fake-databricks/clusters/cluster_record.h"
#include "fake-databricks/clusters/cluster_service.h"

namespace fakedb::clusters {

using detail::Cluster;
using detail::State;

namespace {
constexpr std::int64_t kListRetentionMs = 30LL * 86'400'000;
constexpr std::array<std::string_view, 7> kSources{
    "API", "UI", "JOB", "PIPELINE", "SQL", "MODELS", "PIPELINE_MAINTENANCE"};
constexpr std::array<std::string_view, 12> kEventTypes{
    "CREATING", "STARTING",    "RUNNING", "RESTARTING", "RESIZING",       "UPSIZE_COMPLETED",
    "EDITED",   "TERMINATING", "PINNED",  "UNPINNED",   "DRIVER_HEALTHY", "DRIVER_NOT_RESPONDING"};

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& names, const std::string& value) {
  return std::find(names.begin(), names.end(), value) != names.end();
}

nlohmann::json node(const Cluster& c, std::string_view role, std::int64_t index) {
  const std::uint64_t h =
      kiln::core::stable_hash(c.id + "/" + std::string(role) + "/" + std::to_string(index) + "/" +
                              std::to_string(c.spark_context_id));
  std::array<char, 24> ip{};
  std::snprintf(ip.data(), ip.size(), "10.%u.%u.%u", static_cast<unsigned>(h >> 8 & 0xff),
                static_cast<unsigned>(h >> 16 & 0xff), static_cast<unsigned>(h >> 24 & 0xfd) + 1);
  std::array<char, 24> hex{};
  std::snprintf(hex.data(), hex.size(), "%016llx", static_cast<unsigned long long>(h));
  return {{"node_id", std::string(hex.data())},
          {"instance_id", "i-" + std::string(hex.data(), 17)},
          {"start_timestamp", c.last_restarted_time},
          {"private_ip", ip.data()},
          {"host_private_ip", ip.data()}};
}

bool listed(const Cluster& c, std::int64_t now) {
  return c.pinned || c.state != State::kTerminated || now - c.terminated_time <= kListRetentionMs;
}

ApiResult<std::int64_t> read_offset(const Params& params, std::string_view tag) {
  auto token = params.string("page_token");
  if (!token) return token.error();
  if (!token->has_value() || (*token)->empty()) return std::int64_t{0};
  auto offset = detail::decode_token(tag, **token);
  if (!offset) return ApiError::invalid_parameter("Invalid page_token: " + **token);
  return *offset;
}
}  // namespace

nlohmann::json ClusterService::details(const Cluster& c) const {
  const detail::Spec& s = c.spec;
  nlohmann::json d = s.raw;  // echo the spec's fields, then the service's own
  d["cluster_id"] = c.id;
  d["cluster_name"] = s.cluster_name;
  d["creator_user_name"] = c.creator;
  d["spark_version"] = s.spark_version;
  if (!s.node_type_id.empty()) d["node_type_id"] = s.node_type_id;
  if (!s.driver_node_type_id.empty()) d["driver_node_type_id"] = s.driver_node_type_id;
  d.erase("num_workers");
  d.erase("autoscale");
  if (s.autoscale) {
    d["autoscale"] = {{"min_workers", s.min_workers}, {"max_workers", s.max_workers}};
  } else {
    d["num_workers"] = s.num_workers;
  }
  d["autotermination_minutes"] = s.autotermination_minutes;
  d["state"] = detail::state_name(c.state);
  std::string message(detail::state_message(c.state));
  if (c.state == State::kTerminated && c.termination_reason) {
    message = "Terminated: " + c.termination_reason->code;
  }
  d["state_message"] = message;
  d["start_time"] = c.start_time;
  if (c.state == State::kTerminated) d["terminated_time"] = c.terminated_time;
  if (c.last_restarted_time != 0) d["last_restarted_time"] = c.last_restarted_time;
  if (c.last_state_loss_time != 0) d["last_state_loss_time"] = c.last_state_loss_time;
  if (c.termination_reason) d["termination_reason"] = c.termination_reason->to_json();
  d["cluster_source"] = c.source;
  nlohmann::json tags{{"Vendor", "Databricks"},
                      {"Creator", c.creator},
                      {"ClusterName", s.cluster_name},
                      {"ClusterId", c.id}};
  if (c.source == "JOB") {
    tags["JobId"] = std::to_string(c.job_id);
    tags["RunName"] = s.cluster_name;
  }
  d["default_tags"] = tags;
  d["custom_tags"] = s.custom_tags;
  d["spark_conf"] = s.spark_conf;
  d["spec"] = s.raw;
  d["data_security_mode"] = s.data_security_mode;
  if (!s.single_user_name.empty()) d["single_user_name"] = s.single_user_name;
  if (!d.contains("enable_elastic_disk")) d["enable_elastic_disk"] = false;
  d["jdbc_port"] = 10000;
  if (c.spark_context_id != 0) d["spark_context_id"] = c.spark_context_id;
  if (c.state == State::kRunning || c.state == State::kResizing || c.state == State::kRestarting) {
    const auto& worker = detail::node_type(s.node_type_id);
    const auto& driver = detail::node_type(s.driver_node_type_id);
    d["cluster_memory_mb"] = driver.memory_mb + worker.memory_mb * c.current_workers;
    d["cluster_cores"] = static_cast<double>(driver.cores + worker.cores * c.current_workers);
    d["driver"] = node(c, "driver", 0);
    nlohmann::json executors = nlohmann::json::array();
    for (std::int64_t i = 0; i < c.current_workers; ++i) executors.push_back(node(c, "worker", i));
    d["executors"] = std::move(executors);
  }
  return d;
}

ApiResult<nlohmann::json> ClusterService::get(const Params& params) {
  auto c = require(params);
  if (!c) return c.error();
  return details(**c);
}

ApiResult<nlohmann::json> ClusterService::list(const Params& params) {
  auto filter = params.object("filter_by");
  if (!filter) return filter.error();
  const Params by = filter->value_or(Params(nlohmann::json::object()));
  auto states = by.strings("cluster_states");
  auto sources = by.strings("cluster_sources");
  auto pinned = by.boolean("is_pinned");
  auto policy = by.string("policy_id");
  if (!states) return wrong_type("filter_by.cluster_states", "a list of strings");
  if (!sources) return wrong_type("filter_by.cluster_sources", "a list of strings");
  if (!pinned) return wrong_type("filter_by.is_pinned", "a boolean");
  if (!policy) return wrong_type("filter_by.policy_id", "a string");
  for (const auto& s : states->value_or(std::vector<std::string>{})) {
    if (!detail::parse_state(s)) {
      return ApiError::invalid_parameter("filter_by.cluster_states: unknown state " + s);
    }
  }
  for (const auto& s : sources->value_or(std::vector<std::string>{})) {
    if (!one_of(kSources, s)) {
      return ApiError::invalid_parameter("filter_by.cluster_sources: unknown source " + s);
    }
  }
  auto sort = params.object("sort_by");
  if (!sort) return sort.error();
  const Params sort_by = sort->value_or(Params(nlohmann::json::object()));
  auto field = sort_by.string("field");
  auto direction = sort_by.string("direction");
  if (!field || !direction) return wrong_type("sort_by", "{field, direction} strings");
  const std::string sort_field = field->value_or("DEFAULT");
  const bool descending = direction->value_or("ASC") == "DESC";
  if (sort_field != "DEFAULT" && sort_field != "CLUSTER_NAME") {
    return ApiError::invalid_parameter("sort_by.field: unknown field " + sort_field);
  }
  auto page_size = params.int64("page_size");
  if (!page_size) return page_size.error();
  if (page_size->value_or(0) < 0) return ApiError::invalid_parameter("page_size must be >= 0");
  auto offset = read_offset(params, "clusters");
  if (!offset) return offset.error();

  const std::int64_t now = ctx_.now_ms();
  std::vector<std::string> ids;  // find() drops clusters past retention, so look up by id
  for (const auto& entry : clusters_) ids.push_back(entry.first);
  std::vector<Cluster*> rows;
  for (const auto& id : ids) {
    Cluster* c = find(id);
    if (c == nullptr || !listed(*c, now)) continue;
    const auto name = std::string(detail::state_name(c->state));
    const auto& want_states = states->value_or(std::vector<std::string>{});
    const auto& want_sources = sources->value_or(std::vector<std::string>{});
    if (!want_states.empty() &&
        std::find(want_states.begin(), want_states.end(), name) == want_states.end()) {
      continue;
    }
    if (!want_sources.empty() &&
        std::find(want_sources.begin(), want_sources.end(), c->source) == want_sources.end()) {
      continue;
    }
    if (pinned->has_value() && **pinned != c->pinned) continue;
    if (policy->has_value() && **policy != c->spec.policy_id) continue;
    rows.push_back(c);
  }
  // Default order: active clusters first, newest start first; then terminated ones, most
  // recently terminated first; ties by creation order.
  std::stable_sort(rows.begin(), rows.end(), [&](const Cluster* a, const Cluster* b) {
    if (sort_field == "CLUSTER_NAME") {
      if (a->spec.cluster_name != b->spec.cluster_name) {
        return descending ? a->spec.cluster_name > b->spec.cluster_name
                          : a->spec.cluster_name < b->spec.cluster_name;
      }
      return a->seq < b->seq;
    }
    const bool a_off = a->state == State::kTerminated, b_off = b->state == State::kTerminated;
    if (a_off != b_off) return !a_off;
    const std::int64_t ta = a_off ? a->terminated_time : a->start_time;
    const std::int64_t tb = b_off ? b->terminated_time : b->start_time;
    if (ta != tb) return ta > tb;
    return a->seq < b->seq;
  });
  const auto total = static_cast<std::int64_t>(rows.size());
  const std::int64_t size = page_size->value_or(0) > 0 ? **page_size : total;
  const std::int64_t first = std::min(*offset, total);
  const std::int64_t last = std::min(first + size, total);
  nlohmann::json out = nlohmann::json::object();
  nlohmann::json clusters = nlohmann::json::array();
  for (std::int64_t i = first; i < last; ++i) {
    clusters.push_back(details(*rows[static_cast<std::size_t>(i)]));
  }
  if (!clusters.empty()) out["clusters"] = std::move(clusters);
  if (last < total) out["next_page_token"] = detail::encode_token("clusters", last);
  if (first > 0) {
    out["prev_page_token"] =
        detail::encode_token("clusters", std::max<std::int64_t>(0, first - size));
  }
  return out;
}

ApiResult<nlohmann::json> ClusterService::events(const Params& params) {
  auto c = require(params);
  if (!c) return c.error();
  auto start = params.int64("start_time");
  if (!start) return start.error();
  auto end = params.int64("end_time");
  if (!end) return end.error();
  auto order = params.string("order");
  if (!order) return order.error();
  const std::string ord = order->value_or("DESC");
  if (ord != "ASC" && ord != "DESC") {
    return ApiError::invalid_parameter("order must be ASC or DESC, got " + ord);
  }
  auto types = params.strings("event_types");
  if (!types) return types.error();
  for (const auto& t : types->value_or(std::vector<std::string>{})) {
    if (!one_of(kEventTypes, t)) return ApiError::invalid_parameter("event_types: unknown " + t);
  }
  auto page_size = params.int64("page_size");
  if (!page_size) return page_size.error();
  auto limit = params.int64("limit");
  if (!limit) return limit.error();
  auto legacy_offset = params.int64("offset");
  if (!legacy_offset) return legacy_offset.error();
  if (page_size->value_or(0) < 0 || page_size->value_or(0) > 500) {
    return ApiError::invalid_parameter("page_size must be between 0 and 500");
  }
  if (limit->value_or(50) < 1 || limit->value_or(50) > 500) {
    return ApiError::invalid_parameter("limit must be between 1 and 500");
  }
  if (legacy_offset->value_or(0) < 0) return ApiError::invalid_parameter("offset must be >= 0");
  auto token_offset = read_offset(params, "events");
  if (!token_offset) return token_offset.error();
  const std::int64_t size = page_size->value_or(0) > 0 ? **page_size : limit->value_or(50);
  const std::int64_t offset = params.has("page_token") ? *token_offset : legacy_offset->value_or(0);

  std::vector<const nlohmann::json*> rows;
  const auto& want = types->value_or(std::vector<std::string>{});
  for (const auto& e : (*c)->events) {
    const std::int64_t t = e["timestamp"].get<std::int64_t>();
    if (start->has_value() && t < **start) continue;
    if (end->has_value() && t > **end) continue;
    if (!want.empty() && std::find(want.begin(), want.end(), e["type"]) == want.end()) continue;
    rows.push_back(&e);
  }
  if (ord == "DESC") std::reverse(rows.begin(), rows.end());
  const auto total = static_cast<std::int64_t>(rows.size());
  const std::int64_t first = std::min(offset, total);
  const std::int64_t last = std::min(first + size, total);
  nlohmann::json page = nlohmann::json::array();
  for (std::int64_t i = first; i < last; ++i) page.push_back(*rows[static_cast<std::size_t>(i)]);
  nlohmann::json out{{"events", std::move(page)}, {"total_count", total}};
  if (last < total) {
    nlohmann::json next = params.json();
    next.erase("page_token");
    next.erase("page_size");
    next["offset"] = last;
    next["limit"] = size;
    out["next_page"] = std::move(next);
    out["next_page_token"] = detail::encode_token("events", last);
  }
  if (first > 0) {
    out["prev_page_token"] =
        detail::encode_token("events", std::max<std::int64_t>(0, first - size));
  }
  return out;
}

ApiResult<nlohmann::json> ClusterService::spark_versions(const Params&) {
  return detail::spark_versions_json();
}

ApiResult<nlohmann::json> ClusterService::list_node_types(const Params&) {
  nlohmann::json types = nlohmann::json::array();
  for (const auto& t : detail::node_types()) {
    const bool gpu = t.category == "GPU Accelerated";
    // The instance behind the node type: the SDKs' node selectors read its local disks.
    nlohmann::json instance{{"instance_type_id", t.id}};
    if (t.local_nvme_gb > 0) {
      instance["local_nvme_disks"] = 1;
      instance["local_nvme_disk_size_gb"] = t.local_nvme_gb;
    }
    types.push_back({{"node_type_id", t.id},
                     {"instance_type_id", t.id},
                     {"node_instance_type", std::move(instance)},
                     {"memory_mb", t.memory_mb},
                     {"num_cores", static_cast<double>(t.cores)},
                     {"num_gpus", gpu ? 1 : 0},
                     {"description", t.id},
                     {"category", t.category},
                     {"is_deprecated", false},
                     {"is_hidden", false},
                     {"is_graviton", false},
                     {"is_io_cache_enabled", t.category == "Storage Optimized"},
                     {"photon_driver_capable", !gpu},
                     {"photon_worker_capable", !gpu},
                     {"support_cluster_tags", true},
                     {"support_ebs_volumes", true},
                     {"support_port_forwarding", true}});
  }
  return nlohmann::json{{"node_types", std::move(types)}};
}

}  // namespace fakedb::clusters
