#!/usr/bin/env bash
# `npm run soak -- --jobs N --concurrency C --agents A --chaos backend,agent,containers[,dockerd]`: agents under an
# embedded INGInious backend grade a mix of jobs covering every outcome while chaos strikes; a report at the end.
# Exit code 0 only when nothing was lost, duplicated, mismatched or leaked. Not part of `npm test` (a short soak is).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/@nestjs/core ] || npm ci --no-audit --no-fund
bash scripts/ensure-docker.sh
bash scripts/build-sample-image.sh
npm run --silent build
exec node dist/soak/soak.js "$@"
