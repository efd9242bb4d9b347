"""Frames over unix sockets inside the sample image (the runtime's control socket, the student socket).

The same framing as the agent link: a 4-byte big-endian length, then a msgpack map.
"""
import array
import os
import socket

import msgpack

from ingi_common import LENGTH, encode_frame

RUNTIME_SOCKET = "/.ingi/runtime.sock"  # run_student commands reach the runtime here
LINK_INFO = "/.ingi/link.json"          # what run_student must know of the agent link (relay mode or not)
MAX_FRAME = 64 << 20


def recv_exact(sock, n, fds=None):
    """n bytes, or None at end of stream. File descriptors passed along are appended to `fds`."""
    parts, left = [], n
    while left:
        if fds is None:
            chunk = sock.recv(left)
        else:
            chunk, ancillary, _, _ = sock.recvmsg(left, socket.CMSG_SPACE(3 * array.array("i").itemsize))
            for level, kind, data in ancillary:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    received = array.array("i")
                    received.frombytes(data[:len(data) - (len(data) % received.itemsize)])
                    fds.extend(received)
        if not chunk:
            return None
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def recv_frame(sock, fds=None):
    """Next decoded frame; None at end of stream."""
    head = recv_exact(sock, 4, fds)
    if head is None:
        return None
    (length,) = LENGTH.unpack(head)
    if length > MAX_FRAME:
        raise ValueError("frame of %d bytes announced" % length)
    body = recv_exact(sock, length, fds)
    if body is None:
        return None
    return msgpack.unpackb(body, raw=False, strict_map_key=False)


def send_frame(sock, message, fds=()):
    data = encode_frame(message)
    if fds:
        sent = sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
        data = data[sent:]
    if data:
        sock.sendall(data)


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
