#!/usr/bin/env bash
# Smoke tests of the fake-databricks command line: help, bad input, demo, serve start and stop.
#   cli_smoke_test.sh PATH/TO/fake-databricks
set -uo pipefail
bin=$1
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
passed=0 failed=0
check() {  # name, then a command that must succeed
  local name=$1; shift
  if "$@" >"$work/out" 2>&1; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAILED: $name"; sed 's/^/  /' "$work/out"; fi
}
fails_with() {  # expected-exit expected-text command...
  local code=$1 text=$2; shift 2
  "$@" >"$work/got" 2>&1
  local got=$?
  [ "$got" -eq "$code" ] && grep -qF -- "$text" "$work/got" || { echo "exit $got:"; cat "$work/got"; return 1; }
}

check "help lists the commands" bash -c "'$bin' --help | grep -q serve && '$bin' --help | grep -q demo"
check "no command is an error" fails_with 106 "A subcommand is required" "$bin"
check "an unknown flag is an error" fails_with 109 "--nope" "$bin" demo --nope
check "hours out of range is an error" fails_with 105 "--hours" "$bin" demo --hours 0
check "demo runs and is the same twice" bash -c "'$bin' demo --hours 2 --seed 3 > '$work/a' && '$bin' demo --hours 2 --seed 3 > '$work/b' && cmp '$work/a' '$work/b' && grep -q 'Trace fingerprint' '$work/a'"
check "serve needs a token" fails_with 106 "--token is required" "$bin" serve --port 0

printf '{\n  "limits": {\n    "saved_jobs": 5,,\n  }\n}\n' > "$work/bad.json"
check "a config that is not JSON names file line and column" fails_with 2 "bad.json:3:21: invalid JSON" "$bin" serve --port 0 --token t --config "$work/bad.json"
printf '{"limits": {"saved_job": 5}}\n' > "$work/typo.json"
check "a config with an unknown key names the field" fails_with 2 "limits.saved_job: unknown field" "$bin" serve --port 0 --token t --config "$work/typo.json"

serve_starts_and_stops() {
  "$bin" serve --port 0 --token t > "$work/serve.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do grep -q "listening on http://127.0.0.1:" "$work/serve.log" && break; sleep 0.05; done
  grep -q "listening on" "$work/serve.log" || return 1
  local port; port=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.log")
  # The same port again is a clear error.
  fails_with 1 "cannot listen on 127.0.0.1:$port" "$bin" serve --port "$port" --token t || return 1
  kill -TERM "$pid"
  wait "$pid"
}
check "serve says where it listens and stops cleanly on SIGTERM" serve_starts_and_stops

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
