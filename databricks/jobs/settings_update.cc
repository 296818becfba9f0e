// apply_update: jobs/update's partial update. Top-level fields are replaced whole; the two keyed
// arrays (tasks by task_key, job_clusters by job_cluster_key) are merged entry by entry.
#include <set>
#include <string>
#include <vector>

#include "databricks/jobs/checks.h"
#include "databricks/jobs/job_settings.h"

namespace databricks::jobs {

using namespace detail;  // NOLINT(google-build-using-namespace)

namespace {

// The arrays jobs/update merges, and the key each entry is matched on.
struct KeyedArray {
  const char* field;
  const char* key;
  const char* noun;  // for messages: "task", "job cluster"
};
constexpr KeyedArray kKeyed[] = {{"tasks", "task_key", "task"},
                                 {"job_clusters", "job_cluster_key", "job cluster"}};

const KeyedArray* keyed(std::string_view field) {
  for (const auto& k : kKeyed) {
    if (field == k.field) return &k;
  }
  return nullptr;
}

// Position of the entry whose key field equals `key` in `arr`, if any.
std::optional<std::size_t> find_entry(const json& arr, const KeyedArray& k,
                                      const std::string& key) {
  if (!arr.is_array()) return std::nullopt;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const json& e = arr[i];
    if (e.is_object() && e.contains(k.key) && e[k.key] == key) return i;
  }
  return std::nullopt;
}

// new_settings.tasks / new_settings.job_clusters must be arrays of keyed objects before they
// can be merged; the merged result is validated in full afterwards.
Err check_mergeable(const json& arr, const KeyedArray& k) {
  const std::string path = field_path("new_settings", k.field);
  if (auto e = check_array(arr, path)) return e;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string p = item_path(path, i);
    if (auto e = check_object(arr[i], p)) return e;
    if (auto e = Fields(arr[i], p).str(k.key, Need::kRequired).error()) return e;
    const auto& key = arr[i][k.key].get_ref<const std::string&>();
    if (!seen.insert(key).second) {
      const std::string key_path = field_path(p, k.key);
      return invalid(key_path,
                     "Duplicate " + std::string(k.noun) + " key: " + key + " (" + key_path + ").");
    }
  }
  return std::nullopt;
}

struct Removal {
  std::string field;  // top-level field
  std::string key;    // entry key for "tasks/<key>" and "job_clusters/<key>", else empty
  std::string path;   // fields_to_remove[i], for messages
};

ApiResult<std::vector<Removal>> parse_removals(const json& current, const json& ftr) {
  if (auto e = check_array(ftr, "fields_to_remove")) return *e;
  std::vector<Removal> out;
  for (std::size_t i = 0; i < ftr.size(); ++i) {
    const std::string p = item_path("fields_to_remove", i);
    if (auto e = check_string(ftr[i], p)) return *e;
    const auto& s = ftr[i].get_ref<const std::string&>();
    if (s.empty()) return invalid(p, p + " must not be empty.");
    const auto slash = s.find('/');
    if (slash == std::string::npos) {
      out.push_back({s, {}, p});
      continue;
    }
    Removal r{s.substr(0, slash), s.substr(slash + 1), p};
    const KeyedArray* k = keyed(r.field);
    if (!k || r.key.empty()) {
      return invalid(p, p + ": only tasks/<task_key> and job_clusters/<job_cluster_key> can be " +
                            "removed by nested path, got '" + s + "'.");
    }
    auto arr = current.find(k->field);
    if (arr == current.end() || !find_entry(*arr, *k, r.key)) {
      return invalid(p, p + ": " + k->noun + " '" + r.key + "' does not exist in the job.");
    }
    out.push_back(std::move(r));
  }
  return out;
}

// A field (or entry) may not be both set and removed in one call: the intent is ambiguous.
Err check_conflicts(const json* ns, const std::vector<Removal>& removals) {
  if (!ns) return std::nullopt;
  for (const Removal& r : removals) {
    if (r.key.empty()) {
      if (ns->contains(r.field)) {
        return invalid(r.path, r.path + ": '" + r.field + "' is also set in new_settings.");
      }
      continue;
    }
    const KeyedArray& k = *keyed(r.field);
    if (auto arr = ns->find(r.field); arr != ns->end() && find_entry(*arr, k, r.key)) {
      return invalid(r.path, r.path + ": " + k.noun + " '" + r.key +
                                 "' is also set in new_settings." + r.field + ".");
    }
  }
  return std::nullopt;
}

void merge_keyed(json& into, const json& from, const KeyedArray& k) {
  for (const json& entry : from) {
    const auto& key = entry[k.key].get_ref<const std::string&>();
    if (auto i = find_entry(into, k, key)) {
      into[*i] = entry;  // matching entries are replaced whole: no nested partial update
    } else {
      into.push_back(entry);
    }
  }
}

}  // namespace

ApiResult<json> apply_update(const json& current, const json* new_settings,
                             const json* fields_to_remove, ApiVersion version) {
  if (!current.is_object()) return ApiError::internal("Stored job settings are not an object.");
  if (new_settings) {
    if (auto e = check_object(*new_settings, "new_settings")) return *e;
    for (const auto& k : kKeyed) {
      if (auto it = new_settings->find(k.field); it != new_settings->end()) {
        if (auto e = check_mergeable(*it, k)) return *e;
      }
    }
  }
  std::vector<Removal> removals;
  if (fields_to_remove) {
    auto parsed = parse_removals(current, *fields_to_remove);
    if (!parsed) return parsed.error();
    removals = std::move(parsed).value();
  }
  if (auto e = check_conflicts(new_settings, removals)) return *e;

  json merged = current;
  if (new_settings) {
    for (auto it = new_settings->begin(); it != new_settings->end(); ++it) {
      const KeyedArray* k = keyed(it.key());
      auto cur = merged.find(it.key());
      if (k && cur != merged.end() && cur->is_array()) {
        merge_keyed(*cur, it.value(), *k);
      } else {
        merged[it.key()] = it.value();
      }
    }
  }
  for (const Removal& r : removals) {
    if (r.key.empty()) {
      merged.erase(r.field);  // removing an absent top-level field is a no-op
      continue;
    }
    json& arr = merged[r.field];
    if (auto i = find_entry(arr, *keyed(r.field), r.key)) arr.erase(*i);
  }
  if (auto e = validate_settings(merged, version)) return *e;
  return merged;
}

}  // namespace databricks::jobs
