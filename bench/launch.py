"""Start the product or a floor through bench/liveserver.py (the project's one launcher), and
look at a running server from outside: its gunicorn worker's CPU, memory and I/O in /proc."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.liveserver import LiveServer, children, write_config  # noqa: F401 (children: for visits.py)

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

RESULTS = BENCH / "results"


def both_sides(work: Path, clients, measure) -> dict:
    """Measure the server, then the floor, with the same client pool (see run_in)."""
    return run_in(work, clients, lambda: {side: measure(side) for side in ("server", "floor")})


def run_in(work: Path, clients, run):
    """Return run(), then close the client pool. The work folder (configs, databases, logs) is
    removed, or kept and named on a failure."""
    import shutil
    try:
        result = run()
    except Exception:
        print(f"benchmark failed; logs kept in {work}", file=sys.stderr)
        raise
    finally:
        clients.close()
    shutil.rmtree(work, ignore_errors=True)
    return result


def save_results(stem: str, result: dict, markdown: str | None = None) -> list[Path]:
    """Write results/<stem>.json (every figure) and, given, results/<stem>.md (the table)."""
    import json
    RESULTS.mkdir(exist_ok=True)
    paths = [RESULTS / f"{stem}.json"]
    paths[0].write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    if markdown is not None:
        paths.append(RESULTS / f"{stem}.md")
        paths[1].write_text(markdown, encoding="utf-8")
    return paths


def product(folder: Path, overrides: dict | None = None) -> LiveServer:
    """The real server (server.py) on a config written into folder (not started yet)."""
    folder.mkdir(parents=True, exist_ok=True)
    return LiveServer(write_config(folder, overrides))


def floor(module: str, folder: Path, args: list[str] | tuple = ()) -> LiveServer:
    """A bench floor (a module such as bench.floor_app) with its own log in folder (not started yet)."""
    folder.mkdir(parents=True, exist_ok=True)
    return LiveServer(None, module=module, args=args, log=folder / "floor.log")


# --- looking at a running server from outside: /proc ---

def worker_pid(proc: subprocess.Popen, timeout: float = 10.0) -> int:
    """Return the pid of gunicorn's worker: the child of the master proc (one worker)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = [pid for pid in _pids() if _parent(pid) == proc.pid]
        if workers:
            return min(workers)  # gunicorn forks its one worker first
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
