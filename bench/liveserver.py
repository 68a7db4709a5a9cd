"""A real server for tests and benchmarks: `python server.py` (gunicorn) on a temporary config
and a free port, in its own process group so that kill -9 takes the master and its worker.

The one launcher of the project: tests start the product with it, and bench/ starts the
product and its floors (bench.floor_*, given as `module` and run as `python -m`) with it too.
"""
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
HOST = "127.0.0.1"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def any_day_overrides(database: Path) -> dict:
    """Config overrides under which tests and benchmarks run at any hour on any date: a
    database of their own, no rate limits, no [hours] or closing time, no dated windows (a
    test that needs them sets them), and KTP-el postponed until further notice, as in the
    seed's weeks."""
    with open(ROOT / "config.toml", "rb") as f:
        services = tomllib.load(f)["services"]
    return {"server": {"database": str(database)},
            "limits": {"visits_per_kiosk": "", "logins_per_address": "", "logins_per_account": "",
                       "requests_per_address": "", "sockets_per_address": "", "bookings_per_address": "",
                       "joins_per_address": ""},
            "hours": None,
            "admission": {"closes_at": None, "windows": []},
            "services": [{**s, "postponed": s["code"] == "ktp"} for s in services]}


def write_config(folder: Path, overrides: dict | None = None) -> Path:
    """Write config.toml with a database in folder, any_day_overrides() and overrides."""
    with open(ROOT / "config.toml", "rb") as f:
        data = tomllib.load(f)
    data = configuration.merge(configuration.merge(data, any_day_overrides(folder / "antrian.db")),
                               overrides or {})
    path = folder / "config.toml"
    path.write_text(tomli_w.dumps(data))
    return path


class LiveServer:
    """Start, kill and restart the production server (or a bench floor) on one config."""

    def __init__(self, config: Path | None, port: int | None = None, module: str | None = None,
                 args: list[str] | tuple = (), log: Path | None = None, clock: str | None = None):
        self.config, self.port = config, port or free_port()
        # what the server's clock reads at start (ANTRIAN_TEST_CLOCK), e.g. "2026-12-24T09:00:00+07:00"
        self.env = {**os.environ, "ANTRIAN_TEST_CLOCK": clock} if clock else None
        self.url = f"http://{HOST}:{self.port}"
        # server.py runs as production runs it; a floor is a module of the bench package
        self.program = ["-m", module] if module else ["server.py"]
        self.args = list(args)
        self.process: subprocess.Popen | None = None
        self.log = log or config.parent / "server.log"
        self.ready_at: float | None = None  # time.monotonic() when /healthz last answered a start

    def argv(self) -> list[str]:
        config = ["--config", str(self.config)] if self.config else []
        return [sys.executable, *self.program, *config, *self.args, "--host", HOST,
                "--port", str(self.port)]

    def start(self, timeout: float = 30) -> "LiveServer":
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.argv(), cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=log, start_new_session=True, env=self.env)
        try:
            self.wait_ready(timeout)
        except BaseException:
            self.kill()  # a half-started server must not keep the port or the database
            raise
        return self

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_tail()}")
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1).read()
                self.ready_at = time.monotonic()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"server did not answer in {timeout} s: {self.log_tail()}")

    @property
    def pid(self) -> int | None:
        """The master's pid, which is also the process group's id (start_new_session)."""
        return self.process.pid if self.process else None

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

    def stop(self, grace: float = 10) -> None:
        """Stop the group with SIGTERM; kill it when it outlives the grace period."""
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(grace)
        # A worker that outlived its master would hold the port and the database.
        self.kill()

    def kiosk_cookies(self) -> dict[str, str]:
        """Device cookies enrolling a client as every kiosk of the config, made in the server's
        database as `flask --app server kiosks enroll` and opening its link would (cached: they
        stay valid across restarts, until revoked)."""
        if not getattr(self, "_kiosk_cookies", None):
            self._kiosk_cookies = enroll_kiosks(self.config)
        return dict(self._kiosk_cookies)

    def kiosk_headers(self) -> dict[str, str]:
        """The same cookies as a Cookie header, for urllib and raw clients."""
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.kiosk_cookies().items())}

    def restart(self) -> "LiveServer":
        self.kill()
        return self.start()

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the server's log, for an error message."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def enroll_kiosks(config_path: Path) -> dict[str, str]:
    """Enroll a device for every kiosk of a config in its database; return the cookies."""
    from queueing.kiosks import KioskDevices
    from queueing.store import Store
    from web.devices import COOKIE_PREFIX
    config = configuration.load(config_path)
    store = Store(config.server.database)
    try:
        devices = KioskDevices(config, store)
        return {COOKIE_PREFIX + k.id: devices.enroll_directly(k.id, "test") for k in config.kiosks}
    finally:
        store.close()


def _group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs; a zombie holds no file or port (Linux /proc)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    return False


def children(pid: int) -> list[int]:
    """The pids of a process's children (Linux /proc): gunicorn's worker, its print process."""
    found = []
    for path in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            found += [int(p) for p in path.read_text().split()]
    return sorted(found)
