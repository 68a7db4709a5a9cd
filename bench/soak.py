"""Soak: kiosks, counter staff and Socket.IO screens on the real server for a while, then
every invariant checked against the SQLite file and against what the clients saw.

The server runs as in production (server.py: gunicorn, one gthread worker). 20 kiosks post
visits (a request_id each; mixed services, a few claimed emergencies and priorities, some
for a postponed service) at a bounded rate, resting while the queue is long; 12 counters,
each logged in at its own desk, call, start and finish, and sometimes recall, mark a
no-show, transfer or verify a claim; 100 screens keep the public state from `state` and
`queue` events (resyncing on a gap), 20 of them also watch a ticket as the phone page does.

Afterwards: PRAGMA integrity_check ok, no duplicate number, no gap in any day's numbering,
every ticket whose 201 reached a kiosk present with the number the kiosk was given (and no
ticket that no kiosk was told of), every ticket in one valid status that agrees with its
last event, no answer of 500 or above, and every screen's final state equal to /api/state
(every phone's ticket to the server's). 409s (racing or retrying counters), 404s (empty
queue) and 429s are counted, not failures.

Run from the repository root: .venv/bin/python -m bench.soak [--seconds 600]
"""
from __future__ import annotations

import argparse
import collections
import secrets
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import requests

from bench import benchconfig, launch
from bench.actors import CounterCrew, Crowd, KioskCrew, merge_tallies
from bench.workers import Pool, shares

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
KIOSKS, COUNTERS, SOCKETS, PHONES = 20, 12, 100, 20
SOCKET_PROCESSES = 4
KIOSK_RATE = 0.25          # visits/s per kiosk: 5/s in all (why so few: bench/README.md, "Soak")
# Every service of config.toml that is not postponed has counters; ktp (postponed) is visited
# too and answered without a ticket.
SERVED = ("kk", "kia", "pindah", "akta_lahir", "akta_mati", "nikah_cerai", "legalisir", "informasi")
VISITED = SERVED * 3 + ("ktp",)
SETTLE = 20.0              # seconds the screens get to catch up once the load stops
WATCH_EVERY = 10.0         # the phones are given fresh tickets to watch this often
THREADS = 200              # gunicorn threads: config.toml's default (100 websockets hold one each)
STATUSES = {"waiting", "called", "serving", "done", "no_show", "redirected", "expired"}
# The statuses a ticket may have after each kind of event, its last one.
AFTER = {"issued": {"waiting"}, "called": {"called"}, "recalled": {"called"}, "started": {"serving"},
         "finished": {"done"}, "no_show": {"no_show"}, "transferred": {"waiting"},
         "verified": {"called", "serving", "waiting"}, "redirected": {"redirected"},
         "expired": {"expired"}}
SAMPLES = 5


def overrides(kiosks: int = KIOSKS, counters: int = COUNTERS) -> dict:
    """The soak's office: no daily limit, no rate limits, N kiosks, N counters over the services."""
    desks = [{"id": i + 1, "name": f"Loket {i + 1}",
              "services": [SERVED[i % len(SERVED)], SERVED[(i + 3) % len(SERVED)]]}
             for i in range(counters)]
    return {**benchconfig.bench_overrides(kiosks, threads=THREADS), "counters": desks}


def add_staff(config_path: Path, counters: int) -> list[dict]:
    """Make one staff account per counter on the server's database (as the tests do), before start."""
    from queueing import config as configuration
    from queueing.accounts import Accounts
    from queueing.store import Store
    config = configuration.load(config_path)
    store = Store(config.server.database)
    try:
        accounts = Accounts(config, store)
        staff = []
        for counter in range(1, counters + 1):
            password = secrets.token_urlsafe(12)
            accounts.add_user(f"loket{counter}", password, "staff", [counter])
            staff.append({"counter": counter, "username": f"loket{counter}", "password": password})
        return staff
    finally:
        store.close()


class Load:
    """The clients, in forked processes: kiosks, counters, and screens split over a few."""

    def __init__(self, socket_processes: int = SOCKET_PROCESSES):
        # All forked here, before this process starts any thread (workers.py).
        self.kiosks = Pool(1, KioskCrew)
        self.counters = Pool(1, CounterCrew)
        self.crowd = Pool(socket_processes, Crowd)
        self.phones: list[int] = []

    def start(self, url: str, staff: list[dict], kiosks: int, rate: float, sockets: int, phones: int,
              seed: str, cookies: dict[str, str]) -> dict:
        """Connect the screens, then start the counters and the kiosks."""
        numbers = list(range(sockets))
        parts, at = [], 0
        for n in shares(sockets, len(self.crowd)):
            parts.append(numbers[at:at + n])
            at += n
        replies = self.crowd.ask([{"op": "connect", "url": url, "numbers": part} for part in parts], 300)
        self.phones = numbers[:phones]
        self.counters.ask_all({"op": "start", "url": url, "staff": staff, "services": list(SERVED),
                               "seed": seed})
        self.kiosks.ask_all({"op": "start", "url": url, "seed": seed, "tag": seed, "rate": rate, "cookies": cookies,
                             "services": list(VISITED),
                             "kiosks": [benchconfig.kiosk_id(i + 1) for i in range(kiosks)]})
        return {"connected": sum(r["connected"] for r in replies),
                "failed": [f for r in replies for f in r["failed"]]}

    def watch_fresh(self) -> None:
        """Give the phones the tickets issued last to watch."""
        tokens = self.kiosks.ask_all({"op": "tokens", "count": len(self.phones)})[0]
        if tokens:
            self.crowd.ask_all({"op": "watch", "phones": self.phones, "tokens": tokens})

    def resynced(self, since: float) -> list[float | None]:
        """Per screen, when its first snapshot after since arrived (None: not yet)."""
        return [t for reply in self.crowd.ask_all({"op": "resynced", "since": since}) for t in reply]

    def screens(self, full: bool = False) -> list[dict]:
        return [s for reply in self.crowd.ask_all({"op": "report", "full": full}) for s in reply]

    def progress(self) -> dict:
        return {"kiosks": self.kiosks.ask_all({"op": "progress"})[0],
                "counters": self.counters.ask_all({"op": "progress"})[0]}

    def stop(self) -> dict:
        """Stop the kiosks (each finishes its visit in flight) and the counters."""
        kiosks = self.kiosks.ask_all({"op": "stop"}, 300)[0]
        counters = self.counters.ask_all({"op": "stop"}, 300)[0]
        return {"kiosks": kiosks, "counters": counters}

    def close(self) -> None:
        for pool in (self.kiosks, self.counters, self.crowd):
            pool.close()


# --- the checks ---

def check_database(database: Path, acknowledged: dict[str, dict]) -> dict:
    """Check the SQLite file: integrity, numbering, acknowledged tickets, statuses."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        tickets = {r["id"]: r for r in conn.execute("SELECT * FROM tickets")}
        last_seq = {(r["day"], r["prefix"]): r["last"] for r in conn.execute("SELECT * FROM day_numbers")}
        visits = {f"{r['kiosk']}/{r['request_id']}": r["ticket_id"]
                  for r in conn.execute("SELECT kiosk, request_id, ticket_id FROM visits")}
        last_event = dict(conn.execute(
            "SELECT ticket_id, event FROM events WHERE version IN"
            " (SELECT max(version) FROM events WHERE ticket_id IS NOT NULL GROUP BY ticket_id)"))
    finally:
        conn.close()
    return {"integrity_check": integrity[:SAMPLES], "tickets": len(tickets),
            **numbering(tickets.values(), last_seq), **acknowledgement(tickets, visits, acknowledged),
            **statuses(tickets.values(), last_event)}


def numbering(tickets, last_seq: dict) -> dict:
    """Duplicates and gaps per (day, prefix); the day's counter row must equal the highest number."""
    seqs, numbers = collections.defaultdict(list), collections.Counter()
    for t in tickets:
        seqs[(t["day"], t["prefix"])].append(t["seq"])
        numbers[(t["day"], t["number"])] += 1
        if t["number"] != f"{t['prefix']}{t['seq']:03d}":
            numbers[("malformed", t["number"])] += 2
    duplicates = sum(n - 1 for n in numbers.values() if n > 1)
    gaps, counter_mismatch = 0, []
    for key, values in seqs.items():
        duplicates += len(values) - len(set(values))
        gaps += max(values) - len(set(values))
        if last_seq.get(key) != max(values):
            counter_mismatch.append(f"{key}: counter row {last_seq.get(key)}, highest ticket {max(values)}")
    return {"duplicates": duplicates, "gaps": gaps, "counter_mismatches": counter_mismatch[:SAMPLES],
            "numbered_series": len(seqs)}


def acknowledgement(tickets: dict, visits: dict, acknowledged: dict[str, dict]) -> dict:
    """Every 201 that reached a kiosk: its ticket is there with the same number and request."""
    lost = [f"{key}: {t['number']} (id {t['id']})" for key, t in acknowledged.items()
            if t["id"] not in tickets or tickets[t["id"]]["number"] != t["number"]
            or tickets[t["id"]]["day"] != t["day"]]
    wrong_request = [key for key, t in acknowledged.items() if visits.get(key) != t["id"]]
    told = {t["id"] for t in acknowledged.values()}
    shared = len(acknowledged) - len(told)  # two requests answered with one ticket
    unacknowledged = sorted(set(tickets) - told)
    return {"acknowledged": len(acknowledged), "lost": len(lost), "lost_samples": lost[:SAMPLES],
            "wrong_request": len(wrong_request), "shared_tickets": shared,
            "unacknowledged": len(unacknowledged), "unacknowledged_samples": unacknowledged[:SAMPLES]}


def statuses(tickets, last_event: dict) -> dict:
    """One valid status per ticket, consistent with its counter and with its last event."""
    bad, holders = [], collections.Counter()
    for t in tickets:
        status = t["status"]
        if status not in STATUSES:
            bad.append(f"{t['number']}: status {status!r}")
        if status in ("called", "serving"):
            holders[t["counter_id"]] += 1
            if t["counter_id"] is None:
                bad.append(f"{t['number']}: {status} at no counter")
        elif status == "waiting" and t["counter_id"] is not None:
            bad.append(f"{t['number']}: waiting but held by counter {t['counter_id']}")
        event = last_event.get(t["id"])
        if status not in AFTER.get(event, ()):
            bad.append(f"{t['number']}: status {status} after its last event {event!r}")
    bad += [f"counter {c} holds {n} tickets" for c, n in holders.items() if n > 1]
    by_status = collections.Counter(t["status"] for t in tickets)
    return {"status_errors": len(bad), "status_error_samples": bad[:SAMPLES],
            "by_status": dict(sorted(by_status.items()))}


def check_screens(url: str, screens: list[dict], database: Path) -> dict:
    """Each screen's final state equals /api/state; each phone's ticket equals the server's."""
    snapshot = requests.get(url + "/api/state", timeout=30).json()
    expected = {"version": snapshot["version"],
                "counters": {str(c["id"]): [c["ticket"]["number"], c["ticket"]["status"]] if c["ticket"] else None
                             for c in sorted(snapshot["counters"], key=lambda c: c["id"])},
                "waiting": dict(sorted((w["number"], w["service"]) for w in snapshot["waiting"]))}
    differ = [s["number"] for s in screens if s["state"] != expected]
    samples = [diff(s["state"], expected) for s in screens if s["state"] != expected][:3]
    phones = [s for s in screens if s["token"]]
    server_tickets = tickets_by_token(database, [p["token"] for p in phones])
    phone_differ = [f"screen {p['number']}: saw {p['watched']}, server {server_tickets.get(p['token'])}"
                    for p in phones if not p["watched"] or server_tickets.get(p["token"]) !=
                    (p["watched"]["number"], p["watched"]["status"], p["watched"]["counter"])]
    return {"screens": len(screens), "version": snapshot["version"],
            "screens_differing": len(differ), "screen_diff_samples": samples,
            "phones": len(phones), "phones_differing": len(phone_differ),
            "phone_diff_samples": phone_differ[:SAMPLES],
            "waiting_at_end": len(snapshot["waiting"]),
            "gaps_seen": sum(s["gaps"] for s in screens),
            "resyncs": sum(len(s["snapshots"]) for s in screens),
            "events_received": sum(s["events"] for s in screens),
            "disconnects": sum(s["disconnects"] for s in screens),
            "not_connected_at_end": sum(1 for s in screens if not s["connected"])}


def diff(state: dict, expected: dict) -> str:
    """Where a screen's state differs from the server's, briefly."""
    parts = []
    if state["version"] != expected["version"]:
        parts.append(f"version {state['version']} vs {expected['version']}")
    for key in ("counters", "waiting"):
        mine, theirs = state[key], expected[key]
        wrong = {k: (mine.get(k), theirs.get(k)) for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k)}
        if wrong:
            parts.append(f"{key}: {dict(list(wrong.items())[:4])}")
    return "; ".join(parts)


def tickets_by_token(database: Path, tokens: list[str]) -> dict[str, tuple]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    try:
        found = {}
        for token in tokens:
            row = conn.execute("SELECT number, status, counter_id FROM tickets WHERE token = ?",
                               (token,)).fetchone()
            found[token] = tuple(row) if row else None
        return found
    finally:
        conn.close()


def settle(load: Load, url: str, timeout: float = SETTLE) -> list[dict]:
    """Wait until every screen has reached the server's version (or time runs out); return them."""
    deadline = time.monotonic() + timeout
    while True:
        version = requests.get(url + "/api/state", timeout=30).json()["version"]
        screens = load.screens(full=True)
        behind = [s for s in screens if s["version"] != version]
        if not behind or time.monotonic() > deadline:
            return screens
        time.sleep(0.5)


def failures(result: dict) -> list[str]:
    """Every broken invariant of a soak or crash-loop result, as sentences; empty when all hold."""
    db, screens, http = result["database"], result["screens"], result["http"]
    rules = [
        (db["integrity_check"] == ["ok"], f"integrity_check: {db['integrity_check']}"),
        (db["duplicates"] == 0, f"{db['duplicates']} duplicate numbers"),
        (db["gaps"] == 0, f"{db['gaps']} gaps in the numbering"),
        (not db["counter_mismatches"], f"day counters disagree: {db['counter_mismatches']}"),
        (db["lost"] == 0, f"{db['lost']} acknowledged tickets lost: {db['lost_samples']}"),
        (db["wrong_request"] == 0, f"{db['wrong_request']} requests stored with another ticket"),
        (db["shared_tickets"] == 0, f"{db['shared_tickets']} tickets given to two requests"),
        (db["unacknowledged"] == 0, f"{db['unacknowledged']} tickets no kiosk was told of: "
                                    f"{db['unacknowledged_samples']}"),
        (db["status_errors"] == 0, f"{db['status_errors']} status errors: {db['status_error_samples']}"),
        (http["server_errors"] == 0, f"{http['server_errors']} answers of 500 or above: "
                                     f"{http['server_error_samples']}"),
        (http["abandoned"] == 0, f"{http['abandoned']} visits never answered"),
        (result["setup"]["failed"] == [], f"screens that never connected: {result['setup']['failed']}"),
        (screens["screens"] == result["config"]["sockets"], f"{screens['screens']} screens reported"),
        (screens["screens_differing"] == 0, f"{screens['screens_differing']} screens differ from /api/state: "
                                            f"{screens['screen_diff_samples']}"),
        (screens["phones_differing"] == 0, f"{screens['phones_differing']} phones differ: "
                                           f"{screens['phone_diff_samples']}"),
        (db["acknowledged"] > 0, "no ticket was issued"),
        (result["stuck_threads"] == 0, f"{result['stuck_threads']} client threads did not stop"),
    ]
    if "restarts" not in result:  # without kills, the server never drops a connection
        rules.append((http["connection_errors"] == 0, f"{http['connection_errors']} connection errors: "
                                                      f"{http['connection_error_kinds']}"))
        rules.append((screens["disconnects"] == 0, f"{screens['disconnects']} socket disconnects"))
    return [text for ok, text in rules if not ok]


# --- the run ---

def run(seconds: float, kiosks: int = KIOSKS, counters: int = COUNTERS, sockets: int = SOCKETS,
        phones: int = PHONES, rate: float = KIOSK_RATE, folder: Path | None = None,
        during=None, log=print) -> dict:
    """Run the soak (during(server, load, seconds) replaces the plain wait: the crash loop
    kills the server there) and return every figure and check."""
    work = Path(folder or tempfile.mkdtemp(prefix="soak-"))
    load = Load(min(SOCKET_PROCESSES, max(1, sockets)))
    server = launch.product(work, overrides(kiosks, counters))
    seed = secrets.token_hex(4)
    config = {"seconds": seconds, "kiosks": kiosks, "counters": counters, "sockets": sockets, "phones": phones,
              "kiosk_rate": rate, "seed": seed, "started": time.strftime("%Y-%m-%d %H:%M:%S"),
              "code": launch.code_version(ROOT)}
    try:
        staff = add_staff(server.config, counters)
        server.start(60)
        log(f"soak: server on {server.url}; connecting {sockets} screens ...")
        began = time.monotonic()
        setup = load.start(server.url, staff, kiosks, rate, sockets, phones, seed, server.kiosk_cookies())
        log(f"soak: {setup['connected']} screens; {kiosks} kiosks at {rate:g}/s each and {counters} "
            f"counters for {seconds:g} s ...")
        loaded = time.monotonic()
        extra = (during or plain)(server, load, seconds)
        load_seconds = time.monotonic() - loaded
        stopped = load.stop()
        load.watch_fresh()  # the last phones' tickets: at rest, so their final state is known
        time.sleep(1.0)
        screens = settle(load, server.url)
        acknowledged = stopped["kiosks"]["acknowledged"]
        result = {"config": config, "setup": setup, "load_seconds": load_seconds,
                  "wall_seconds": time.monotonic() - began,
                  "http": merge_tallies([stopped["kiosks"]["tally"], stopped["counters"]["tally"]]),
                  "kiosks": {"tally": stopped["kiosks"]["tally"], "outcomes": stopped["kiosks"]["outcomes"]},
                  "counters": {"tally": stopped["counters"]["tally"], "moves": stopped["counters"]["moves"]},
                  "stuck_threads": stopped["kiosks"]["stuck_threads"] + stopped["counters"]["stuck_threads"],
                  "screens": check_screens(server.url, screens, work / "antrian.db"),
                  **(extra or {})}
        server.stop()
        result["database"] = check_database(work / "antrian.db", acknowledged)
        result["rates"] = {"visits_per_second": result["database"]["acknowledged"] / load_seconds,
                           "events_per_second": result["screens"]["version"] / load_seconds,
                           "deliveries_per_second": result["screens"]["events_received"] / load_seconds}
        result["failures"] = failures(result)
        return result
    except Exception:
        log(f"soak failed; files kept in {work}\n--- server log ---\n{server.log_tail()}")
        folder = work  # keep it
        raise
    finally:
        server.stop()
        load.close()
        if folder is None:
            shutil.rmtree(work, ignore_errors=True)


def plain(server, load: Load, seconds: float) -> dict:
    """The soak's own middle: let the load run, giving the phones fresh tickets now and then."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(min(WATCH_EVERY, max(0.0, end - time.monotonic())))
        load.watch_fresh()
    return {}


def summary(result: dict) -> str:
    """The figures in a few lines."""
    db, s, h, r = result["database"], result["screens"], result["http"], result["rates"]
    lines = [
        f"load: {result['config']['kiosks']} kiosks, {result['config']['counters']} counters, "
        f"{s['screens']} screens ({s['phones']} phones) for {result['load_seconds']:.0f} s: "
        f"{r['visits_per_second']:.1f} tickets/s, {r['events_per_second']:.1f} queue events/s, "
        f"{r['deliveries_per_second']:.0f} socket deliveries/s",
        f"tickets checked: {db['tickets']} ({db['acknowledged']} acknowledged 201s); lost {db['lost']}, "
        f"duplicates {db['duplicates']}, gaps {db['gaps']}, unacknowledged {db['unacknowledged']}, "
        f"status errors {db['status_errors']}, integrity_check {db['integrity_check']}; by status {db['by_status']}",
        f"http: {h['requests']} requests, statuses {h['statuses']}, 5xx {h['server_errors']}, "
        f"connection errors {h['connection_errors']} {h['connection_error_kinds'] or ''}, keep-alive "
        f"reconnects {h['reconnects']}, abandoned {h['abandoned']}",
        f"screens: {s['screens_differing']} of {s['screens']} differ from /api/state (version {s['version']}), "
        f"{s['phones_differing']} of {s['phones']} phones differ; {s['gaps_seen']} gaps seen, "
        f"{s['resyncs']} snapshots taken, {s['disconnects']} disconnects",
        f"counter moves: {result['counters']['moves']}",
    ]
    if "other_cpu" in result:
        lines.append(f"other processes used {result['other_cpu']['cores']:.2f} of "
                     f"{result['other_cpu']['cpus']} cores on average during the run")
    lines.append("all invariants hold" if not result["failures"] else "FAILED: " + " | ".join(result["failures"]))
    return "\n".join(lines)


def write(result: dict, stem: str) -> Path:
    return launch.save_results(stem, result)[0]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="length of the load (600)")
    parser.add_argument("--kiosks", type=int, default=KIOSKS)
    parser.add_argument("--counters", type=int, default=COUNTERS)
    parser.add_argument("--sockets", type=int, default=SOCKETS)
    parser.add_argument("--phones", type=int, default=PHONES)
    parser.add_argument("--rate", type=float, default=KIOSK_RATE, help="visits/s per kiosk")
    parser.add_argument("--out", default=None, help="results stem in bench/results (soak or soak-<N>s)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the soak, print its figures, write bench/results/<stem>.json; 1 if an invariant broke."""
    from bench.visits import _cpus, cpu_usage, other_cpu
    args = parse_args(argv)
    usage = cpu_usage()
    result = run(args.seconds, args.kiosks, args.counters, args.sockets, args.phones, args.rate)
    result["other_cpu"] = {**other_cpu(usage), "cpus": _cpus()}
    print(summary(result))
    print(f"wrote {write(result, args.out or ('soak' if args.seconds >= 600 else f'soak-{args.seconds:g}s')).relative_to(ROOT)}")
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
