// `kiln scenario run FILE` and `kiln scenario swarm FILE --seeds N` (docs/scenarios.md).
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace kiln::scenario {

struct RunCommand {
  std::string file;
  std::optional<std::uint64_t> seed;
  std::string trace;   // JSON-lines trace file; "" for none
  std::string report;  // HTML report file; "" for none
  bool quiet = false;  // verdicts only, no timeline
};

// Exit code: 0 every expectation holds, 1 one fails, 2 the file is wrong (file:line: what).
int run_command(const RunCommand& command, std::ostream& out, std::ostream& err);

// How a swarm shows its progress on `err`: not at all; one line rewritten in place with '\r'
// (a terminal); or a plain line every few seconds of wall time (a log file or a pipe, where a
// thousand '\r' updates would be a thousand lines).
enum class Progress { kNone, kTerminal, kLines };

struct SwarmCommand {
  std::string file;
  std::uint64_t seeds = 10;
  std::optional<std::uint64_t> first_seed;  // the file's seed if not given
  Progress progress = Progress::kTerminal;
  std::int64_t progress_line_ms = 5'000;  // kLines: wall time between two lines (UI only)
};

// Runs seeds first..first+seeds-1. Exit code: 0 all pass, 1 some seed fails (each listed with
// its replay command), 2 the file is wrong.
int swarm_command(const SwarmCommand& command, std::ostream& out, std::ostream& err);

}  // namespace kiln::scenario
