"""Start a server as a subprocess in its own process group, wait for it, and stop it."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start(argv: list[str], cwd: Path, log_path: Path) -> subprocess.Popen:
    """Run argv in a new session (so its whole group can be killed), output to log_path."""
    log = open(log_path, "wb")
    try:
        return subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        log.close()  # the child holds its own copy


def wait_healthy(proc: subprocess.Popen, port: int, timeout: float = 60.0) -> None:
    """Poll GET /healthz until it answers 200; raise if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} before /healthz")
        if _healthz(port):
            return
        time.sleep(0.1)
    raise RuntimeError(f"no answer from /healthz on port {port} within {timeout:.0f} s")


def _healthz(port: int) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def stop(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """Terminate the process group of proc; kill it if it outlives the grace period."""
    if proc.poll() is not None:
        return
    _signal_group(proc, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        _signal_group(proc, signal.SIGKILL)
        proc.wait(grace)
    # A worker that outlived its master would hold the port and the database.
    _signal_group(proc, signal.SIGKILL)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)  # start_new_session made the pid the group id
    except ProcessLookupError:
        pass


def log_tail(path: Path, lines: int = 20) -> str:
    """Return the last lines of a log file, for an error message."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
