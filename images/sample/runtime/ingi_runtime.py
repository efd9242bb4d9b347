#!/usr/bin/python3
"""Entrypoint of the sample grading image: the container side of the agent <-> grading container link.

Protocol (shared/spec/wire.md section 3): stdin and stdout carry frames, each a 4-byte big-endian
length followed by a msgpack map. The agent sends one `start` frame; we run the task's script as an
unprivileged user, then answer with exactly one `result` frame and exit. Our real stdout carries
nothing but frames: fd 1 is pointed at stderr right away and frames go to a private copy of it.

run_student: the `run_student` command (ingi_run_student.py) connects to the control socket
/.ingi/runtime.sock; the runtime writes its frames to the agent with `Runtime.send` (thread-safe), and
the stdin reader thread routes the agent's answers (`run_student_started`, `run_student_retval`, and
relayed `stdout`/`stderr`) back to the waiting command by `socket_id`.
"""
import base64
import io
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import tarfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))

import msgpack  # noqa: E402

from ingi_common import (  # noqa: E402
    ARCHIVE_DIR, HOOKS_MARKER, INPUT_FILE, LENGTH, STATE_DIR, STORE_FILE, WORKER_GID, WORKER_UID,
    encode_frame, read_store,
)
from ingi_link import LINK_INFO, RUNTIME_SOCKET, recv_frame, send_frame  # noqa: E402
from ingi_ssh import start_sshd, wait_for_session  # noqa: E402

MAX_IN_FRAME = 64 << 20       # larger announced frames from the agent are refused
MAX_DEBUG_OUTPUT = 1 << 20    # stdout/stderr returned in debug mode are cut to this many bytes each
MAX_ARCHIVE = 16 << 20        # a bigger archive is dropped (and logged)
RUN_FILE = "/task/run"
# What a run_student command may ask the runtime to pass on to the agent.
FORWARDED_TO_AGENT = ("run_student", "run_student_init", "stdin", "student_signal", "ssh_student")
# What the agent sends about a student container, routed to its command by socket_id.
ROUTED_TO_COMMAND = ("run_student_started", "run_student_retval", "stdout", "stderr")


def log(message):
    sys.stderr.write("%s ingi-sample-runtime: %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), message))
    sys.stderr.flush()


class FrameReader:
    def __init__(self, fd):
        self.fd = fd

    def _read_exact(self, n):
        parts, left = [], n
        while left:
            chunk = os.read(self.fd, min(left, 1 << 20))
            if not chunk:
                return None
            parts.append(chunk)
            left -= len(chunk)
        return b"".join(parts)

    def read(self):
        """Next decoded frame; None at end of stream. Raises ValueError on a bad frame."""
        head = self._read_exact(4)
        if head is None:
            return None
        (length,) = LENGTH.unpack(head)
        if length > MAX_IN_FRAME:
            raise ValueError("frame of %d bytes announced (limit %d)" % (length, MAX_IN_FRAME))
        body = self._read_exact(length)
        if body is None:
            return None
        return msgpack.unpackb(body, raw=False, strict_map_key=False)


class Runtime:
    def __init__(self):
        # Keep the real stdout for frames only; everything else written to fd 1 lands on stderr.
        self.out_fd = os.dup(1)  # not inherited by children (Python makes dups non-inheritable)
        os.dup2(2, 1)
        self.out_lock = threading.Lock()
        self.reader = FrameReader(0)
        self.child = None
        self.commands = {}  # socket_id -> connection of the run_student command waiting for it
        self.commands_lock = threading.Lock()

    # ---- agent link -------------------------------------------------------------------------
    def send(self, message):
        data = encode_frame(message)
        with self.out_lock:
            view = memoryview(data)
            while view:
                view = view[os.write(self.out_fd, view):]

    def wait_for_start(self):
        while True:
            try:
                message = self.reader.read()
            except Exception as e:  # undecodable or oversized: the link is unusable
                log("unreadable frame before start (%s); giving up" % e)
                return None
            if message is None:
                log("stdin closed before any start message")
                return None
            if isinstance(message, dict) and message.get("type") == "start":
                return message
            log("ignoring a message before start: %r" % (message.get("type") if isinstance(message, dict) else message))

    def read_agent_messages(self):
        """Runs in a thread after `start`, for the frames the agent may still send."""
        while True:
            try:
                message = self.reader.read()
            except Exception as e:
                log("unreadable frame from the agent (%s); no longer reading stdin" % e)
                return
            if message is None:
                return
            self.on_agent_message(message)

    def on_agent_message(self, message):
        kind = message.get("type") if isinstance(message, dict) else None
        if kind not in ROUTED_TO_COMMAND:
            log("ignoring message %r" % (kind,))
            return
        with self.commands_lock:
            connection = self.commands.get(message.get("socket_id"))
        if connection is None:
            log("no run_student command waits for socket %r: %s ignored" % (message.get("socket_id"), kind))
            return
        try:
            send_frame(connection, message)
        except OSError as e:
            log("run_student command for socket %r is gone (%s)" % (message.get("socket_id"), e))

    # ---- run_student commands -------------------------------------------------------------------
    def serve_run_student(self, start):
        with open(LINK_INFO, "w") as f:
            # generation 3 on a runtime without a shared kernel: student containers are reached through the agent
            json.dump({"relay": start.get("shared_kernel", True) is False}, f)
        os.chmod(LINK_INFO, 0o644)
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(RUNTIME_SOCKET)
        os.chmod(RUNTIME_SOCKET, 0o666)
        server.listen(16)
        threading.Thread(target=self.accept_commands, args=(server,), name="run_student", daemon=True).start()

    def accept_commands(self, server):
        while True:
            connection, _ = server.accept()
            threading.Thread(target=self.serve_command, args=(connection,), daemon=True).start()

    def serve_command(self, connection):
        socket_id = None
        try:
            while True:
                message = recv_frame(connection)
                if not isinstance(message, dict):
                    return
                if message.get("type") not in FORWARDED_TO_AGENT:
                    log("run_student command sent %r: ignored" % (message.get("type"),))
                    continue
                if message.get("type") == "run_student":
                    socket_id = message.get("socket_id")
                    with self.commands_lock:
                        self.commands[socket_id] = connection
                self.send(message)
        except (OSError, ValueError) as e:
            log("run_student command link broken (%s)" % e)
        finally:
            with self.commands_lock:
                if self.commands.get(socket_id) is connection:
                    del self.commands[socket_id]
            connection.close()

    # ---- job ----------------------------------------------------------------------------------
    def prepare(self, start):
        os.makedirs(STATE_DIR, mode=0o755, exist_ok=True)
        os.chmod(STATE_DIR, 0o755)
        with open(INPUT_FILE, "wb") as f:
            f.write(msgpack.packb(start.get("input") or {}, use_bin_type=True))
        os.chmod(INPUT_FILE, 0o644)
        with open(STORE_FILE, "w") as f:
            f.write("{}")
        os.chown(STORE_FILE, WORKER_UID, WORKER_GID)
        os.chmod(STORE_FILE, 0o600)

        os.makedirs(ARCHIVE_DIR, exist_ok=True)
        os.makedirs("/task/student", exist_ok=True)
        for top in ("/task", ARCHIVE_DIR):
            chown_tree(top, WORKER_UID, WORKER_GID)
        if os.path.isfile(RUN_FILE) and not os.access(RUN_FILE, os.X_OK):
            os.chmod(RUN_FILE, os.stat(RUN_FILE).st_mode | 0o755)
        if os.path.isdir("/sockets"):
            os.chmod("/sockets", 0o777)

    def command_line(self, start):
        run_cmd = start.get("run_cmd")
        if isinstance(run_cmd, str) and run_cmd.strip():
            return shlex.split(run_cmd)
        if os.path.isfile(RUN_FILE):
            return [RUN_FILE]
        return None

    def run_script(self, argv, as_root, capture):
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": "/task",
            "LANG": "C.UTF-8",
            "USER": "root" if as_root else "worker",
            "LOGNAME": "root" if as_root else "worker",
        }
        pass_fds = ()
        if os.path.exists(HOOKS_MARKER):
            # Test-only: the task may write raw bytes to the agent link through this fd.
            os.set_inheritable(self.out_fd, True)
            env["INGI_RAW_STDOUT_FD"] = str(self.out_fd)
            pass_fds = (self.out_fd,)
            log("test hooks on: raw protocol stdout exposed as fd %d" % self.out_fd)
        if capture:
            out_file = open(STATE_DIR + "/run.stdout", "w+b")
            err_file = open(STATE_DIR + "/run.stderr", "w+b")
        else:
            out_file = err_file = None
        ids = {} if as_root else {"user": WORKER_UID, "group": WORKER_GID, "extra_groups": []}
        self.child = subprocess.Popen(
            argv, cwd="/task", env=env, stdin=subprocess.DEVNULL,
            stdout=out_file if capture else 2, stderr=err_file if capture else 2,
            pass_fds=pass_fds, start_new_session=True, **ids)
        status = self.child.wait()
        try:  # leftovers of the script (background jobs) do not outlive it
            os.killpg(self.child.pid, signal.SIGKILL)
        except OSError:
            pass
        if pass_fds:
            os.set_inheritable(self.out_fd, False)
        outputs = ("", "")
        if capture:
            outputs = tuple(read_capped(f) for f in (out_file, err_file))
            out_file.close()
            err_file.close()
        return status, outputs

    def run(self):
        start = self.wait_for_start()
        if start is None:
            return 1
        threading.Thread(target=self.read_agent_messages, name="stdin", daemon=True).start()
        debug = start.get("debug", False)
        log("start received (debug=%r, run_as_root=%r)" % (debug, start.get("run_as_root", False)))

        if not isinstance(start.get("input", {}), dict):
            return self.finish({"result": "crash", "text": "The start message had no input map."})
        try:
            self.prepare(start)
            self.serve_run_student(start)
        except OSError as e:
            return self.finish({"result": "crash", "text": "The grading container could not prepare the job: %s" % e})
        if debug == "ssh":
            self.ssh_debug()

        argv = self.command_line(start)
        if argv is None:
            return self.finish({"result": "crash", "text": "The task has no run file (/task/run)."})
        log("running %s" % " ".join(argv))
        try:
            status, (stdout, stderr) = self.run_script(argv, bool(start.get("run_as_root")), bool(debug))
        except OSError as e:
            return self.finish({"result": "crash", "text": "The grading script could not be started: %s" % e})
        log("grading script ended with status %d" % status)

        store = read_store()
        if store is None:
            result = {"result": "crash", "text": "The feedback written by the grading script is unreadable."}
        elif "_hook_exit" in store:
            code = store["_hook_exit"]
            log("test hook: exiting with status %d without a result" % code)
            open_tree("/task")
            return code
        else:
            result = build_result(store, status)
        if debug:
            result["stdout"] = stdout
            result["stderr"] = stderr
        archive = archive_b64()
        if archive is not None and result["result"] not in ("crash",):
            result["archive"] = archive
        return self.finish(result)

    def ssh_debug(self):
        """Opens an SSH session for the worker, announces it, and grades once the user has come and gone."""
        try:
            password = start_sshd("worker")
        except (OSError, subprocess.CalledProcessError) as e:
            log("SSH server could not start (%s); grading without it" % e)
            return
        self.send({"type": "ssh_debug", "ssh_user": "worker", "ssh_key": password})
        log("SSH debug session offered; waiting for it")
        wait_for_session("worker")

    def finish(self, result):
        self.send({"type": "result", "result": result})
        log("result sent: %s" % result.get("result"))
        open_tree("/task")
        return 0

    def on_sigterm(self, signum, frame):
        log("terminated; stopping without a result")
        if self.child is not None:
            try:
                os.killpg(self.child.pid, signal.SIGKILL)
            except OSError:
                pass
        os._exit(128 + signum)


def status_text(status):
    if status < 0:
        try:
            return "was killed by signal %s" % signal.Signals(-status).name
        except ValueError:
            return "was killed by signal %d" % -status
    return "exited with status %d" % status


def build_result(store, status):
    """The `result` map, holding only the keys and types the agent accepts."""
    gave_something = any(k in store for k in ("result", "text", "grade", "state")) or any(
        store.get(k) for k in ("problems", "tests", "custom"))
    if not gave_something:
        return {"result": "crash", "text": "The grading script gave no feedback (it %s)." % status_text(status)}
    result = {"result": str(store.get("result") or "error"), "text": str(store.get("text", ""))}
    if isinstance(store.get("grade"), (int, float)) and not isinstance(store.get("grade"), bool):
        result["grade"] = float(store["grade"])
    for key in ("problems", "tests", "custom"):
        if store.get(key):
            result[key] = store[key]
    if isinstance(store.get("state"), str):
        result["state"] = store["state"]
    return result


def read_capped(f):
    f.seek(0, os.SEEK_END)
    size = f.tell()
    f.seek(0)
    data = f.read(MAX_DEBUG_OUTPUT)
    text = data.decode("utf-8", "replace")
    if size > MAX_DEBUG_OUTPUT:
        text += "\n[... %d more bytes not shown]" % (size - MAX_DEBUG_OUTPUT)
    return text


def archive_b64():
    try:
        entries = sorted(os.listdir(ARCHIVE_DIR))
    except OSError:
        return None
    if not entries:
        return None
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name in entries:
            tar.add(os.path.join(ARCHIVE_DIR, name), arcname=name)
    if buf.tell() > MAX_ARCHIVE:
        log("archive of %d bytes dropped (limit %d)" % (buf.tell(), MAX_ARCHIVE))
        return None
    return base64.b64encode(buf.getvalue()).decode("ascii")


def chown_tree(top, uid, gid):
    """Give the tree to the worker; folders also become world-writable (so that the agent can remove
    the job folder on the host even when the container is killed before `open_tree` runs)."""
    os.lchown(top, uid, gid)
    os.chmod(top, os.stat(top).st_mode | 0o777)
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            path = os.path.join(root, name)
            try:
                os.lchown(path, uid, gid)
                if name in dirs and not os.path.islink(path):
                    os.chmod(path, os.stat(path).st_mode | 0o777)
            except OSError:
                pass


def open_tree(top):
    """Leave the job's files removable and readable by the agent on the host, whatever its uid."""
    for root, dirs, files in os.walk(top):
        for name in dirs + files + ([""] if root == top else []):
            path = os.path.join(root, name) if name else root
            try:
                if os.path.islink(path):
                    continue
                mode = os.stat(path).st_mode
                os.chmod(path, mode | (0o777 if os.path.isdir(path) else 0o666))
            except OSError:
                pass


def main():
    runtime = Runtime()
    signal.signal(signal.SIGTERM, runtime.on_sigterm)
    try:
        code = runtime.run()
    except Exception as e:  # a bug of ours: say so rather than leave the agent without a result
        log("internal error: %r" % e)
        try:
            runtime.send({"type": "result", "result": {"result": "crash",
                                                        "text": "The grading container failed: %s" % e}})
        except OSError:
            pass
        code = 1
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
