"""A real server for tests: `python server.py` (gunicorn) on a temporary config and a free port."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import tomli_w

from queueing import config as configuration

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(folder: Path, overrides: dict | None = None) -> Path:
    """Write config.toml with a database in folder, no rate limits, no closing hour, and overrides."""
    with open(ROOT / "config.toml", "rb") as f:
        data = tomllib.load(f)
    data["admission"].pop("closes_at", None)  # real clock: tests may run at any hour
    base = {"server": {"database": str(folder / "antrian.db")},
            "limits": {"visits_per_kiosk": "", "logins_per_address": ""},
            "admission": {"windows": []}}
    data = configuration.merge(configuration.merge(data, base), overrides or {})
    path = folder / "config.toml"
    path.write_text(tomli_w.dumps(data))
    return path


class LiveServer:
    """Start, kill and restart the production server on one config."""

    def __init__(self, config: Path, port: int | None = None):
        self.config, self.port = config, port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = config.parent / "server.log"

    def start(self, timeout: float = 30) -> "LiveServer":
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "server.py", "--config", str(self.config), "--host", "127.0.0.1",
                 "--port", str(self.port)], cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1).read()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"server did not answer in {timeout} s")

    def kill(self) -> None:
        """kill -9 the whole process group (gunicorn's master and its worker); wait until both are gone."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        deadline = time.monotonic() + 10  # the worker, a grandchild, is reaped by init
        while time.monotonic() < deadline and _group_alive(self.process.pid):
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> "LiveServer":
        self.kill()
        return self.start()


def _group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs; a zombie holds no file or port (Linux /proc)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    return False
