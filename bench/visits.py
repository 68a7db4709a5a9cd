"""Benchmark POST /api/visits of the real server against its floor (bench/floor_app.py).

Both run as production does (gunicorn, one gthread worker), one after the other, each
measured on: (a) the saturation rate of N kiosks sending back to back, and (b) p50/p99
latency at a fixed offered load (open loop, timed from each request's scheduled time).

Run from the repository root: .venv/bin/python bench/visits.py [--quick]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
import tomllib
import uuid
from pathlib import Path

import benchconfig
import launch
from loadgen import Loaders, Tally

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
RATE_TARGET = 2 / 3   # server saturation rate / floor's, at least
P99_TARGET = 1.5      # server p99 at the fixed load / floor's, at most
GAP = 0.5             # seconds of rest between phases, so one phase's tail leaves the next alone


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each measure (10)")
    parser.add_argument("--rate", type=float, default=200.0, help="offered visits/s in total (200)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent kiosks (20)")
    parser.add_argument("--threads", type=int, default=10,
                        help="client threads per load-generator process (10)")
    parser.add_argument("--quick", action="store_true", help="2-second smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds = 2.0
    if args.seconds <= 0 or args.rate <= 0 or not 0 < args.clients <= 99 or args.threads <= 0:
        parser.error("--seconds, --rate, --threads must be positive; --clients 1-99")
    args.warmup = min(2.0, args.seconds / 4)
    return args


# --- the two sides ---

def start_server(work: Path, port: int, clients: int):
    """Start server.py on a bench copy of config.toml; return the process and its database."""
    database = work / "server" / "antrian.db"
    config_path = work / "config.toml"
    benchconfig.write_config(
        benchconfig.bench_config(ROOT / "config.toml", database, max(20, clients)), config_path)
    argv = [sys.executable, str(ROOT / "server.py"), "--config", str(config_path), "--port", str(port)]
    return launch.start(argv, ROOT, work / "server.log"), database


def start_floor(work: Path, port: int, threads: int):
    """Start bench/floor_app.py; return the process and its database."""
    database = work / "floor" / "floor.db"
    argv = [sys.executable, str(BENCH / "floor_app.py"), "--database", str(database),
            "--port", str(port), "--threads", str(threads)]
    return launch.start(argv, ROOT, work / "floor.log"), database


def server_threads() -> int:
    """Return [server].threads of config.toml, which the floor copies."""
    with open(ROOT / "config.toml", "rb") as f:
        return tomllib.load(f).get("server", {}).get("threads", 200)


def rows_written(side: str, database: Path) -> int:
    """Count what the side committed: tickets for the server, numbers for the floor."""
    query = ("SELECT count(*) FROM tickets" if side == "server"
             else "SELECT coalesce(sum(last), 0) FROM day_numbers")
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return conn.execute(query).fetchone()[0]
    finally:
        conn.close()


# --- measuring ---

def kiosk_plan(clients: int, rate: float) -> list[tuple[str, float]]:
    """Each kiosk's id and its phase offset, spreading the fixed load evenly over time."""
    return [(benchconfig.kiosk_id(i + 1), i / rate) for i in range(clients)]


def measure(loaders: Loaders, port: int, args, tag: str) -> dict:
    """Warm up, then measure the saturation rate and the latency at the fixed rate."""
    plan = kiosk_plan(args.clients, args.rate)
    closed = {"mode": "closed", "port": port}
    warmup = loaders.run({**closed, "seconds": args.warmup, "tag": f"{tag}-warm"}, plan)
    time.sleep(GAP)
    saturation = loaders.run({**closed, "seconds": args.seconds, "tag": f"{tag}-sat"}, plan)
    time.sleep(GAP)
    count = max(1, round(args.seconds * args.rate / args.clients))
    fixed = {"mode": "open", "port": port, "seconds": args.seconds, "tag": f"{tag}-lat",
             "interval": args.clients / args.rate, "count": count,
             # A slow server may take longer than planned; it gets three times as long.
             "hard_seconds": 3 * args.seconds + 5}
    latency = loaders.run(fixed, plan)
    return {"warmup_errors": warmup.errors, "saturation": summarize(saturation, args.seconds),
            "latency": {**summarize(latency, args.seconds), "offered_rate": args.rate,
                        "planned": count * args.clients}}


def summarize(tally: Tally, seconds: float) -> dict:
    """Reduce a tally to rate, percentiles (ms) and error counts."""
    ordered = sorted(tally.latencies)
    return {"ok": tally.ok, "errors": tally.errors, "unsent": tally.unsent,
            "reconnects": tally.reconnects, "seconds": seconds,
            # A server slower than the offered load answers the last visits late: rate over
            # the time it took, not over the time planned.
            "rate": tally.ok / max(seconds, tally.span),
            "p50_ms": percentile(ordered, 50) * 1000, "p99_ms": percentile(ordered, 99) * 1000,
            "max_ms": (ordered[-1] if ordered else math.nan) * 1000,
            "error_samples": tally.samples}


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values; nan when there are none."""
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def run_side(side: str, loaders: Loaders, work: Path, args, threads: int) -> dict:
    """Start one side, measure it, stop it; return its figures."""
    port = launch.free_port()
    if side == "server":
        proc, database = start_server(work, port, args.clients)
    else:
        proc, database = start_floor(work, port, threads)
    log_path = work / f"{side}.log"
    try:
        launch.wait_healthy(proc, port)
        print(f"{side}: listening on 127.0.0.1:{port}, measuring ...", flush=True)
        figures = measure(loaders, port, args, f"{side}-{uuid.uuid4().hex[:8]}")
    except Exception:
        print(f"--- {log_path} (tail) ---\n{launch.log_tail(log_path)}", file=sys.stderr)
        raise
    finally:
        launch.stop(proc)
    figures["rows_written"] = rows_written(side, database)
    return figures


# --- the machine ---

def cpu_usage() -> dict:
    """Return the wall time, the machine's busy CPU seconds and this run's own CPU seconds."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...: busy = all but idle, iowait, steal.
    busy = sum(fields[:3]) + sum(fields[5:7])
    own = sum(getattr(resource.getrusage(who), attr)
              for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
              for attr in ("ru_utime", "ru_stime"))
    return {"wall": time.monotonic(), "busy": busy / os.sysconf("SC_CLK_TCK"), "own": own}


def other_cpu(start: dict) -> dict:
    """Return the CPU that processes outside this benchmark used since start."""
    # Children count once waited for: the servers are stopped and the loaders joined by now.
    end = cpu_usage()
    seconds = end["wall"] - start["wall"]
    other = max(0.0, (end["busy"] - start["busy"]) - (end["own"] - start["own"]))
    return {"seconds": seconds, "cpu_seconds": other, "cores": other / seconds}


# --- reporting ---

def compare(server: dict, floor: dict) -> dict:
    """Return the ratios server/floor and whether each target is met."""
    rate = _ratio(server["saturation"]["rate"], floor["saturation"]["rate"])
    p50 = _ratio(server["latency"]["p50_ms"], floor["latency"]["p50_ms"])
    p99 = _ratio(server["latency"]["p99_ms"], floor["latency"]["p99_ms"])
    return {"rate": rate, "p50": p50, "p99": p99,
            "rate_target_met": rate >= RATE_TARGET, "p99_target_met": p99 <= P99_TARGET}


def _ratio(a: float, b: float) -> float:
    return a / b if b and not math.isnan(a) and not math.isnan(b) else math.nan


def table_rows(result: dict) -> list[list[str]]:
    """The comparison as rows of text: measure, server, floor, ratio, target, met."""
    s, f, r = result["server"], result["floor"], result["ratios"]
    rate = result["config"]["rate"]
    yes = {True: "yes", False: "NO"}
    return [
        ["saturation rate (visits/s)", f"{s['saturation']['rate']:.1f}",
         f"{f['saturation']['rate']:.1f}", f"{r['rate']:.2f}", f">= {RATE_TARGET:.2f}",
         yes[r["rate_target_met"]]],
        [f"p50 at {rate:g}/s (ms)", f"{s['latency']['p50_ms']:.1f}", f"{f['latency']['p50_ms']:.1f}",
         f"{r['p50']:.2f}", "", ""],
        [f"p99 at {rate:g}/s (ms)", f"{s['latency']['p99_ms']:.1f}", f"{f['latency']['p99_ms']:.1f}",
         f"{r['p99']:.2f}", f"<= {P99_TARGET:.2f}", yes[r["p99_target_met"]]],
        [f"achieved at {rate:g}/s (visits/s)", f"{s['latency']['rate']:.1f}",
         f"{f['latency']['rate']:.1f}", "", "", ""],
        ["errors (non-201 / failed)", _errors(s), _errors(f), "", "", ""],
    ]


def _errors(side: dict) -> str:
    return str(sum(side[m]["errors"] + side[m]["unsent"] for m in ("saturation", "latency")))


HEADER = ["measure", "server", "floor", "server/floor", "target", "met"]


def text_table(rows: list[list[str]]) -> str:
    """Format rows as an aligned plain-text table."""
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    line = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([line(HEADER), line(["-" * w for w in widths]), *map(line, rows)])


def markdown(result: dict, rows: list[list[str]]) -> str:
    """Return the results as a Markdown page."""
    c = result["config"]
    lines = ["# Benchmark: POST /api/visits, server vs floor", "",
             f"{c['started']}, {c['machine']}; {c['clients']} kiosks "
             f"({c['processes']} processes x {c['threads']} threads), {c['seconds']:g} s per measure, "
             f"fixed load {c['rate']:g} visits/s, gunicorn threads {c['server_threads']}; "
             f"{_other(c)}.", "",
             "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines += ["", "Floor: bench/floor_app.py (same stack, one BEGIN IMMEDIATE numbering insert). "
              "Latency is open-loop, timed from each request's scheduled send time.", ""]
    return "\n".join(lines)


def _other(config: dict) -> str:
    other = config["other_cpu"]
    return (f"other processes used {other['cores']:.2f} of {_cpus()} cores on average "
            f"during the {other['seconds']:.0f} s run")


def write_results(result: dict, rows: list[list[str]], quick: bool) -> list[Path]:
    """Write the JSON and Markdown results; a quick run does not overwrite a full one."""
    RESULTS.mkdir(exist_ok=True)
    stem = "visits-quick" if quick else "visits"
    paths = [RESULTS / f"{stem}.json", RESULTS / f"{stem}.md"]
    paths[0].write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    paths[1].write_text(markdown(result, rows), encoding="utf-8")
    return paths


def print_details(result: dict) -> None:
    """Print the counts behind the table and the first error messages, if any."""
    for side in ("server", "floor"):
        figures = result[side]
        for phase in ("saturation", "latency"):
            m = figures[phase]
            print(f"  {side:6} {phase:10}: ok {m['ok']}, errors {m['errors']}, unsent {m['unsent']},"
                  f" reconnects {m['reconnects']}, p50 {m['p50_ms']:.1f} ms, p99 {m['p99_ms']:.1f} ms,"
                  f" max {m['max_ms']:.1f} ms")
            for sample in m["error_samples"][:3]:
                print(f"      e.g. {sample}")
        print(f"  {side:6} warm-up errors: {figures['warmup_errors']},"
              f" rows written: {figures['rows_written']}")


def main(argv: list[str] | None = None) -> int:
    """Run both sides, print the comparison, write bench/results/."""
    args = parse_args(argv)
    threads = server_threads()
    processes = math.ceil(args.clients / args.threads)
    config = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "seconds": args.seconds,
              "warmup": args.warmup, "rate": args.rate, "clients": args.clients,
              "threads": args.threads, "processes": processes, "server_threads": threads,
              "machine": f"{platform.machine()}, {_cpus()} CPUs, Python {platform.python_version()}"}
    usage_start = cpu_usage()
    work = Path(tempfile.mkdtemp(prefix="bench-visits-"))
    loaders = Loaders(processes)
    try:
        result = {"config": config}
        for side in ("server", "floor"):
            result[side] = run_side(side, loaders, work, args, threads)
    except Exception:
        print(f"benchmark failed; logs kept in {work}", file=sys.stderr)
        raise
    finally:
        loaders.close()
    shutil.rmtree(work, ignore_errors=True)
    config["other_cpu"] = other_cpu(usage_start)
    result["ratios"] = compare(result["server"], result["floor"])
    rows = table_rows(result)
    print()
    print(text_table(rows))
    print()
    print_details(result)
    print(f"  {_other(config)}")
    for path in write_results(result, rows, args.quick):
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


def _cpus() -> int:
    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    sys.exit(main())
