"""Benchmark POST /api/visits of the real server against its floor (bench/floor_app.py).

Both run as production does (gunicorn, one gthread worker), side by side, each measured on:
(a) the saturation rate of N kiosks sending back to back, and (b) p50/p99 latency at a fixed
offered load (open loop, timed from each request's scheduled time). The seconds of each
measure are split into alternating rounds (server, floor; then floor, server; ...): the
machine is shared and its speed drifts, so the saturation ratio is the median of the rounds'
ratios, and the latencies are pooled over the rounds.

--printer slow|dead gives the server's kiosks network printers, all on one fake ESC/POS
printer in this process (bench/fakeprinter.py): "slow" answers status queries but takes
2 s per job, "dead" accepts and never answers (the config's default timeout, 3 s, applies).
Every ticket then has a print job, sent by the server's print process (a child of the
gunicorn worker, one thread per kiosk; kiosk/printprocess.py). The floor has no printer
either way. The print process's CPU is reported beside the worker's.
--all-printers runs none, slow and dead one after the other, each against its own floor.
--printer stuck separates the two costs of printing: every visit still writes its job, but
the workers send none during the run (each blocks on its first job: a printer that never
answers, with a printer timeout of 600 s), so what it costs is the jobs' writing alone.

Run from the repository root: .venv/bin/python -m bench.visits [--quick]
[--printer none|slow|dead | --all-printers]
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import resource
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import tomllib
import uuid
from pathlib import Path

from bench import benchconfig, launch
from bench.loadgen import Loaders, Tally

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PRINTER_MODES = ("none", "slow", "dead")   # --all-printers
STUCK_TIMEOUT = 600.0  # seconds: longer than any run, so a "stuck" worker never gets further
PRINTER_DELAY = 2.0   # seconds per job of the "slow" fake printer
PRINTERS = {"none": "preview printers (no printing)",
            "slow": f"network printers, one fake printer taking {PRINTER_DELAY:g} s per job",
            "dead": "network printers, one fake printer that accepts and never answers "
                    "(printer timeout 3 s, the config default)",
            "stuck": "network printers, one fake printer that never answers, printer timeout "
                     f"{STUCK_TIMEOUT:g} s: jobs written, none sent during the run"}
RATE_TARGET = 2 / 3   # server saturation rate / floor's, at least
P99_TARGET = 1.5      # server p99 at the fixed load / floor's, at most
GAP = 0.5             # seconds of rest between rounds, so one round's tail leaves the next alone
SETTLE = 2.0          # seconds of rest after the saturation rounds, before the latency rounds


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each measure (10)")
    parser.add_argument("--rate", type=float, default=200.0, help="offered visits/s in total (200)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="alternating rounds the seconds of each measure are split into (5)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent kiosks (20)")
    parser.add_argument("--threads", type=int, default=10,
                        help="client threads per load-generator process (10)")
    parser.add_argument("--quick", action="store_true", help="2-second smoke run")
    parser.add_argument("--printer", choices=(*PRINTER_MODES, "stuck"), default=None,
                        help="the server's kiosk printers: none (preview), slow, dead, stuck; given, "
                             "results go to visits-printer-<mode>.* (default: none, to visits.*)")
    parser.add_argument("--all-printers", action="store_true",
                        help="run --printer none, slow and dead one after the other")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.rounds = 2.0, 2
    if (args.seconds <= 0 or args.rate <= 0 or not 0 < args.clients <= 99 or args.threads <= 0
            or args.rounds <= 0):
        parser.error("--seconds, --rate, --threads, --rounds must be positive; --clients 1-99")
    args.warmup = min(2.0, args.seconds / 4)
    return args


# --- the two sides ---

def start_server(work: Path, clients: int, printer: dict | None = None):
    """Start server.py on a bench config (in work/server); return it and its database."""
    server = launch.product(work / "server", benchconfig.bench_overrides(max(20, clients), printer))
    return server.start(60), work / "server" / "antrian.db"


def start_floor(work: Path, threads: int):
    """Start bench/floor_app.py (in work/floor); return it and its database."""
    database = work / "floor" / "floor.db"
    floor = launch.floor("bench.floor_app", work / "floor",
                         ["--database", str(database), "--threads", str(threads)])
    return floor.start(60), database


def server_threads() -> int:
    """Return [server].threads of config.toml, which the floor copies."""
    with open(ROOT / "config.toml", "rb") as f:
        return tomllib.load(f).get("server", {}).get("threads", 200)


def fake_printer(mode: str):
    """Start the fake network printer of a printer mode (bench/fakeprinter.py); None for none."""
    if mode == "none":
        return None
    from bench.fakeprinter import FakePrinter

    class HoldingPrinter(FakePrinter):
        """A silent printer that holds each connection until stopped, not only 30 s."""

        def _handle(self, conn):
            with conn:
                self._stop.wait(STUCK_TIMEOUT)

    if mode == "slow":
        return FakePrinter("ok", delay=PRINTER_DELAY)
    return HoldingPrinter("silent") if mode == "stuck" else FakePrinter("silent")


def print_jobs(database: Path) -> tuple[dict, int]:
    """Count the server's print jobs by status, and their attempts (each one write
    transaction of the print process, beside the visits')."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        by_status = dict(conn.execute("SELECT status, count(*) FROM print_jobs GROUP BY status"))
        attempts = conn.execute("SELECT coalesce(sum(attempts), 0) FROM print_jobs").fetchone()[0]
        return by_status, attempts
    finally:
        conn.close()


def wait_single_threaded(timeout: float = 15.0) -> None:
    """Wait until this process runs only its main thread (the fake printer's are gone), so
    forking the load generators is safe; go on anyway after timeout."""
    deadline = time.monotonic() + timeout
    while threading.active_count() > 1 and time.monotonic() < deadline:
        time.sleep(0.1)


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


def measure_rounds(loaders: Loaders, sides: dict, args) -> dict:
    """Warm both sides up, then measure them in alternating rounds: args.rounds rounds of
    saturation, each giving each side args.seconds / args.rounds, then as many rounds at the
    fixed load. The machine's speed drifts over minutes; rounds seconds apart see the same
    machine, so each round's server/floor ratio is a fair one, and their median is the figure."""
    plan = kiosk_plan(args.clients, args.rate)
    slice_seconds = args.seconds / args.rounds
    count = max(1, round(slice_seconds * args.rate / args.clients))
    warmups = {name: loaders.run({"mode": "closed", "port": side.port, "seconds": args.warmup,
                                  "tag": f"{name}-warm"}, plan) for name, side in sides.items()}
    for side in sides.values():
        side.begin()
    saturation = {name: [] for name in sides}
    latency = {name: [] for name in sides}
    for phase in ("saturation", "latency"):
        if phase == "latency":
            # The latency rounds start from a disk with nothing pending: whatever the saturation
            # rounds left for the kernel to write back goes out now, not during a measure.
            os.sync()
            time.sleep(SETTLE)
        for round_no in range(args.rounds):
            order = list(sides) if round_no % 2 == 0 else list(reversed(sides))  # neither always first
            for name in order:
                time.sleep(GAP)
                tag = f"{name}-{phase[:3]}{round_no}-{uuid.uuid4().hex[:6]}"
                if phase == "saturation":
                    saturation[name].append(loaders.run(
                        {"mode": "closed", "port": sides[name].port, "seconds": slice_seconds, "tag": tag}, plan))
                else:
                    # A slow server may take longer than planned; it gets three times as long.
                    latency[name].append(loaders.run(
                        {"mode": "open", "port": sides[name].port, "seconds": slice_seconds, "tag": tag,
                         "interval": args.clients / args.rate, "count": count,
                         "hard_seconds": 3 * slice_seconds + 5}, plan))
    figures = {}
    for name, side in sides.items():
        rates = [summarize(t, slice_seconds)["rate"] for t in saturation[name]]
        rounds = [summarize(t, slice_seconds) for t in latency[name]]
        pooled = summarize(merged(latency[name]), args.seconds)
        figures[name] = {
            "warmup_errors": warmups[name].errors,
            "saturation": {**summarize(merged(saturation[name]), args.seconds),
                           "rate": statistics.median(rates), "round_rates": rates},
            # p50 and p99: the median round's, as for the rate (a burst of another process
            # spoils one round, not the figure); all rounds pooled are kept beside them.
            "latency": {**pooled, "pooled_p50_ms": pooled["p50_ms"], "pooled_p99_ms": pooled["p99_ms"],
                        "round_p50_ms": [r["p50_ms"] for r in rounds],
                        "round_p99_ms": [r["p99_ms"] for r in rounds],
                        "p50_ms": statistics.median(r["p50_ms"] for r in rounds),
                        "p99_ms": statistics.median(r["p99_ms"] for r in rounds),
                        "offered_rate": args.rate,
                        "planned": count * args.clients * args.rounds},
            "worker": side.end()}
    return figures


def merged(tallies: list[Tally]) -> Tally:
    """One tally of all rounds: counts summed, latencies pooled."""
    total = Tally()
    for tally in tallies:
        total.merge(tally)
    return total


class Side:
    """One running side (the server or the floor): its gunicorn worker, seen from /proc."""

    def __init__(self, name: str, live, database: Path):
        self.name, self.live, self.database, self.port = name, live, database, live.port
        self.worker = launch.worker_pid(live.process)
        self.rows_before = 0

    def begin(self) -> None:
        self.rows_before = rows_written(self.name, self.database)  # the warm-up's
        self._cpu, self._began = launch.cpu_seconds(self.worker), time.monotonic()
        self._written = launch.io_counters(self.worker)["write_bytes"]
        self._helpers_cpu = self.helpers_cpu()

    def helpers_cpu(self) -> float:
        """CPU seconds of the worker's children so far: the print process, if it has printers."""
        return sum(launch.cpu_seconds(pid) for pid in launch.children(self.worker))

    def end(self) -> dict:
        """The worker's CPU, storage writes and memory since begin() (rows are added later),
        and its print process's CPU."""
        cpu, wall = launch.cpu_seconds(self.worker) - self._cpu, time.monotonic() - self._began
        return {"cpu_seconds": cpu, "wall_seconds": wall, "cores": cpu / wall,
                "storage_bytes": launch.io_counters(self.worker)["write_bytes"] - self._written,
                "print_process_cpu_seconds": self.helpers_cpu() - self._helpers_cpu,
                **launch.memory_mb(self.worker)}


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


def run_both(loaders: Loaders, work: Path, args, threads: int, printer_mode: str) -> dict:
    """Start the server (with this printer mode) and the floor side by side, measure them in
    alternating rounds, stop them; return each side's figures."""
    printer = fake_printer(printer_mode)
    config = None if printer is None else {"type": "network", "host": "127.0.0.1", "port": printer.port}
    if printer_mode == "stuck":
        config["timeout"] = STUCK_TIMEOUT
    started = []
    try:
        server, server_db = start_server(work, args.clients, config)
        started.append(server)
        loaders.cookies = server.kiosk_cookies()
        floor, floor_db = start_floor(work, threads)
        started.append(floor)
        sides = {"server": Side("server", server, server_db), "floor": Side("floor", floor, floor_db)}
        print(f"server: {server.url}, kiosk printers {printer_mode}; floor: {floor.url}; "
              f"measuring in {args.rounds} alternating rounds ...", flush=True)
        try:
            figures = measure_rounds(loaders, sides, args)
        except Exception:
            for live in started:
                print(f"--- {live.log} (tail) ---\n{live.log_tail()}", file=sys.stderr)
            raise
    finally:
        for live in started:
            live.stop()
        if printer is not None:
            printer.stop()
    for name, side in sides.items():
        figures[name]["rows_written"] = rows_written(name, side.database)
        rows = max(1, figures[name]["rows_written"] - side.rows_before)  # measured, not warm-up
        worker = figures[name]["worker"]
        # The worker's CPU from the first measured round to the last (visits and, on the server,
        # relaying print outcomes), per visit written in them; its storage writes (WAL,
        # checkpoints) likewise; and apart, its print process's CPU per visit.
        worker.update({"cpu_ms_per_visit": 1000 * worker["cpu_seconds"] / rows,
                       "print_process_cpu_ms_per_visit": 1000 * worker["print_process_cpu_seconds"] / rows,
                       "storage_kb_per_visit": worker["storage_bytes"] / 1024 / rows,
                       "storage_mb": worker["storage_bytes"] / 1e6})
    by_status, attempts = print_jobs(sides["server"].database)
    figures["server"]["printer"] = {"mode": printer_mode, "jobs_by_status": by_status, "attempts": attempts}
    if printer is not None:
        figures["server"]["printer"]["fake_printer"] = {"connections": printer.connections,
                                                        "jobs_received": len(printer.jobs)}
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
    return {"wall": time.monotonic(), "busy": busy / os.sysconf("SC_CLK_TCK"), "own": own,
            "disk_written": disk_bytes_written()}


def disk_bytes_written() -> int:
    """Bytes written to the machine's disks so far, all processes (/proc/diskstats); the
    CPU figure misses other processes' fsyncs, which slow this run's commits too."""
    try:
        disks = {name for name in os.listdir("/sys/block")
                 if not name.startswith(("loop", "ram", "zram", "dm-", "md"))}
        with open("/proc/diskstats") as f:
            rows = [line.split() for line in f]
    except OSError:
        return 0
    # Fields: major minor name reads ... ; sectors written (512 bytes) is the 10th.
    return sum(int(row[9]) * 512 for row in rows if len(row) > 9 and row[2] in disks)


def other_cpu(start: dict) -> dict:
    """Return the CPU that processes outside this benchmark used since start."""
    # Children count once waited for: the servers are stopped and the loaders joined by now.
    end = cpu_usage()
    seconds = end["wall"] - start["wall"]
    other = max(0.0, (end["busy"] - start["busy"]) - (end["own"] - start["own"]))
    return {"seconds": seconds, "cpu_seconds": other, "cores": other / seconds,
            "disk_mb_written": (end["disk_written"] - start["disk_written"]) / 1e6}


# --- reporting ---

def compare(server: dict, floor: dict) -> dict:
    """Return the ratios server/floor and whether each target is met."""
    # Each ratio is the median of the rounds' ratios: each round's two sides ran seconds apart.
    rates = _round_ratios(server["saturation"]["round_rates"], floor["saturation"]["round_rates"])
    p50s = _round_ratios(server["latency"]["round_p50_ms"], floor["latency"]["round_p50_ms"])
    p99s = _round_ratios(server["latency"]["round_p99_ms"], floor["latency"]["round_p99_ms"])
    rate, p50, p99 = (statistics.median(x) for x in (rates, p50s, p99s))
    return {"rate": rate, "p50": p50, "p99": p99, "round_rates": rates, "round_p99s": p99s,
            "rate_target_met": rate >= RATE_TARGET, "p99_target_met": p99 <= P99_TARGET}


def _round_ratios(server: list[float], floor: list[float]) -> list[float]:
    return [_ratio(a, b) for a, b in zip(server, floor)]


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
        ["worker CPU per visit (ms)", f"{s['worker']['cpu_ms_per_visit']:.2f}",
         f"{f['worker']['cpu_ms_per_visit']:.2f}",
         f"{_ratio(s['worker']['cpu_ms_per_visit'], f['worker']['cpu_ms_per_visit']):.2f}", "", ""],
        ["written to storage per visit (kB)", f"{s['worker']['storage_kb_per_visit']:.1f}",
         f"{f['worker']['storage_kb_per_visit']:.1f}",
         f"{_ratio(s['worker']['storage_kb_per_visit'], f['worker']['storage_kb_per_visit']):.2f}", "", ""],
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
    mode = c.get("printer", "none")
    title = "" if mode == "none" else f", kiosk printers {mode}"
    lines = ["# Benchmark: POST /api/visits, server vs floor" + title, "",
             f"{c['started']}, {c['machine']}; {c['clients']} kiosks "
             f"({c['processes']} processes x {c['threads']} threads), {c['seconds']:g} s per measure, "
             f"fixed load {c['rate']:g} visits/s, gunicorn threads {c['server_threads']}; "
             f"{_other(c)}. Code: {c.get('code', 'unknown')}.", "",
             "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines += ["", f"Server's kiosk printers: {PRINTERS[mode]}. {printer_summary(result['server'])}",
              "", "Floor: bench/floor_app.py (same stack, one BEGIN IMMEDIATE numbering insert, "
              "no printer). Both sides run at once and are measured in alternating rounds "
              f"({c.get('rounds', 1)} of {c['seconds'] / c.get('rounds', 1):g} s each per measure); the "
              "ratios are the medians of the rounds' ratios (saturation: "
              f"{_listed(result['ratios']['round_rates'])}; p99: {_listed(result['ratios']['round_p99s'])}), "
              "the figures each side's median round. Latency is open-loop, timed from each "
              "request's scheduled send time; over all rounds pooled, p99 was "
              f"{result['server']['latency']['pooled_p99_ms']:.1f} ms (server) and "
              f"{result['floor']['latency']['pooled_p99_ms']:.1f} ms (floor). "
              "Worker CPU: the gunicorn worker's user+system CPU from the first measured round to "
              "the last, divided by the visits it wrote in them; storage: its /proc/<pid>/io "
              "write_bytes (WAL, checkpoints) over the same span, divided the same way.", ""]
    return "\n".join(lines)


def _listed(values: list[float]) -> str:
    return ", ".join(f"{x:.2f}" for x in values)


def printer_summary(server: dict) -> str:
    """One sentence on what the print process did during the server's run."""
    printer = server.get("printer") or {}
    jobs = printer.get("jobs_by_status") or {}
    if not jobs:
        return "No print jobs."
    counts = ", ".join(f"{n} {status}" for status, n in sorted(jobs.items()))
    text = (f"Print jobs when the server stopped: {counts}; {printer['attempts']} attempts "
            f"(one write transaction each, beside the visits').")
    worker = server.get("worker") or {}
    if "print_process_cpu_seconds" in worker:
        text += (f" The print process used {worker['print_process_cpu_seconds']:.1f} s of CPU while measured"
                 f" ({worker['print_process_cpu_ms_per_visit']:.2f} ms per visit).")
    fake = printer.get("fake_printer")
    if fake:
        text += (f" The fake printer took {fake['connections']} connections and received "
                 f"{fake['jobs_received']} whole jobs.")
    return text


def _other(config: dict) -> str:
    other = config["other_cpu"]
    text = (f"other processes used {other['cores']:.2f} of {_cpus()} cores on average "
            f"during the {other['seconds']:.0f} s run")
    if "disk_mb_written" in other:
        text += f"; the disk took {other['disk_mb_written']:.0f} MB of writes in all"
        if config.get("own_disk_mb") is not None:
            text += f" (the two workers' own while measured: {config['own_disk_mb']:.0f} MB)"
    return text


def result_stem(printer: str, named: bool, clients: int, quick: bool) -> str:
    """visits, or visits-printer-<mode> when --printer or --all-printers named the mode;
    -<N>kiosks when not the default 20, -quick for a smoke run."""
    stem = f"visits-printer-{printer}" if named else "visits"
    return stem + (f"-{clients}kiosks" if clients != 20 else "") + ("-quick" if quick else "")


def write_results(result: dict, rows: list[list[str]], stem: str) -> list[Path]:
    """Write the JSON and Markdown results; a quick run does not overwrite a full one."""
    return launch.save_results(stem, result, markdown(result, rows))


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
        worker = figures["worker"]
        print(f"  {side:6} warm-up errors: {figures['warmup_errors']},"
              f" rows written: {figures['rows_written']}, worker CPU {worker['cpu_seconds']:.1f} s"
              f" ({worker['cores']:.2f} cores, {worker['cpu_ms_per_visit']:.2f} ms/visit),"
              f" {worker['storage_kb_per_visit']:.1f} kB written to storage per visit,"
              f" RSS {worker['rss_mb']:.0f} MB, threads {worker['threads']}")
    print(f"  server {printer_summary(result['server'])}")


def main(argv: list[str] | None = None) -> int:
    """Run both sides (per printer mode), print the comparison, write bench/results/."""
    args = parse_args(argv)
    modes = PRINTER_MODES if args.all_printers else (args.printer or "none",)
    summary = []
    for mode in modes:
        result, rows = run_mode(args, mode)
        print()
        print(f"== kiosk printers: {mode} ({PRINTERS[mode]})")
        print(text_table(rows))
        print()
        print_details(result)
        print(f"  {_other(result['config'])}")
        stem = result_stem(mode, bool(args.all_printers or args.printer), args.clients, args.quick)
        for path in write_results(result, rows, stem):
            print(f"wrote {path.relative_to(ROOT)}")
        summary.append((mode, result))
    if len(summary) > 1:
        print()
        print(summary_table(summary))
    return 0


def run_mode(args, mode: str) -> tuple[dict, list[list[str]]]:
    """Measure the server (with this printer mode) and the floor; return the result and rows."""
    threads = server_threads()
    processes = math.ceil(args.clients / args.threads)
    config = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "seconds": args.seconds,
              "warmup": args.warmup, "rounds": args.rounds, "rate": args.rate, "clients": args.clients,
              "threads": args.threads, "processes": processes, "server_threads": threads,
              "printer": mode, "printer_description": PRINTERS[mode],
              "code": launch.code_version(ROOT),
              "machine": f"{platform.machine()}, {_cpus()} CPUs, Python {platform.python_version()}"}
    wait_single_threaded()  # the previous mode's fake printer threads, before forking
    usage_start = cpu_usage()
    work = Path(tempfile.mkdtemp(prefix="bench-visits-"))
    loaders = Loaders(processes)
    result = {"config": config, **launch.run_in(work, loaders,
                                                lambda: run_both(loaders, work, args, threads, mode))}
    config["other_cpu"] = other_cpu(usage_start)
    config["own_disk_mb"] = sum(result[side]["worker"]["storage_mb"] for side in ("server", "floor"))
    result["ratios"] = compare(result["server"], result["floor"])
    return result, table_rows(result)


def summary_table(summary: list[tuple[str, dict]]) -> str:
    """One line per printer mode: the two targets, both sides and the ratio."""
    header = ["printer", "sat. server", "sat. floor", "ratio", "p99 server", "p99 floor", "ratio",
              "met", "other cores"]
    rows = []
    for mode, r in summary:
        s, f, q = r["server"], r["floor"], r["ratios"]
        met = "yes" if q["rate_target_met"] and q["p99_target_met"] else "NO"
        rows.append([mode, f"{s['saturation']['rate']:.1f}", f"{f['saturation']['rate']:.1f}",
                     f"{q['rate']:.2f}", f"{s['latency']['p99_ms']:.1f}", f"{f['latency']['p99_ms']:.1f}",
                     f"{q['p99']:.2f}", met, f"{r['config']['other_cpu']['cores']:.2f}"])
    widths = [max(len(x[i]) for x in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def _cpus() -> int:
    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    sys.exit(main())
