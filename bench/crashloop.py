"""Crash loop: the soak's load while the server is killed with kill -9 again and again.

The same clients as bench/soak.py. At a random moment (1 to 4 s after the screens caught
up with the last restart) the whole process group of the server (gunicorn's master and its
worker) gets SIGKILL, and the server is started again at once on the same database. Then:
how long after the server answered /healthz again every screen had a fresh snapshot (the
`state` of its new connection, or a `sync` answer): at most 2 s each; and PRAGMA
integrity_check on the file. Kiosks send an unanswered visit again with the same
request_id until it is answered; counters look at their desk again. Their connection
errors are counted and expected during the outages; a 500 never is.

At the end the soak's checks: no acknowledged ticket lost, no duplicate, no gap, statuses,
every screen's final state equal to /api/state.

Run from the repository root: .venv/bin/python -m bench.crashloop [--kills 50]
"""
from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from pathlib import Path

from bench import soak

ROOT = Path(__file__).resolve().parent.parent
RESYNC_LIMIT = 2.0           # seconds from /healthz answering again to the last screen's snapshot
RESYNC_WAIT = 15.0           # how long to wait for the screens before calling it a failure
BETWEEN = (1.0, 4.0)         # seconds of load between a resync and the next kill


def killer(kills: int, seed: str, log=print):
    """Return the crash loop's middle for soak.run: kill, restart, time the resync, kills times."""
    rng = random.Random(seed)

    def during(server, load: soak.Load, seconds: float) -> dict:
        restarts = []
        for k in range(kills):
            time.sleep(rng.uniform(*BETWEEN))
            killed_at = time.monotonic()
            server.kill()
            dead_at = time.monotonic()  # any snapshot from now on comes from the new server
            server.start(60)
            restarts.append(measure_restart(server, load, killed_at, dead_at))
            load.watch_fresh()
            r = restarts[-1]
            log(f"crash {k + 1}/{kills}: down {r['down_seconds']:.2f} s, screens resynced within "
                f"{_fmt(r['resync_max_seconds'])} s of /healthz, integrity {r['integrity_check']}")
        return {"restarts": restarts, "crash": crash_summary(restarts)}

    return during


def measure_restart(server, load: soak.Load, killed_at: float, dead_at: float) -> dict:
    """Wait for every screen's first snapshot after the kill; check the file meanwhile."""
    ready = server.ready_at
    integrity = integrity_check(server.config.parent / "antrian.db")
    deadline = ready + RESYNC_WAIT
    while True:
        times = load.resynced(dead_at)
        if all(t is not None for t in times) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    waits = [None if t is None else t - ready for t in times]
    done = [w for w in waits if w is not None]
    return {"down_seconds": ready - killed_at, "integrity_check": integrity,
            "screens": len(waits), "not_resynced": len(waits) - len(done),
            "resync_max_seconds": max(done) if done and len(done) == len(waits) else None,
            "resync_p50_seconds": sorted(done)[len(done) // 2] if done else None,
            # A screen may reconnect before /healthz is seen answering: its wait is then negative.
            "resync_min_seconds": min(done) if done else None,
            "over_limit": sum(1 for w in done if w > RESYNC_LIMIT),
            "resync_seconds": sorted(round(w, 3) for w in done)}


def integrity_check(database: Path) -> str:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    try:
        return "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))[:200]
    finally:
        conn.close()


def crash_summary(restarts: list[dict]) -> dict:
    worst = [r["resync_max_seconds"] for r in restarts]
    complete = [w for w in worst if w is not None]
    return {"kills": len(restarts), "restarts_survived": sum(1 for r in restarts if r["integrity_check"] == "ok"),
            "resync_max_seconds": max(complete) if complete else None,
            "resync_worst_p50_seconds": sorted(complete)[len(complete) // 2] if complete else None,
            "restarts_not_resynced": sum(1 for w in worst if w is None),
            "restarts_over_limit": sum(1 for w in complete if w > RESYNC_LIMIT),
            "down_max_seconds": max((r["down_seconds"] for r in restarts), default=None),
            "integrity_failures": [r["integrity_check"] for r in restarts if r["integrity_check"] != "ok"]}


def failures(result: dict) -> list[str]:
    """The soak's broken invariants and the crash loop's own."""
    crash = result["crash"]
    rules = [
        (crash["kills"] == result["config"]["kills"], f"{crash['kills']} kills done"),
        (not crash["integrity_failures"], f"integrity after a restart: {crash['integrity_failures']}"),
        (crash["restarts_not_resynced"] == 0,
         f"{crash['restarts_not_resynced']} restarts after which some screen never resynced"),
        (crash["restarts_over_limit"] == 0, f"{crash['restarts_over_limit']} restarts with a screen slower "
                                            f"than {RESYNC_LIMIT:g} s (worst {crash['resync_max_seconds']})"),
    ]
    return soak.failures(result) + [text for ok, text in rules if not ok]


def run(kills: int, log=print, **sizes) -> dict:
    """Run the soak's load with kills kill -9s and restarts; return the figures and checks."""
    seed = str(random.randrange(10**9))
    result = soak.run(0, during=killer(kills, seed, log), log=log, **sizes)
    result["config"].update(kills=kills, kill_seed=seed)
    result["failures"] = failures(result)
    return result


def summary(result: dict) -> str:
    c = result["crash"]
    return (f"crashes: {c['kills']} kill -9 of the server's process group, {c['restarts_survived']} restarts "
            f"with integrity_check ok; screens resynced at worst {_fmt(c['resync_max_seconds'])} s after "
            f"/healthz answered (median of the per-restart worst {_fmt(c['resync_worst_p50_seconds'])} s, "
            f"limit {RESYNC_LIMIT:g} s); server down at most {_fmt(c['down_max_seconds'])} s\n"
            + soak.summary(result))


def _fmt(seconds: float | None) -> str:
    return "never" if seconds is None else f"{seconds:.2f}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50, help="kill -9s (50)")
    parser.add_argument("--rate", type=float, default=soak.KIOSK_RATE, help="visits/s per kiosk")
    parser.add_argument("--out", default=None, help="results stem in bench/results")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the crash loop, print its figures, write bench/results/<stem>.json; 1 on a failure."""
    from bench.visits import _cpus, cpu_usage, other_cpu
    args = parse_args(argv)
    usage = cpu_usage()
    result = run(args.kills, rate=args.rate)
    result["other_cpu"] = {**other_cpu(usage), "cpus": _cpus()}
    print(summary(result))
    stem = args.out or ("crashloop" if args.kills >= 50 else f"crashloop-{args.kills}")
    print(f"wrote {soak.write(result, stem).relative_to(ROOT)}")
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
