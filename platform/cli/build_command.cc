#include "platform/cli/build_command.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "platform/artifacts/build_writer.h"
#include "platform/artifacts/git_head.h"
#include "platform/artifacts/local_store.h"
#include "platform/config/job_config.h"
#include "platform/config/repo_files.h"

namespace kiln::cli {
namespace {

namespace fs = std::filesystem;

bool is_executable(const fs::path& path) {
  std::error_code ec;
  const auto perms = fs::status(path, ec).permissions();
  return !ec && (perms & fs::perms::owner_exec) != fs::perms::none;
}

// One archive per (name, target): the folder's manifest, that target's config, and the code,
// each named relative to the folder. The folder's dir and the config's file are paths as the
// loader shows them (relative to the working directory, or absolute): the same form, so the
// config's name within the folder is their difference.
std::optional<artifacts::JobInput> job_input(const fs::path& repo_root,
                                             const config::JobFolder& folder,
                                             const config::JobConfig& job, std::string& why) {
  artifacts::JobInput input;
  input.name = job.name;
  input.target = job.target;
  input.deploy_version = job.deploy_version;
  const fs::path dir = folder.dir;
  const std::string config = fs::path(job.file).lexically_relative(dir).generic_string();
  if (config.empty() || *fs::path(config).begin() == "..") {
    why = "config '" + job.file + "' is not inside its job folder '" + folder.dir + "'";
    return std::nullopt;
  }
  std::vector<std::string> files{"kiln.yaml", config};
  files.insert(files.end(), folder.source_files.begin(), folder.source_files.end());
  for (const std::string& relative : files) {
    const fs::path path = dir / relative;
    const std::string shown = (dir / relative).generic_string();
    auto bytes = read_job_file(repo_root, path, shown, why);
    if (!bytes) return std::nullopt;
    input.entries.push_back({relative, std::move(*bytes), is_executable(path)});
  }
  return input;
}

}  // namespace

// The bytes of a file of a job folder, or why they cannot be packaged: a symbolic link leaving
// the repository (validate refuses it too, but the tree may have changed since), not a regular
// file, or a read that fails. A build never archives what it could not read.
std::optional<std::string> read_job_file(const fs::path& repo_root, const fs::path& path,
                                         const std::string& shown, std::string& why) {
  if (why = config::link_problem(repo_root, path, shown); !why.empty()) return std::nullopt;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    why = "cannot read '" + shown + "': not a regular file";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = "cannot open '" + shown + "': " + std::strerror(errno);
    return std::nullopt;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    why = "cannot read '" + shown + "': " + std::strerror(errno);
    return std::nullopt;
  }
  return bytes;
}

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
    err << "kiln build: failed: " << config::escape_text(why) << "\n";
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
  const fs::path repo_root = config::repository_root(options.repo);
  for (const auto& folder : loaded.folders) {
    for (const auto& job : folder.configs) {
      std::string why;
      auto one = job_input(repo_root, folder, job, why);
      if (!one) return fail(why);
      input.jobs.push_back(std::move(*one));
    }
  }
  auto record = writer.write(input);
  if (!record) {
    err << "kiln build: " << record.error().message << "\n";
    return 2;
  }
  if (record->status != artifacts::kBuildSucceeded) {
    err << "kiln build: failed: " << config::escape_text(record->error)
        << "\nrecorded as failed build " << record->build_id << "\n";
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
  auto builds = commit.empty() ? (*store)->list_builds()
                               : artifacts::builds_for_commit_prefix(**store, commit);
  if (!builds) {
    err << "kiln builds: " << config::escape_text(builds.error().message) << "\n";
    return 2;
  }
  for (const auto& b : *builds) {
    out << b.build_id << "  " << (b.commit_sha.empty() ? "-" : b.commit_sha.substr(0, 12)) << "  "
        << b.status << "  " << b.jobs.size() << " job(s)"
        << (b.error.empty() ? "" : "  " + config::escape_text(b.error)) << "\n";
  }
  return 0;
}

}  // namespace kiln::cli
