#!/usr/bin/env bash
# clang-format must leave every source file unchanged; clang-tidy (.clang-tidy) must be clean.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cc' '*.h')
clang-format --dry-run --Werror "${files[@]}"
build_dir=build/release
[ -f "$build_dir/compile_commands.json" ] || cmake --preset release >/dev/null
# Library sources only (tests and benchmarks are checked by the compiler's warnings); two at a
# time, as CI has two cores. xargs exits non-zero if any clang-tidy run failed.
git ls-files '*.cc' | grep -v -e '_test\.cc$' -e '^bench/' |
  xargs -P 2 -n 4 clang-tidy -p "$build_dir" --quiet
echo "lint: clean"
