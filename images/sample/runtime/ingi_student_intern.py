#!/usr/bin/python3
"""`_run_student_intern [DOCKER_RUNTIME PARENT_ENVTYPE]`: the command of a student container (wire.md §4).

Generation 4 gives no arguments; generation 3 gives the student container's Docker runtime and the parent's
environment type. As the upstream images do, the container relays through the agent (its stdin and stdout) when it
runs under kata-runtime or its parent is of type `kata`; otherwise it reaches its grading container through
/__parent.sock. It runs the command and exits with its status, then serves SSH first when asked to.
"""
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))

from ingi_common import WORKER_GID, WORKER_UID, encode_frame  # noqa: E402
from ingi_link import recv_frame, send_frame, write_all  # noqa: E402
from ingi_runtime import FrameReader, log  # noqa: E402
from ingi_ssh import start_sshd, wait_for_session  # noqa: E402

PARENT_SOCKET = "/__parent.sock"
NOT_STARTED = 254


def relayed(argv):
    return len(argv) == 2 and (argv[0] == "kata-runtime" or argv[1] == "kata")


def as_user(user):
    if user == "root":
        return {}
    return {"user": WORKER_UID, "group": WORKER_GID, "extra_groups": []}


def environment(user):
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/task", "LANG": "C.UTF-8", "USER": user, "LOGNAME": user}


def exit_status(status):
    return 128 - status if status < 0 else status


def connect_parent():
    for _ in range(50):
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(PARENT_SOCKET)
            return sock
        except OSError:
            time.sleep(0.1)
    return None


def run_shared():
    parent = connect_parent()
    if parent is None:
        log("cannot reach the grading container at %s" % PARENT_SOCKET)
        return NOT_STARTED
    fds = []
    request = recv_frame(parent, fds)
    if request is None or request.get("type") != "run_student_command" or len(fds) != 3:
        log("no usable command from the grading container")
        return NOT_STARTED
    user = request.get("user", "worker")
    child = subprocess.Popen(request["command"], cwd=request.get("working_dir") or "/task", env=environment(user),
                             stdin=fds[0], stdout=fds[1], stderr=fds[2], **as_user(user))
    for fd in fds:
        os.close(fd)
    status = exit_status(child.wait())
    if request.get("ssh"):
        password = start_sshd(user)
        send_frame(parent, {"type": "ssh_student", "ssh_user": user, "ssh_key": password})
        wait_for_session(user)
    return status


def run_relayed():
    out_lock = threading.Lock()
    out_fd = os.dup(1)
    os.dup2(2, 1)

    def send(message):
        with out_lock:
            write_all(out_fd, encode_frame(message))

    reader = FrameReader(0)
    init = reader.read()
    if not isinstance(init, dict) or init.get("type") != "run_student_init":
        log("expected run_student_init on stdin, got %r" % (init,))
        return NOT_STARTED
    socket_id = init["socket_id"]
    user = init.get("user") or "worker"
    child = subprocess.Popen(shlex.split(init["command"]), cwd=init.get("working_dir") or "/task",
                             env=environment(user), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, bufsize=0, **as_user(user))

    def pump(stream, kind):
        while True:
            data = stream.read(65536)
            if not data:
                return
            send({"type": kind, "socket_id": socket_id, "message": data})

    pumps = [threading.Thread(target=pump, args=(child.stdout, "stdout")),
             threading.Thread(target=pump, args=(child.stderr, "stderr"))]
    for t in pumps:
        t.start()

    def read_agent():
        while True:
            try:
                message = reader.read()
            except ValueError:
                return
            if message is None:
                return
            kind = message.get("type")
            try:
                if kind == "stdin":
                    if message["message"]:
                        child.stdin.write(message["message"])
                    else:
                        child.stdin.close()
                elif kind == "student_signal":
                    child.send_signal(int(message["signal_data"]))
            except (OSError, ValueError):
                pass

    threading.Thread(target=read_agent, daemon=True).start()
    status = exit_status(child.wait())
    for t in pumps:
        t.join()
    if init.get("ssh"):
        password = start_sshd(user)
        send({"type": "ssh_student", "ssh_user": user, "ssh_key": password})
        wait_for_session(user)
    return status


def main():
    signal.signal(signal.SIGTERM, lambda *_: os._exit(143))
    code = run_relayed() if relayed(sys.argv[1:]) else run_shared()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
