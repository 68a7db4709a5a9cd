"""Fuzz every operation of /api/openapi.json with schemathesis: nothing a client sends gets a 5xx.

In-process: schemathesis generates the requests from the document the app serves, and they go
to create_app() through Flask's test client (WSGI), with no real server; one app and one
database serve the whole file, so later operations meet the state earlier ones left.
Each operation gets FUZZ_CASES generated cases (default 1000), valid by the document and
not, and each case is sent three times: anonymously, as staff of counters 1 and 2 (session
cookie and X-CSRFToken header), and as an admin. After each operation /healthz must still
answer; every error must be {"error", "message"} with a status the document lists; SQLite must
pass PRAGMA integrity_check and the queue's invariants must hold (each ticket number once per
day and prefix, none missing, at most one ticket in hand per counter).
"""
from __future__ import annotations

import os
import sqlite3
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from werkzeug.security import generate_password_hash

import server
from conftest import CONFIG, PASSWORD, FakeClock, add_user, kiosk_client, office_time, overrides_for, visit
from queueing import config as configuration
from web import openapi

CASES = int(os.environ.get("FUZZ_CASES", "1000"))
ROLES = ("anonymous", "staff", "admin")
USERS = {"staff": ("fuzz_staff", "staff", (1, 2)), "admin": ("fuzz_admin", "admin", ())}

# The repository's config with a second kiosk that has a printer (its worker never runs here),
# so reprints and print-job retries meet real jobs.
KIOSKS = [{"id": "lobby", "name": "Kios lobi", "printer": {"type": "preview"}},
          {"id": "aula", "name": "Kios aula", "printer": {"type": "file", "path": "printer.bin"}}]
# Every day open from 07:00 to 20:00 and booking ahead on, so booking routes meet real slots.
CALENDAR = {"hours": {day: "07:00-20:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
            "booking": {"per_slot": 3}}
# The document the server serves for that config, read at collection time for the operations.
DOCUMENT = openapi.document(configuration.load(CONFIG, overrides_for(Path("unused.db"), kiosks=KIOSKS,
                                                                     **CALENDAR)))
OPERATIONS = [(path, method.upper()) for path, item in DOCUMENT["paths"].items() for method in item]

# Extra query parameters the document does not name: the server must ignore them. They also
# keep Hypothesis from running out of distinct cases on operations that take no input.
JUNK = st.dictionaries(st.text(st.characters(codec="utf-8"), min_size=1, max_size=8),
                       st.text(st.characters(codec="utf-8"), max_size=16), max_size=2)


@dataclass
class World:
    app: object
    schema: object
    sessions: dict = field(default_factory=dict)

    def login(self, role: str) -> None:
        client = self.app.test_client()
        response = client.post("/api/login", json={"username": USERS[role][0], "password": PASSWORD})
        assert response.status_code == 200, response.json
        token = client.get_cookie("antrian_session").value
        self.sessions[role] = ({"antrian_session": token}, {"X-CSRFToken": response.json["csrf_token"]})

    def credentials(self, role: str) -> tuple[dict, dict]:
        return self.sessions.get(role, ({}, {}))


@pytest.fixture(scope="module")
def world():
    # tmpfs when there is one: the server syncs every write (synchronous=FULL), the fuzzer makes many.
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as folder:
        app = server.create_app(CONFIG, overrides_for(Path(folder) / "antrian.db", kiosks=KIOSKS, **CALENDAR),
                                clock=FakeClock(office_time("2026-03-02", "08:00")))
        for username, role, counters in USERS.values():
            add_user(app, username, role, counters)
        _cheap_passwords(app)
        _seed(app)
        world = World(app, schemathesis.openapi.from_wsgi("/api/openapi.json", app))
        for role in USERS:
            world.login(role)
        yield world
        app.extensions["store"].close()


def _cheap_passwords(app) -> None:
    """Re-hash the fuzz accounts cheaply: a logout case ends the session, and logging in again
    with scrypt would cost 0.15 s each time."""
    with sqlite3.connect(app.extensions["store"].path) as conn:
        conn.execute("UPDATE users SET password_hash = ?",
                     (generate_password_hash(PASSWORD, method="pbkdf2:sha256:1"),))
    conn.close()


def _seed(app) -> None:
    """Waiting tickets of several services, one a claimed emergency, and failed print jobs: the
    fuzzer's ticket, counter and print-job actions then meet real rows, not only 404s."""
    client = kiosk_client(app)
    for service in ("kk", "kia", "pindah", "kk", "akta_lahir", "legalisir", "kk", "kia"):
        assert visit(client, service, kiosk="aula" if service == "kk" else "lobby").status_code == 201
    assert visit(client, "kk", reason="bpjs", priority="lansia").status_code == 201
    for start in ("09:00", "10:00"):  # bookings for tomorrow, so booking routes meet real codes and slots
        assert client.post("/api/bookings", json={"service": "kk", "date": "2026-03-03", "start": start,
                                                  "request_id": f"seed-{start}"}).status_code == 201
    jobs = app.extensions["printjobs"]
    for job_id in jobs.due("aula"):
        jobs.record(jobs.take(job_id), "kertas habis", paper="out")


@pytest.mark.parametrize("path, method", OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_no_generated_request_gets_a_server_error(world, path, method):
    operation = world.schema[path][method]
    documented = {int(status) for status in DOCUMENT["paths"][path][method.lower()]["responses"]}
    client = world.app.test_client(use_cookies=False)
    generated, statuses = 0, Counter()

    @settings(max_examples=CASES, database=None, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink],
              report_multiple_bugs=False)
    @given(case=_strategy(operation), junk=JUNK)
    def fuzz(case, junk):
        nonlocal generated
        generated += 1
        for role in ROLES:  # one generated case, sent as each role: generating is the costly part
            response = client.open(**_request(case, *world.credentials(role), junk))
            statuses[role, response.status_code] += 1
            assert response.status_code < 500, _explain(role, case, response)
            if response.status_code >= 400:
                _check_error(role, case, response, documented)
            if path == "/api/logout" and response.status_code == 200:
                world.login(role)

    fuzz()
    print(f"{method} {path}: {generated} cases; {sorted(statuses.items())}")  # shown with -s
    assert world.app.test_client().get("/healthz").json == {"ok": True}
    assert generated >= CASES, f"only {generated} cases generated"
    _check_database(world.app)
    # The logged-in runs got past the door: the fuzzer reached the handler, not only 401/403.
    who = DOCUMENT["paths"][path][method.lower()]["tags"][0]
    for role in {"staff": ("staff", "admin"), "admin": ("admin",)}.get(who, ()):
        assert sum(n for (r, status), n in statuses.items() if r == role and status not in (401, 403)), role


def _strategy(operation):
    """Requests valid by the document and requests that break it, in one stream."""
    return st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                     operation.as_strategy(GenerationMode.NEGATIVE))


def _request(case, cookies: dict, headers: dict, junk: dict) -> dict:
    """The werkzeug request of a case, with the role's session cookie and CSRF header and the junk
    query parameters (schemathesis' WSGI serialisation, sent on our own test client)."""
    request = case.as_transport_kwargs(headers=headers)
    cookie = {**(case.cookies or {}), **cookies}
    if cookie:
        request["headers"]["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookie.items())
    query = request.get("query_string")
    if junk and (query is None or isinstance(query, dict)):
        request["query_string"] = {**junk, **(query or {})}
    return request


def _check_error(role: str, case, response, documented: set[int]) -> None:
    """An error is {"error", "message"} with a sentence, and its status is one the document lists."""
    body = response.get_json(silent=True)
    assert isinstance(body, dict) and set(body) == {"error", "message"}, _explain(role, case, response)
    assert isinstance(body["message"], str) and len(body["message"]) > 10, _explain(role, case, response)
    assert response.status_code in documented, _explain(role, case, response)


def _explain(role: str, case, response) -> str:
    return (f"{response.status_code} as {role} for {case.as_curl_command()}\n"
            f"{response.get_data(as_text=True)[:500]}")


def _check_database(app) -> None:
    """SQLite is intact and the numbering holds: one ticket per number, none missing."""
    with sqlite3.connect(app.extensions["store"].path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT day, prefix, seq FROM tickets GROUP BY day, prefix, seq"
                            " HAVING count(*) > 1").fetchall() == []
        assert conn.execute("SELECT day, number FROM tickets GROUP BY day, number"
                            " HAVING count(*) > 1").fetchall() == []
        # No gap: each (day, prefix) holds exactly 1..last of its counter row.
        assert conn.execute(
            "SELECT d.day, d.prefix FROM day_numbers d"
            " LEFT JOIN tickets t ON t.day = d.day AND t.prefix = d.prefix GROUP BY d.day, d.prefix"
            " HAVING count(t.id) != d.last OR max(t.seq) != d.last").fetchall() == []
        # A counter holds at most one called or serving ticket.
        assert conn.execute("SELECT counter_id FROM tickets WHERE status IN ('called', 'serving')"
                            " GROUP BY counter_id HAVING count(*) > 1").fetchall() == []
    conn.close()
