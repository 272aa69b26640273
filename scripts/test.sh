#!/usr/bin/env bash
# `npm test`: the full suite, the same command CI runs (.ci/run). Runs every stage even when one fails,
# then prints one line per stage and exits non-zero if any failed.
#   unit  (plain Node)  →  VS Code setup (once)  →  host (extension host)  →  e2e (.vsix in the browser)
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
  if "$@"; then summary+=("ok    $name ($(( $(date +%s) - t0 ))s)")
  else summary+=("FAIL  $name ($(( $(date +%s) - t0 ))s)"); failed=1; fi
}
stage build npm run --silent build
stage unit env TEST_SUITE_LABEL="unit tests" npm run --silent test:unit
stage setup-vscode bash scripts/setup-vscode.sh
stage host env TEST_SUITE_LABEL="host tests" npm run --silent test:host
stage e2e env TEST_SUITE_LABEL="e2e tests" npm run --silent test:e2e
stage start-smoke npm start --silent -- --smoke --no-open
echo; echo "=== npm test summary ($(( $(date +%s) - start ))s)"
printf '  %s\n' "${summary[@]}"
exit $failed
