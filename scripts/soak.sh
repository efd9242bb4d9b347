#!/usr/bin/env bash
# `npm run soak -- --jobs N --concurrency C --agents A --chaos backend,agent,containers[,dockerd]`: agents under an
# embedded INGInious backend grade a mix of jobs covering every outcome while chaos strikes; a report at the end.
# Exit code 0 only when nothing was lost, duplicated, mismatched or leaked. Not part of `npm test` (a short soak is).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare-run.sh
exec node dist/soak/soak.js "$@"
