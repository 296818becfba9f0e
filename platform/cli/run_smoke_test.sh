#!/usr/bin/env bash
# `kiln run` and the REST client against `fake-databricks serve`, end to end: the start and stop
# lines (never the token), --once's exit code when CD cannot ask for a deploy, --cd-interval,
# a refused server certificate said once and failing the deploy at once, credentials in the
# host refused, the token from a file, notifications of `kiln deploy`, and the swarm's progress
# in a log. docs/cli.md, docs/rest-client.md
#   run_smoke_test.sh PATH/TO/kiln PATH/TO/fake-databricks
set -uo pipefail
kiln=$1
fake=$2
scenarios=$(cd "$(dirname "$0")/../../scenarios" && pwd)
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
# shellcheck source=platform/cli/smoke_checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/smoke_checks.sh"
absent() {  # text file: the file does not hold the text
  ! grep -qF -- "$1" "$2" || { echo "'$1' in $2:"; cat "$2"; return 1; }
}
count_is() {  # n text file
  local n
  n=$(grep -cF -- "$2" "$3")
  [ "$n" -eq "$1" ] || { echo "$n lines with '$2' in $3, expected $1:"; cat "$3"; return 1; }
}
wait_for() {  # seconds text file
  local deadline=$((SECONDS + $1))
  while [ "$SECONDS" -le "$deadline" ]; do grep -qsF -- "$2" "$3" && return 0; sleep 0.1; done
  echo "no '$2' in $3:"; cat "$3" 2>/dev/null; return 1
}
# Starts `fake-databricks serve` with the given extra flags; sets $port.
serve() {
  local log=$work/serve-$RANDOM.log
  "$fake" serve --port 0 --token "$token" --config "$work/serve.json" "$@" > "$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -qs "listening on" "$log" && break; sleep 0.05; done
  port=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$log" | head -1)
}

token=dapi-smoke-secret-42
printf '%s\n' "$token" > "$work/token"
cat > "$work/serve.json" <<JSON
{"latency_ms": 0, "start_time": $(date +%s%3N), "limits": {"rate_limits": false},
 "runs": {"serverless_setup_ms": 100, "task_cleanup_ms": 50, "run_cleanup_ms": 50},
 "workloads": {"default": {"kind": "batch", "duration_ms": 500}}}
JSON
repo=$work/repo
mkdir -p "$repo/jobs/orders/configs" "$work/store"
printf 'kind: JobFolder\nconfigs: [configs/*.yaml]\n' > "$repo/jobs/orders/kiln.yaml"
write_config() {  # deployVersion
  cat > "$repo/jobs/orders/configs/production.yaml" <<YAML
kind: Job
name: orders
target: production
deployVersion: $1
owner: data-team
settings:
  max_concurrent_runs: 1
  tasks:
    - task_key: main
      notebook_task:
        notebook_path: /Workspace/etl/orders
YAML
  git -C "$repo" add -A && git -C "$repo" -c user.name=t -c user.email=t@t commit -qm "v$1"
}
git -C "$repo" init -q
write_config 1
serve
plain=http://127.0.0.1:$port
export KILN_DB=$work/kiln.db KILN_STORE=$work/store DATABRICKS_HOST=$plain DATABRICKS_TOKEN_FILE=$work/token
unset DATABRICKS_TOKEN
check "a build" expect 0 "1 job(s)" "$kiln" build "$repo"
build1=$("$kiln" builds | awk '/succeeded/ { print $1 }' | tail -1)

# --- kiln run --once: start and stop lines, the exit code ----------------------------------------
check "run --once deploys the raised version" \
  expect 0 "kiln run: stopped: --once: every deploy it started has ended (exit 0)" \
  "$kiln" run --once --cd-target production --poll 0.1
check "the start line names version, DB, store, targets, host and the token's source" \
  grep -qF "kiln run: started: kiln 0.1.0, db $work/kiln.db, store $work/store, workspace $plain (token from DATABRICKS_TOKEN_FILE $work/token); cd targets: production (one pass)" "$work/got"
check "the token is never printed" absent "$token" "$work/got"
check "run --once with nothing to deploy says so" \
  expect 0 "kiln run: stopped: --once: nothing to deploy (exit 0)" "$kiln" run --once --cd-target production

# A CD pass that cannot ask for a deploy (the new build's archive is gone from the store) fails.
write_config 2
check "a second build" expect 0 "1 job(s)" "$kiln" build "$repo"
build2=$("$kiln" builds | awk '/succeeded/ { print $1 }' | tail -1)
cp -a "$work/store" "$work/store.kept"
rm -rf "$work/store/objects"/*  # the archives (content-addressed); the build records stay
check "run --once exits 1 when CD could not ask for a deploy" \
  expect 1 "kiln run: stopped: --once: nothing to deploy; 1 CD request(s) and 0 deploy(s) failed (exit 1)" \
  "$kiln" run --once --cd-target production
check "and says why" grep -qF "kiln run: cd production: orders:" "$work/got"
rm -rf "$work/store" && mv "$work/store.kept" "$work/store"

# --- --cd-interval, and the stop line on SIGTERM ---------------------------------------------------
check "a bad --cd-interval is a usage error (exit 2)" \
  expect 2 "--cd-interval" "$kiln" run --cd-target production --cd-interval 0
"$kiln" run --cd-target production --cd-interval 0.5 --no-monitor --no-cleanup --poll 0.1 \
  > "$work/run.log" 2>&1 &
run_pid=$!
pids+=($run_pid)
check "kiln run says it started, with its CD interval" wait_for 10 "(every 0.5 s)" "$work/run.log"
check "CD delivers build 2 within a few 0.5 s passes" wait_for 20 "deployment 2 succeeded" "$work/run.log"
write_config 3
check "a third build" expect 0 "1 job(s)" "$kiln" build "$repo"
check "...and build 3, found by a later pass" wait_for 20 "deployment 3 succeeded" "$work/run.log"
kill -TERM "$run_pid"
wait "$run_pid"
check "kiln run stops on SIGTERM with exit 0" test $? -eq 0
check "and says so" grep -qF "kiln run: stopped: SIGTERM (exit 0)" "$work/run.log"

# --- notifications of a deploy by hand -------------------------------------------------------------
cat > "$work/notify.yaml" <<YAML
sinks:
  audit: {type: file, path: $work/notifications.jsonl}
routes:
  - sinks: [audit]
YAML
check "kiln deploy takes --notify-config" \
  expect 0 "succeeded" "$kiln" deploy orders --target production --build "$build1" --poll 0.1 \
  --reason rollback --notify-config "$work/notify.yaml"
check "and notifies the deploy's success" grep -qF '"kind":"deploy_succeeded"' "$work/notifications.jsonl"

# --- credentials and tokens ------------------------------------------------------------------------
check "a host with credentials is refused" \
  expect 2 "the workspace host has credentials in it" \
  "$kiln" deploy orders --target production --build "$build1" --host "http://me:pa55word@127.0.0.1:$port"
check "without repeating the password" absent "pa55word" "$work/got"
check "--token works, with a warning that ps shows it" \
  expect 0 "warning: --token shows the token" env -u DATABRICKS_TOKEN_FILE \
  "$kiln" deploy orders --target production --build "$build2" --poll 0.1 --token "$token"
check "--token-file works" expect 0 "succeeded" env -u DATABRICKS_TOKEN_FILE \
  "$kiln" deploy orders --target production --build "$build1" --poll 0.1 --token-file "$work/token"
check "an empty token file is an error" expect 2 "is empty" env DATABRICKS_TOKEN_FILE=/dev/null \
  "$kiln" deploy orders --target production --build "$build1"

# --- TLS: a refused certificate is said once and fails the deploy at once --------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=kiln smoke" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=elsewhere" \
  -addext "subjectAltName=DNS:elsewhere.example" -keyout "$work/key2.pem" -out "$work/cert2.pem" 2>/dev/null
serve --tls-cert "$work/cert.pem" --tls-key "$work/key.pem"
tls=https://127.0.0.1:$port
serve --tls-cert "$work/cert2.pem" --tls-key "$work/key2.pem"
misnamed=https://127.0.0.1:$port
export KILN_DB=$work/tls.db
check "a certificate of an unknown CA fails the deploy at once" \
  expect 1 "deployment 1 failed" "$kiln" deploy orders --target production --build "$build1" \
  --host "$tls" --timeout 60
check "saying why, once" \
  count_is 1 "kiln deploy: TLS: certificate verify failed (self-signed certificate) for host 127.0.0.1:${tls##*:}; --ca-file names the CA that signed it" "$work/got"
check "not as a deploy still running" absent "still" "$work/got"
check "a certificate for another name fails too" \
  expect 1 "TLS: certificate verify failed (IP address mismatch) for host 127.0.0.1:${misnamed##*:}" \
  "$kiln" deploy orders --target production --build "$build1" --host "$misnamed" \
  --ca-file "$work/cert2.pem" --timeout 60
check "the right CA file makes it work" expect 0 "succeeded" \
  "$kiln" deploy orders --target production --build "$build1" --host "$tls" --ca-file "$work/cert.pem" --poll 0.1

# --- the swarm in a log, and usage errors ----------------------------------------------------------
"$kiln" scenario swarm "$scenarios/simple-deploy.yaml" --seeds 3 > "$work/swarm.out" 2> "$work/swarm.err"
check "a swarm whose stderr is a file writes no carriage returns" bash -c "! grep -q $'\r' '$work/swarm.err'"
check "but plain progress lines" grep -qF "[3/3] 0 failing" "$work/swarm.err"
check "--seeds 0 is a usage error (exit 2) naming the option" \
  expect 2 "--seeds" "$kiln" scenario swarm "$scenarios/simple-deploy.yaml" --seeds 0
check "an unknown option exits 2" expect 2 "--bogus" "$kiln" run --bogus
check "--help still exits 0" expect 0 "--cd-interval" "$kiln" run --help

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
