#!/usr/bin/env bash
# Debian's python3 with msgpack and pyzmq: the tests use it as an independent peer to cross-check our wire bytes.
set -euo pipefail
if /usr/bin/python3 -c 'import msgpack, zmq' 2>/dev/null; then exit 0; fi
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq python3 python3-msgpack python3-zmq >/dev/null
