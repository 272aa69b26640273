#!/usr/bin/env bash
# `npm test`: the full suite, the same command CI runs (.ci/run). Runs every stage even when one fails,
# then prints one line per stage and exits non-zero if any failed.
#   unit  (plain Node)  →  unit again pinned to calendar edges (scripts/test-calendar.sh)  →  VS Code setup (once)
#   →  host (extension host)  →  e2e (.vsix in the browser, clock pinned to a month end)
#   →  `npm start -- --smoke` (the README's quick start still works)
# Fast loop: npm run test:unit
set -uo pipefail
cd "$(dirname "$0")/.."
node scripts/ensure-deps.mjs || exit 1
start=$(date +%s)
declare -a summary=()
failed=0
stage() {
  local name=$1; shift
  local t0=$(date +%s)
  echo; echo "=== $name: $*"
  # Output goes to the terminal and to a log, from which the per-suite "N passed, N failed" lines are summed.
  if "$@" 2>&1 | tee -a "$log"; then summary+=("ok    $name ($(( $(date +%s) - t0 ))s)")
  else summary+=("FAIL  $name ($(( $(date +%s) - t0 ))s)"); failed=1; fi
}
E2E_NOW=${E2E_NOW:-2027-02-28T23:20:00Z}
E2E_TZ=${E2E_TZ:-Pacific/Kiritimati}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
stage build npm run --silent build
stage unit env TEST_SUITE_LABEL="unit tests" npm run --silent test:unit
stage unit-calendar bash scripts/test-calendar.sh
stage setup-vscode bash scripts/setup-vscode.sh
stage host env TEST_SUITE_LABEL="host tests" npm run --silent test:host
# The e2e suite runs once with the clock pinned to a month end (30 minutes before midnight UTC) in a zone
# where that is already the first of the next month: month to date, projection and "today" are checked there.
stage e2e env TEST_SUITE_LABEL="e2e tests @$E2E_NOW $E2E_TZ" CLAUDE_USAGE_NOW="$E2E_NOW" TZ="$E2E_TZ" npm run --silent test:e2e
stage start-smoke npm start --silent -- --smoke --no-open
echo; echo "=== npm test summary ($(( $(date +%s) - start ))s)"
printf '  %s\n' "${summary[@]}"
# One closing line over every suite, in the plain form CI reads.
totals=$(grep -aE '^[A-Za-z0-9 @:./_-]+: [0-9]+ passed, [0-9]+ failed' "$log" \
  | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' \
  | awk '{p+=$1; f+=$2} END {print p+0, f+0}')
read -r passed failures <<<"$totals"
[ "$failed" -ne 0 ] && [ "$failures" -eq 0 ] && failures=1   # a stage that failed without a count still fails
# Every failed test again, one line each, so the end of a long log names what failed.
if grep -aq '^✗ ' "$log"; then echo; echo "failed tests:"; grep -a '^✗ ' "$log" | head -n 40 | sed 's/^/  /'; fi
echo
echo "total: $passed passed, $failures failed"
exit $failed
