#!/usr/bin/env bash
# The kiln command line end to end: a repo of job folders -> validate -> build -> builds, then
# deploy, CD, status, history and a rollback against `fake-databricks serve` on loopback.
#   kiln_smoke_test.sh PATH/TO/kiln PATH/TO/fake-databricks
set -uo pipefail
kiln=$(realpath "$1") # absolute: some checks run from inside the repository
fake=$2
work=$(mktemp -d)
serve_pid=
trap '[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$work"' EXIT
# shellcheck source=platform/cli/smoke_checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/smoke_checks.sh"

repo=$work/repo
mkdir -p "$repo/jobs/orders/configs" "$repo/jobs/orders/src"
cat > "$repo/jobs/orders/kiln.yaml" <<'YAML'
kind: JobFolder
configs: [configs/*.yaml]
sources: [src/*.py]
YAML
echo 'print("orders")' > "$repo/jobs/orders/src/main.py"
for target in development production; do
  cat > "$repo/jobs/orders/configs/$target.yaml" <<YAML
kind: Job
name: orders
target: $target
deployVersion: 3
owner: data-team
settings:
  max_concurrent_runs: 1
  tasks:
    - task_key: main
      spark_python_task:
        python_file: src/main.py
YAML
done
git -C "$repo" init -q && git -C "$repo" -c user.name=t -c user.email=t@t add -A &&
  git -C "$repo" -c user.name=t -c user.email=t@t commit -qm first
sha=$(git -C "$repo" rev-parse HEAD)

check "help lists the commands" bash -c "'$kiln' --help | grep -q validate && '$kiln' --help | grep -q build"
check "a valid folder validates" "$kiln" validate "$repo/jobs/orders"
check "a build publishes every job of the commit" expect 0 "of commit $sha: 2 job(s)" "$kiln" build "$repo" --store "$work/store"
check "the build is listed by commit" expect 0 "succeeded  2 job(s)" "$kiln" builds --store "$work/store" --commit "$sha"
check "the build is listed by a short SHA" expect 0 "succeeded  2 job(s)" "$kiln" builds --store "$work/store" --commit "${sha:0:7}"
check "a SHA prefix under 4 digits is refused" expect 2 "at least 4 hex digits" "$kiln" builds --store "$work/store" --commit "${sha:0:3}"

# The README's own form: `kiln build .` from the repository, then the archive holds each file at
# its path in the job folder with its bytes (a relative repo once archived 0-byte configs).
archive_holds_the_folder() {  # store target
  local hash file dir
  hash=$(sed -n "s/^  orders ($2) deployVersion 3  \([0-9a-f]*\) .*/\1/p" "$work/readme.out")
  file=$(find "$1/objects" -type f -path "*/${hash:0:2}/${hash:2}*" | head -1)
  [ -n "$hash" ] && [ -n "$file" ] || { echo "no archive for $2 in:"; cat "$work/readme.out"; return 1; }
  dir=$work/unpacked-$2 && mkdir -p "$dir" && tar -xzf "$file" -C "$dir" || return 1
  [ "$(cd "$dir" && find . -type f | sort | tr '\n' ' ')" = "./configs/$2.yaml ./kiln.yaml ./src/main.py " ] ||
    { echo "archive of $2 holds:"; (cd "$dir" && find . -type f); return 1; }
  cmp "$dir/kiln.yaml" "$repo/jobs/orders/kiln.yaml" &&
    cmp "$dir/configs/$2.yaml" "$repo/jobs/orders/configs/$2.yaml" &&
    cmp "$dir/src/main.py" "$repo/jobs/orders/src/main.py"
}
check "kiln build . (the README's form) succeeds" bash -c "cd '$repo' && '$kiln' build . --store '$work/readme-store' > '$work/readme.out' 2>&1"
check "its production archive holds the folder's files with their bytes" archive_holds_the_folder "$work/readme-store" production
check "its development archive too" archive_holds_the_folder "$work/readme-store" development

# A source that links out of the repository is refused (validate and build), the build recorded
# as failed with nothing published (no archive that could hold the environment's token).
ln -s /proc/self/environ "$repo/jobs/orders/src/env.py"
check "validate refuses a link leaving the repository" expect 1 "src/env.py' is a symbolic link to '/proc/self/environ', outside the repository" "$kiln" validate "$repo/jobs/orders"
check "build refuses it and records a failed build" expect 1 "recorded as failed build" env DATABRICKS_TOKEN=secret-token-in-env "$kiln" build "$repo" --store "$work/link-store"
check "the failed build lists no job" expect 0 "failed  0 job(s)" "$kiln" builds --store "$work/link-store"
check "nothing of it was stored" bash -c "[ -z \"\$(find '$work/link-store' -path '*objects*' -type f)\" ]"
rm "$repo/jobs/orders/src/env.py"

sed -i 's/deployVersion: 3/deployVerison: 3/' "$repo/jobs/orders/configs/production.yaml"
check "a typo is an error at its line with a suggestion" expect 1 "production.yaml:4:1" "$kiln" validate "$repo/jobs/orders"
check "the suggestion names the right key" expect 1 "deployVersion" "$kiln" validate "$repo/jobs/orders"
check "a build of bad configs fails and is recorded as failed" expect 1 "recorded as failed build" "$kiln" build "$repo" --store "$work/store"
check "the failed build is listed" expect 0 "failed" "$kiln" builds --store "$work/store"
check "a missing path is an error" expect 2 "Directory does not exist" "$kiln" build "$work/nowhere" --store "$work/store"

# --- deploys against fake-databricks serve ---------------------------------------------------
sed -i 's/deployVerison: 3/deployVersion: 3/' "$repo/jobs/orders/configs/production.yaml"
cat > "$work/serve.json" <<'JSON'
{"latency_ms": 0, "limits": {"rate_limits": false},
 "runs": {"serverless_setup_ms": 200, "task_cleanup_ms": 100, "run_cleanup_ms": 100},
 "workloads": {"default": {"kind": "batch", "duration_ms": 600000}}}
JSON
"$fake" serve --port 0 --token t --config "$work/serve.json" > "$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.log" && break; sleep 0.05; done
port=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.log" | head -1)
export KILN_DB=$work/kiln.db KILN_STORE=$work/store DATABRICKS_HOST=http://127.0.0.1:$port DATABRICKS_TOKEN=t
# GET a path of the served workspace (bash's /dev/tcp: no curl needed).
api_get() {
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer t\r\nConnection: close\r\n\r\n' "$1" >&3
  cat <&3
  exec 3<&-
}

"$kiln" build "$repo" > "$work/b1.out" 2>&1
b1=$(sed -n 's/^build \(b-[^ ]*\) of commit.*/\1/p' "$work/b1.out")
check "a fresh build to deploy" test -n "$b1"
check "a deploy by hand runs to its end, phase by phase" expect 0 "succeeded: run" "$kiln" deploy orders --target production --build "$b1" --poll 0.1 --reason "first"
check "the deploy printed its phases" expect 0 "no run was active" "$kiln" history orders --target production --phases
check "status shows the deployed version and build" expect 0 "deployed" "$kiln" status orders
check "status names the build" bash -c "'$kiln' status orders | grep -q '$b1'"
check "the workspace holds one job tagged as kiln's" bash -c "$(declare -f api_get); port=$port; api_get '/api/2.2/jobs/list?name=orders' | grep -q '\"kiln_managed\":\"true\"'"

sed -i 's/deployVersion: 3/deployVersion: 4/' "$repo/jobs/orders/configs/production.yaml"
git -C "$repo" -c user.name=t -c user.email=t@t commit -qam "orders v4"
"$kiln" build "$repo" > "$work/b2.out" 2>&1
b2=$(sed -n 's/^build \(b-[^ ]*\) of commit.*/\1/p' "$work/b2.out")
check "CD deploys the raised deployVersion by itself" expect 0 "1 deploy(s) requested" "$kiln" run --cd-target production --once --poll 0.1
check "CD deployed version 4 from the new build" bash -c "'$kiln' status orders --target production | grep -q ' 4 .*$b2'"
check "CD asks only once per build" expect 0 "0 deploy(s) requested" "$kiln" run --cd-target production --once --poll 0.1
check "a rollback is a deploy of the older build" expect 0 "succeeded" "$kiln" deploy orders --target production --build "$b1" --poll 0.1 --reason "rollback"
check "status shows the rolled back version" bash -c "'$kiln' status orders --target production | grep -q ' 3 .*$b1'"
check "history lists the three deployments newest first" bash -c "'$kiln' history orders --target production | sed -n 2p | grep -q rollback && '$kiln' history orders | grep -c succeeded | grep -q 3"
check "metrics in the Prometheus text format" expect 0 'kiln_deployments_total{job="orders",status="succeeded",strategy="simple",target="production"} 3' "$kiln" metrics
check "metrics name the newest build per target" expect 0 "kiln_build_info" "$kiln" metrics
check "a cleanup dry run keeps the job still in the newest build" expect 0 "0 job(s) would be deleted" "$kiln" cleanup --dry-run
check "a deploy of an unknown build is refused" expect 2 "b-nope" "$kiln" deploy orders --target production --build b-nope
check "a job without deployments has no history" expect 1 "no deployments of payments" "$kiln" history payments
check "status of an unknown job is an error" expect 1 "no job payments" "$kiln" status payments
check "a missing DB is an error, not a new file" expect 2 "no metadata DB" "$kiln" status --db "$work/none.db"
check "a deploy that cannot reach the workspace gives up waiting and says it goes on later" expect 1 "goes on the next time kiln runs" "$kiln" deploy orders --target development --build "$b1" --host http://127.0.0.1:1 --timeout 5 --poll 0.1

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
