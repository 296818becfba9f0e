#!/usr/bin/env bash
# promtool_check.sh METRICS_SAMPLE PROMTOOL: Prometheus' own parser and linter accept every
# family kiln prints (`promtool check metrics` fails on a syntax error or a naming-convention
# problem).
set -euo pipefail
"$1" | "$2" check metrics
