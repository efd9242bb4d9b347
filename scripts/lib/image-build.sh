# Shared by the local image builds (sample grading image, agent image). Source it; needs say() and as_root().
#   content_hash FIRST_LINE PATH...        hash of a line and of the files under PATH... (names, executable bits, bytes)
#   image_up_to_date IMAGE LABEL HASH      true when IMAGE carries HASH under LABEL (and FORCE is not 1)
#   debian_rootfs_tar SUITE PACKAGES TAR   a Debian root filesystem made with debootstrap, cached as TAR
#                                          (PACKAGES comma-separated, may be empty; SAMPLE_MIRROR overrides the mirror)

content_hash() {
  local first=$1
  shift
  {
    echo "$first"
    find "$@" -type f -not -path '*/__pycache__/*' -not -name '*.pyc' -print0 | LC_ALL=C sort -z |
      while IFS= read -r -d '' f; do
        if [ -x "$f" ]; then x=x; else x=-; fi
        printf '%s %s %s\n' "$f" "$x" "$(sha256sum <"$f" | cut -d' ' -f1)"
      done
  } | sha256sum | cut -d' ' -f1
}

image_up_to_date() {
  local current
  current=$(docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true)
  [ "$current" = "$3" ] && [ "${FORCE:-0}" != 1 ]
}

# Prints the URL of the Debian mirror serving $1, read from apt's sources (one-line and deb822).
find_mirror() {
  local suite=$1 files=()
  [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || return 0
  awk -v suite="$suite" '
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

debian_rootfs_tar() {
  local suite=$1 packages=$2 rootfs_tar=$3 mirror work
  if [ -s "$rootfs_tar" ]; then
    say "root filesystem: cached ($rootfs_tar)"
    return 0
  fi
  if ! command -v debootstrap >/dev/null 2>&1; then
    say "installing debootstrap"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq debootstrap >/dev/null
  fi
  mirror=${SAMPLE_MIRROR:-$(find_mirror "$suite")}
  [ -n "$mirror" ] || { say "no apt source for '$suite' found in /etc/apt; set SAMPLE_MIRROR" >&2; return 1; }
  mkdir -p "$(dirname "$rootfs_tar")"
  work=$(mktemp -d "$(dirname "$rootfs_tar")/rootfs-build.XXXXXX")
  trap 'as_root rm -rf "'"$work"'"' EXIT
  say "root filesystem: debootstrap $suite (minbase${packages:+ + $packages}) from $mirror"
  if ! as_root debootstrap --variant=minbase ${packages:+--include="$packages"} "$suite" "$work/root" "$mirror" \
       >"$work/debootstrap.log" 2>&1; then
    tail -n 20 "$work/debootstrap.log" >&2
    [ -f "$work/root/debootstrap/debootstrap.log" ] && tail -n 20 "$work/root/debootstrap/debootstrap.log" >&2
    return 1
  fi
  # Trim what a container never needs.
  as_root bash -c "cd '$work/root' && rm -rf var/cache/apt/archives/*.deb var/cache/apt/*.bin var/lib/apt/lists/* \
    usr/share/doc/* usr/share/man/* usr/share/info/* usr/share/locale/* var/log/*.log debootstrap"
  as_root tar -C "$work/root" --numeric-owner -cf "$rootfs_tar.tmp" .
  as_root chown "$(id -u):$(id -g)" "$rootfs_tar.tmp"
  mv "$rootfs_tar.tmp" "$rootfs_tar"
  as_root rm -rf "$work"
  trap - EXIT
  say "root filesystem: cached as $rootfs_tar ($(du -h "$rootfs_tar" | cut -f1))"
}
