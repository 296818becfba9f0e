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

struct SwarmCommand {
  std::string file;
  std::uint64_t seeds = 10;
  std::optional<std::uint64_t> first_seed;  // the file's seed if not given
  bool progress = true;                     // a progress line on `err`
};

// Runs seeds first..first+seeds-1. Exit code: 0 all pass, 1 some seed fails (each listed with
// its replay command), 2 the file is wrong.
int swarm_command(const SwarmCommand& command, std::ostream& out, std::ostream& err);

}  // namespace kiln::scenario
