#!/usr/bin/env bash
# Runs a scenario twice with its own seed: both runs must pass and their traces must be equal.
#   check_scenario.sh PATH/TO/kiln SCENARIO.yaml
set -uo pipefail
kiln=$1
scenario=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$kiln" scenario run "$scenario" --quiet --trace "$work/first.jsonl" || exit $?
"$kiln" scenario run "$scenario" --quiet --trace "$work/second.jsonl" > "$work/second.out" || {
  cat "$work/second.out"; echo "the second run failed"; exit 1; }
if ! cmp -s "$work/first.jsonl" "$work/second.jsonl"; then
  echo "the two runs of $scenario wrote different traces (not deterministic):"
  diff "$work/first.jsonl" "$work/second.jsonl" | head -20
  exit 1
fi
echo "deterministic: $(wc -l < "$work/first.jsonl") trace lines, identical in both runs"
