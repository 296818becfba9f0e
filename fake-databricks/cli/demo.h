// `fake-databricks demo`: drives one emulated workspace through a few jobs on virtual time and
// prints what happened, until the scenario runner (kiln scenario run) exists.
#pragma once

#include <cstdint>
#include <ostream>

namespace fakedb::cli {

struct DemoOptions {
  std::uint64_t seed = 42;
  std::int64_t hours = 3;
  bool show_api_calls = false;
};

// Returns the process exit code.
int run_demo(const DemoOptions& options, std::ostream& out);

}  // namespace fakedb::cli
