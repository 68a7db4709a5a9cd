"""Hall screens: python-socketio clients (websocket transport), spread over worker processes,
each stamping the arrival of every `queue` event of type "called" with time.time().

Several processes (workers.py), because the clients of one process share its GIL.
time.time() is the same clock in every process on one machine, so the parent can compare
an arrival with the time it sent the call. Event handlers run in each client's reader
thread instead of a new thread per message (python-socketio's default): the arrival is
stamped when the frame is read, and the two sides are received by the same code.
"""
from __future__ import annotations

import resource
import time

import engineio
import socketio

from bench.workers import Pool, shares

HOST = "127.0.0.1"
CONNECT_TIMEOUT = 10.0       # one client's connection, handshake and namespace included
CONNECT_BUDGET = 120.0       # all of one process's clients
SAMPLES = 5                  # error messages kept per process


class _InlineEngineIO(engineio.Client):
    """An Engine.IO client that hands each message to Socket.IO in the reader thread."""

    def _trigger_event(self, event, *args, **kwargs):
        if event == "message":
            kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)


class _InlineClient(socketio.Client):
    def _engineio_client_class(self):
        return _InlineEngineIO


class Screen:
    """One hall screen: a Socket.IO client and when each `called` event reached it."""

    def __init__(self):
        self.arrivals: dict[str, float] = {}  # ticket number -> time.time() of its first `called`
        self.events = self.duplicates = self.disconnects = 0
        self.client = _InlineClient(reconnection_attempts=3)
        self.client.on("queue", self._on_queue)
        self.client.on("disconnect", self._on_disconnect)

    def _on_queue(self, data) -> None:
        now = time.time()
        self.events += 1
        if not isinstance(data, dict) or data.get("event") != "called":
            return
        number = (data.get("ticket") or {}).get("number")
        if number in self.arrivals:
            self.duplicates += 1
        else:
            self.arrivals[number] = now

    def _on_disconnect(self, *reason) -> None:
        self.disconnects += 1

    def connect(self, port: int) -> None:
        self.client.connect(f"http://{HOST}:{port}", transports=["websocket"],
                            wait_timeout=CONNECT_TIMEOUT)

    def report(self) -> dict:
        return {"arrivals": dict(self.arrivals), "events": self.events,
                "duplicates": self.duplicates, "disconnects": self.disconnects,
                "connected": self.client.connected}

    def close(self) -> None:
        try:
            self.client.disconnect()
        except Exception:  # a screen the server already dropped: nothing left to close
            pass


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def connect_screens(port: int, count: int) -> tuple[list[Screen], dict]:
    """Connect count screens one after the other; return them and how it went."""
    screens, errors, failed = [], [], 0
    began = time.monotonic()
    for _ in range(count):
        if time.monotonic() - began > CONNECT_BUDGET:
            failed += count - len(screens) - failed
            break
        screen = Screen()
        try:
            screen.connect(port)
            screens.append(screen)
        except Exception as e:  # counted: a screen that cannot connect loses every call
            failed += 1
            if len(errors) < SAMPLES:
                errors.append(f"{type(e).__name__}: {e}")
            screen.close()
    return screens, {"connected": len(screens), "failed": failed, "errors": errors,
                     "seconds": time.monotonic() - began}


class ScreenSet:
    """A listener process's screens, driven by the parent's commands."""

    def __init__(self):
        self.screens: list[Screen] = []
        self.mark = _own_cpu()

    def __call__(self, command: dict) -> dict:
        op = command["op"]
        if op == "connect":
            self.close()
            self.screens, reply = connect_screens(command["port"], command["count"])
            return reply
        if op == "mark":
            self.mark = _own_cpu()
            return {}
        if op == "collect":
            return {"screens": [s.report() for s in self.screens], "cpu_seconds": _own_cpu() - self.mark}
        if op == "disconnect":
            self.close()
            return {}
        return {"error": f"unknown op {op!r}"}

    def close(self) -> None:
        for screen in self.screens:
            screen.close()
        self.screens = []


class Listeners:
    """The listener processes, each holding a share of the screens."""

    def __init__(self, processes: int):
        # Forked before the caller starts any thread (see workers.py).
        self.pool = Pool(processes, lambda index: ScreenSet())

    def connect(self, port: int, count: int) -> dict:
        """Connect count screens in all, split over the processes (in parallel)."""
        replies = self.pool.ask([{"op": "connect", "port": port, "count": n}
                                 for n in shares(count, len(self.pool))])
        return {"connected": sum(r["connected"] for r in replies),
                "failed": sum(r["failed"] for r in replies),
                "errors": [e for r in replies for e in r["errors"]][:SAMPLES],
                "seconds": max(r["seconds"] for r in replies)}

    def mark(self) -> None:
        """Start counting the processes' CPU from now."""
        self.pool.ask_all({"op": "mark"})

    def collect(self) -> tuple[list[dict], float]:
        """Return every screen's report and the processes' CPU seconds since the mark."""
        replies = self.pool.ask_all({"op": "collect"})
        return [s for r in replies for s in r["screens"]], sum(r["cpu_seconds"] for r in replies)

    def disconnect(self) -> None:
        self.pool.ask_all({"op": "disconnect"})

    def close(self) -> None:
        """Tell the processes to leave and wait for them."""
        self.pool.close()
