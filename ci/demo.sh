#!/usr/bin/env bash
# The README's first command: install what is missing, build, and run the main job: a scenario
# on virtual time (kiln delivering a streaming job blue-green through CD, crashing in every
# phase of the deploy and resuming), with its timeline and verdicts on the terminal and its
# HTML report written beside the build.
#   bash ci/demo.sh [SCENARIO.yaml] [kiln scenario run options: --seed N, --trace FILE, ...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
cmake --preset release
cmake --build --preset release --target kiln
scenario=scenarios/blue-green-kiln-crash.yaml
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then scenario=$1; shift; fi
report=build/$(basename "$scenario" .yaml)-report.html
status=0
build/release/platform/cli/kiln scenario run "$scenario" --report "$report" "$@" || status=$?
[ -f "$report" ] && echo "open the report: file://$PWD/$report"
exit "$status"
