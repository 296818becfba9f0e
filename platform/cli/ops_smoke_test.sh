#!/usr/bin/env bash
# Operations end to end, over HTTP: `kiln run` with monitoring and notifications against
# `fake-databricks serve`, a job whose run fails for good -> one job.run_failed notification in
# a JSON-lines sink; then stale-job cleanup of a job whose config left the repository, with a
# jobs/delete whose answer is lost on the way (the workspace acted, kiln heard a 500), recorded
# by the next pass. docs/operations.md
#   ops_smoke_test.sh PATH/TO/kiln PATH/TO/fake-databricks
set -uo pipefail
kiln=$1
fake=$2
work=$(mktemp -d)
serve_pid= run_pid=
trap '[ -n "$run_pid" ] && kill "$run_pid" 2>/dev/null; [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$work"' EXIT
# shellcheck source=platform/cli/smoke_checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/smoke_checks.sh"
# Waits up to $1 seconds for file $2 to hold a line matching every pattern after it.
wait_for_line() {
  local seconds=$1 file=$2; shift 2
  local deadline=$((SECONDS + seconds))
  while [ "$SECONDS" -le "$deadline" ]; do
    [ -f "$file" ] && [ "$(lines_matching "$file" "$@")" -gt 0 ] && return 0
    sleep 0.1
  done
  echo "no line in $file matches: $*"; [ -f "$file" ] && cat "$file"; return 1
}
lines_matching() {  # file pattern...: how many lines contain every pattern
  local file=$1; shift
  local filter="cat \"$file\""
  for p in "$@"; do filter="$filter | grep -F -- '$p'"; done
  eval "$filter" 2>/dev/null | wc -l
}

# --- a repository of two jobs: orders works, broken's notebook fails every run ----------------
repo=$work/repo
for job in orders broken; do
  mkdir -p "$repo/jobs/$job/configs"
  printf 'kind: JobFolder\nconfigs: [configs/*.yaml]\n' > "$repo/jobs/$job/kiln.yaml"
  path=/Workspace/etl/$job
  [ "$job" = broken ] && path=/Workspace/etl/fail-always
  cat > "$repo/jobs/$job/configs/production.yaml" <<YAML
kind: Job
name: $job
target: production
deployVersion: 1
owner: data-team
settings:
  max_concurrent_runs: 1
  tasks:
    - task_key: main
      notebook_task:
        notebook_path: $path
YAML
done
git -C "$repo" init -q && git -C "$repo" -c user.name=t -c user.email=t@t add -A &&
  git -C "$repo" -c user.name=t -c user.email=t@t commit -qm first

# The served workspace's clock starts at the wall clock (kiln's), and runs take a second:
# notebooks whose path contains "fail" fail.
cat > "$work/serve.json" <<JSON
{"latency_ms": 0, "start_time": $(date +%s%3N), "limits": {"rate_limits": false},
 "runs": {"serverless_setup_ms": 200, "task_cleanup_ms": 100, "run_cleanup_ms": 100},
 "workloads": {"default": {"kind": "batch", "duration_ms": 1000},
               "rules": [{"match": {"path": "*fail*"},
                          "model": {"kind": "batch", "duration_ms": 1000, "failure_probability": 1,
                                    "error": "boom: the input table is missing"}}]}}
JSON
"$fake" serve --port 0 --token t --config "$work/serve.json" > "$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do grep -qs "listening on" "$work/serve.log" && break; sleep 0.05; done
port=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.log" | head -1)
mkdir -p "$work/store"  # every command checks KILN_STORE (builds --store must exist)
export KILN_DB=$work/kiln.db KILN_STORE=$work/store DATABRICKS_HOST=http://127.0.0.1:$port DATABRICKS_TOKEN=t
# POST a JSON body to a path of the served workspace (bash's /dev/tcp: no curl needed).
api_post() {
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer t\r\nContent-Type: application/json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
    "$1" "${#2}" "$2" >&3
  cat <&3
  exec 3<&-
}

check "a build of both jobs" expect 0 "2 job(s)" "$kiln" build "$repo"

# --- monitoring and notifications under kiln run ----------------------------------------------
cat > "$work/notify.yaml" <<YAML
sinks:
  audit: {type: file, path: $work/notifications.jsonl}
routes:
  - sinks: [audit]
YAML
# CD deploys both; each deploy waits for its first run's end, so broken's deploy fails and
# records its failed run itself: monitoring must alert on it all the same.
"$kiln" run --cd-target production --notify-config "$work/notify.yaml" --monitor-interval 0.3 \
  --poll 0.1 --wait-for first-run-end > "$work/run.log" 2>&1 &
run_pid=$!
notes=$work/notifications.jsonl
check "a run failed for good is notified as run_failed, with its owner and message" \
  wait_for_line 30 "$notes" '"kind":"run_failed"' '"job":"broken"' '"owner":"data-team"' 'boom'
check "the failed deploy of broken is notified" \
  wait_for_line 10 "$notes" '"kind":"deploy_failed"' '"job":"broken"'
check "the deploy of orders succeeded" wait_for_line 10 "$notes" '"kind":"deploy_succeeded"' '"job":"orders"'
sleep 1  # a few more monitoring passes: they see the same run and say nothing more
check "the failed run is notified once" \
  bash -c "[ \"\$(grep -F '\"kind\":\"run_failed\"' '$notes' | wc -l)\" -eq 1 ]"
check "the working job raised no run_failed" \
  bash -c "! grep -F '\"kind\":\"run_failed\"' '$notes' | grep -qF '\"job\":\"orders\"'"
kill -INT "$run_pid"
wait "$run_pid"
code=$?
run_pid=
check "kiln run stops on SIGINT with exit 0 (a normal stop; the failed deploy was said when it failed)" test "$code" -eq 0
check "status shows broken's latest run failed" expect 0 "FAILED" "$kiln" status broken

# --- cleanup: broken leaves the repository --------------------------------------------------
git -C "$repo" rm -rq jobs/broken && git -C "$repo" -c user.name=t -c user.email=t@t commit -qm "drop broken"
check "a build without broken" expect 0 "1 job(s)" "$kiln" build "$repo"
broken_id=$("$kiln" status broken | awk '$1 == "broken" { print $7 }')  # DATABRICKS JOB
check "broken's job id is known" bash -c "[[ '$broken_id' =~ ^[0-9]+$ ]]"
sleep 0.2  # --stale-days 0.00001 is 0.86 s without a run
check "a dry run would delete broken and keeps orders" \
  expect 0 "would delete broken/production ($broken_id)" "$kiln" cleanup --dry-run --stale-days 0.00001
check "a dry run deletes nothing" expect 0 "1 job(s) would be deleted" "$kiln" cleanup --dry-run --stale-days 0.00001
# jobs/delete acts, then its answer is lost (a 500, which is not retried): the pass fails...
check "the fault is installed" expect 0 "200 OK" api_post /__fake/faults \
  '{"pattern": "POST /api/2.*/jobs/delete", "status": 500, "error_code": "INTERNAL_ERROR", "after_handler": true, "times": 1}'
check "a cleanup whose delete answer was lost fails" \
  expect 1 "POST jobs/delete of job $broken_id: HTTP 500" "$kiln" cleanup --stale-days 0.00001
# ...and the next pass finds the job gone and records it.
check "the next cleanup records the job the lost delete removed" \
  expect 0 "deleted broken/production ($broken_id), already gone from the workspace" \
  "$kiln" cleanup --stale-days 0.00001 --notify-config "$work/notify.yaml"
check "kiln cleanup takes --notify-config and notifies what it deleted" \
  wait_for_line 1 "$notes" '"kind":"cleanup_deleted"' '"job":"broken"'
check "status shows broken removed" expect 0 "removed" "$kiln" status broken
check "cleanup is idempotent" expect 0 "0 job(s) deleted" "$kiln" cleanup --stale-days 0.00001
check "orders is untouched" bash -c "'$kiln' status orders | grep -q deployed"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
