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


# --- looking at a running server from outside: /proc ---

def worker_pid(proc: subprocess.Popen, timeout: float = 10.0) -> int:
    """Return the pid of gunicorn's worker: the child of the master proc (one worker)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = [pid for pid in _pids() if _parent(pid) == proc.pid]
        if children:
            return min(children)  # gunicorn forks its one worker first
        time.sleep(0.1)
    raise RuntimeError(f"no gunicorn worker under pid {proc.pid} within {timeout:.0f} s")


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _stat_fields(pid: int) -> list[str]:
    """Fields of /proc/<pid>/stat after the command name (which may hold spaces): state first."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def _parent(pid: int) -> int:
    try:
        return int(_stat_fields(pid)[1])
    except (OSError, IndexError, ValueError):
        return -1


def cpu_seconds(pid: int) -> float:
    """Return the user + system CPU seconds a process has used so far."""
    fields = _stat_fields(pid)
    # utime and stime are fields 14 and 15 of stat; state (field 3) is fields[0] here.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int) -> dict:
    """Return the resident set now (VmRSS) and at its peak (VmHWM), in MB."""
    found = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM", "Threads"):
                found[name] = int(rest.split()[0])
    return {"rss_mb": found.get("VmRSS", 0) / 1024, "peak_mb": found.get("VmHWM", 0) / 1024,
            "threads": found.get("Threads", 0)}


def io_counters(pid: int) -> dict:
    """Return /proc/<pid>/io: bytes written to storage (write_bytes), by write calls (wchar)..."""
    with open(f"/proc/{pid}/io") as f:
        return {name: int(value) for name, _, value in (line.partition(":") for line in f)}


def code_version(root: Path) -> str:
    """The commit the product runs from, and whether files outside bench/ differ from it
    (read-only git; others may be editing the tree while a benchmark runs)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                                text=True, timeout=10).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                                capture_output=True, text=True, timeout=10).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    changed = [line[3:] for line in status if not line[3:].startswith("bench/")]
    python = [path for path in changed if path.endswith(".py")]
    if not changed:
        return commit
    return commit + f" + {len(changed)} changed files" + (f" (Python: {', '.join(python)})" if python else
                                                           " (none of them Python)")
