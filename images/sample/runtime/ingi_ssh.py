"""An SSH server for debug sessions (grading container with debug "ssh", or a student container asked for SSH)."""
import os
import secrets
import subprocess
import time

CONNECT_WAIT_S = 120  # as upstream: a session must begin within 2 minutes
HOST_KEY = "/etc/ssh/ssh_host_ed25519_key"


def start_sshd(user):
    """Starts sshd on port 22 for `user` with a new random password, and returns that password."""
    password = secrets.token_urlsafe(12)
    subprocess.run(["/usr/sbin/chpasswd"], input=("%s:%s\n" % (user, password)).encode(), check=True)
    if not os.path.exists(HOST_KEY):
        subprocess.run(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", HOST_KEY], check=True)
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    subprocess.run(["/usr/sbin/sshd", "-p", "22", "-h", HOST_KEY,
                    "-o", "PasswordAuthentication=yes", "-o", "KbdInteractiveAuthentication=no",
                    "-o", "PermitRootLogin=%s" % ("yes" if user == "root" else "no"),
                    "-o", "AllowUsers=%s" % user, "-o", "StrictModes=no", "-o", "UsePAM=no"], check=True)
    return password


def sessions(user):
    """Number of SSH sessions open for `user` (sshd names their processes "sshd: user@...")."""
    count = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if f.read().startswith(("sshd: %s@" % user).encode()):
                    count += 1
        except OSError:
            pass
    return count


def wait_for_session(user):
    """Waits for a session to begin (at most CONNECT_WAIT_S), then for every session to end."""
    deadline = time.monotonic() + CONNECT_WAIT_S
    while sessions(user) == 0:
        if time.monotonic() > deadline:
            return False
        time.sleep(1)
    while sessions(user) > 0:
        time.sleep(1)
    return True
