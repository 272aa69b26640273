#!/usr/bin/env bash
# The unit suite again, with the one clock (src/core/clock.ts) pinned by CLAUDE_USAGE_NOW to calendar edges,
# each under UTC and under a non-UTC TZ: month-to-date, projections, "today" and day boundaries are where
# off-by-one days hide. Two runs at a time (the machine has two cores); each run's full output goes to
# test-results/calendar/<case>.log and one line "unit @<time> <TZ>: N passed, N failed" to the terminal.
set -uo pipefail
cd "$(dirname "$0")/.."
out=test-results/calendar
mkdir -p "$out"
cases=(
  "2026-12-31T23:30:00Z UTC"                  # year end, 30 minutes before midnight UTC
  "2026-12-31T23:30:00Z Pacific/Kiritimati"   # ... where it is already 1 January 2027, 13:30 (UTC+14)
  "2027-03-01T00:00:30Z UTC"                  # first of a month, 30 seconds in (the month may hold less than a cent yet)
  "2027-03-01T00:00:30Z America/Los_Angeles"  # ... still 28 February there (16:00 PST)
  "2026-12-05T12:00:00Z UTC"                  # a Saturday
  "2026-12-05T12:00:00Z Pacific/Kiritimati"   # ... already Sunday 02:00 there
  "2027-03-14T10:30:00Z America/Los_Angeles"  # DST starts in Los Angeles: 03:30 PDT, an hour after the jump
  "2027-03-14T10:30:00Z UTC"
  "2026-11-01T09:30:00Z America/Los_Angeles"  # DST ends in Los Angeles: 01:30 PST, the hour that happens twice
)
failed=0
run() {
  local now=$1 tz=$2
  local name="${now//:/}-${tz//\//-}"
  # The persisted-state property test runs its full depth once in the main unit run; one round per edge here.
  if CLAUDE_USAGE_NOW=$now TZ=$tz PERSIST_RUNS=1 TEST_SUITE_LABEL="unit @$now $tz" npx mocha >"$out/$name.log" 2>&1; then
    tail -n 1 "$out/$name.log"
  else
    # Show what failed (the head of mocha's failure list), then one "✗" line per failed test and the count line.
    sed -n '/^  [0-9]* failing/,$p' "$out/$name.log" | grep -av '^✗ ' | head -n 60
    grep -a '^✗ ' "$out/$name.log"
    tail -n 1 "$out/$name.log"
    return 1
  fi
}
pids=()
for i in "${!cases[@]}"; do
  # shellcheck disable=SC2086
  run ${cases[$i]} &
  pids+=($!)
  if (( ${#pids[@]} == 2 )); then
    for p in "${pids[@]}"; do wait "$p" || failed=1; done
    pids=()
  fi
done
for p in "${pids[@]}"; do wait "$p" || failed=1; done
exit $failed
