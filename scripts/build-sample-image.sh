#!/usr/bin/env bash
# Builds the sample grading image inginious-agent-sample/default:latest, locally (no registry).
#
#   1. root filesystem: debootstrap --variant=minbase bookworm + python3, python3-msgpack, from the
#      Debian mirror configured in this machine's apt sources; cached as .cache/sample-rootfs-<key>.tar
#   2. docker import of that tarball -> inginious-agent-sample/rootfs:<key>
#   3. DOCKER_BUILDKIT=0 docker build images/sample on top of it, labelled with a hash of
#      images/sample/**; skipped when the existing image already carries that hash.
#
# Idempotent. Environment: SAMPLE_MIRROR overrides the mirror URL; FORCE=1 rebuilds the image
# (not the root filesystem: delete .cache/sample-rootfs-*.tar for that).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=inginious-agent-sample/default:latest
SUITE=bookworm
PACKAGES=python3,python3-msgpack,openssh-server
HASH_LABEL=org.inginious.agent.sample.hash
CACHE=.cache

say() { echo "[sample-image] $*"; }
# shellcheck source=lib/image-build.sh
source scripts/lib/image-build.sh
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
t0=$(date +%s)

docker info >/dev/null 2>&1 || bash scripts/ensure-docker.sh
mkdir -p "$CACHE"
exec 9>"$CACHE/sample-image.lock"
flock 9 # one build at a time (parallel test runners)

arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
rootfs_key=$(printf '%s\n' "v1 $SUITE minbase $arch $PACKAGES" | sha256sum | cut -c1-12)
base_image=inginious-agent-sample/rootfs:$rootfs_key

# Content hash of images/sample/** (paths, executable bits, bytes) plus the base it builds on.
content_hash=$(content_hash "base $rootfs_key" images/sample)
if image_up_to_date "$IMAGE" "$HASH_LABEL" "$content_hash"; then
  say "$IMAGE is up to date (${content_hash:0:12})"
  exit 0
fi

rootfs_tar=$CACHE/sample-rootfs-$rootfs_key.tar
debian_rootfs_tar "$SUITE" "$PACKAGES" "$rootfs_tar"

if ! docker image inspect "$base_image" >/dev/null 2>&1; then
  say "importing $base_image"
  docker import --change 'LABEL org.inginious.agent.sample=1' "$rootfs_tar" "$base_image" >/dev/null
fi

say "building $IMAGE"
log=$(mktemp)
if ! DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE=$base_image" --label "$HASH_LABEL=$content_hash" \
     -t "$IMAGE" images/sample >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
# Drop our own superseded builds (untagged images carrying our label) and nothing else.
docker image prune -f --filter label=org.inginious.agent.sample=1 >/dev/null 2>&1 || true
say "built $IMAGE ($(docker image inspect -f '{{.Id}}' "$IMAGE" | cut -c1-19)) in $(( $(date +%s) - t0 ))s"
