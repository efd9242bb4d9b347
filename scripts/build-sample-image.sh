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
content_hash=$(
  {
    echo "base $rootfs_key"
    find images/sample -type f -not -path '*/__pycache__/*' -not -name '*.pyc' -print0 | LC_ALL=C sort -z |
      while IFS= read -r -d '' f; do
        if [ -x "$f" ]; then x=x; else x=-; fi
        printf '%s %s %s\n' "$f" "$x" "$(sha256sum <"$f" | cut -d' ' -f1)"
      done
  } | sha256sum | cut -d' ' -f1
)

current=$(docker image inspect -f "{{ index .Config.Labels \"$HASH_LABEL\" }}" "$IMAGE" 2>/dev/null || true)
if [ "$current" = "$content_hash" ] && [ "${FORCE:-0}" != 1 ]; then
  say "$IMAGE is up to date (${content_hash:0:12})"
  exit 0
fi

# Prints the URL of the Debian mirror serving $SUITE, read from apt's sources (one-line and deb822).
find_mirror() {
  local files=()
  [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || return 0
  awk -v suite="$SUITE" '
    function flush() {
      if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && uris != "") {
        split(uris, u, " "); print u[1]; found = 1; exit
      }
      types = ""; uris = ""; suites = ""
    }
    FNR == 1 { flush() }
    FILENAME ~ /\.sources$/ {
      if ($0 ~ /^[ \t]*$/) { flush(); next }
      if ($0 ~ /^[ \t]*#/) next
      line = $0; key = tolower(line); sub(/:.*/, "", key); sub(/^[^:]*:[ \t]*/, "", line)
      if (key == "types") types = line
      else if (key == "uris") uris = line
      else if (key == "suites") suites = line
      next
    }
    /^[ \t]*deb[ \t]/ {
      line = $0; sub(/^[ \t]*deb[ \t]+/, "", line)
      if (line ~ /^\[/) sub(/^\[[^]]*\][ \t]*/, "", line)
      n = split(line, w, /[ \t]+/)
      if (n >= 2 && w[2] == suite) { print w[1]; found = 1; exit }
    }
    END { if (!found) flush() }
  ' "${files[@]}"
}

rootfs_tar=$CACHE/sample-rootfs-$rootfs_key.tar
if [ -s "$rootfs_tar" ]; then
  say "root filesystem: cached ($rootfs_tar)"
else
  if ! command -v debootstrap >/dev/null 2>&1; then
    say "installing debootstrap"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq debootstrap >/dev/null
  fi
  mirror=${SAMPLE_MIRROR:-$(find_mirror)}
  [ -n "$mirror" ] || { say "no apt source for '$SUITE' found in /etc/apt; set SAMPLE_MIRROR" >&2; exit 1; }
  mkdir -p "$CACHE"
  work=$(mktemp -d "$PWD/$CACHE/rootfs-build.XXXXXX")
  trap 'as_root rm -rf "$work"' EXIT
  say "root filesystem: debootstrap $SUITE (minbase + $PACKAGES) from $mirror"
  if ! as_root debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$work/root" "$mirror" \
       >"$work/debootstrap.log" 2>&1; then
    tail -n 20 "$work/debootstrap.log" >&2
    [ -f "$work/root/debootstrap/debootstrap.log" ] && tail -n 20 "$work/root/debootstrap/debootstrap.log" >&2
    exit 1
  fi
  # Trim what a grading container never needs.
  as_root bash -c "cd '$work/root' && rm -rf var/cache/apt/archives/*.deb var/cache/apt/*.bin var/lib/apt/lists/* \
    usr/share/doc/* usr/share/man/* usr/share/info/* usr/share/locale/* var/log/*.log debootstrap"
  as_root tar -C "$work/root" --numeric-owner -cf "$rootfs_tar.tmp" .
  as_root chown "$(id -u):$(id -g)" "$rootfs_tar.tmp"
  mv "$rootfs_tar.tmp" "$rootfs_tar"
  as_root rm -rf "$work"
  trap - EXIT
  say "root filesystem: cached as $rootfs_tar ($(du -h "$rootfs_tar" | cut -f1))"
fi

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
