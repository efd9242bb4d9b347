#!/usr/bin/env bash
# What a program beside the agent (demo, soak) needs from a fresh clone: npm packages, a Docker engine, the sample
# grading image, and the built agent.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/@nestjs/core ] || npm ci --no-audit --no-fund
bash scripts/ensure-docker.sh
bash scripts/build-sample-image.sh
npm run --silent build
