#!/usr/bin/env bash
# Prints when each test suite finished, latest first, from a `swift test` log (Swift Testing's
# "Suite NAME passed after N seconds" lines: suites run in parallel, so this is the time from the
# start of the run to the suite's last test), and the whole run's time, so that growth is visible.
#   scripts/suite_times.sh LOG [LABEL]
set -euo pipefail
log=$1
label=${2:-tests}
echo "== suites ($label): seconds from the start of the run to each suite's end, latest first"
grep -E '^.?.? ?Suite "?.*"? (passed|failed) after [0-9.]+ seconds' "$log" \
    | sed -E 's/^.*Suite "?([^"]*)"? (passed|failed) after ([0-9.]+) seconds.*$/\3\t\2\t\1/' \
    | sort -t$'\t' -k1,1 -g -r | awk -F'\t' '{ printf "%9.1f s  %-6s %s\n", $1, $2, $3 }'
grep -E 'Test run with [0-9]+ tests' "$log" | tail -1 | sed 's/^[^T]*//'
