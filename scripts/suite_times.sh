#!/usr/bin/env bash
# Prints how long each test suite took, longest first, from a `swift test` log (Swift Testing's
# "Suite NAME passed after N seconds" lines), so that growth of CI time is visible.
#   scripts/suite_times.sh LOG [LABEL]
set -euo pipefail
log=$1
label=${2:-tests}
echo "== suite durations ($label), longest first"
grep -E '^.?.? ?Suite "?.*"? (passed|failed) after [0-9.]+ seconds' "$log" \
    | sed -E 's/^.*Suite "?([^"]*)"? (passed|failed) after ([0-9.]+) seconds.*$/\3\t\2\t\1/' \
    | sort -t$'\t' -k1,1 -g -r | awk -F'\t' '{ printf "%9.1f s  %-6s %s\n", $1, $2, $3 }'
grep -E 'Test run with [0-9]+ tests' "$log" | tail -1 | sed 's/^[^T]*//'
