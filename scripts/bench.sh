#!/usr/bin/env bash
# `npm run bench`: measured numbers, not tests. Part 1: job latency/throughput against the Engine-API floor.
# Part 2: the cost and precision of limit watching (cgroup sweep vs one Docker stats stream per container).
# Part 3 (alone: `npm run bench -- pong`): Pong latency while 2 containers write the costliest frames.
# Part 4: what removing a job folder of 200 000 files costs the event loop and other jobs.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/@nestjs/core ] || npm ci --no-audit --no-fund
bash scripts/ensure-docker.sh
bash scripts/build-test-images.sh
bash scripts/build-sample-image.sh
npm run --silent build
if [ "${1:-}" = pong ]; then
  node dist/bench/bench-pong.js
  exit
fi
echo "== part 1: job latency and throughput"
node dist/bench/bench.js
echo
echo "== part 2: limit watching"
node scripts/bench-watch.mjs
echo
echo "== part 3: Pong latency under hostile frames"
node dist/bench/bench-pong.js
echo
echo "== part 4: removing a job folder of 200 000 files (BENCH_CLEANUP_FILES), and other jobs meanwhile"
node dist/bench/cleanup-bench.js
