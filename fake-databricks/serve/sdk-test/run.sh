#!/usr/bin/env bash
# Runs the SDK conformance test: the official Databricks JavaScript SDK against
# `fake-databricks serve`. Usage: run.sh <path to the fake-databricks binary>
# Needs node (>= 20) and npm; installs the locked npm dependencies on first use.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 <fake-databricks binary>" >&2
  exit 2
fi
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "sdk-test: $tool is not installed" >&2; exit 1; }
done

# (Re)install when node_modules is missing or older than the lock file.
stamp=node_modules/.package-lock.json
if [[ ! -f "$stamp" || package-lock.json -nt "$stamp" ]]; then
  if ! log="$(npm ci --no-audit --no-fund --loglevel=error 2>&1)"; then
    echo "$log" >&2
    echo "sdk-test: npm ci failed" >&2
    exit 1
  fi
fi

FAKE_DATABRICKS_BIN="$bin" exec node --test sdk.test.mjs
