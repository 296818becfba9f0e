// Cluster spec validation, and the fixed node-type and Spark-version catalogues.
#include <array>
#include <iterator>

#include "fake-databricks/clusters/cluster_record.h"

namespace fakedb::clusters::detail {
namespace {

constexpr std::array<std::string_view, 10> kSecurityModes{"NONE",
                                                          "SINGLE_USER",
                                                          "USER_ISOLATION",
                                                          "LEGACY_TABLE_ACL",
                                                          "LEGACY_PASSTHROUGH",
                                                          "LEGACY_SINGLE_USER",
                                                          "LEGACY_SINGLE_USER_STANDARD",
                                                          "DATA_SECURITY_MODE_AUTO",
                                                          "DATA_SECURITY_MODE_STANDARD",
                                                          "DATA_SECURITY_MODE_DEDICATED"};

constexpr std::int64_t kMaxCustomTags = 45;

std::string str(std::int64_t v) {
  return std::to_string(v);
}

// An object whose values are all strings (custom_tags, spark_conf, spark_env_vars).
ApiResult<bool> check_string_map(const Params& p, std::string_view name) {
  const nlohmann::json* v = p.find(name);
  if (v == nullptr) return true;
  if (!v->is_object()) return wrong_type(name, "an object of strings");
  for (const auto& [key, value] : v->items()) {
    if (!value.is_string()) return wrong_type(std::string(name) + "." + key, "a string");
  }
  return true;
}

// Sets spec's size from num_workers / autoscale; `single_node_ok` lets neither mean 0 workers.
ApiResult<bool> read_size(const Params& p, Spec& spec, bool single_node_ok) {
  auto workers = p.int64("num_workers");
  if (!workers) return workers.error();
  auto autoscale = p.object("autoscale");
  if (!autoscale) return autoscale.error();
  if (workers->has_value() == autoscale->has_value() &&
      !(single_node_ok && !workers->has_value())) {
    return ApiError::invalid_parameter(
        "Exactly one of num_workers or autoscale must be specified.");
  }
  if (autoscale->has_value()) {
    const Params& a = **autoscale;
    auto lo = a.int64("min_workers");
    if (!lo) return wrong_type("autoscale.min_workers", "an integer");
    auto hi = a.int64("max_workers");
    if (!hi) return wrong_type("autoscale.max_workers", "an integer");
    if (!lo->has_value()) return missing_field("autoscale.min_workers");
    if (!hi->has_value()) return missing_field("autoscale.max_workers");
    if (**lo < 0) {
      return ApiError::invalid_parameter("autoscale.min_workers must be >= 0, got " + str(**lo));
    }
    if (**hi < **lo) {
      return ApiError::invalid_parameter("autoscale.max_workers (" + str(**hi) +
                                         ") must be >= autoscale.min_workers (" + str(**lo) + ").");
    }
    spec.autoscale = true;
    spec.min_workers = **lo;
    spec.max_workers = **hi;
    return true;
  }
  const std::int64_t n = workers->value_or(0);
  if (n < 0) return ApiError::invalid_parameter("num_workers must be >= 0, got " + str(n));
  spec.autoscale = false;
  spec.num_workers = n;
  return true;
}

}  // namespace

ApiResult<Spec> parse_spec(const nlohmann::json& raw, bool job_cluster, const std::string& user) {
  if (!raw.is_object()) return wrong_type("new_cluster", "an object");
  const Params p(raw);
  Spec spec;
  spec.raw = raw;
  spec.raw.erase("cluster_id");
  for (auto it = spec.raw.begin(); it != spec.raw.end();) {
    it = it->is_null() ? spec.raw.erase(it) : std::next(it);
  }
  auto version = p.required_string("spark_version");
  if (!version) return version.error();
  spec.spark_version = *version;
  if (spec.spark_version.empty()) return missing_field("spark_version");

  for (const std::string_view name :
       {"cluster_name", "node_type_id", "driver_node_type_id", "policy_id", "instance_pool_id",
        "driver_instance_pool_id", "single_user_name", "runtime_engine", "data_security_mode",
        "kind"}) {
    auto v = p.string(name);
    if (!v) return v.error();
  }
  for (const std::string_view name : {"enable_elastic_disk", "is_single_node",
                                      "enable_local_disk_encryption", "use_ml_runtime"}) {
    auto v = p.boolean(name);
    if (!v) return v.error();
  }
  for (const std::string_view name : {"aws_attributes", "azure_attributes", "gcp_attributes",
                                      "cluster_log_conf", "docker_image", "workload_type"}) {
    auto v = p.object(name);
    if (!v) return v.error();
  }
  for (const std::string_view name : {"init_scripts", "ssh_public_keys"}) {
    const nlohmann::json* v = p.find(name);
    if (v != nullptr && !v->is_array()) return wrong_type(name, "a list");
  }
  for (const std::string_view name : {"custom_tags", "spark_conf", "spark_env_vars"}) {
    auto ok = check_string_map(p, name);
    if (!ok) return ok.error();
  }
  const bool single_node = p.boolean("is_single_node")->value_or(false);
  auto size = read_size(p, spec, single_node);
  if (!size) return size.error();

  auto minutes = p.int64("autotermination_minutes");
  if (!minutes) return minutes.error();
  spec.autotermination_minutes = job_cluster ? 0 : minutes->value_or(120);
  if (!job_cluster && spec.autotermination_minutes != 0 &&
      (spec.autotermination_minutes < 10 || spec.autotermination_minutes > 10000)) {
    return ApiError::invalid_parameter(
        "autotermination_minutes must be 0 (disabled) or between 10 and 10000, got " +
        str(spec.autotermination_minutes) + ".");
  }
  if (const auto* tags = p.find("custom_tags")) {
    if (static_cast<std::int64_t>(tags->size()) > kMaxCustomTags) {
      return ApiError::invalid_parameter("custom_tags: at most " + str(kMaxCustomTags) +
                                         " custom tags are allowed, got " + str(tags->size()) +
                                         ".");
    }
    spec.custom_tags = *tags;
  }
  if (const auto* conf = p.find("spark_conf")) spec.spark_conf = *conf;

  spec.data_security_mode = p.string("data_security_mode")->value_or("SINGLE_USER");
  bool known_mode = false;
  for (const auto mode : kSecurityModes) known_mode = known_mode || mode == spec.data_security_mode;
  if (!known_mode) {
    return ApiError::invalid_parameter("data_security_mode: unknown value " +
                                       spec.data_security_mode + ".");
  }
  spec.cluster_name = p.string("cluster_name")->value_or("");
  spec.policy_id = p.string("policy_id")->value_or("");
  const bool pooled = p.has("instance_pool_id");
  spec.node_type_id = p.string("node_type_id")->value_or(pooled ? "" : "i3.xlarge");
  spec.driver_node_type_id = p.string("driver_node_type_id")->value_or(spec.node_type_id);
  spec.single_user_name = p.string("single_user_name")->value_or("");
  if (spec.single_user_name.empty() && spec.data_security_mode == "SINGLE_USER") {
    spec.single_user_name = user;
  }
  return spec;
}

Spec lenient_spec(const nlohmann::json& raw, const std::string& user) {
  Spec spec;
  spec.raw = raw.is_object() ? raw : nlohmann::json::object();
  const auto text = [&](const char* key, const std::string& fallback) {
    const auto it = spec.raw.find(key);
    return it != spec.raw.end() && it->is_string() ? it->get<std::string>() : fallback;
  };
  spec.spark_version = text("spark_version", "");
  spec.node_type_id = text("node_type_id", "i3.xlarge");
  spec.driver_node_type_id = text("driver_node_type_id", spec.node_type_id);
  spec.single_user_name = user;
  return spec;
}

ApiResult<bool> parse_size(const nlohmann::json& raw, Spec& spec) {
  Spec next = spec;
  auto ok = read_size(Params(raw), next, false);
  if (!ok) return ok.error();
  next.raw.erase("num_workers");
  next.raw.erase("autoscale");
  if (next.autoscale) {
    next.raw["autoscale"] = {{"min_workers", next.min_workers}, {"max_workers", next.max_workers}};
  } else {
    next.raw["num_workers"] = next.num_workers;
  }
  spec = std::move(next);
  return true;
}

const std::vector<NodeType>& node_types() {
  static const std::vector<NodeType> kTypes{
      {"m5d.large", 8192, 2, "General Purpose", 75},
      {"m5d.xlarge", 16384, 4, "General Purpose", 150},
      {"m5d.2xlarge", 32768, 8, "General Purpose", 300},
      {"i3.xlarge", 31232, 4, "Storage Optimized", 950},
      {"i3.2xlarge", 62464, 8, "Storage Optimized", 1900},
      {"r5d.xlarge", 32768, 4, "Memory Optimized", 150},
      {"c5d.2xlarge", 16384, 8, "Compute Optimized", 200},
      {"g4dn.xlarge", 16384, 4, "GPU Accelerated", 125},
  };
  return kTypes;
}

const NodeType& node_type(std::string_view id) {
  for (const auto& t : node_types()) {
    if (t.id == id) return t;
  }
  return node_types()[1];
}

nlohmann::json spark_versions_json() {
  static const std::array<std::pair<const char*, const char*>, 7> kVersions{{
      {"16.4.x-scala2.12", "16.4 LTS (includes Apache Spark 3.5.2, Scala 2.12)"},
      {"16.4.x-photon-scala2.12", "16.4 LTS Photon (includes Apache Spark 3.5.2, Scala 2.12)"},
      {"16.4.x-cpu-ml-scala2.12", "16.4 LTS ML (includes Apache Spark 3.5.2, Scala 2.12)"},
      {"15.4.x-scala2.12", "15.4 LTS (includes Apache Spark 3.5.0, Scala 2.12)"},
      {"15.4.x-photon-scala2.12", "15.4 LTS Photon (includes Apache Spark 3.5.0, Scala 2.12)"},
      {"14.3.x-scala2.12", "14.3 LTS (includes Apache Spark 3.5.0, Scala 2.12)"},
      {"13.3.x-scala2.12", "13.3 LTS (includes Apache Spark 3.4.1, Scala 2.12)"},
  }};
  nlohmann::json versions = nlohmann::json::array();
  for (const auto& [key, name] : kVersions) versions.push_back({{"key", key}, {"name", name}});
  return {{"versions", versions}};
}

}  // namespace fakedb::clusters::detail
