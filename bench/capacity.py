"""Capacity on the shipped defaults: a day's phones and the hall's screens (SPEC "Capacity", issue 16).

    .venv/bin/python -m bench.capacity           # -> results/capacity.{json,md}
    .venv/bin/python -m bench.capacity --quick   # smoke: 1 round, 5 calls -> capacity-quick.*

The product is server.py with config.toml's [server] and [limits] as shipped (1,200 places
for phones and screens, 1,100 of them for phones; 100 threads kept for requests; 20 places
per address), bench kiosks (enrolled, preview printers) and no per-kiosk rate limit (20
visits/s come from 10 kiosks). Clients are rawsockets.py's raw Engine.IO websockets, from
many loopback addresses (127.0.x.y) as a hall's phones come from many, 20 per address.

1. Visits: four servers at once, with 0, 200, 1,000 and 2,000 sockets asked: 10 hall screens
   and the rest phone pages, each watching a ticket of its own (issued before, over four
   services). Past the phones' 1,100 places the server refuses with 503 (counted). Per round
   and server: POST /api/visits at 20/s offered for 20 s (400 visits) from 10 kiosks (open loop, each
   request timed from its scheduled send), rounds alternating the servers; the ratio is the
   server's p99 over the 0-socket server's p99 in the same round (the floor: the same stack
   doing the same visits with no socket), and its median over the rounds. Then one counter
   call per server: which screens and which phones heard it.
2. Broadcast: the product with 1,000 screens (50 addresses) against floor_broadcast.py (the
   same stack whose POST only emits the same payload to every client) with 1,000: calls
   alternating between them; per call, the time from just before the POST to the last of the
   1,000 arrivals; p50/p99 over the calls, lost deliveries, the worker's RSS and threads.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

from bench import benchconfig, launch, rawsockets
from bench.loadgen import Kiosk, Tally
from bench.models import Others, summary

SOCKETS = (0, 200, 1000, 2000)
SCREENS = 10
KIOSKS = 10
RATE = 20.0
PER_ADDRESS = 20  # config.toml's [limits] sockets_per_address
SERVICES = ("kk", "kia", "akta_lahir", "legalisir")
P99_TARGET = 1.5  # at 1,000 sockets, over the 0-socket server
RSS_TARGET_MB = 300.0
STAFF_PASSWORD = uuid.uuid4().hex


def addresses(count: int, block: int) -> list[str]:
    """count loopback source addresses of their own block (127.<block>.x.y)."""
    return [f"127.{block}.{1 + n // 250}.{1 + n % 250}" for n in range(count)]


def product(folder: Path) -> launch.LiveServer:
    overrides = benchconfig.bench_overrides(KIOSKS)
    overrides["limits"] = {"sockets_per_address": PER_ADDRESS, "requests_per_address": "600/minute"}
    server = launch.product(folder, overrides)
    server.start()
    server.worker = launch.worker_pid(server.process)
    add_staff(server)
    return server


def add_staff(server) -> None:
    """Counter 1's staff account, made with the CLI as an office would."""
    import subprocess
    subprocess.run([sys.executable, "-m", "flask", "--app", "server", "users", "add", "bench",
                    "--role", "admin"], input=STAFF_PASSWORD + "\n", text=True, check=True,
                   cwd=launch.ROOT, env={**__import__("os").environ, "KIOSK_CONFIG": str(server.config)},
                   capture_output=True)


def staff(server) -> requests.Session:
    http = requests.Session()
    answer = http.post(f"{server.url}/api/login", json={"username": "bench", "password": STAFF_PASSWORD})
    http.headers["X-CSRFToken"] = answer.json()["csrf_token"]
    return http


def issue(server, count: int, tag: str, services: tuple[str, ...] = SERVICES) -> list[dict]:
    """count tickets over services from the first kiosk; return them."""
    http = requests.Session()
    http.cookies.update(server.kiosk_cookies())
    kiosk = benchconfig.kiosk_id(1)
    return [http.post(f"{server.url}/api/visits", timeout=30, json={
        "kiosk": kiosk, "service": services[n % len(services)], "request_id": f"{tag}-{n}"}).json()["ticket"]
        for n in range(count)]


def visits_open_loop(server, tag: str, seconds: float) -> dict:
    """RATE visits/s for seconds from KIOSKS kiosks, each its own thread and connection."""
    start = time.monotonic() + 0.5
    total = int(RATE * seconds)
    tallies = [Tally() for _ in range(KIOSKS)]
    cookies = server.kiosk_cookies()

    def run(index: int) -> None:
        kiosk = Kiosk(server.port, benchconfig.kiosk_id(index + 1), tag, tallies[index], cookies)
        kiosk.connect()
        for k in range(index, total, KIOSKS):
            due = start + k / RATE
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            ok = kiosk.visit()
            tallies[index].latencies.append(time.monotonic() - due)
            tallies[index].ok += ok
        kiosk.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(KIOSKS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies = [x for t in tallies for x in t.latencies]
    return summary(latencies, sum(t.errors for t in tallies))


def heard_call(server, pool: rawsockets.Pool, tickets: list[dict]) -> dict:
    """Counter 1 calls next: how many screens heard it, and whether exactly the connected
    phones whose ticket it moved heard of it."""
    pool.clear()
    live = set(pool.report(server.port)["queries"])
    tickets = [t for t in tickets if f"watch={t['token']}" in live]
    desk = staff(server)
    called = desk.post(f"{server.url}/api/counters/1/call-next", timeout=30).json()["ticket"]
    version = requests.get(f"{server.url}/api/state", timeout=30).json()["version"]
    watched = {t["number"] for t in tickets}
    moved = {t["number"] for t in tickets if t["service"] == called["service"]}
    deadline = time.monotonic() + 20
    while True:
        seen = pool.report(server.port)
        screens = len(seen["arrivals"].get(f"{server.port}:{version}", []))
        heard = {number for _, number, _, _ in seen["tickets"]} & watched
        if (screens >= SCREENS and heard >= moved) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    desk.post(f"{server.url}/api/tickets/{called['id']}/start", timeout=30)
    desk.post(f"{server.url}/api/tickets/{called['id']}/finish", timeout=30)
    return {"screens_heard": screens, "phones_moved": len(moved), "phones_heard": len(heard),
            "phones_heard_unmoved": len(heard - moved)}


def visits_phase(work: Path, rounds: int, seconds: float) -> dict:
    servers, tickets, connected = {}, {}, {}
    pool = rawsockets.Pool()
    try:
        for n in SOCKETS:
            servers[n] = product(work / f"visits-{n}")
            phones = max(0, n - SCREENS)
            tickets[n] = issue(servers[n], phones, f"phones-{n}")
            got = {"connected": 0, "refused": {}}
            if n:
                screens = pool.connect("127.0.0.1", servers[n].port, SCREENS, sources=addresses(1, 200 + n // 100))
                got = pool.connect("127.0.0.1", servers[n].port, phones, per_process=500,
                                   queries=[f"watch={t['token']}" for t in tickets[n]],
                                   sources=addresses(-(-phones // PER_ADDRESS), 10 + n // 100))
                got = {"screens": screens["connected"], "phones": got["connected"], "refused": got["refused"]}
            memory = launch.memory_mb(servers[n].worker)
            connected[n] = {**got, "rss_mb": round(memory["rss_mb"], 1), "threads": memory["threads"]}
            print(f"{n} sockets asked: {connected[n]}", flush=True)
        measured: dict[int, list] = {n: [] for n in SOCKETS}
        others = []
        for r in range(rounds):
            order = SOCKETS[r % len(SOCKETS):] + SOCKETS[:r % len(SOCKETS)]
            span = Others()
            for n in order:
                measured[n].append(visits_open_loop(servers[n], f"r{r}-{n}", seconds))
                print(f"round {r + 1}, {n} sockets: {measured[n][-1]}", flush=True)
            others.append(span.cores())
        heard = {n: heard_call(servers[n], pool, tickets[n]) for n in SOCKETS if n}
        rows = []
        for n in SOCKETS:
            ratios = [m["p99_ms"] / ref["p99_ms"] for m, ref in zip(measured[n], measured[0])]
            rows.append({"sockets": n, **connected[n], "rounds": measured[n],
                         "p50_ms": statistics.median(m["p50_ms"] for m in measured[n]),
                         "p99_ms": statistics.median(m["p99_ms"] for m in measured[n]),
                         "errors": sum(m["errors"] for m in measured[n]),
                         "p99_ratio": round(statistics.median(ratios), 2), "call": heard.get(n)})
        return {"rows": rows, "other_cores": others}
    finally:
        pool.close()
        for server in servers.values():
            server.stop()


def broadcast_phase(work: Path, calls: int, clients: int = 1000) -> dict:
    pool = rawsockets.Pool()
    server = product(work / "broadcast-product")
    floor = launch.floor("bench.floor_broadcast", work / "broadcast-floor", ["--threads", "1400"]).start()
    floor.worker = launch.worker_pid(floor.process)
    try:
        issue(server, calls + 5, "broadcast", ("kk",))  # counter 1 calls kk
        desk = staff(server)
        sides = {"product": server, "floor": floor}
        for name, side in sides.items():
            got = pool.connect("127.0.0.1", side.port, clients, sources=addresses(clients // PER_ADDRESS, 100))
            print(f"{name}: {got}", flush=True)
            side.connected = got["connected"]
        memory = {name: launch.memory_mb(side.worker) for name, side in sides.items()}
        times = {name: [] for name in sides}
        lost = {name: 0 for name in sides}
        span = Others()
        for call in range(calls):
            for name, side in sides.items():
                pool.clear()
                sent = time.time()
                if name == "product":
                    ticket = desk.post(f"{side.url}/api/counters/1/call-next", timeout=30).json()["ticket"]
                    version = requests.get(f"{side.url}/api/state", timeout=30).json()["version"]
                else:
                    version = requests.post(f"{side.url}/api/emit", json={"event": "called"}, timeout=30).json()["version"]
                deadline = time.monotonic() + 10
                while True:
                    arrivals = pool.report(side.port)["arrivals"].get(f"{side.port}:{version}", [])
                    if len(arrivals) >= side.connected or time.monotonic() > deadline:
                        break
                    time.sleep(0.05)
                lost[name] += side.connected - len(arrivals)
                if arrivals:
                    times[name].append(max(arrivals) - sent)
                if name == "product":
                    desk.post(f"{side.url}/api/tickets/{ticket['id']}/start", timeout=30)
                    desk.post(f"{side.url}/api/tickets/{ticket['id']}/finish", timeout=30)
                else:
                    requests.post(f"{side.url}/api/emit", json={"event": "started"}, timeout=30)
                    requests.post(f"{side.url}/api/emit", json={"event": "finished"}, timeout=30)
                time.sleep(0.3)
        result = {name: {"connected": side.connected, **summary(times[name]), "lost": lost[name],
                         "rss_mb": round(memory[name]["rss_mb"], 1), "threads": memory[name]["threads"]}
                  for name, side in sides.items()}
        result["other_cores"] = span.cores()
        return result
    finally:
        pool.close()
        server.stop()
        floor.stop()


def markdown(result: dict) -> str:
    lines = [f"# Capacity on the shipped defaults ({result['at']}, commit {result['commit']})", "",
             f"Visits at {RATE:g}/s offered for {result['seconds']:g} s from {KIOSKS} kiosks, {result['rounds']} rounds "
             "alternating the servers; the floor is the same server with no socket (its p99 in the same "
             f"round). Sockets: {SCREENS} screens and the rest phones watching their own tickets, "
             f"{PER_ADDRESS} per loopback address. Other processes took "
             f"{', '.join(str(c) for c in result['visits']['other_cores'])} cores in the rounds.", "",
             "| sockets asked | screens / phones connected | refused | worker RSS MB | threads | visit p50 / p99 ms "
             "| p99 ratio (target ≤ 1.5 at 1,000) | errors | call: screens heard / live phones it moved, of them heard, others heard |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in result["visits"]["rows"]:
        call = row["call"]
        heard = (f"{call['screens_heard']} / {call['phones_moved']}, {call['phones_heard']}, "
                 f"{call['phones_heard_unmoved']}") if call else "-"
        refused = sum(row.get("refused", {}).values())
        lines.append(f"| {row['sockets']} | {row.get('screens', 0)} / {row.get('phones', 0)} | {refused} "
                     f"| {row['rss_mb']} | {row['threads']} | {row['p50_ms']} / {row['p99_ms']} | {row['p99_ratio']} "
                     f"| {row['errors']} | {heard} |")
    b = result["broadcast"]
    lines += ["", f"Call to the last of 1,000 screens ({result['calls']} calls each, alternating; "
              f"other processes: {b['other_cores']} cores):", "",
              "| side | connected | to the last screen p50 / p99 / max ms | lost | worker RSS MB | threads |",
              "|---|---|---|---|---|---|"]
    for name in ("product", "floor"):
        s = b[name]
        lines.append(f"| {name} | {s['connected']} | {s.get('p50_ms')} / {s.get('p99_ms')} / {s.get('max_ms')} "
                     f"| {s['lost']} | {s['rss_mb']} | {s['threads']} |")
    if b["floor"].get("p50_ms"):
        lines += ["", f"Ratio product / floor: p50 {b['product']['p50_ms'] / b['floor']['p50_ms']:.2f}, "
                  f"p99 {b['product']['p99_ms'] / b['floor']['p99_ms']:.2f}; "
                  f"RSS target ≤ {RSS_TARGET_MB:g} MB: {b['product']['rss_mb']}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=5, help="visit rounds per server (5)")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds per round (20)")
    args = parser.parse_args(argv)
    rounds, calls = (1, 5) if args.quick else (args.rounds, 20)
    seconds = 10.0 if args.quick else args.seconds
    with tempfile.TemporaryDirectory(prefix="capacity-") as folder:
        work = Path(folder)
        result = {"at": time.strftime("%Y-%m-%d %H:%M"), "commit": launch.code_version(launch.ROOT),
                  "rounds": rounds, "seconds": seconds, "calls": calls,
                  "visits": visits_phase(work, rounds, seconds), "broadcast": broadcast_phase(work, calls)}
    text = markdown(result)
    print(text)
    launch.save_results("capacity-quick" if args.quick else "capacity", result, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
