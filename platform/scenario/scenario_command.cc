#include "platform/scenario/scenario_command.h"

#include <chrono>
#include <fstream>
#include <iomanip>

#include "platform/scenario/duration.h"
#include "platform/scenario/loader.h"
#include "platform/scenario/report.h"
#include "platform/scenario/runner.h"

namespace kiln::scenario {
namespace {

bool print_diagnostics(const Loaded& loaded, std::ostream& err) {
  if (loaded.ok()) return false;
  for (const auto& d : loaded.diagnostics) err << d.to_string() << "\n";
  err << "kiln scenario: " << loaded.diagnostics.size() << " error(s) in the scenario file\n";
  return true;
}

void print_summary(const Scenario& s, const RunResult& r, std::ostream& out) {
  std::size_t failed = 0;
  for (const auto& v : r.verdicts) failed += v.holds ? 0 : 1;
  out << "\n"
      << s.name << " (seed " << s.seed << "): " << r.verdicts.size() - failed << " of "
      << r.verdicts.size() << " expectation(s) hold\n";
  for (const auto& v : r.verdicts) {
    const auto& x = s.expectations[v.index];
    out << "  " << (v.holds ? "PASS" : "FAIL") << "  " << x.where.to_string() << "  "
        << x.describe() << "\n        " << v.observed << "\n";
  }
  const double ratio = r.wall_s > 0 ? static_cast<double>(r.simulated_ms) / 1000.0 / r.wall_s : 0;
  out << "simulated " << format_duration(r.simulated_ms) << " in " << std::fixed
      << std::setprecision(2) << r.wall_s << " s wall (" << std::setprecision(0) << ratio << "x), "
      << r.events << " events, trace " << r.fingerprint.substr(0, 16) << "\n";
  if (failed > 0) out << "replay: " << replay_command(s) << "\n";
}

}  // namespace

int run_command(const RunCommand& command, std::ostream& out, std::ostream& err) {
  const auto loaded = load_scenario(command.file, command.seed);
  if (print_diagnostics(loaded, err)) return 2;
  const Scenario& s = *loaded.scenario;
  std::ofstream trace;
  if (!command.trace.empty()) {
    trace.open(command.trace, std::ios::binary | std::ios::trunc);
    if (!trace) {
      err << "kiln scenario run: cannot write the trace to " << command.trace << "\n";
      return 2;
    }
  }
  RunOptions options;
  options.trace = command.trace.empty() ? nullptr : &trace;
  options.timeline = command.quiet ? nullptr : &out;
  options.keep_events = !command.report.empty();
  if (!command.quiet) out << s.name << ": " << s.description << "\n\n";
  const RunResult result = run_scenario(s, options);
  if (!result.error.empty()) {
    err << command.file << ": " << result.error << "\n";
    return 2;
  }
  print_summary(s, result, out);
  if (!command.report.empty()) {
    std::ofstream report(command.report, std::ios::binary | std::ios::trunc);
    if (!report) {
      err << "kiln scenario run: cannot write the report to " << command.report << "\n";
      return 2;
    }
    write_report(s, result, report);
    out << "report: " << command.report << "\n";
  }
  return result.passed() ? 0 : 1;
}

int swarm_command(const SwarmCommand& command, std::ostream& out, std::ostream& err) {
  const auto first = load_scenario(command.file, command.first_seed);
  if (print_diagnostics(first, err)) return 2;
  const std::uint64_t base = first.scenario->seed;
  std::vector<std::string> failing;
  // Measured for the summary only: loading and running every seed.
  const auto wall_start = std::chrono::steady_clock::now();
  auto last_line = wall_start;
  for (std::uint64_t i = 0; i < command.seeds; ++i) {
    const auto loaded = load_scenario(command.file, base + i);
    if (print_diagnostics(loaded, err)) return 2;
    RunOptions options;
    options.fingerprint = false;
    const auto result = run_scenario(*loaded.scenario, options);
    if (!result.error.empty()) {
      err << command.file << ": " << result.error << "\n";
      return 2;
    }
    if (!result.passed()) {
      // Every expectation that failed, with where it is written (an invariant's says what
      // broke, and when).
      std::string why;
      for (const auto& v : result.verdicts) {
        if (v.holds) continue;
        const auto& x = loaded.scenario->expectations[v.index];
        why += "\n    " + x.where.to_string() + "  " + x.describe() + "\n        " + v.observed;
      }
      failing.push_back("seed " + std::to_string(base + i) + ":" + why +
                        "\n    replay: " + replay_command(*loaded.scenario));
    }
    if (command.progress == Progress::kTerminal) {
      err << "\r[" << i + 1 << "/" << command.seeds << "] " << failing.size() << " failing"
          << std::flush;
    } else if (command.progress == Progress::kLines) {
      // Wall time decides only when a line is printed, never what a seed does.
      const auto at = std::chrono::steady_clock::now();
      if (at - last_line >= std::chrono::milliseconds(command.progress_line_ms) ||
          i + 1 == command.seeds) {
        last_line = at;
        err << "[" << i + 1 << "/" << command.seeds << "] " << failing.size() << " failing"
            << std::endl;
      }
    }
  }
  if (command.progress == Progress::kTerminal) err << "\n";
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  out << first.scenario->name << ": " << command.seeds - failing.size() << " of " << command.seeds
      << " seed(s) pass (seeds " << base << ".." << base + command.seeds - 1 << ", " << std::fixed
      << std::setprecision(1) << wall << " s wall, " << std::setprecision(0)
      << (wall > 0 ? static_cast<double>(command.seeds) / wall : 0) << " seeds/s)\n";
  for (const auto& f : failing) out << "  FAIL " << f << "\n";
  return failing.empty() ? 0 : 1;
}

}  // namespace kiln::scenario
