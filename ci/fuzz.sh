#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset: clang, ASan + UBSan) and runs each for a
# bounded time, seeded from its corpus folders in the repository. A crash fails the run and
# leaves the input in build/fuzz/crashes/; keep it as a regression in the target's corpus
# folder (the replay tests run it in every build from then on).
#   bash ci/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 45 s each, every target)
# Naming targets builds only those (and what they link).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-45}
shift || true
cmake --preset fuzz >/dev/null
if [ $# -gt 0 ]; then cmake --build --preset fuzz --target "$@"; else cmake --build --preset fuzz; fi
mkdir -p build/fuzz/crashes build/fuzz/work
status=0
for spec in build/fuzz/fuzzers/*.txt; do
  name=$(basename "$spec" .txt)
  if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then continue; fi
  read -r binary corpus < "$spec"
  work=build/fuzz/work/$name # new inputs go here, never into the repository
  mkdir -p "$work"
  log=build/fuzz/$name.log
  # shellcheck disable=SC2086 # corpus is a list of folders
  if "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
       -print_final_stats=1 -artifact_prefix="build/fuzz/crashes/$name-" "$work" $corpus \
       >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    echo "fuzz $name: ${runs} inputs in ${seconds} s, no crash"
  else
    status=1
    echo "fuzz $name: FAILED; the last lines of $log:"
    tail -40 "$log"
  fi
done
exit "$status"
