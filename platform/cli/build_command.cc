#include "platform/cli/build_command.h"

#include <fstream>
#include <sstream>

#include "platform/artifacts/build_writer.h"
#include "platform/artifacts/git_head.h"
#include "platform/artifacts/local_store.h"
#include "platform/config/job_config.h"

namespace kiln::cli {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

bool is_executable(const std::filesystem::path& path) {
  std::error_code ec;
  const auto perms = std::filesystem::status(path, ec).permissions();
  return !ec && (perms & std::filesystem::perms::owner_exec) != std::filesystem::perms::none;
}

std::string relative_to(const std::filesystem::path& file, const std::filesystem::path& dir) {
  return std::filesystem::path(file).lexically_relative(dir).generic_string();
}

// One archive per (name, target): the folder's manifest, that target's config, and the code.
artifacts::JobInput job_input(const config::JobFolder& folder, const config::JobConfig& job) {
  artifacts::JobInput input;
  input.name = job.name;
  input.target = job.target;
  input.deploy_version = job.deploy_version;
  const std::filesystem::path dir = folder.dir;
  std::vector<std::filesystem::path> files{dir / "kiln.yaml", job.file};
  for (const auto& source : folder.source_files) files.emplace_back(source);
  for (const auto& f : files) {
    const auto path = f.is_absolute() ? f : dir / f;
    input.entries.push_back({relative_to(path, dir), read_file(path), is_executable(path)});
  }
  return input;
}

}  // namespace

int run_build(const BuildOptions& options, std::ostream& out, std::ostream& err) {
  auto store = artifacts::open_local_store(options.store);
  if (!store) {
    err << "kiln build: " << store.error().message << "\n";
    return 2;
  }
  artifacts::BuildWriter writer(**store);
  std::string sha_error;
  const std::string sha = artifacts::git_head_sha(options.repo, &sha_error);
  auto fail = [&](const std::string& why) {
    auto record = writer.write_failed(sha, options.created_ms, why);
    err << "kiln build: failed: " << why << "\n";
    if (record) err << "recorded as failed build " << record->build_id << "\n";
    return record ? 1 : 2;
  };
  if (sha.empty()) return fail(sha_error);

  const auto loaded = config::load_repo(options.repo);
  for (const auto& d : loaded.diagnostics) err << d.to_string() << "\n";
  if (!loaded.ok()) {
    return fail(std::to_string(loaded.diagnostics.size()) + " error(s) in the job configs");
  }
  if (loaded.folders.empty())
    return fail("no job folder (a folder with kiln.yaml) under " + options.repo.string());

  artifacts::BuildInput input{sha, options.created_ms, {}};
  for (const auto& folder : loaded.folders) {
    for (const auto& job : folder.configs) input.jobs.push_back(job_input(folder, job));
  }
  auto record = writer.write(input);
  if (!record) {
    err << "kiln build: " << record.error().message << "\n";
    return 2;
  }
  if (record->status != artifacts::kBuildSucceeded) {
    err << "kiln build: failed: " << record->error << "\nrecorded as failed build "
        << record->build_id << "\n";
    return 1;
  }
  out << "build " << record->build_id << " of commit " << record->commit_sha << ": "
      << record->jobs.size() << " job(s)\n";
  for (const auto& job : record->jobs) {
    out << "  " << job.name << " (" << job.target << ") deployVersion " << job.deploy_version
        << "  " << job.content_hash.substr(0, 12) << "  " << job.size_bytes << " bytes\n";
  }
  return 0;
}

int run_list_builds(const std::filesystem::path& store_dir, const std::string& commit,
                    std::ostream& out, std::ostream& err) {
  auto store = artifacts::open_local_store(store_dir);
  if (!store) {
    err << "kiln builds: " << store.error().message << "\n";
    return 2;
  }
  auto builds = commit.empty() ? (*store)->list_builds() : (*store)->builds_for_commit(commit);
  if (!builds) {
    err << "kiln builds: " << builds.error().message << "\n";
    return 2;
  }
  for (const auto& b : *builds) {
    out << b.build_id << "  " << (b.commit_sha.empty() ? "-" : b.commit_sha.substr(0, 12)) << "  "
        << b.status << "  " << b.jobs.size() << " job(s)" << (b.error.empty() ? "" : "  " + b.error)
        << "\n";
  }
  return 0;
}

}  // namespace kiln::cli
