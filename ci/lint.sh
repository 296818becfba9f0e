#!/usr/bin/env bash
# clang-format must leave every source file unchanged; clang-tidy (.clang-tidy) must be clean.
#
#   bash ci/lint.sh          clang-tidy on the library sources changed since ci/lint-baseline
#   bash ci/lint.sh --all    clang-tidy on every library source (about 15 minutes on 2 cores)
#
# ci/lint-baseline names a commit at which `--all` was clean. A changed header brings in every
# source of its folder (the headers are checked where they are included). Without the baseline
# commit in the clone (a shallow clone), every source is checked.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cc' '*.h')
clang-format --dry-run --Werror "${files[@]}"
bash ci/layering.sh

build_dir=build/release
[ -f "$build_dir/compile_commands.json" ] || cmake --preset release >/dev/null
# Library sources only (tests and benchmarks are checked by the compiler's warnings).
library_sources() { git ls-files '*.cc' | grep -v -e '_test\.cc$' -e '^bench/' -e '_fuzz\.cc$'; }

baseline=$(cat ci/lint-baseline)
if [[ ${1:-} == --all ]] || ! git cat-file -e "$baseline^{commit}" 2>/dev/null; then
  mapfile -t sources < <(library_sources)
else
  changed=$(git diff --name-only "$baseline" HEAD -- '*.cc' '*.h')
  dirs=$(grep '\.h$' <<<"$changed" | xargs -r -n1 dirname | sort -u)
  mapfile -t sources < <(library_sources | while read -r f; do
    if grep -qxF "$f" <<<"$changed" || grep -qxF "$(dirname "$f")" <<<"$dirs"; then echo "$f"; fi
  done)
fi
echo "lint: clang-tidy on ${#sources[@]} sources"
# Two at a time, as CI has two cores. xargs exits non-zero if any clang-tidy run failed.
((${#sources[@]} == 0)) || printf '%s\n' "${sources[@]}" |
  xargs -P 2 -n 4 clang-tidy -p "$build_dir" --quiet
echo "lint: clean"
