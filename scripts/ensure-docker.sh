#!/usr/bin/env bash
# Makes sure a Docker engine answers: installs Debian's docker.io when absent, starts dockerd when no daemon answers.
# Idempotent; used by .ci/run, `npm test` and `npm run demo`.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if docker info >/dev/null 2>&1; then exit 0; fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "[ensure-docker] installing docker.io from Debian's packages"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq docker.io >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  echo "[ensure-docker] starting dockerd (log: /tmp/dockerd.log)"
  as_root bash -c 'nohup dockerd >/tmp/dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
fi

docker info >/dev/null 2>&1 || { echo "[ensure-docker] dockerd did not come up; see /tmp/dockerd.log" >&2; exit 1; }
