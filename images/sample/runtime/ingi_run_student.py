#!/usr/bin/python3
"""`run_student [options] -- COMMAND...`: runs COMMAND in a new student container and exits with its status.

The command's stdin, stdout and stderr are those of run_student. The exit status is COMMAND's, or one the agent
decides: 252 memory limit, 253 time limit, 254 the student container could not be created or started.

Two ways to reach the student container (decided by the runtime from the start message, see ingi_link.LINK_INFO):
- shared kernel: the student container connects to /sockets/<socket_id>.sock (its /__parent.sock) and receives the
  command with our three file descriptors;
- relay (generation 3, runtime without a shared kernel): the command and its input and output travel as frames
  through the agent, which forwards them to and from the student container's stdin and stdout.
"""
import argparse
import json
import os
import secrets
import select
import shlex
import socket
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))

from ingi_link import LINK_INFO, RUNTIME_SOCKET, recv_frame, send_frame, write_all  # noqa: E402

NOT_STARTED = 254


def parse_args(argv):
    p = argparse.ArgumentParser(prog="run_student", description="Run a command in a student container.")
    p.add_argument("--env", help="environment of the student container (default: this one)")
    p.add_argument("--time", type=int, default=0, help="CPU time limit in seconds (default: this container's)")
    p.add_argument("--hard-time", type=int, default=0, help="wall time limit in seconds (default: this container's)")
    p.add_argument("--memory", type=int, default=0, help="memory limit in MiB (default: this container's)")
    p.add_argument("--share-network", action="store_true", help="share this container's network")
    p.add_argument("--ssh", action="store_true", help="then serve an SSH session in the student container")
    p.add_argument("--root", action="store_true", help="run the command as root")
    p.add_argument("--socket-id", help=argparse.SUPPRESS)  # tests only: send this socket id as it is
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args(argv)
    if a.command[:1] == ["--"]:
        a.command = a.command[1:]
    if not a.command:
        p.error("no command given")
    return a


def relay_mode():
    try:
        with open(LINK_INFO) as f:
            return bool(json.load(f).get("relay"))
    except (OSError, ValueError):
        return False


def main():
    a = parse_args(sys.argv[1:])
    socket_id = a.socket_id or "s" + secrets.token_hex(8)
    listener = None
    if "/" not in socket_id and not relay_mode():
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        path = "/sockets/%s.sock" % socket_id
        listener.bind(path)
        os.chmod(path, 0o777)
        listener.listen(1)

    runtime = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    runtime.connect(RUNTIME_SOCKET)
    send_frame(runtime, {
        "type": "run_student", "environment": a.env, "time_limit": a.time, "hard_time_limit": a.hard_time,
        "memory_limit": a.memory, "share_network": a.share_network, "socket_id": socket_id, "ssh": a.ssh,
        "run_as_root": a.root,
    })
    reply = recv_frame(runtime)
    if reply is None or reply.get("type") != "run_student_started":
        return reply.get("retval", NOT_STARTED) if reply else NOT_STARTED
    container_id = reply["container_id"]
    request = {"command": a.command, "working_dir": os.getcwd(), "ssh": a.ssh, "user": "root" if a.root else "worker"}
    if listener is None:
        return relay(runtime, socket_id, container_id, request)
    return shared(runtime, listener, container_id, request)


def shared(runtime, listener, container_id, request):
    """The student container connects to our socket; it gets the command and our stdio, we wait for the retval."""
    watched = [runtime, listener]
    while True:
        ready, _, _ = select.select(watched, [], [])
        for sock in ready:
            if sock is listener:
                student, _ = listener.accept()
                send_frame(student, dict(request, type="run_student_command"), fds=(0, 1, 2))
                listener.close()
                watched = [runtime, student]
            elif sock is runtime:
                message = recv_frame(runtime)
                if message is None:
                    return NOT_STARTED
                if message.get("type") == "run_student_retval":
                    return message["retval"]
            else:
                message = recv_frame(sock)
                if message is None:
                    sock.close()
                    watched = [runtime]
                elif message.get("type") == "ssh_student":
                    send_frame(runtime, {"type": "ssh_student", "ssh_user": message["ssh_user"],
                                         "ssh_key": message["ssh_key"], "container_id": container_id})


def relay(runtime, socket_id, container_id, request):
    """Everything goes through the agent: the command, our stdin, the student's stdout and stderr."""
    lock = threading.Lock()

    def send(message):
        with lock:
            send_frame(runtime, message)

    send({"type": "run_student_init", "socket_id": socket_id, "command": shlex.join(request["command"]),
          "teardown_script": "", "student_container_id": container_id, "working_dir": request["working_dir"],
          "ssh": request["ssh"], "user": request["user"]})

    def pump_stdin():
        while True:
            try:
                data = os.read(0, 65536)
            except OSError:
                data = b""
            # an empty message tells the student container that our stdin ended
            send({"type": "stdin", "student_container_id": container_id, "socket_id": socket_id, "message": data})
            if not data:
                return

    threading.Thread(target=pump_stdin, daemon=True).start()
    while True:
        message = recv_frame(runtime)
        if message is None:
            return NOT_STARTED
        kind = message.get("type")
        if kind == "stdout":
            write_all(1, message["message"])
        elif kind == "stderr":
            write_all(2, message["message"])
        elif kind == "run_student_retval":
            return message["retval"]


if __name__ == "__main__":
    sys.stdout.flush()
    os._exit(main())
