"""Shared pieces of the sample grading image: paths, the feedback store, frame encoding.

The runtime (ingi_runtime.py) and the task-script commands (ingi_commands.py) talk through
one JSON file, the *feedback store*, guarded by an exclusive flock so that commands run in
parallel cannot lose each other's updates.
"""
import fcntl
import json
import os
import re
import struct

import msgpack

STATE_DIR = "/.ingi"                      # private to the image, not mounted from the host
INPUT_FILE = STATE_DIR + "/input.msgpack"  # the start frame's `input` map, bin values kept as bin
STORE_FILE = STATE_DIR + "/feedback.json"  # what the commands have set so far
HOOKS_MARKER = "/task/test-hooks"          # opt-in for the test-only hooks (see docs/sample-image.md)
ARCHIVE_DIR = "/archive"                   # anything a task leaves here goes back as `archive`

WORKER_UID = 4242
WORKER_GID = 4242

# Keys the agent accepts in problems / tests maps (wire.md, "The result map").
PROBLEM_ID_RE = re.compile(r"^[a-z0-9\-\._]+$", re.IGNORECASE)
TEST_ID_RE = re.compile(r"^[a-z0-9\-\._*]+$", re.IGNORECASE)

LENGTH = struct.Struct(">I")


def encode_frame(message):
    """One protocol frame: 4-byte big-endian length, then a msgpack map (str as str, bytes as bin)."""
    body = msgpack.packb(message, use_bin_type=True)
    return LENGTH.pack(len(body)) + body


def empty_store():
    return {"problems": {}, "tests": {}, "custom": {}}


def load_input():
    with open(INPUT_FILE, "rb") as f:
        return msgpack.unpackb(f.read(), raw=False, strict_map_key=False)


class Store:
    """Read-modify-write of the feedback store under an exclusive lock.

        with Store() as data:
            data["result"] = "success"
    """

    def __enter__(self):
        self._fd = os.open(STORE_FILE, os.O_RDWR)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        raw = b""
        while True:
            chunk = os.read(self._fd, 1 << 20)
            if not chunk:
                break
            raw += chunk
        self.data = json.loads(raw.decode("utf-8")) if raw.strip() else empty_store()
        for key in ("problems", "tests", "custom"):
            self.data.setdefault(key, {})
        return self.data

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                encoded = json.dumps(self.data, ensure_ascii=False).encode("utf-8")
                os.lseek(self._fd, 0, os.SEEK_SET)
                os.ftruncate(self._fd, 0)
                view = memoryview(encoded)
                while view:
                    view = view[os.write(self._fd, view):]
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
        return False


def read_store():
    """Snapshot of the store (used by the runtime once the run script has ended)."""
    try:
        with Store() as data:
            return data
    except (OSError, ValueError):
        return None
