#!/usr/bin/env bash
# `npm run demo`: from a fresh clone, installs what is needed, builds the sample image and the agent, then grades the
# sample course through an embedded backend (or serves the backend named by AGENT_BACKEND_ADDR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare-run.sh
exec node dist/demo/demo.js
