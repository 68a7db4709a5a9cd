"""Counters pressing "Panggil berikutnya" at the same instant, against the real server
(issue 4): never the same ticket twice, never a ticket lost, each counter holding one.

Four PCs press together every round: staff at Loket 1 (kk, kia), staff at Loket 2 (kk,
pindah) on two PCs at once, and an admin acting at Loket 6, a third kk counter this test
adds to the config. Each PC has its own session and CSRF token, as in the office.
"""
from __future__ import annotations

import contextlib
import random
import sqlite3
import threading
import tomllib
import uuid

import pytest
import requests

from conftest import CONFIG, PASSWORD
from queueing import config as configuration
from queueing.accounts import Accounts
from queueing.store import Store

pytestmark = pytest.mark.slow

ROUNDS = 30
SERVICES = {1: ("kk", "kia"), 2: ("kk", "pindah"), 6: ("kk",)}


def with_a_third_kk_counter() -> dict:
    """config.toml's counters and Loket 6, which also serves kk: three counters share its queue."""
    with open(CONFIG, "rb") as f:
        counters = tomllib.load(f)["counters"]
    return {"counters": [*counters, {"id": 6, "name": "Loket 6", "services": ["kk"]}]}


def add_accounts(server, *accounts) -> None:
    config = configuration.load(server.config)
    store = Store(config.server.database)
    try:
        for name, role, counters in accounts:
            Accounts(config, store).add_user(name, PASSWORD, role, list(counters))
    finally:
        store.close()


class Desk:
    """One PC: its own session and CSRF token, acting at one counter."""

    def __init__(self, server, user: str, counter: int):
        self.url, self.user, self.counter = server.url, user, counter
        self.http = requests.Session()
        answer = self.http.post(f"{self.url}/api/login", json={"username": user, "password": PASSWORD},
                                timeout=30)
        assert answer.status_code == 200, answer.text
        self.http.headers["X-CSRFToken"] = answer.json()["csrf_token"]

    def post(self, path: str, body: dict | None = None) -> requests.Response:
        return self.http.post(self.url + path, json=body or {}, timeout=30)

    def call_next(self) -> requests.Response:
        return self.post(f"/api/counters/{self.counter}/call-next")

    def waiting(self) -> list[dict]:
        """This counter's queue now, in its call order."""
        return self.http.get(f"{self.url}/api/counters/{self.counter}", timeout=30).json()["waiting"]


def press_together(desks: list[Desk]) -> list[requests.Response]:
    """Every desk presses call-next at the same instant (a barrier releases them together)."""
    barrier = threading.Barrier(len(desks))
    answers: list = [None] * len(desks)

    def press(i: int) -> None:
        barrier.wait()
        answers[i] = desks[i].call_next()

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(desks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def issue(server, rng: random.Random, count: int) -> list[dict]:
    tickets = []
    for _ in range(count):
        body = {"kiosk": "lobby", "service": rng.choice(("kk", "kk", "kia", "pindah")),
                "request_id": uuid.uuid4().hex}
        if rng.random() < 0.2:
            body["priority"] = "lansia"
        answer = requests.post(f"{server.url}/api/visits", json=body, cookies=server.kiosk_cookies(), timeout=30)
        assert answer.status_code == 201, answer.text
        tickets.append(answer.json()["ticket"])
    return tickets


def call_order(ticket: dict) -> tuple:
    return (not ticket["priority"], ticket["issued_at"], ticket["id"])


def check_round(desks: list[Desk], answers: list[requests.Response]) -> list[tuple[Desk, dict]]:
    """Check one round's answers against the queues left behind; return who got which ticket."""
    called = [(desk, a.json()["ticket"]) for desk, a in zip(desks, answers) if a.status_code == 200]
    ids = [ticket["id"] for _, ticket in called]
    assert len(ids) == len(set(ids)), f"one ticket called twice: {called}"
    per_counter = [desk.counter for desk, _ in called]
    assert len(per_counter) == len(set(per_counter)), "a counter holds two tickets"
    for desk, ticket in called:
        assert ticket["status"] == "called" and ticket["counter"] == desk.counter
        assert ticket["service"] in SERVICES[desk.counter]
        left = desk.waiting()  # nobody calls now: what waits now was waiting when this desk called
        assert not left or call_order(ticket) < call_order(left[0]), (ticket, left[0])
    for desk, answer in zip(desks, answers):
        if answer.status_code == 404:
            assert answer.json()["error"] == "queue_empty"
            assert desk.waiting() == [], f"{desk.user} was told the queue was empty while tickets waited"
        elif answer.status_code == 409:  # only the second PC at a counter that another PC just served
            assert answer.json()["error"] == "counter_busy" and desk.counter == 2
            assert 2 in per_counter
        else:
            assert answer.status_code == 200, answer.text
    return called


def finish(called: list[tuple[Desk, dict]], rng: random.Random) -> None:
    """Free every counter again: served and finished, or a no-show."""
    for desk, ticket in called:
        if rng.random() < 0.3:
            assert desk.post(f"/api/tickets/{ticket['id']}/no-show").status_code == 200
        else:
            assert desk.post(f"/api/tickets/{ticket['id']}/start").status_code == 200
            assert desk.post(f"/api/tickets/{ticket['id']}/finish").status_code == 200


def test_counters_calling_at_the_same_instant_never_share_a_ticket_and_never_lose_one(live_server):
    server = live_server(with_a_third_kk_counter())
    add_accounts(server, ("siti", "staff", (1,)), ("budi", "staff", (2,)), ("kepala", "admin", ()))
    desks = [Desk(server, "siti", 1), Desk(server, "budi", 2), Desk(server, "budi", 2),
             Desk(server, "kepala", 6)]
    rng = random.Random(20200318)
    issued, called_ids = [], []

    for _ in range(ROUNDS):
        issued += issue(server, rng, rng.choice((0, 1, 2, 3, 4, 6)))  # often fewer than the PCs
        called = check_round(desks, press_together(desks))
        called_ids += [ticket["id"] for _, ticket in called]
        finish(called, rng)

    assert len(called_ids) == len(set(called_ids)), "a ticket was called in two rounds"
    assert len(called_ids) > ROUNDS  # the rounds did contend
    waiting = {t["id"] for t in requests.get(f"{server.url}/api/state", timeout=30).json()["waiting"]}
    assert {t["id"] for t in issued} == set(called_ids) | waiting, "a ticket was lost"
    assert not waiting & set(called_ids)
    assert calls_per_ticket(server) == {ticket_id: 1 for ticket_id in called_ids}


def calls_per_ticket(server) -> dict[int, int]:
    """Read the server's event log: how often each ticket was called."""
    database = configuration.load(server.config).server.database
    with contextlib.closing(sqlite3.connect(database, timeout=10)) as db:
        rows = db.execute("SELECT ticket_id, count(*) FROM events WHERE event = 'called'"
                          " GROUP BY ticket_id").fetchall()
    return dict(rows)
