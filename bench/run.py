"""Every benchmark in one command: visits, call-to-screen, memory, the soak and the crash loop.

Each speed figure stands next to its floor, measured in the same run (visits.py and
broadcast.py); memory is the gunicorn worker's RSS idle and with the sockets connected, from
the broadcast run; the soak and the crash loop (soak.py, crashloop.py) report their load and
their invariants. Writes bench/results/latest.json and latest.md (the table the README links);
a --quick run writes latest-quick.*.

Run from the repository root:
  .venv/bin/python -m bench.run                     # full sizes: 20 kiosks, 200 sockets, 10 min soak, 50 kills
  .venv/bin/python -m bench.run --quick             # smoke run, soak and crash loop at CI size (60 s, 5 kills)
  .venv/bin/python -m bench.run --skip-soak --skip-crash --kiosks 10 --clients 100 --duration 5
"""
from __future__ import annotations

import argparse
import math
import platform
import sys
import time
from pathlib import Path

from bench import broadcast, crashloop, launch, soak, visits

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CI_SOAK_SECONDS, CI_CRASHES = 60.0, 5


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=20, help="kiosk clients of the visits benchmark (20)")
    parser.add_argument("--clients", type=int, default=200, help="Socket.IO clients of the call-to-screen benchmark (200)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per visits measure (10)")
    parser.add_argument("--rate", type=float, default=200.0, help="fixed load of the latency measure, visits/s (200)")
    parser.add_argument("--calls", type=int, default=200, help="calls of the call-to-screen benchmark (200)")
    parser.add_argument("--soak-seconds", type=float, default=None, help="soak length (600; 60 with --quick)")
    parser.add_argument("--crashes", type=int, default=None, help="kill -9s of the crash loop (50; 5 with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="2 s visits measures, 50 sockets and 20 calls, soak and crash loop at CI size")
    for part in ("visits", "broadcast", "soak", "crash"):
        parser.add_argument(f"--skip-{part}", action="store_true", help=f"do not run the {part} part")
    args = parser.parse_args(argv)
    if args.soak_seconds is None:
        args.soak_seconds = CI_SOAK_SECONDS if args.quick else 600.0
    if args.crashes is None:
        args.crashes = CI_CRASHES if args.quick else 50
    return args


def run_visits(args) -> dict:
    options = ["--clients", str(args.kiosks), "--seconds", str(args.duration), "--rate", str(args.rate)]
    result, _ = visits.run_mode(visits.parse_args(options + (["--quick"] if args.quick else [])), "none")
    return result


def run_broadcast(args) -> dict:
    options = ["--clients", str(args.clients), "--calls", str(args.calls)]
    result, _ = broadcast.run(broadcast.parse_args(options + (["--quick"] if args.quick else [])))
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the parts asked for, print the table, write latest.json and latest.md."""
    args = parse_args(argv)
    usage = visits.cpu_usage()
    results = {"config": {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "code": launch.code_version(ROOT),
                          "machine": f"{platform.machine()}, {visits._cpus()} CPUs, Python "
                                     f"{platform.python_version()}", **vars(args)}}
    if not args.skip_visits:
        print("== visits", flush=True)
        results["visits"] = run_visits(args)
    if not args.skip_broadcast:
        print("== call to screen, memory", flush=True)
        results["broadcast"] = run_broadcast(args)
    if not args.skip_soak:
        print(f"== soak, {args.soak_seconds:g} s", flush=True)
        results["soak"] = soak.run(args.soak_seconds)
        print(soak.summary(results["soak"]), flush=True)
    if not args.skip_crash:
        print(f"== crash loop, {args.crashes} kills", flush=True)
        results["crash"] = crashloop.run(args.crashes)
        print(crashloop.summary(results["crash"]), flush=True)
    results["config"]["other_cpu"] = {**visits.other_cpu(usage), "cpus": visits._cpus()}
    rows = table(results)
    print()
    print(text_table(rows))
    print(f"\nother processes used {results['config']['other_cpu']['cores']:.2f} of "
          f"{visits._cpus()} cores on average during the {results['config']['other_cpu']['seconds']:.0f} s run")
    for path in write(results, rows, args.quick):
        print(f"wrote {path.relative_to(ROOT)}")
    failed = [f for part in ("soak", "crash") for f in results.get(part, {}).get("failures", [])]
    for text in failed:
        print(f"FAILED: {text}")
    return 1 if failed else 0


# --- the table ---

def table(results: dict) -> list[list[str]]:
    """Rows of measure, ours, floor, ratio, target."""
    rows = []
    if "visits" in results:
        v = results["visits"]
        s, f, r, c = v["server"], v["floor"], v["ratios"], v["config"]
        rows += [
            [f"visits/s, {c['clients']} kiosks back to back", _n(s["saturation"]["rate"]),
             _n(f["saturation"]["rate"]), _r(r["rate"]), f"≥ {visits.RATE_TARGET:.2f} {_ok(r['rate_target_met'])}"],
            [f"issue p50 at {c['rate']:g}/s (ms)", _n(s["latency"]["p50_ms"]), _n(f["latency"]["p50_ms"]),
             _r(r["p50"]), ""],
            [f"issue p99 at {c['rate']:g}/s (ms)", _n(s["latency"]["p99_ms"]), _n(f["latency"]["p99_ms"]),
             _r(r["p99"]), f"≤ {visits.P99_TARGET:.2f} {_ok(r['p99_target_met'])}"],
        ]
    if "broadcast" in results:
        b = results["broadcast"]
        s, f, r, n = b["server"], b["floor"], b["ratios"], b["config"]["clients"]
        rss = lambda side, when: side["memory"][when]["rss_mb"]
        rows += [
            [f"call-to-screen p50, {n} sockets (ms)", _n(s["p50_ms"]), _n(f["p50_ms"]), _r(r["p50"]),
             f"≤ {broadcast.P50_TARGET:.2f} {_ok(r['p50_target_met'])}"],
            [f"call-to-screen p99, {n} sockets (ms)", _n(s["p99_ms"]), _n(f["p99_ms"]), _r(r["p99"]),
             f"≤ {broadcast.P99_TARGET:.2f} {_ok(r['p99_target_met'])}"],
            ["lost deliveries", f"{s['lost']} of {s['expected']}", f"{f['lost']} of {f['expected']}", "",
             f"0 {_ok(r['lost_target_met'])}"],
            ["worker RSS idle (MB)", _n(rss(s, "idle")), _n(rss(f, "idle")),
             _r(visits._ratio(rss(s, "idle"), rss(f, "idle"))), ""],
            [f"worker RSS, {n} sockets (MB)", _n(rss(s, "connected")), _n(rss(f, "connected")),
             _r(visits._ratio(rss(s, "connected"), rss(f, "connected"))),
             f"≤ {broadcast.RSS_TARGET_MB:.0f} {_ok(r['rss_target_met'])}"],
        ]
    for part in ("soak", "crash"):
        if part in results:
            rows += invariant_rows(part, results[part])
    return rows


def invariant_rows(part: str, result: dict) -> list[list[str]]:
    """The soak's or the crash loop's load and invariants (no floor: the targets are absolute)."""
    c, db, h, s, rates = result["config"], result["database"], result["http"], result["screens"], result["rates"]
    name = "soak" if part == "soak" else "crash loop"
    rows = [
        [f"{name}: load held, {c['kiosks']} kiosks / {c['counters']} counters / {c['sockets']} sockets, "
         f"{result['load_seconds']:.0f} s",
         f"{rates['visits_per_second']:.1f} tickets/s, {rates['events_per_second']:.0f} events/s, "
         f"{rates['deliveries_per_second']:.0f} deliveries/s", "", "", ""],
    ]
    if part == "crash":
        k = result["crash"]
        rows += [
            ["crash loop: kill -9 survived (integrity_check ok)", f"{k['restarts_survived']} of {k['kills']}", "", "",
             f"{c['kills']} {_ok(k['restarts_survived'] == c['kills'])}"],
            ["crash loop: worst screen resync after /healthz (s)", _n(k["resync_max_seconds"], 2), "", "",
             f"≤ {crashloop.RESYNC_LIMIT:g} {_ok(k['restarts_over_limit'] == 0 and k['restarts_not_resynced'] == 0)}"],
        ]
    rows += [
        [f"{name}: tickets checked (201s acknowledged)", f"{db['tickets']} ({db['acknowledged']})", "", "", ""],
        [f"{name}: lost / duplicate / gaps / unacknowledged", f"{db['lost']} / {db['duplicates']} / {db['gaps']} / "
         f"{db['unacknowledged']}", "", "", f"0 {_ok(db['lost'] + db['duplicates'] + db['gaps'] + db['unacknowledged'] == 0)}"],
        [f"{name}: answers ≥ 500 (of {h['requests']} requests)", str(h["server_errors"]), "", "",
         f"0 {_ok(h['server_errors'] == 0)}"],
        [f"{name}: screens / phones differing from the server at the end", f"{s['screens_differing']} / "
         f"{s['phones_differing']}", "", "", f"0 {_ok(s['screens_differing'] + s['phones_differing'] == 0)}"],
        [f"{name}: every invariant", "holds" if not result["failures"] else "; ".join(result["failures"])[:200],
         "", "", _ok(not result["failures"])],
    ]
    return rows


HEADER = ["measure", "ours", "floor", "ratio", "target"]


def text_table(rows: list[list[str]]) -> str:
    """Rows as aligned plain text."""
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    line = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([line(HEADER), line(["-" * w for w in widths]), *map(line, rows)])


def _n(value, digits: int = 1) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def _r(value: float) -> str:
    return _n(value, 2)


def _ok(met: bool) -> str:
    return "✓" if met else "✗"


def markdown(results: dict, rows: list[list[str]]) -> str:
    c = results["config"]
    other = c["other_cpu"]
    lines = ["# Benchmarks: `python -m bench.run`", "",
             f"{c['started']}, {c['machine']}, code {c['code']}; other processes used {other['cores']:.2f} of "
             f"{other['cpus']} cores on average during the {other['seconds']:.0f} s run "
             f"(the machine is shared: trust figures taken near 0).", "",
             "| measure | ours | floor | ratio | target |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines += ["", "Floors: bench/floor_app.py (visits), bench/floor_broadcast.py (call to screen, memory); "
              "bench/README.md explains each measure. Every figure is in latest.json.", ""]
    return "\n".join(lines)


def write(results: dict, rows: list[list[str]], quick: bool) -> list[Path]:
    return launch.save_results("latest-quick" if quick else "latest", results, markdown(results, rows))


if __name__ == "__main__":
    sys.exit(main())
