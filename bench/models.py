"""Which concurrency model should serve a day's phones? The floors under each, side by side.

    .venv/bin/python -m bench.models --gevent-venv /tmp/venv-models    # -> results/models.{json,md}
    .venv/bin/python -m bench.models --quick ...                       # smoke: -> models-quick.*

Why: on the shipped model (gunicorn gthread, Flask-SocketIO "threading") every websocket
holds a pool thread for its life, and SPEC's "Capacity" asks for 1,000 phones and 10 screens
on the embedded default with kiosk visits answering as with no sockets and every call
reaching every screen (issue 16). This measures the candidates on the floors, which are
the production stack doing only the unavoidable work (bench/README.md), started by
`models_serve.py`:

- `gthread`: threads 1,300, websockets capped at 1,200 (503 past it), so 100 threads are a
  reserve that sockets never take; worker_connections 2,000;
- `gevent`: gunicorn's gevent worker and Flask-SocketIO's gevent mode (simple-websocket on
  gevent primitives), SQLite in the hub;
- `gevent-tpool`: the same with each visit's SQLite write in gevent's native thread pool.

gevent is not in the project's requirements: the gevent sides run with the Python of
`--gevent-venv` (requirements.txt + gevent); without it only gthread is measured.

Per socket count (0, 1,000, 2,000 idle websockets, `rawsockets.py`: raw Engine.IO v4 clients
in asyncio, ~500 per process, answering pings) every model's visits floor runs at once, one
server per model with the sockets and one per model with none (the reference). Measured:

1. the worker's RSS and thread count with the sockets connected, and its CPU over one whole
   ping interval (25 s: every socket is pinged once) with nothing else asked of it;
2. POST /api/visits at 20/s offered for 10 s (open loop, 10 keep-alive clients, each request
   timed from its scheduled send): p50/p99, in rounds alternating every side (the machine is
   shared: sides measured seconds apart see the same machine), the medians of the rounds and
   the ratio to the same model's 0-socket server in the same round;
3. saturation: 10 clients back to back for 3 s (visits/s, p99), while /healthz (no SQLite) is
   probed 20 times a second: a model whose hub stops during each fsync shows it there.

Then each model's broadcast floor with 1,000 sockets: 20 emits per model (alternating the
models, 0.3 s apart), each client stamping its arrival; per emit the time to the last of the
1,000 (from just before the POST), p50/p99 over the emits, and lost deliveries.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import launch, rawsockets

SERVE = "bench.models_serve"  # run as a module from the repository root (launch.ROOT)
PING_INTERVAL = 25.0  # python-engineio's default


# --- servers ---

class Server:
    """One models_serve.py process (gunicorn master + one worker), its own process group."""

    def __init__(self, model: str, app: str, python: str, work: Path, sockets: int):
        self.model, self.app, self.sockets = model, app, sockets
        self.name = f"{model}/{sockets}" if app == "visits" else f"{model}/broadcast"
        self.port = free_port()
        args = [python, "-m", SERVE, "--model", model, "--app", app, "--port", str(self.port)]
        if model == "gthread":
            args += ["--threads", "1300", "--socket-cap", "1200"]
        if app == "visits":
            args += ["--database", str(work / f"{model}-{sockets}-{self.port}.db")]
        self.log = open(work / f"{model}-{app}-{sockets}.log", "wb")
        self.proc = subprocess.Popen(args, cwd=launch.ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.worker = 0

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: see {self.log.name}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    self.worker = launch.worker_pid(self.proc)
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready in {timeout} s")

    def stats(self) -> dict:
        found = launch.memory_mb(self.worker)
        return {"rss_mb": round(found["rss_mb"], 1), "threads": found["threads"]}

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        except ProcessLookupError:
            pass
        self.log.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- load ---

def post(conn_box: list, port: int, path: str, body: bytes | None) -> bool:
    """One request on a kept-alive connection (reopened once when the server closed it)."""
    for attempt in (0, 1):
        if conn_box[0] is None:
            conn_box[0] = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn = conn_box[0]
        try:
            if body is None:
                conn.request("GET", path)
            else:
                conn.request("POST", path, body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            return response.status < 400
        except (OSError, http.client.HTTPException):
            conn.close()
            conn_box[0] = None
            if attempt:
                return False
    return False


def open_loop(port: int, path: str, body: bytes | None, rate: float, seconds: float,
              clients: int = 10) -> dict:
    """rate requests/s for seconds, spread over clients threads; latency from the scheduled
    send time."""
    start = time.monotonic() + 0.2
    total = int(rate * seconds)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def run(index: int) -> None:
        box = [None]
        for k in range(index, total, clients):
            due = start + k / rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            ok = post(box, port, path, body)
            took = time.monotonic() - due
            with lock:
                latencies.append(took)
                errors[0] += not ok
        if box[0] is not None:
            box[0].close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return summary(latencies, errors[0])


def closed_loop(port: int, seconds: float, clients: int = 10, probe_rate: float = 20) -> dict:
    """clients back-to-back visits for seconds, /healthz probed at probe_rate meanwhile."""
    end = time.monotonic() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def run() -> None:
        box = [None]
        while time.monotonic() < end:
            t0 = time.monotonic()
            ok = post(box, port, "/api/visits", b'{"kiosk": "bench"}')
            with lock:
                latencies.append(time.monotonic() - t0)
                errors[0] += not ok
        if box[0] is not None:
            box[0].close()

    probe: dict = {}
    threads = [threading.Thread(target=run) for _ in range(clients)]
    threads.append(threading.Thread(target=lambda: probe.update(
        open_loop(port, "/healthz", None, probe_rate, seconds - 0.3, clients=2))))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = summary(latencies, errors[0])
    result["per_s"] = round(len(latencies) / seconds, 1)
    result["healthz"] = probe
    return result


def summary(latencies: list[float], errors: int = 0) -> dict:
    ordered = sorted(latencies)
    if not ordered:
        return {"n": 0, "errors": errors}
    pick = lambda q: round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)
    return {"n": len(ordered), "errors": errors, "p50_ms": pick(0.5), "p99_ms": pick(0.99),
            "max_ms": round(ordered[-1] * 1000, 2)}


# --- the machine ---

def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (user, nice, system, irq, softirq)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:8]]
    return (fields[0] + fields[1] + fields[2] + fields[5] + fields[6]) / os.sysconf("SC_CLK_TCK")


def tree_cpu() -> float:
    """CPU seconds of this process and every live descendant (servers, client processes)."""
    parents = {}
    for pid in launch._pids():
        parents[pid] = launch._parent(pid)
    mine, frontier = {os.getpid()}, [os.getpid()]
    while frontier:
        top = frontier.pop()
        for pid, parent in parents.items():
            if parent == top and pid not in mine:
                mine.add(pid)
                frontier.append(pid)
    total = 0.0
    for pid in mine:
        try:
            total += launch.cpu_seconds(pid)
        except (OSError, IndexError, ValueError):
            pass
    return total


class Others:
    """How much CPU processes outside the benchmark took during a span (in cores)."""

    def __init__(self):
        self.t, self.busy, self.own = time.monotonic(), busy_seconds(), tree_cpu()

    def cores(self) -> float:
        wall = time.monotonic() - self.t
        return round(max(0.0, (busy_seconds() - self.busy) - (tree_cpu() - self.own)) / wall, 2)


# --- phases ---

def visits_phase(count: int, models: dict, work: Path, pool: rawsockets.Pool, args,
                 references: dict) -> dict:
    """Every model's visits floor with count sockets beside its 0-socket reference."""
    loaded = {}
    result: dict = {"sockets": count, "models": {}}
    try:
        for model, python in models.items():
            loaded[model] = Server(model, "visits", python, work, count)
        for server in loaded.values():
            server.wait_ready()
        for model, server in loaded.items():
            t0 = time.monotonic()
            got = pool.connect("127.0.0.1", server.port, count) if count else {"connected": 0}
            got["seconds"] = round(time.monotonic() - t0, 1)
            result["models"][model] = {"connect": got}
            print(f"  {model}: {count} sockets -> {got}", flush=True)
        time.sleep(2)
        # 1. memory, threads, idle CPU over one ping interval (all workers at once)
        others = Others()
        before = {m: launch.cpu_seconds(s.worker) for m, s in loaded.items()}
        t0 = time.monotonic()
        time.sleep(args.idle)
        wall = time.monotonic() - t0
        for model, server in loaded.items():
            entry = result["models"][model]
            entry.update(server.stats())
            entry["idle_cpu_ms_per_s"] = round((launch.cpu_seconds(server.worker) - before[model])
                                               / wall * 1000, 1)
            entry["reference"] = references[model].stats()
        result["idle_others_cores"] = others.cores()
        # 2. visits at 20/s, rounds alternating every side (each model's loaded and reference)
        sides = [(m, "loaded", s) for m, s in loaded.items()] + \
                [(m, "reference", references[m]) for m in loaded]
        rounds = []
        for r in range(args.rounds):
            order = sides[r % len(sides):] + sides[:r % len(sides)]
            others = Others()
            here = {}
            for model, kind, server in order:
                here[f"{model}/{kind}"] = open_loop(server.port, "/api/visits", b'{"kiosk": "bench"}',
                                                    args.rate, args.seconds)
            here["others_cores"] = others.cores()
            rounds.append(here)
            print(f"  round {r + 1}: " + ", ".join(
                f"{k} p99 {v['p99_ms']}" for k, v in here.items() if isinstance(v, dict)), flush=True)
        result["rounds"] = rounds
        # 3. saturation, with /healthz probed
        sat_rounds = []
        for r in range(args.sat_rounds):
            order = sides if r % 2 == 0 else sides[::-1]
            others = Others()
            here = {}
            for model, kind, server in order:
                here[f"{model}/{kind}"] = closed_loop(server.port, args.sat_seconds)
            here["others_cores"] = others.cores()
            sat_rounds.append(here)
        result["saturation_rounds"] = sat_rounds
        for model in loaded:
            entry = result["models"][model]
            entry["visits"] = medians([rd[f"{model}/loaded"] for rd in rounds])
            entry["visits_reference"] = medians([rd[f"{model}/reference"] for rd in rounds])
            entry["p99_ratio"] = round(statistics.median(
                rd[f"{model}/loaded"]["p99_ms"] / rd[f"{model}/reference"]["p99_ms"] for rd in rounds), 2)
            entry["saturation"] = sat_medians([rd[f"{model}/loaded"] for rd in sat_rounds])
            entry["saturation_reference"] = sat_medians([rd[f"{model}/reference"] for rd in sat_rounds])
            entry["after"] = {"connected_clients": pool.report(loaded[model].port)["connected"]}
    finally:
        for model, server in loaded.items():
            pool.close(server.port)
            server.stop()
    return result


def medians(rounds: list[dict]) -> dict:
    out = {k: round(statistics.median(r[k] for r in rounds), 2) for k in ("p50_ms", "p99_ms", "max_ms")}
    out["errors"] = sum(r["errors"] for r in rounds)
    return out


def sat_medians(rounds: list[dict]) -> dict:
    out = {"per_s": round(statistics.median(r["per_s"] for r in rounds), 1),
           "p99_ms": round(statistics.median(r["p99_ms"] for r in rounds), 2),
           "healthz_p99_ms": round(statistics.median(r["healthz"]["p99_ms"] for r in rounds), 2),
           "healthz_p50_ms": round(statistics.median(r["healthz"]["p50_ms"] for r in rounds), 2)}
    out["errors"] = sum(r["errors"] for r in rounds)
    return out


def broadcast_phase(count: int, models: dict, work: Path, pool: rawsockets.Pool, args) -> dict:
    """count sockets on each model's broadcast floor; emits alternate between the models."""
    servers = {}
    result: dict = {"sockets": count, "models": {}}
    try:
        for model, python in models.items():
            servers[model] = Server(model, "broadcast", python, work, count)
        for server in servers.values():
            server.wait_ready()
        for model, server in servers.items():
            got = pool.connect("127.0.0.1", server.port, count)
            result["models"][model] = {"connect": got}
            print(f"  {model}: {count} sockets -> {got}", flush=True)
        time.sleep(2)
        pool.clear()
        others = Others()
        sent: dict[str, list[tuple[int, float, float]]] = {m: [] for m in servers}
        boxes = {m: [None] for m in servers}
        for i in range(args.emits):
            for model, server in servers.items():
                t = time.time()
                conn = boxes[model]
                if conn[0] is None:
                    conn[0] = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                conn[0].request("POST", "/api/emit", b'{"event": "called"}',
                                {"Content-Type": "application/json"})
                response = conn[0].getresponse()
                version = json.loads(response.read())["version"]
                sent[model].append((version, t, time.time() - t))
                time.sleep(args.emit_gap)
        time.sleep(3)
        result["others_cores"] = others.cores()
        for model, server in servers.items():
            seen = pool.report(server.port)
            connected = result["models"][model]["connect"]["connected"]
            last, lost, http_ms = [], 0, []
            for version, t, took in sent[model]:
                times = seen["arrivals"].get(f"{server.port}:{version}", [])
                lost += connected - len(times)
                http_ms.append(took * 1000)
                if times:
                    last.append(max(times) - t)
            entry = result["models"][model]
            entry.update(server.stats())
            entry["to_last"] = summary(last)
            entry["lost"] = lost
            entry["emit_http_p50_ms"] = round(statistics.median(http_ms), 2)
            entry["dropped_sockets"] = seen["dropped"]
        for box in boxes.values():
            if box[0] is not None:
                box[0].close()
    finally:
        for model, server in servers.items():
            pool.close(server.port)
            server.stop()
    return result


# --- report ---

def markdown(result: dict) -> str:
    lines = [f"# Concurrency models on the floors ({result['when']}, commit {result['commit']})", "",
             f"Visits at {result['rate']}/s offered for {result['seconds']} s, {result['rounds']} rounds "
             "alternating every side, medians of the rounds; ratio = median over rounds of p99 / "
             "the same model's 0-socket server's p99 in that round. Saturation: 10 clients back to back, "
             f"{result['sat_seconds']} s, /healthz probed at 20/s meanwhile. gthread: threads 1,300, "
             "websockets capped at 1,200.", "",
             "| model | sockets asked / connected | worker RSS MB | threads | idle CPU ms/s | "
             "visit p50 / p99 ms | 0-socket p50 / p99 ms | p99 ratio | errors | saturation /s "
             "(p99 ms) | /healthz p99 ms under saturation |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for phase in result["visits"]:
        for model, e in phase["models"].items():
            ref, vr, sr = e["reference"], e["visits_reference"], e["saturation_reference"]
            lines.append(f"| {model} | 0 (its reference, same rounds) | {ref['rss_mb']} | {ref['threads']} | - | "
                         f"{vr['p50_ms']} / {vr['p99_ms']} | = | 1 | {vr['errors']} | {sr['per_s']} "
                         f"({sr['p99_ms']}) | {sr['healthz_p99_ms']} |")
            lines.append(
                f"| {model} | {phase['sockets']} / {e['connect']['connected']} | {e['rss_mb']} | {e['threads']} | "
                f"{e['idle_cpu_ms_per_s']} | {e['visits']['p50_ms']} / {e['visits']['p99_ms']} | "
                f"{vr['p50_ms']} / {vr['p99_ms']} | {e['p99_ratio']} | "
                f"{e['visits']['errors']} | {e['saturation']['per_s']} ({e['saturation']['p99_ms']}) | "
                f"{e['saturation']['healthz_p99_ms']} |")
        lines.append(f"| | other processes took " f"{phase['idle_others_cores']} of 2 cores while idle, "
                     + ", ".join(str(r["others_cores"]) for r in phase["rounds"]) + " in the rounds | | | | | | | | | |")
    b = result.get("broadcast")
    if b:
        lines += ["", f"Broadcast floor, {b['sockets']} sockets, {result['emits']} emits per model "
                  f"(other processes: {b['others_cores']} cores):", "",
                  "| model | connected | worker RSS MB | threads | to the last client p50 / p99 / max ms | "
                  "lost | emit POST p50 ms |", "|---|---|---|---|---|---|---|"]
        for model, e in b["models"].items():
            t = e["to_last"]
            lines.append(f"| {model} | {e['connect']['connected']} | {e['rss_mb']} | {e['threads']} | "
                         f"{t.get('p50_ms')} / {t.get('p99_ms')} / {t.get('max_ms')} | {e['lost']} | "
                         f"{e['emit_http_p50_ms']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Concurrency models side by side on the floors.")
    parser.add_argument("--gevent-venv", type=Path, help="a venv with requirements.txt + gevent")
    parser.add_argument("--sockets", type=int, nargs="+", default=[1000, 2000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--idle", type=float, default=PING_INTERVAL)
    parser.add_argument("--sat-rounds", type=int, default=2)
    parser.add_argument("--sat-seconds", type=float, default=3)
    parser.add_argument("--broadcast-sockets", type=int, default=1000)
    parser.add_argument("--emits", type=int, default=20)
    parser.add_argument("--emit-gap", type=float, default=0.3)
    parser.add_argument("--models", nargs="+", default=["gthread", "gevent", "gevent-tpool"])
    parser.add_argument("--quick", action="store_true", help="smoke run: small and short")
    parser.add_argument("--out", default="models", help="results/<out>.{json,md}")
    args = parser.parse_args(argv)
    if args.quick:
        args.sockets, args.rounds, args.seconds, args.idle = [100], 1, 2, 2
        args.sat_rounds, args.sat_seconds, args.broadcast_sockets, args.emits = 1, 1, 100, 3
    pythons = {"gthread": sys.executable}
    if args.gevent_venv:
        python = str(args.gevent_venv.absolute() / "bin" / "python")  # the servers run in launch.ROOT
        pythons.update({"gevent": python, "gevent-tpool": python})
    models = {m: pythons[m] for m in args.models if m in pythons}
    work = Path(tempfile.mkdtemp(prefix="models-"))
    pool = rawsockets.Pool()
    references: dict = {}
    result = {"when": time.strftime("%Y-%m-%d %H:%M"), "commit": launch.code_version(launch.ROOT),
              "rate": args.rate, "seconds": args.seconds, "rounds": args.rounds,
              "sat_seconds": args.sat_seconds, "emits": args.emits, "visits": []}
    started = Others()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so that finally stops every process
    try:
        for model, python in models.items():
            references[model] = Server(model, "visits", python, work, 0)
        for server in references.values():
            server.wait_ready()
        for count in args.sockets:
            print(f"visits with {count} sockets", flush=True)
            result["visits"].append(visits_phase(count, models, work, pool, args, references))
        if args.broadcast_sockets:
            print(f"broadcast to {args.broadcast_sockets}", flush=True)
            result["broadcast"] = broadcast_phase(args.broadcast_sockets, models, work, pool, args)
    finally:
        pool.close()
        for server in references.values():
            server.stop()
    result["others_cores"] = started.cores()
    text = markdown(result)
    for path in launch.save_results(args.out + "-quick" if args.quick else args.out, result, text):
        print(path)
    print(text)
    import shutil
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
