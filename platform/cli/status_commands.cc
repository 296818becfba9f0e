#include "platform/cli/status_commands.h"

#include <date/date.h>

#include <chrono>
#include <vector>

namespace kiln::cli {
namespace {

constexpr std::size_t kAll = 1'000'000;

std::string or_dash(const std::optional<std::string>& s) {
  return s && !s->empty() ? *s : "-";
}

std::string or_dash(const std::optional<std::int64_t>& n) {
  return n ? std::to_string(*n) : "-";
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

// Rows printed as columns as wide as their widest cell, two spaces apart.
void print_table(const std::vector<std::vector<std::string>>& rows, std::ostream& out) {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += i + 1 < row.size() ? pad(row[i], width[i] + 2) : row[i];
    }
    out << line << "\n";
  }
}

std::string short_sha(store::MetadataStore& store, const std::optional<std::string>& build_id) {
  if (!build_id) return "-";
  auto build = store.get_build(*build_id);
  return build && !build->commit_sha.empty() ? build->commit_sha.substr(0, 12) : "-";
}

}  // namespace

std::string format_time(std::int64_t ms) {
  const date::sys_time<std::chrono::milliseconds> t{std::chrono::milliseconds(ms)};
  return date::format("%FT%TZ", std::chrono::floor<std::chrono::seconds>(t));
}

int print_status(store::MetadataStore& store, const StatusQuery& query, std::ostream& out,
                 std::ostream& err) {
  auto jobs = query.target ? store.list_jobs(*query.target, kAll) : store.list_all_jobs(kAll);
  if (!jobs) {
    err << "kiln status: " << jobs.error().describe() << "\n";
    return 2;
  }
  std::vector<std::vector<std::string>> rows{{"JOB", "TARGET", "VERSION", "BUILD", "COMMIT",
                                              "STATE", "DATABRICKS JOB", "LATEST RUN",
                                              "UNDER WAY"}};
  for (const auto& job : *jobs) {
    if (query.job && job.name != *query.job) continue;
    std::string run = "-";
    if (auto runs = store.list_runs(job.name, job.target, 1); runs && !runs->empty()) {
      const auto& r = runs->front();
      run = std::to_string(r.run_id) + " " + r.life_cycle_state +
            (r.result_state.empty() ? "" : " " + r.result_state) + " (v" +
            std::to_string(r.version) + ")";
    }
    std::string under_way = "-";
    if (auto open = store.open_deployment(job.name, job.target); open) {
      under_way = "deployment " + std::to_string(open->id) + " " +
                  std::string(store::to_string(open->status)) + ", v" +
                  std::to_string(open->request.version);
    }
    rows.push_back({job.name, job.target, or_dash(job.deployed_version),
                    or_dash(job.deployed_build_id), short_sha(store, job.deployed_build_id),
                    std::string(store::to_string(job.state)), or_dash(job.databricks_job_id), run,
                    under_way});
  }
  if (rows.size() == 1) {
    if (query.job) {
      err << "kiln status: no job " << *query.job
          << (query.target ? " on target " + *query.target : std::string()) << " in the DB\n";
      return 1;
    }
    out << "no jobs deployed yet\n";
    return 0;
  }
  print_table(rows, out);
  return 0;
}

int print_history(store::MetadataStore& store, const HistoryQuery& query, std::ostream& out,
                  std::ostream& err) {
  std::vector<std::string> targets;
  if (query.target) {
    targets.push_back(*query.target);
  } else {
    auto jobs = store.list_all_jobs(kAll);
    if (!jobs) {
      err << "kiln history: " << jobs.error().describe() << "\n";
      return 2;
    }
    for (const auto& j : *jobs) {
      if (j.name == query.job) targets.push_back(j.target);
    }
  }
  std::vector<std::vector<std::string>> rows{
      {"ID", "TARGET", "REQUESTED", "STATUS", "VERSION", "BUILD", "BY", "REASON", "OUTCOME"}};
  std::vector<store::Deployment> all;
  for (const auto& target : targets) {
    auto history = store.deployment_history(query.job, target, query.limit);
    if (!history) {
      err << "kiln history: " << history.error().describe() << "\n";
      return 2;
    }
    all.insert(all.end(), history->begin(), history->end());
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
  if (all.size() > query.limit) all.resize(query.limit);
  if (all.empty()) {
    err << "kiln history: no deployments of " << query.job
        << (query.target ? " on target " + *query.target : std::string()) << "\n";
    return 1;
  }
  for (const auto& d : all) {
    const auto& r = d.request;
    rows.push_back({std::to_string(d.id), r.target, format_time(r.created_ms),
                    std::string(store::to_string(d.status)), std::to_string(r.version), r.build_id,
                    r.requested_by, r.reason.empty() ? "-" : r.reason,
                    d.outcome_reason.empty() ? "-" : d.outcome_reason});
  }
  print_table(rows, out);
  if (!query.phases) return 0;
  for (const auto& d : all) {
    auto phases = store.list_phases(d.id);
    if (!phases) {
      err << "kiln history: " << phases.error().describe() << "\n";
      return 2;
    }
    out << "\ndeployment " << d.id << ":\n";
    for (const auto& p : *phases) {
      out << "  " << p.seq << ". " << pad(p.phase, 8) << " "
          << pad(std::string(store::to_string(p.outcome)), 9) << " " << format_time(p.started_ms)
          << (p.finished_ms ? " .. " + format_time(*p.finished_ms) : std::string(" .. "))
          << (p.reason.empty() ? "" : "  " + p.reason) << "\n";
    }
  }
  return 0;
}

}  // namespace kiln::cli
