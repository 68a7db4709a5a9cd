"""Crash: kill -9 of the running server during a burst of visits, three times over.

The server runs as production runs it (python server.py: a gunicorn master and its
one worker, in their own session). After each kill and restart, every ticket whose
201 reached a kiosk is in the database with the number the kiosk was given, the
numbering has no holes, the file passes its integrity check and the server hands
out the next number.
"""
from __future__ import annotations

import collections
import sqlite3
import threading
import time

import pytest
import requests

from bench.liveserver import LiveServer, enroll_kiosks

pytestmark = pytest.mark.slow

CYCLES = 3
BURST_THREADS = 8
BURST_SECONDS = 1.0
SERVICES = ("kk", "kia")

# A minimal office: no closing time (the real clock runs here), no daily limit, no rate limits.
CONFIG_TEXT = """
[office]
name = "Kantor uji kerusakan"
timezone = "Asia/Jakarta"

[server]
host = "127.0.0.1"
database = "antrian.db"
threads = 100

[admission]
mode = "normal"
daily_limit = 0

[limits]
visits_per_kiosk = ""
logins_per_address = ""
logins_per_account = ""

[[reasons]]
code = "bpjs"
label = "Keperluan BPJS Kesehatan"

[[services]]
code = "kk"
name = "Kartu Keluarga"
prefix = "B"

[[services]]
code = "kia"
name = "Kartu Identitas Anak"
prefix = "C"

[[counters]]
id = 1
name = "Loket 1"
services = ["kk"]

[[counters]]
id = 2
name = "Loket 2"
services = ["kia"]

[[kiosks]]
id = "lobby"
printer = { type = "preview" }
"""


@pytest.fixture
def running_server(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(CONFIG_TEXT, encoding="utf-8")
    server = LiveServer(config)
    KIOSK_COOKIES.clear()
    KIOSK_COOKIES.update(enroll_kiosks(config))
    try:
        yield server
    finally:
        server.kill()


KIOSK_COOKIES: dict[str, str] = {}  # the running server's enrolled lobby kiosk


def visit(session, url: str, request_id: str, service: str):
    body = {"kiosk": "lobby", "service": service, "request_id": request_id}
    return session.post(f"{url}/api/visits", json=body, cookies=KIOSK_COOKIES, timeout=10)


def burst(url: str, cycle: int, stop: threading.Event) -> tuple[list, dict, list, list]:
    """Start kiosk threads that visit until stop or the server dies. Return the threads,
    {request_id: ticket} of the 201s that arrive, the (request_id, service) whose answer
    never arrived, and any answer that was not a 201."""
    acknowledged, lost, refused, lock = {}, [], [], threading.Lock()

    def kiosk(thread: int) -> None:
        with requests.Session() as session:
            n = 0
            while not stop.is_set():
                request_id, service = f"c{cycle}-t{thread}-v{n}", SERVICES[(thread + n) % 2]
                n += 1
                try:
                    response = visit(session, url, request_id, service)
                except requests.RequestException:
                    with lock:
                        lost.append((request_id, service))
                    return  # the server is gone
                with lock:
                    if response.status_code == 201:
                        acknowledged[request_id] = response.json()["ticket"]
                    else:
                        refused.append((request_id, response.status_code, response.text))

    threads = [threading.Thread(target=kiosk, args=(t,)) for t in range(BURST_THREADS)]
    for t in threads:
        t.start()
    return threads, acknowledged, lost, refused


def read(database, sql: str) -> list[sqlite3.Row]:
    conn = sqlite3.connect(database, timeout=15)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def assert_numbers_unique_and_gap_free(database) -> None:
    rows = read(database, "SELECT day, prefix, seq, number FROM tickets")
    assert len({(r["day"], r["number"]) for r in rows}) == len(rows)
    seqs = collections.defaultdict(list)
    for r in rows:
        seqs[(r["day"], r["prefix"])].append(r["seq"])
    for key, numbers in seqs.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), key


def test_three_kills_during_a_burst_of_visits_lose_no_acknowledged_ticket(running_server, tmp_path):
    database = tmp_path / "antrian.db"
    acknowledged: dict[str, dict] = {}
    running_server.start()
    for cycle in range(CYCLES):
        stop = threading.Event()
        threads, given, lost, refused = burst(running_server.url, cycle, stop)
        time.sleep(BURST_SECONDS)
        running_server.kill()  # kill -9 in the middle of the burst
        stop.set()
        for t in threads:
            t.join(timeout=30)
        assert refused == []
        assert given, "no visit was acknowledged before the kill"
        assert lost, "the kiosks never met the dead server"
        acknowledged.update(given)

        running_server.start()
        stored = {r["id"]: r for r in read(database, "SELECT id, number, day FROM tickets")}
        missing = [(t["id"], t["number"]) for t in acknowledged.values()
                   if t["id"] not in stored or stored[t["id"]]["number"] != t["number"]]
        assert missing == []
        visits = {r["request_id"]: r["ticket_id"]
                  for r in read(database, "SELECT request_id, ticket_id FROM visits")}
        assert {rid: visits.get(rid) for rid in acknowledged} == \
            {rid: t["id"] for rid, t in acknowledged.items()}
        assert_numbers_unique_and_gap_free(database)
        assert read(database, "PRAGMA integrity_check")[0][0] == "ok"

        # A kiosk retrying a request whose answer was lost gets the ticket written before the
        # kill if there is one, else a new one: never two tickets for one request.
        with requests.Session() as session:
            for request_id, service in lost:
                response = visit(session, running_server.url, request_id, service)
                assert response.status_code == 201, response.text
                ticket = acknowledged[request_id] = response.json()["ticket"]
                assert visits.get(request_id) in (None, ticket["id"])
        assert len(read(database, "SELECT id FROM tickets")) == len(acknowledged)

        # And the next walk-in gets the next number: the highest of its day, with no hole below.
        with requests.Session() as session:
            response = visit(session, running_server.url, f"c{cycle}-after", "kk")
        assert response.status_code == 201, response.text
        ticket = acknowledged[f"c{cycle}-after"] = response.json()["ticket"]
        same_day = read(database, "SELECT seq FROM tickets WHERE prefix = 'B' AND day = "
                                  f"'{ticket['day']}'")
        assert ticket["number"] == f"B{len(same_day):03d}"
        assert_numbers_unique_and_gap_free(database)
