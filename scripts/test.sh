#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, then unit and integration tests (real Docker,
# real ZeroMQ peers). Ends with one line "tests: N passed, N failed[, N skipped]".
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x node_modules/.bin/vitest ] || npm ci --no-audit --no-fund
bash scripts/ensure-docker.sh
bash scripts/ensure-test-tools.sh
bash scripts/build-test-images.sh
bash scripts/build-sample-image.sh
npm run --silent build

mkdir -p .cache
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest-report.json "$@" || status=$?
node -e '
  const r = require("./.cache/vitest-report.json");
  const skipped = r.numPendingTests + r.numTodoTests;
  // a file that fails before its tests run counts as a failure too
  const brokenFiles = r.testResults.filter((f) => f.status === "failed" && !f.assertionResults.some((t) => t.status === "failed")).length;
  const failed = r.numFailedTests + brokenFiles;
  console.log(`tests: ${r.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit "$status"
