#!/usr/bin/env bash
# The kiln command line end to end: a repo of job folders -> validate -> build -> builds.
#   kiln_smoke_test.sh PATH/TO/kiln
set -uo pipefail
kiln=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
check() {
  local name=$1; shift
  if "$@" >"$work/out" 2>&1; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAILED: $name"; sed 's/^/  /' "$work/out"; fi
}
expect() {  # exit-code text command...
  local code=$1 text=$2; shift 2
  "$@" >"$work/got" 2>&1
  local got=$?
  [ "$got" -eq "$code" ] && grep -qF -- "$text" "$work/got" || { echo "exit $got:"; cat "$work/got"; return 1; }
}

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

sed -i 's/deployVersion: 3/deployVerison: 3/' "$repo/jobs/orders/configs/production.yaml"
check "a typo is an error at its line with a suggestion" expect 1 "production.yaml:4:1" "$kiln" validate "$repo/jobs/orders"
check "the suggestion names the right key" expect 1 "deployVersion" "$kiln" validate "$repo/jobs/orders"
check "a build of bad configs fails and is recorded as failed" expect 1 "recorded as failed build" "$kiln" build "$repo" --store "$work/store"
check "the failed build is listed" expect 0 "failed" "$kiln" builds --store "$work/store"
check "a missing path is an error" expect 105 "Directory does not exist" "$kiln" build "$work/nowhere" --store "$work/store"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
