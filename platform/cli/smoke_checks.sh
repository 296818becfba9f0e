# shellcheck shell=bash
# What the command-line smoke scripts share (sourced, after they set $work): `check NAME CMD...`
# counts CMD's success or prints its output under FAILED; `expect CODE TEXT CMD...` succeeds when
# CMD exits CODE and prints TEXT. The script ends with `echo "$passed passed, $failed failed"`.
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
