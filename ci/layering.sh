#!/usr/bin/env bash
# The layers (docs/architecture.md): core <- databricks <- {fake-databricks, platform}. Fails,
# naming file:line, when an include crosses them the wrong way:
# - core/ includes nothing of the repository but core/;
# - databricks/ includes only core/ and databricks/ (its tests may use the emulator);
# - fake-databricks/ never includes platform/;
# - platform/ includes fake-databricks/ only from scenario/ (the simulator) and from tests
#   (*_test.cc, test_*.{h,cc}, *testing.h, *_fuzz.cc).
set -euo pipefail
cd "$(dirname "$0")/.."

is_test() {
  case "$1" in
    *_test.cc | */test_*.h | */test_*.cc | *testing.h | *_fuzz.cc) return 0 ;;
  esac
  return 1
}

status=0
while IFS= read -r file; do
  while IFS=: read -r line target; do
    top=${target%%/*}
    bad=""
    case "$file" in
      core/*) [[ $top == core ]] || bad="core/ includes only core/" ;;
      databricks/*)
        if ! is_test "$file" && [[ $top != core && $top != databricks ]]; then
          bad="databricks/ includes only core/ and databricks/"
        fi ;;
      fake-databricks/*) [[ $top != platform ]] || bad="the emulator never includes platform/" ;;
      platform/scenario/*) ;;
      platform/*)
        if ! is_test "$file" && [[ $top == fake-databricks ]]; then
          bad="platform/ reaches the emulator only through scenario/ and tests"
        fi ;;
    esac
    if [[ -n $bad ]]; then
      echo "$file:$line: includes \"$target\": $bad" >&2
      status=1
    fi
  done < <(grep -n -o -E '^#include "(core|databricks|fake-databricks|platform)/[^"]+"' "$file" |
             sed -E 's/^([0-9]+):#include "([^"]+)"/\1:\2/')
done < <(git ls-files '*.h' '*.cc')
[[ $status == 0 ]] && echo "layering: clean"
exit $status
