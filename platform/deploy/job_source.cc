#include "platform/deploy/job_source.h"

#include "platform/artifacts/archive.h"

namespace kiln::deploy {
namespace {

bool is_yaml(const std::string& path) {
  auto ends = [&](const std::string& suffix) {
    return path.size() >= suffix.size() &&
           path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends(".yaml") || ends(".yml");
}

}  // namespace

artifacts::Result<JobSource> load_job_source(const artifacts::ArtifactStore& store,
                                             const std::string& build_id, const std::string& name,
                                             const std::string& target) {
  const std::string job = "job " + name + " (" + target + ")";
  auto build = store.find_build(build_id);
  if (!build) return build.error();
  if (build->status != artifacts::kBuildSucceeded) {
    return artifacts::Error{"build " + build_id + " failed (" + build->error +
                            "); it has nothing to deploy"};
  }
  const artifacts::JobArtifact* artifact = nullptr;
  for (const auto& j : build->jobs) {
    if (j.name == name && j.target == target) artifact = &j;
  }
  if (artifact == nullptr) {
    std::string known;
    for (const auto& j : build->jobs)
      known += (known.empty() ? "" : ", ") + j.name + " (" + j.target + ")";
    return artifacts::Error{"build " + build_id + " has no " + job + "; it has " +
                            (known.empty() ? "no jobs" : known)};
  }
  auto bytes = store.get_artifact(artifact->content_hash);
  if (!bytes) return artifacts::Error{job + " of build " + build_id + ": " + bytes.error().message};
  auto entries = artifacts::read_archive(*bytes);
  if (!entries) {
    return artifacts::Error{job + " of build " + build_id + ": " + entries.error().message};
  }
  std::string invalid;  // the first config that no longer validates, if any
  for (const auto& entry : *entries) {
    if (!is_yaml(entry.path) || entry.path == "kiln.yaml") continue;
    auto loaded = config::load_config_text(entry.path, entry.bytes);
    if (!loaded.ok()) {
      // Valid when it was built: it fails now only if this kiln's rules changed.
      if (invalid.empty()) invalid = loaded.diagnostics.front().to_string();
      continue;
    }
    const auto& config = loaded.folders.front().configs.front();
    if (config.name == name && config.target == target) {
      return JobSource{*build, *artifact, config};
    }
  }
  return artifacts::Error{job + " of build " + build_id + ": its archive holds no valid config " +
                          "of target " + target + (invalid.empty() ? "" : " (" + invalid + ")")};
}

}  // namespace kiln::deploy
