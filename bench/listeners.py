"""Hall screens: python-socketio clients (websocket transport), spread over worker processes,
each stamping the arrival of every `queue` event of type "called" with time.time().

Several processes, as in loadgen.py, because the clients of one process share its GIL.
time.time() is the same clock in every process on one machine, so the parent can compare
an arrival with the time it sent the call. Event handlers run in each client's reader
thread instead of a new thread per message (python-socketio's default): the arrival is
stamped when the frame is read, and the two sides are received by the same code.
"""
from __future__ import annotations

import multiprocessing
import resource
import time

import engineio
import socketio

HOST = "127.0.0.1"
CONNECT_TIMEOUT = 10.0       # one client's connection, handshake and namespace included
CONNECT_BUDGET = 120.0       # all of one process's clients
MAX_COMMANDS = 1_000         # per worker process
COMMAND_WAIT = 900.0         # a worker waits this long for its next command, then leaves
REPLY_WAIT = 180.0           # the parent waits this long for a worker's answer
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


def worker_main(pipe) -> None:
    """A listener process: connect, mark, collect and disconnect screens on command."""
    screens: list[Screen] = []
    mark = _own_cpu()
    try:
        for _ in range(MAX_COMMANDS):
            if not pipe.poll(COMMAND_WAIT):
                return
            command = pipe.recv()
            if command is None:
                return
            op = command["op"]
            if op == "connect":
                for screen in screens:
                    screen.close()
                screens, reply = connect_screens(command["port"], command["count"])
            elif op == "mark":
                mark, reply = _own_cpu(), {}
            elif op == "collect":
                reply = {"screens": [s.report() for s in screens], "cpu_seconds": _own_cpu() - mark}
            elif op == "disconnect":
                for screen in screens:
                    screen.close()
                screens, reply = [], {}
            else:
                reply = {"error": f"unknown op {op!r}"}
            pipe.send(reply)
    finally:
        for screen in screens:
            screen.close()


class Listeners:
    """The listener processes, each holding a share of the screens."""

    def __init__(self, processes: int):
        # Fork before the caller starts any thread, as loadgen.Loaders does.
        context = multiprocessing.get_context("fork")
        self.pipes, self.procs = [], []
        for _ in range(processes):
            parent, child = context.Pipe()
            proc = context.Process(target=worker_main, args=(child,), daemon=True)
            proc.start()
            self.pipes.append(parent)
            self.procs.append(proc)

    def _all(self, commands: list[dict]) -> list[dict]:
        for pipe, command in zip(self.pipes, commands):
            pipe.send(command)
        replies = []
        for pipe in self.pipes:
            if not pipe.poll(REPLY_WAIT):
                raise RuntimeError("a listener process did not answer")
            replies.append(pipe.recv())
        return replies

    def connect(self, port: int, count: int) -> dict:
        """Connect count screens in all, split over the processes (in parallel)."""
        shares = [count // len(self.pipes) + (i < count % len(self.pipes)) for i in range(len(self.pipes))]
        replies = self._all([{"op": "connect", "port": port, "count": n} for n in shares])
        return {"connected": sum(r["connected"] for r in replies),
                "failed": sum(r["failed"] for r in replies),
                "errors": [e for r in replies for e in r["errors"]][:SAMPLES],
                "seconds": max(r["seconds"] for r in replies)}

    def mark(self) -> None:
        """Start counting the processes' CPU from now."""
        self._all([{"op": "mark"}] * len(self.pipes))

    def collect(self) -> tuple[list[dict], float]:
        """Return every screen's report and the processes' CPU seconds since the mark."""
        replies = self._all([{"op": "collect"}] * len(self.pipes))
        return [s for r in replies for s in r["screens"]], sum(r["cpu_seconds"] for r in replies)

    def disconnect(self) -> None:
        self._all([{"op": "disconnect"}] * len(self.pipes))

    def close(self) -> None:
        """Tell the processes to leave and wait for them."""
        for pipe in self.pipes:
            try:
                pipe.send(None)
            except OSError:
                pass
        for proc in self.procs:
            proc.join(30)
            if proc.is_alive():
                proc.terminate()
                proc.join(5)
