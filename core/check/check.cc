#include "core/check/check.h"

#include <cstdio>
#include <cstdlib>

namespace kiln::core {

void check_failed(const char* file, int line, const char* condition, std::string_view what) {
  std::fprintf(stderr, "kiln: invariant broken at %s:%d: %s: %.*s\n", file, line, condition,
               static_cast<int>(what.size()), what.data());
  std::fflush(stderr);
  std::abort();
}

}  // namespace kiln::core
