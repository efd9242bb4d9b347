#!/usr/bin/env bash
# Builds the images the tests use, locally (no registry). Cached: skipped when present.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! docker image inspect inginious-agent-test/busybox:latest >/dev/null 2>&1; then
  if [ ! -x /bin/busybox ] || ! file -L /bin/busybox 2>/dev/null | grep -q static; then
    as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
    as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq busybox-static file >/dev/null
  fi
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  mkdir -p "$root/bin" "$root/tmp" "$root/proc" "$root/sys" "$root/dev" "$root/etc"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  chmod 1777 "$root/tmp"
  tar -C "$root" -c . | docker import --change 'LABEL org.inginious.agent.test=1' - inginious-agent-test/busybox-rootfs:latest >/dev/null
  DOCKER_BUILDKIT=0 docker build -q -t inginious-agent-test/busybox:latest images/test-busybox >/dev/null 2>/tmp/test-image-build.log || { cat /tmp/test-image-build.log >&2; exit 1; }
  echo "[test-images] built inginious-agent-test/busybox:latest"
fi
