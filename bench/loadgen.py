"""Kiosk clients: POST /api/visits over keep-alive HTTP/1.1, threads inside worker processes.

Several processes, because the threads of one process share the GIL and a single
process could not keep 20 kiosks busy. Times are time.monotonic(), which on Linux is
the same clock (CLOCK_MONOTONIC) in every process, so the parent can hand out one
start time to all workers.
"""
from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass, field

from bench.workers import Pool

HOST = "127.0.0.1"
PATH = "/api/visits"
HEADERS = {"Content-Type": "application/json"}
COOKIE_PREFIX = "antrian_kiosk_"  # the device cookie of an enrolled kiosk (web/devices.py)
EXPECTED = 201
TIMEOUT = 30.0               # one request may take this long before it counts as an error
MAX_REQUESTS = 1_000_000     # per client and phase: a bound, never reached in practice
START_DELAY = 0.5            # lets every worker connect before the common start time
SAMPLES = 5                  # error messages kept per client
RETRIABLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


@dataclass
class Tally:
    """What one client (or all of them, merged) saw in one phase."""

    ok: int = 0
    errors: int = 0
    unsent: int = 0
    reconnects: int = 0
    span: float = 0.0        # from the phase's start to the last answer, in seconds
    latencies: list[float] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)

    def error(self, text: str) -> None:
        self.errors += 1
        if len(self.samples) < SAMPLES:
            self.samples.append(text)

    def merge(self, other: "Tally") -> None:
        self.ok, self.errors = self.ok + other.ok, self.errors + other.errors
        self.unsent, self.reconnects = self.unsent + other.unsent, self.reconnects + other.reconnects
        self.span = max(self.span, other.span)
        self.latencies += other.latencies
        self.samples += other.samples[:max(0, SAMPLES * 4 - len(self.samples))]


class Kiosk:
    """One kiosk: its id and its own persistent connection."""

    def __init__(self, port: int, kiosk_id: str, tag: str, tally: Tally, cookies: dict | None = None):
        self.kiosk_id, self.tag, self.tally = kiosk_id, tag, tally
        self.conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
        self.count = 0
        # The server serves enrolled kiosks only: send this kiosk's device cookie (floors ignore it).
        cookie = (cookies or {}).get(COOKIE_PREFIX + kiosk_id)
        self.headers = {**HEADERS, "Cookie": f"{COOKIE_PREFIX}{kiosk_id}={cookie}"} if cookie else HEADERS

    def connect(self) -> None:
        """Open the connection now, so the first measured request does not pay for it."""
        try:
            self.conn.connect()
        except OSError:
            self.conn.close()  # the first request will try again and count the failure

    def visit(self) -> bool:
        """Send one visit with a fresh request_id; return True on the expected status."""
        self.count += 1
        body = json.dumps({"kiosk": self.kiosk_id, "service": "kk",
                           "request_id": f"{self.tag}-{self.kiosk_id}-{self.count}"})
        try:
            status, data = self._post(body)
        except (OSError, http.client.HTTPException) as e:
            self.conn.close()
            self.tally.error(f"{type(e).__name__}: {e}")
            return False
        if status != EXPECTED:
            self.tally.error(f"HTTP {status}: {data[:200].decode(errors='replace')}")
            return False
        return True

    def _post(self, body: str) -> tuple[int, bytes]:
        # A keep-alive connection the server closed while idle fails on reuse: reopen once.
        # Resending is safe: the same request_id is answered from the visits table.
        for attempt in range(2):
            try:
                self.conn.request("POST", PATH, body, self.headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except RETRIABLE:
                self.conn.close()
                if attempt:
                    raise
                self.tally.reconnects += 1
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


def sleep_until(moment: float) -> None:
    """Sleep until the monotonic clock reaches moment."""
    delay = moment - time.monotonic()
    if delay > 0:
        time.sleep(delay)


def closed_loop(kiosk: Kiosk, start_at: float, end_at: float) -> None:
    """Send back to back from start_at; count what completes before end_at."""
    sleep_until(start_at)
    for _ in range(MAX_REQUESTS):
        began = time.monotonic()
        if began >= end_at:
            return
        ok = kiosk.visit()
        done = time.monotonic()
        if done > end_at:
            return  # finished outside the window: neither counted nor timed
        if ok:
            kiosk.tally.ok += 1
            kiosk.tally.latencies.append(done - began)
            kiosk.tally.span = done - start_at


def open_loop(kiosk: Kiosk, start_at: float, times: list[float], hard_end: float) -> None:
    """Send at each scheduled time (or at once if late); time each from its schedule."""
    for i, scheduled in enumerate(times):
        sleep_until(scheduled)
        if time.monotonic() >= hard_end:
            kiosk.tally.unsent += len(times) - i
            return
        if kiosk.visit():
            done = time.monotonic()
            kiosk.tally.ok += 1
            # From the scheduled time, not the send time: a server that makes the kiosk
            # wait delays the kiosk's next visits too, and that wait must show.
            kiosk.tally.latencies.append(done - scheduled)
            kiosk.tally.span = done - start_at


def run_phase(command: dict) -> Tally:
    """Run one phase for this process's kiosks and return their merged tally."""
    tallies = [Tally() for _ in command["kiosks"]]
    kiosks = [Kiosk(command["port"], kiosk_id, command["tag"], tally, command.get("cookies"))
              for (kiosk_id, _), tally in zip(command["kiosks"], tallies)]
    for kiosk in kiosks:
        kiosk.connect()
    threads = [threading.Thread(target=_target(command, kiosk, offset), daemon=True)
               for kiosk, (_, offset) in zip(kiosks, command["kiosks"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, command["hard_end"] + TIMEOUT + 5 - time.monotonic()))
    for kiosk in kiosks:
        kiosk.close()
    total = Tally()
    for tally in tallies:
        total.merge(tally)
    return total


def _target(command: dict, kiosk: Kiosk, offset: float):
    start_at = command["start_at"]
    if command["mode"] == "closed":
        return lambda: closed_loop(kiosk, start_at, start_at + command["seconds"])
    times = [start_at + offset + i * command["interval"] for i in range(command["count"])]
    return lambda: open_loop(kiosk, start_at, times, command["hard_end"])


class Loaders:
    """The load-generator processes, each driving a share of the kiosks with threads."""

    def __init__(self, processes: int):
        # Forked before the caller starts any thread (see workers.py).
        self.pool = Pool(processes, lambda index: run_phase)
        self.cookies: dict[str, str] = {}  # the server's kiosk device cookies, once it runs

    def run(self, command: dict, kiosks: list[tuple[str, float]]) -> Tally:
        """Split the kiosks over the processes, start them together, merge their tallies."""
        start_at = time.monotonic() + START_DELAY
        command = {**command, "start_at": start_at, "cookies": self.cookies,
                   "hard_end": start_at + command.get("hard_seconds", command["seconds"])}
        parts = [kiosks[i::len(self.pool)] for i in range(len(self.pool))]
        wait = command["hard_end"] + TIMEOUT + 30 - time.monotonic()
        total = Tally()
        for tally in self.pool.ask([{**command, "kiosks": part} for part in parts], wait):
            total.merge(tally)
        return total

    def close(self) -> None:
        """Tell the processes to leave and wait for them."""
        self.pool.close(10)
