"""Benchmark call-to-screen latency: a counter's call-next reaching 200 Socket.IO screens.

The real server (server.py on a bench config, gunicorn gthread, one worker) and its floor
(bench/floor_broadcast.py: the same stack whose POST only emits the same payload to every
client) run one after the other with the same screens: python-socketio clients on the
websocket transport, spread over a few processes (bench/listeners.py), each stamping the
arrival of every `queue` event of type "called" with time.time().

On the server a staff account (made with the CLI, password on stdin) logs in, the kiosk
issues one ticket per call before the screens connect, then the driver calls at a fixed
rate: call-next (its send time is the call's time), start, finish. The floor gets the same
three POSTs per call, so both sides broadcast the same number of messages. Latency of a
delivery = its arrival - the send time of its call; a call a screen never got is lost.
Each websocket holds one gunicorn thread: both sides run with [server].threads = 300.

A diagnostic on the server only, after the calls: POST /api/visits from 10 kiosks back to
back for 3 s with the screens still connected (every visit is a `queue` event to each of
them), then again after they left: what 200 screens cost admission.

Run from the repository root: .venv/bin/python -m bench.broadcast [--quick]
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

from bench import benchconfig, launch
from bench.listeners import Listeners
from bench.loadgen import TIMEOUT, Kiosk, Tally, closed_loop
from bench.visits import _cpus, _other, _ratio, cpu_usage, other_cpu, percentile, text_table

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
THREADS = 300          # gunicorn threads on both sides: 200 websockets plus HTTP
P50_TARGET = P99_TARGET = 1.5   # server / floor, at most
RSS_TARGET_MB = 150.0  # the server's worker with every screen connected, at most
STAFF, COUNTER, KIOSK = "bench", 1, benchconfig.kiosk_id(1)
HTTP_TIMEOUT = 30.0    # one driver request
SETTLE = 3.0           # seconds after the last call for the last deliveries to arrive
CONNECTED_REST = 1.0   # seconds between the last screen connecting and the first call
ADMISSION_KIOSKS = 10  # the admission diagnostic's kiosks, back to back
ADMISSION_SECONDS = 3.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200, help="Socket.IO screens (200)")
    parser.add_argument("--processes", type=int, default=4, help="listener processes (4)")
    parser.add_argument("--calls", type=int, default=200, help="calls per side (200)")
    parser.add_argument("--rate", type=float, default=5.0, help="calls per second (5)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 50 screens, 20 calls")
    args = parser.parse_args(argv)
    if args.quick:
        args.clients, args.calls = min(args.clients, 50), min(args.calls, 20)
    if not 0 < args.clients <= 1000 or not 0 < args.processes <= 16 or not 0 < args.calls <= 999 \
            or args.rate <= 0:
        parser.error("--clients 1-1000, --processes 1-16, --calls 1-999, --rate positive")
    args.threads = max(THREADS, args.clients + 100)
    return args


# --- the two sides ---

def start_server(work: Path, threads: int) -> tuple:
    """Start server.py on a bench config with a staff account; return it and the password."""
    server = launch.product(work / "server", benchconfig.bench_overrides(ADMISSION_KIOSKS, threads=threads))
    password = secrets.token_urlsafe(18)
    add_staff(server.config, password)
    return server.start(60), password


def add_staff(config_path: Path, password: str) -> None:
    """Create the staff account of counter 1 with the CLI, the password on standard input."""
    argv = [sys.executable, "-m", "flask", "--app", "server", "users", "add", STAFF,
            "--role", "staff", "--counter", str(COUNTER)]
    done = subprocess.run(argv, cwd=ROOT, input=password + "\n", text=True, capture_output=True,
                          env={**os.environ, "KIOSK_CONFIG": str(config_path)}, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"users add failed: {done.stderr or done.stdout}")


def start_floor(work: Path, threads: int):
    """Start bench/floor_broadcast.py (in work/floor)."""
    return launch.floor("bench.floor_broadcast", work / "floor", ["--threads", str(threads)]).start(60)


class ServerDriver:
    """Counter 1's staff: tickets issued beforehand, then call-next, start, finish."""

    def __init__(self, port: int, password: str, cookies: dict[str, str]):
        self.base, self.password = f"http://127.0.0.1:{port}", password
        self.http = requests.Session()
        self.http.cookies.update(cookies)  # it issues the tickets as an enrolled kiosk too

    def prepare(self, calls: int) -> None:
        """Log in (the CSRF token goes on every change) and issue one ticket per call."""
        answer = self._post("/api/login", {"username": STAFF, "password": self.password}, 200)
        self.http.headers["X-CSRFToken"] = answer["csrf_token"]
        tag = uuid.uuid4().hex[:8]
        for i in range(calls):
            self._post("/api/visits", {"kiosk": KIOSK, "service": "kk",
                                       "request_id": f"bench-{tag}-{i}"}, 201)

    def call(self, i: int) -> dict:
        return self._post(f"/api/counters/{COUNTER}/call-next", {}, 200)["ticket"]

    def after(self, ticket: dict) -> None:
        for move in ("start", "finish"):
            self._post(f"/api/tickets/{ticket['id']}/{move}", {}, 200)

    def _post(self, path: str, body: dict, expected: int) -> dict:
        response = self.http.post(self.base + path, json=body, timeout=HTTP_TIMEOUT)
        if response.status_code != expected:
            raise RuntimeError(f"POST {path}: HTTP {response.status_code} {response.text[:200]}")
        return response.json()


class FloorDriver:
    """The same three POSTs per call to the floor's emit endpoint."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.http = requests.Session()

    def prepare(self, calls: int) -> None:
        pass

    def call(self, i: int) -> dict:
        number = f"B{i + 1:03d}"
        self._emit("called", number)
        return {"number": number}

    def after(self, ticket: dict) -> None:
        for event in ("started", "finished"):
            self._emit(event, ticket["number"])

    def _emit(self, event: str, number: str) -> None:
        response = self.http.post(self.base + "/api/emit", json={"event": event, "number": number},
                                  timeout=HTTP_TIMEOUT)
        if response.status_code != 200:
            raise RuntimeError(f"POST /api/emit: HTTP {response.status_code} {response.text[:200]}")


# --- measuring ---

def drive(driver, calls: int, rate: float) -> dict:
    """Call at a fixed rate; return each call's number, send time (time.time()) and HTTP time."""
    sent, errors, samples = [], 0, []
    interval = 1 / rate
    start = time.monotonic() + 0.2
    hard_end = start + 3 * calls * interval + 30  # a slow server gets three times as long
    for i in range(calls):
        delay = start + i * interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if time.monotonic() > hard_end:
            errors += calls - i
            samples.append(f"out of time: {calls - i} calls not sent")
            break
        at, began = time.time(), time.monotonic()
        try:
            ticket = driver.call(i)
            http = time.monotonic() - began
            driver.after(ticket)
        except (OSError, RuntimeError, requests.RequestException) as e:
            errors += 1
            if len(samples) < 5:
                samples.append(f"{type(e).__name__}: {e}")
            continue
        sent.append({"number": ticket["number"], "at": at, "http": http})
    return {"sent": sent, "errors": errors, "error_samples": samples,
            "seconds": time.monotonic() - start}


def admission(port: int, tag: str, cookies: dict[str, str]) -> dict:
    """Visits from ADMISSION_KIOSKS kiosks back to back: rate, latency, errors (a diagnostic)."""
    tallies = [Tally() for _ in range(ADMISSION_KIOSKS)]
    kiosks = [Kiosk(port, benchconfig.kiosk_id(i + 1), tag, tally, cookies) for i, tally in enumerate(tallies)]
    for kiosk in kiosks:
        kiosk.connect()
    start = time.monotonic() + 0.2
    threads = [threading.Thread(target=closed_loop, args=(k, start, start + ADMISSION_SECONDS), daemon=True)
               for k in kiosks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(ADMISSION_SECONDS + TIMEOUT + 5)
    for kiosk in kiosks:
        kiosk.close()
    total = Tally()
    for tally in tallies:
        total.merge(tally)
    ordered = sorted(total.latencies)
    return {"rate": total.ok / ADMISSION_SECONDS, "ok": total.ok, "errors": total.errors,
            "p50_ms": percentile(ordered, 50) * 1000, "p99_ms": percentile(ordered, 99) * 1000,
            "error_samples": total.samples}


def deliveries(sent: list[dict], screens: list[dict], expected: int) -> dict:
    """Match arrivals with calls: latency per delivery, per call (its last screen), lost."""
    latencies, last, early = [], [], 0
    for call in sent:
        times = [s["arrivals"][call["number"]] for s in screens if call["number"] in s["arrivals"]]
        lat = [t - call["at"] for t in times]
        early += sum(1 for x in lat if x < 0)  # arrived before it was sent: a clock problem
        latencies += lat
        if len(times) == len(screens) and times:
            last.append(max(lat))
    latencies.sort()
    last.sort()
    https = sorted(c["http"] for c in sent)
    ms = lambda ordered, p: percentile(ordered, p) * 1000
    return {"expected": expected, "delivered": len(latencies), "lost": expected - len(latencies),
            "duplicates": sum(s["duplicates"] for s in screens),
            "disconnects": sum(s["disconnects"] for s in screens),
            "screens_connected_at_end": sum(1 for s in screens if s["connected"]),
            "early": early,
            "p50_ms": ms(latencies, 50), "p90_ms": ms(latencies, 90), "p99_ms": ms(latencies, 99),
            "max_ms": (latencies[-1] if latencies else math.nan) * 1000,
            "all_screens_p50_ms": ms(last, 50), "all_screens_p99_ms": ms(last, 99),
            "http_p50_ms": ms(https, 50), "http_p99_ms": ms(https, 99)}


def run_side(side: str, listeners: Listeners, work: Path, args) -> dict:
    """Start one side, connect the screens, call, collect, stop; return its figures."""
    if side == "server":
        live, password = start_server(work, args.threads)
        driver = ServerDriver(live.port, password, live.kiosk_cookies())
    else:
        live = start_floor(work, args.threads)
        driver = FloorDriver(live.port)
    port = live.port
    try:
        worker = launch.worker_pid(live.process)
        started = launch.memory_mb(worker)
        driver.prepare(args.calls)
        idle = launch.memory_mb(worker)
        print(f"{side}: listening on 127.0.0.1:{port}, connecting {args.clients} screens ...", flush=True)
        connect = listeners.connect(port, args.clients)
        time.sleep(CONNECTED_REST)
        connected = launch.memory_mb(worker)
        print(f"{side}: {connect['connected']} screens in {connect['seconds']:.1f} s, worker RSS "
              f"{connected['rss_mb']:.0f} MB; calling {args.calls} times at {args.rate:g}/s ...", flush=True)
        listeners.mark()
        cpu_before, began = launch.cpu_seconds(worker), time.monotonic()
        driven = drive(driver, args.calls, args.rate)
        time.sleep(SETTLE)
        worker_cpu, wall = launch.cpu_seconds(worker) - cpu_before, time.monotonic() - began
        screens, listener_cpu = listeners.collect()
        after = launch.memory_mb(worker)
        diagnostic = {}
        if side == "server":
            print(f"{side}: admission for {ADMISSION_SECONDS:g} s with the screens, then without ...",
                  flush=True)
            diagnostic["with_screens"] = admission(port, f"with-{uuid.uuid4().hex[:8]}", live.kiosk_cookies())
        listeners.disconnect()
        if side == "server":
            time.sleep(CONNECTED_REST)
            diagnostic["without_screens"] = admission(port, f"without-{uuid.uuid4().hex[:8]}", live.kiosk_cookies())
    except Exception:
        print(f"--- {live.log} (tail) ---\n{live.log_tail()}", file=sys.stderr)
        raise
    finally:
        live.stop()
    figures = deliveries(driven["sent"], screens, args.clients * args.calls)
    return {**figures, "calls_sent": len(driven["sent"]), "call_errors": driven["errors"],
            "call_error_samples": driven["error_samples"], "calls_seconds": driven["seconds"],
            "connect": connect, "memory": {"started": started, "idle": idle, "connected": connected, "after": after},
            "worker_cpu": {"cpu_seconds": worker_cpu, "wall_seconds": wall, "cores": worker_cpu / wall},
            "listener_cpu": {"cpu_seconds": listener_cpu, "cores": listener_cpu / wall},
            "admission": diagnostic}


# --- reporting ---

def compare(server: dict, floor: dict) -> dict:
    """Return the ratios server/floor and whether each target is met."""
    p50 = _ratio(server["p50_ms"], floor["p50_ms"])
    p99 = _ratio(server["p99_ms"], floor["p99_ms"])
    rss = server["memory"]["connected"]["rss_mb"]
    return {"p50": p50, "p99": p99, "max": _ratio(server["max_ms"], floor["max_ms"]),
            "p50_target_met": p50 <= P50_TARGET, "p99_target_met": p99 <= P99_TARGET,
            "lost_target_met": server["lost"] == 0,
            "rss_target_met": rss <= RSS_TARGET_MB}


def table_rows(result: dict) -> list[list[str]]:
    """The comparison as rows of text: measure, server, floor, ratio, target, met."""
    s, f, r = result["server"], result["floor"], result["ratios"]
    yes = {True: "yes", False: "NO"}
    ms = lambda key: [f"{s[key]:.1f}", f"{f[key]:.1f}", f"{_ratio(s[key], f[key]):.2f}"]
    mem = lambda d, when: d["memory"][when]["rss_mb"]
    return [
        ["call-to-screen p50 (ms)", *ms("p50_ms"), f"<= {P50_TARGET:.2f}", yes[r["p50_target_met"]]],
        ["call-to-screen p99 (ms)", *ms("p99_ms"), f"<= {P99_TARGET:.2f}", yes[r["p99_target_met"]]],
        ["call-to-screen max (ms)", *ms("max_ms"), "", ""],
        ["all screens p50 (ms)", *ms("all_screens_p50_ms"), "", ""],
        ["all screens p99 (ms)", *ms("all_screens_p99_ms"), "", ""],
        ["call HTTP p50 (ms)", *ms("http_p50_ms"), "", ""],
        ["lost deliveries", f"{s['lost']} of {s['expected']}", f"{f['lost']} of {f['expected']}", "",
         "0", yes[r["lost_target_met"]]],
        [f"worker RSS, {result['config']['clients']} connected (MB)", f"{mem(s, 'connected'):.1f}",
         f"{mem(f, 'connected'):.1f}", f"{_ratio(mem(s, 'connected'), mem(f, 'connected')):.2f}",
         f"<= {RSS_TARGET_MB:.0f}", yes[r["rss_target_met"]]],
        ["worker CPU while calling (cores)", f"{s['worker_cpu']['cores']:.2f}",
         f"{f['worker_cpu']['cores']:.2f}", "", "", ""],
    ]


def markdown(result: dict, rows: list[list[str]]) -> str:
    """Return the results as a Markdown page."""
    c = result["config"]
    header = ["measure", "server", "floor", "server/floor", "target", "met"]
    lines = ["# Benchmark: call-to-screen latency (Socket.IO broadcast), server vs floor", "",
             f"{c['started']}, {c['machine']}; {c['clients']} python-socketio screens (websocket, "
             f"{c['processes']} processes), {c['calls']} calls at {c['rate']:g}/s (call-next, start, "
             f"finish: three broadcasts per call), gunicorn threads {c['server_threads']} on both sides "
             f"(every websocket holds one); {_other(c)}. Code: {c['code']}.", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines += ["", "Floor: bench/floor_broadcast.py (same stack; its POST only emits the same `queue` "
              "payload to every client). Latency of a delivery: arrival at a screen (time.time() when "
              "the frame is read) minus the time the driver sent that call's request. \"All screens\": "
              "per call, the latency of the last of the screens to get it. Lost: screens x calls "
              "expected, minus the `called` events that arrived. RSS: the gunicorn worker's VmRSS "
              "one second after the last screen connected.", "",
              f"Details: {details_sentence(result)}", "",
              f"Admission diagnostic (server only): {admission_sentence(result)}", ""]
    return "\n".join(lines)


def admission_sentence(result: dict) -> str:
    a = result["server"]["admission"]
    if not a:
        return "not run."
    part = lambda d: (f"{d['rate']:.0f} visits/s, p50 {d['p50_ms']:.1f} ms, p99 {d['p99_ms']:.1f} ms, "
                      f"{d['errors']} errors")
    return (f"{ADMISSION_KIOSKS} kiosks back to back for {ADMISSION_SECONDS:g} s: with the "
            f"{result['config']['clients']} screens connected {part(a['with_screens'])}; after they left "
            f"{part(a['without_screens'])}.")


def details_sentence(result: dict) -> str:
    parts = []
    for side in ("server", "floor"):
        d = result[side]
        m = d["memory"]
        parts.append(
            f"{side}: {d['connect']['connected']} screens connected in {d['connect']['seconds']:.1f} s "
            f"({d['connect']['failed']} failed), {d['calls_sent']} calls sent ({d['call_errors']} failed) "
            f"in {d['calls_seconds']:.1f} s, {d['duplicates']} duplicates, {d['disconnects']} disconnects, "
            f"RSS idle/connected/after {m['idle']['rss_mb']:.0f}/{m['connected']['rss_mb']:.0f}/"
            f"{m['after']['rss_mb']:.0f} MB (peak {m['after']['peak_mb']:.0f}, threads "
            f"{m['connected']['threads']}), worker CPU {d['worker_cpu']['cpu_seconds']:.1f} s, "
            f"listeners' CPU {d['listener_cpu']['cpu_seconds']:.1f} s")
    return "; ".join(parts) + "."


def write_results(result: dict, rows: list[list[str]], quick: bool) -> list[Path]:
    """Write the JSON and Markdown results; a quick run does not overwrite a full one."""
    return launch.save_results("broadcast-quick" if quick else "broadcast", result, markdown(result, rows))


def run(args) -> tuple[dict, list[list[str]]]:
    """Measure the server and the floor with the same screens; return the result and its rows."""
    config = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "clients": args.clients,
              "processes": args.processes, "calls": args.calls, "rate": args.rate,
              "server_threads": args.threads, "code": launch.code_version(ROOT),
              "machine": f"{platform.machine()}, {_cpus()} CPUs, Python {platform.python_version()}"}
    usage_start = cpu_usage()
    work = Path(tempfile.mkdtemp(prefix="bench-broadcast-"))
    listeners = Listeners(args.processes)  # forked before any thread starts here
    result = {"config": config, **launch.both_sides(work, listeners,
                                                    lambda side: run_side(side, listeners, work, args))}
    config["other_cpu"] = other_cpu(usage_start)
    result["ratios"] = compare(result["server"], result["floor"])
    return result, table_rows(result)


def main(argv: list[str] | None = None) -> int:
    """Run both sides with the same screens, print the comparison, write bench/results/."""
    args = parse_args(argv)
    result, rows = run(args)
    print()
    print(text_table(rows))
    print()
    print(f"  {details_sentence(result)}")
    print(f"  admission diagnostic: {admission_sentence(result)}")
    for side in ("server", "floor"):
        for sample in result[side]["call_error_samples"] + result[side]["connect"]["errors"]:
            print(f"  {side} e.g. {sample}")
    print(f"  {_other(result['config'])}")
    for path in write_results(result, rows, args.quick):
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
