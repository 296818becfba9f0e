// KILN_CHECK: an invariant that holds in every build, release included (TigerBeetle's rule:
// assertions are a force multiplier for finding bugs, and a deploy system that breaks "one writer
// per stream" or "a step committed once" must stop before it does harm, not carry on).
//
//   KILN_CHECK(stored.version == expected + 1, "workflow " + id + " stepped twice");
//
// A failed check prints "kiln: invariant broken at file:line: <condition>: <what>" to stderr
// and aborts. The message is built only when the check fails. Use it for what must never happen
// whatever the input; bad input gets an error, never a failed check.
#pragma once

#include <string_view>

namespace kiln::core {

[[noreturn]] void check_failed(const char* file, int line, const char* condition,
                               std::string_view what);

}  // namespace kiln::core

#define KILN_CHECK(condition, what)                                       \
  do {                                                                    \
    if (!(condition)) [[unlikely]] {                                      \
      ::kiln::core::check_failed(__FILE__, __LINE__, #condition, (what)); \
    }                                                                     \
  } while (false)
