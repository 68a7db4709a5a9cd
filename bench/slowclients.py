"""Benchmark GET /api/state of the real server while slow clients hold connections (issue 16).

The server (bench/liveserver.py, gunicorn with web/worker.py's worker) is measured twice at
the same fixed rate, open loop, each request on a new connection and timed from its scheduled
send time: first alone ("calm"), then while one address holds --slow connections open
("slow clients"), a third each of: a request head sent but for its last line, a POST that
declares 10,000 bytes of body and sends one, and a slowloris sending a header byte a second.
Every connection the server cuts is opened again at once, so the number held stays at --slow.
The floor is the server's own calm p99: the target is slow-clients p99 <= 1.5 x calm p99. The
machine is shared and its speed drifts, so the two are measured in alternating rounds
(calm, slow; slow, calm; ...) and the ratio is the median of the rounds' ratios.

Run from the repository root: .venv/bin/python -m bench.slowclients [--quick]
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import os
import platform
import selectors
import socket
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import launch
from bench.liveserver import HOST
from bench.visits import cpu_usage, other_cpu, percentile

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
P99_TARGET = 1.5  # slow-clients p99 / calm p99, at most
KINDS = {
    "head": b"GET /api/state HTTP/1.1\r\nHost: bench\r\n",  # never ends its head
    "body": b"POST /api/state HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10000\r\n\r\n{",  # never sends the rest of its body
    "slowloris": b"GET /api/state HTTP/1.1\r\nHost: bench\r\nX-Slow: ",  # then a byte a second
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each measure (10)")
    parser.add_argument("--rate", type=float, default=20.0, help="GET /api/state per second (20)")
    parser.add_argument("--slow", type=int, default=300, help="slow connections held (300)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per side, alternating (5)")
    parser.add_argument("--quick", action="store_true", help="3-second smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.rounds = 3.0, 1
    return args


class SlowClients:
    """--slow connections from this process, each sending part of a request and then nothing
    more (or a slowloris byte a second); one the server closes is opened again at once."""

    def __init__(self, port: int, count: int):
        self.port, self.count = port, count
        self.selector = selectors.DefaultSelector()
        self.kinds = itertools.cycle(KINDS)
        self.opened = self.cut = self.answered_408 = self.refused = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="slow-clients", daemon=True)

    def start(self) -> "SlowClients":
        for _ in range(self.count):
            self._open()
        self.thread.start()
        return self

    def _open(self) -> None:
        kind = next(self.kinds)
        try:
            connection = socket.create_connection((HOST, self.port), timeout=5)
            connection.sendall(KINDS[kind])
        except OSError:
            self.refused += 1
            return
        connection.setblocking(False)
        self.selector.register(connection, selectors.EVENT_READ, kind)
        self.opened += 1

    def _run(self) -> None:
        next_trickle = time.monotonic() + 1
        while not self.stopping.is_set():
            for key, _ in self.selector.select(timeout=0.2):
                self._on_readable(key.fileobj)
            if time.monotonic() >= next_trickle:
                next_trickle += 1
                self._trickle()
            while len(self.selector.get_map()) < self.count and not self.stopping.is_set():
                self._open()

    def _on_readable(self, connection: socket.socket) -> None:
        try:
            answer = connection.recv(4096)
            if answer:
                self.answered_408 += answer.startswith(b"HTTP/1.1 408 ")
                return  # its end follows
        except BlockingIOError:
            return
        except OSError:
            pass
        self._forget(connection)
        self.cut += 1

    def _trickle(self) -> None:
        for key in list(self.selector.get_map().values()):
            if key.data == "slowloris":
                try:
                    key.fileobj.send(b"a")
                except OSError:
                    pass  # cut: seen as readable (EOF) next

    def _forget(self, connection: socket.socket) -> None:
        self.selector.unregister(connection)
        connection.close()

    def stop(self) -> dict:
        self.stopping.set()
        self.thread.join(10)
        for key in list(self.selector.get_map().values()):
            self._forget(key.fileobj)
        self.selector.close()
        return {"held": self.count, "opened": self.opened, "cut_by_server": self.cut,
                "answered_408": self.answered_408, "failed_to_open": self.refused}


def measure(port: int, rate: float, seconds: float) -> dict:
    """GET /api/state at rate per second for seconds, each on a new connection, open loop."""
    latencies, errors = [], []
    lock = threading.Lock()
    start = time.monotonic() + 0.2

    def one(scheduled: float) -> None:
        time.sleep(max(0.0, scheduled - time.monotonic()))
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        try:
            connection.request("GET", "/api/state")
            answer = connection.getresponse()
            answer.read()
            ok = answer.status == 200
        except OSError as e:
            ok, answer = False, e
        finally:
            connection.close()
        with lock:
            if ok:
                latencies.append(time.monotonic() - scheduled)
            else:
                errors.append(repr(getattr(answer, "status", answer)))

    count = int(rate * seconds)
    with ThreadPoolExecutor(max(4, int(rate * 2))) as pool:
        for i in range(count):
            pool.submit(one, start + i / rate)
    return summary(count, sorted(latencies), errors)


def summary(sent: int, ordered: list[float], errors: list[str]) -> dict:
    return {"sent": sent, "ok": len(ordered), "errors": len(errors), "error_samples": errors[:5],
            "p50_ms": percentile(ordered, 50) * 1000, "p99_ms": percentile(ordered, 99) * 1000,
            "max_ms": (ordered[-1] * 1000) if ordered else float("nan"), "latencies": ordered}


def measure_with_slow_clients(port: int, args) -> tuple[dict, dict]:
    """Hold --slow connections, measure, let them go; return the measure and what they saw."""
    slow = SlowClients(port, args.slow).start()
    try:
        time.sleep(1.0)
        return measure(port, args.rate, args.seconds), slow.stop()
    except BaseException:
        slow.stop()
        raise


def run(args) -> dict:
    """Start the server and measure it in alternating rounds, calm and with slow clients."""
    started, load = time.strftime("%Y-%m-%d %H:%M:%S"), cpu_usage()
    rounds = {"calm": [], "slow": []}
    held = []
    with tempfile.TemporaryDirectory(prefix="bench-slow-") as folder:
        server = launch.product(Path(folder) / "server", {"server": {"host": HOST}}).start()
        try:
            measure(server.port, args.rate, 2.0)  # warm-up
            for number in range(args.rounds):
                for side in ("calm", "slow") if number % 2 == 0 else ("slow", "calm"):
                    if side == "calm":
                        rounds["calm"].append(measure(server.port, args.rate, args.seconds))
                    else:
                        measured, connections = measure_with_slow_clients(server.port, args)
                        rounds["slow"].append(measured)
                        held.append(connections)
                    time.sleep(1.0)  # the slow connections just closed are gone from the server
        finally:
            server.stop()
    ratios = [slow["p99_ms"] / calm["p99_ms"] for calm, slow in zip(rounds["calm"], rounds["slow"])]
    sides = {side: pooled(measures) for side, measures in rounds.items()}
    ratio = statistics.median(ratios)
    machine = f"{platform.machine()}, {len(os.sched_getaffinity(0))} CPUs"
    return {"config": {"started": started, "machine": machine,
                       "rate": args.rate, "seconds": args.seconds, "rounds": args.rounds, "slow": args.slow,
                       "code": launch.code_version(ROOT), "other": other_cpu(load)},
            "calm": sides["calm"], "slow_clients": sides["slow"], "round_ratios": ratios,
            "connections": {key: sum(c[key] for c in held) for key in held[0]} | {"held": args.slow},
            "ratio": ratio, "target_met": ratio <= P99_TARGET and not sides["slow"]["errors"]}


def pooled(measures: list[dict]) -> dict:
    """One side's rounds: each round's p99, the median round's, and the figures of all pooled."""
    every = summary(sum(m["sent"] for m in measures), sorted(x for m in measures for x in m.pop("latencies")),
                    [e for m in measures for e in m["error_samples"]])
    every.pop("latencies")
    every["errors"] = sum(m["errors"] for m in measures)
    return {**every, "pooled_p99_ms": every["p99_ms"], "round_p99_ms": [m["p99_ms"] for m in measures],
            "p99_ms": statistics.median(m["p99_ms"] for m in measures)}


def markdown(result: dict) -> str:
    """Return the result as a Markdown page."""
    c, calm, slow, held = result["config"], result["calm"], result["slow_clients"], result["connections"]
    row = ("| {} | {sent} | {ok} | {errors} | {p50_ms:.1f} | {p99_ms:.1f} ({rounds}) | {pooled_p99_ms:.1f} "
           "| {max_ms:.1f} |")
    return "\n".join([
        "# Benchmark: GET /api/state with slow clients", "",
        f"{c['started']}, {c['machine']}; {c['rate']:g} requests/s, each on a new connection, open loop, in "
        f"{c['rounds']} alternating rounds of {c['seconds']:g} s per side; other processes used "
        f"{c['other']['cores']:.2f} cores. Code: {c['code']}.", "",
        "| measure | sent | ok | errors | p50 (ms) | p99 (ms): median round (rounds) | p99 pooled (ms) | max (ms) |",
        "|---|---|---|---|---|---|---|---|",
        row.format("calm", rounds=_listed(calm["round_p99_ms"]), **calm),
        row.format(f"{c['slow']} slow connections", rounds=_listed(slow["round_p99_ms"]), **slow), "",
        f"**p99 ratio {result['ratio']:.2f}**, the median of the rounds' ratios ({_listed(result['round_ratios'])}); "
        f"target <= {P99_TARGET:g} and no errors: {'met' if result['target_met'] else 'NOT met'}.", "",
        f"Slow connections from one address, a third each: an unfinished head, a POST that sends 1 of "
        f"its 10,000 bytes of body, a slowloris sending a header byte a second. {held['opened']} opened "
        f"over the slow rounds to keep {held['held']} held; the server closed {held['cut_by_server']} of them, "
        f"{held['answered_408']} after answering 408; {held['failed_to_open']} failed to open.", ""])


def _listed(values: list[float]) -> str:
    return ", ".join(f"{x:.1f}" for x in values)


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, write bench/results/slowclients.{json,md}."""
    args = parse_args(argv)
    result = run(args)
    page = markdown(result)
    print(page)
    for path in launch.save_results("slowclients-quick" if args.quick else "slowclients", result, page):
        print(f"wrote {path.relative_to(ROOT)}")
    return 0 if result["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
