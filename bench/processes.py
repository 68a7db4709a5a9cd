"""One server process against several sharing the database through Redis (issue 22).

    .venv/bin/python -m bench.processes           # -> results/processes.{json,md}
    .venv/bin/python -m bench.processes --quick   # smoke: fewer calls and rounds -> processes-quick.*

Both sides are server.py on the shipped config with bench kiosks, [server] sockets = 2,200 per
process (so one process can hold 2,000 screens too) and 20 sockets per loopback address; the
several-process side adds [server] workers = 4 and a message_queue on Debian's redis-server,
started here on a free port. The one-process side is the floor: the same stack, minimum parts.

1. Call to the last screen: with 1,000 and then 2,000 hall screens (raw Engine.IO websockets from
   many loopback addresses, bench/rawsockets.py), counter 1 calls `calls` times, alternating the
   sides; per call, the time from just before the POST to the last arrival of its version; lost
   deliveries counted (a screen that never heard a version).
2. Kiosk visits with 1,000 screens connected: 20 visits/s offered for `seconds` from 10 kiosks
   (open loop, each request timed from its scheduled send), rounds alternating the sides; p50
   and p99, and the ratio of the several-process p99 to the one-process p99 of the same round.
Each side's memory is the sum of its workers' RSS.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

from bench import benchconfig, capacity, launch, rawsockets
from bench.models import Others, summary
from bench.redisserver import RedisServer

WORKERS = 4
SCREENS = (1000, 2000)
VISIT_SCREENS = 1000
PER_ADDRESS = 20


def start(folder: Path, workers: int, redis_url: str | None) -> launch.LiveServer:
    overrides = benchconfig.bench_overrides(capacity.KIOSKS)
    overrides["server"].update(sockets=2200)
    if workers > 1:
        overrides["server"].update(workers=workers, message_queue=redis_url)
    overrides["limits"] = {"sockets_per_address": PER_ADDRESS, "requests_per_address": ""}
    server = launch.product(folder, overrides)
    server.start(timeout=60)
    deadline = time.monotonic() + 30
    while len(worker_pids(server)) < workers and time.monotonic() < deadline:
        time.sleep(0.1)
    capacity.add_staff(server)
    return server


def worker_pids(server) -> list[int]:
    return [pid for pid in launch.children(server.process.pid)]


def rss_mb(server) -> float:
    return round(sum(launch.memory_mb(pid)["rss_mb"] for pid in worker_pids(server)), 1)


def call_times(sides: dict, pool: rawsockets.Pool, calls: int, connected: dict) -> dict:
    """Counter 1 calls on each side in turn; per call the time to the last screen, and lost deliveries."""
    desks = {name: capacity.staff(server) for name, server in sides.items()}
    times = {name: [] for name in sides}
    lost = {name: 0 for name in sides}
    for _ in range(calls):
        for name, server in sides.items():
            pool.clear()
            sent = time.time()
            ticket = desks[name].post(f"{server.url}/api/counters/1/call-next", timeout=30).json()["ticket"]
            version = requests.get(f"{server.url}/api/state", timeout=30).json()["version"]
            deadline = time.monotonic() + 10
            while True:
                arrivals = pool.report(server.port)["arrivals"].get(f"{server.port}:{version}", [])
                if len(arrivals) >= connected[name] or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            lost[name] += connected[name] - len(arrivals)
            if arrivals:
                times[name].append(max(arrivals) - sent)
            desks[name].post(f"{server.url}/api/tickets/{ticket['id']}/start", timeout=30)
            desks[name].post(f"{server.url}/api/tickets/{ticket['id']}/finish", timeout=30)
            time.sleep(0.3)
    return {name: {**summary(times[name]), "lost": lost[name]} for name in sides}


def screens_phase(sides: dict, calls: int) -> list[dict]:
    rows = []
    for count in SCREENS:
        pool = rawsockets.Pool()
        try:
            connected = {}
            for block, (name, server) in enumerate(sides.items()):
                capacity.issue(server, calls + 2, f"screens-{count}", ("kk",))  # counter 1 calls kk
                got = pool.connect("127.0.0.1", server.port, count,
                                   sources=capacity.addresses(-(-count // PER_ADDRESS), 60 + 40 * block))
                connected[name] = got["connected"]
                print(f"{count} screens, {name}: {got}", flush=True)
            memory = {name: rss_mb(server) for name, server in sides.items()}
            span = Others()
            timed = call_times(sides, pool, calls, connected)
            rows.append({"screens": count, "other_cores": span.cores(),
                         **{name: {"connected": connected[name], "rss_mb": memory[name], **timed[name]}
                            for name in sides}})
            print(rows[-1], flush=True)
        finally:
            pool.close()
    return rows


def visits_phase(sides: dict, rounds: int, seconds: float) -> dict:
    pool = rawsockets.Pool()
    try:
        for block, (name, server) in enumerate(sides.items()):
            got = pool.connect("127.0.0.1", server.port, VISIT_SCREENS,
                               sources=capacity.addresses(VISIT_SCREENS // PER_ADDRESS, 150 + 40 * block))
            print(f"visits with {VISIT_SCREENS} screens, {name}: {got}", flush=True)
        measured = {name: [] for name in sides}
        others = []
        names = list(sides)
        for r in range(rounds):
            span = Others()
            for name in names[r % 2:] + names[:r % 2]:
                measured[name].append(capacity.visits_open_loop(sides[name], f"r{r}-{name[0]}", seconds))
                print(f"round {r + 1}, {name}: {measured[name][-1]}", flush=True)
            others.append(span.cores())
        one, many = names
        ratios = [m["p99_ms"] / ref["p99_ms"] for m, ref in zip(measured[many], measured[one])]
        return {"other_cores": others, "p99_ratio": round(statistics.median(ratios), 2),
                **{name: {"p50_ms": round(statistics.median(m["p50_ms"] for m in measured[name]), 2),
                          "p99_ms": round(statistics.median(m["p99_ms"] for m in measured[name]), 2),
                          "errors": sum(m["errors"] for m in measured[name]), "rounds": measured[name]}
                   for name in sides}}
    finally:
        pool.close()


def markdown(result: dict) -> str:
    one, many = result["sides"]
    cores = ", ".join(str(row["other_cores"]) for row in result["screens"])
    lines = [f"# One process against {WORKERS} through Redis ({result['at']}, commit {result['commit']})", "",
             f"Call to the last screen ({result['calls']} calls per side and screen count, alternating; other "
             f"processes {cores} cores):", "",
             "| screens | side | connected | to the last screen p50 / p99 ms | lost | workers' RSS MB |",
             "|---|---|---|---|---|---|"]
    for row in result["screens"]:
        for name in (one, many):
            s = row[name]
            lines.append(f"| {row['screens']} | {name} | {s['connected']} | {s.get('p50_ms')} / {s.get('p99_ms')} "
                         f"| {s['lost']} | {s['rss_mb']} |")
        if row[one].get("p50_ms"):
            lines.append(f"| | ratio | | {row[many]['p50_ms'] / row[one]['p50_ms']:.2f} / "
                         f"{row[many]['p99_ms'] / row[one]['p99_ms']:.2f} | | |")
    v = result["visits"]
    lines += ["", f"Kiosk visits at {capacity.RATE:g}/s offered with {VISIT_SCREENS} screens connected "
              f"({result['rounds']} rounds of {result['seconds']:g} s; other processes "
              f"{', '.join(str(c) for c in v['other_cores'])} cores):", "",
              "| side | p50 / p99 ms | errors |", "|---|---|---|"]
    for name in (one, many):
        lines.append(f"| {name} | {v[name]['p50_ms']} / {v[name]['p99_ms']} | {v[name]['errors']} |")
    lines += ["", f"p99 ratio, {many} over {one} (median of rounds): {v['p99_ratio']}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args(argv)
    calls, rounds, seconds = (5, 2, 8.0) if args.quick else (args.calls, args.rounds, args.seconds)
    with tempfile.TemporaryDirectory(prefix="processes-") as folder:
        work = Path(folder)
        redis = RedisServer(work).start()
        sides = {}
        try:
            sides["1 process"] = start(work / "one", 1, None)
            sides[f"{WORKERS} processes + Redis"] = start(work / "many", WORKERS, redis.url)
            result = {"at": time.strftime("%Y-%m-%d %H:%M"), "commit": launch.code_version(launch.ROOT),
                      "sides": list(sides), "calls": calls, "rounds": rounds, "seconds": seconds,
                      "screens": screens_phase(sides, calls), "visits": visits_phase(sides, rounds, seconds)}
        finally:
            for server in sides.values():
                server.stop()
            redis.stop()
    text = markdown(result)
    print(text)
    launch.save_results("processes-quick" if args.quick else "processes", result, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
