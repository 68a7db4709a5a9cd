"""Joining the queue from a visitor's phone (issue 21): the hall screen's code rotating on the
test clock, the same outcomes as a kiosk visit, the per-address limit, replays and forgeries."""
import sqlite3

import pytest

import server
from conftest import CONFIG, Staff, add_user, overrides_for, visit

JOIN = {"join": {"rotate_seconds": 60}}


@pytest.fixture
def app(database, clock):
    """The test app with joining on (the clock starts on a whole minute: a code's period begins)."""
    app = server.create_app(CONFIG, overrides_for(database, **JOIN), clock=clock)
    yield app
    app.extensions["store"].close()


def rows(app, sql, *args):
    with sqlite3.connect(app.extensions["config"].server.database) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, args)]


_ids = iter(range(1, 10**9))


def join(app, key, service="kk", address="10.0.0.7", **extra):
    """POST a visit from a phone on the office Wi-Fi (its own address), with a fresh request_id."""
    body = {"join": key, "service": service, "request_id": f"p-{next(_ids)}", **extra}
    return app.test_client().post("/api/visits", json=body, environ_base={"REMOTE_ADDR": address})


def current_key(client) -> str:
    return client.get("/api/state").json["join"]["url"].rsplit("/", 1)[1]


def test_the_state_gives_the_join_page_and_a_phone_joins_with_its_code(app, client):
    key = current_key(client)
    assert client.get("/api/state").json["join"]["url"] == f"/join/{key}"
    answer = join(app, key, priority="lansia")
    assert answer.status_code == 201
    ticket = answer.json["ticket"]
    assert (ticket["number"], ticket["source"], ticket["priority"]) == ("B001", "phone", True)
    assert answer.json["print"] == {"status": "preview"}
    assert client.get(ticket["status_url"]).status_code == 200  # the phone page follows
    assert rows(app, "SELECT kiosk, source FROM tickets") == [{"kiosk": "ponsel", "source": "phone"}]


def test_the_code_changes_every_rotate_seconds_and_each_is_accepted_for_twice_that(app, client, clock):
    first = current_key(client)
    clock.advance(seconds=59)
    assert current_key(client) == first
    clock.advance(seconds=1)
    second = current_key(client)
    assert second != first
    assert join(app, first).status_code == 201  # shown until a moment ago: still good
    clock.advance(seconds=59)
    assert join(app, first).status_code == 201  # 119 s after it first showed
    clock.advance(seconds=1)
    stale = join(app, first)
    assert (stale.status_code, stale.json["error"]) == (403, "join_expired")
    assert "pindai lagi kode QR di layar aula" in stale.json["message"]
    assert join(app, second).status_code == 201


@pytest.mark.parametrize("key", ["", "x" * 12, "aaaaaaaaaaaa", 7, None])
def test_a_forged_or_malformed_code_is_refused_and_writes_nothing(app, key):
    answer = join(app, key)
    assert answer.status_code in (400, 403)
    assert answer.json["error"] in ("join_expired", "bad_field", "missing_field")
    assert rows(app, "SELECT * FROM tickets") == [] and rows(app, "SELECT * FROM visits") == []


def test_without_join_the_state_says_null_and_every_code_is_refused(database, clock):
    app = server.create_app(CONFIG, overrides_for(database), clock=clock)
    client = app.test_client()
    assert client.get("/api/state").json["join"] is None
    assert join(app, "abcdefghijkl").status_code == 403
    assert client.get("/join/abcdefghijkl").status_code == 403
    app.extensions["store"].close()


MODES = ["normal", "emergency_only", "closed"]
CASES = [("kk", None), ("kk", "bpjs"), ("legalisir", None), ("legalisir", "rumah_sakit"), ("ktp", None),
         ("ktp", "tni_polri")]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("service, reason", CASES)
def test_a_join_gets_the_same_outcome_as_a_kiosk_visit_with_the_same_inputs(app, client, mode, service, reason):
    add_user(app, "kepala", "admin", ())
    Staff(app, "kepala").post("/api/admission/mode", json={"mode": mode})
    extra = {"reason": reason} if reason else {}
    at_kiosk = visit(client, service, **extra)
    by_phone = join(app, current_key(client), service, **extra)
    assert by_phone.status_code == at_kiosk.status_code
    drop = ("ticket", "print")
    assert {k: v for k, v in by_phone.json.items() if k not in drop} == {
        k: v for k, v in at_kiosk.json.items() if k not in drop}
    if at_kiosk.json["outcome"] == "ticket":
        assert by_phone.json["ticket"]["emergency"] == at_kiosk.json["ticket"]["emergency"]  # a claim, both


def test_a_phone_ticket_is_never_printed_even_where_the_kiosk_prints(database, clock):
    app = server.create_app(CONFIG, overrides_for(database, **JOIN, kiosks=[
        {"id": "lobby", "printer": {"type": "network", "host": "127.0.0.1"}}]), clock=clock)
    key = current_key(app.test_client())
    assert join(app, key).json["print"] == {"status": "preview"}
    assert rows(app, "SELECT * FROM print_jobs") == []
    app.extensions["store"].close()


def test_the_same_request_id_again_gives_the_same_ticket_and_another_body_is_409(app, client):
    key = current_key(client)
    body = {"join": key, "service": "kk", "request_id": "same"}
    phone = app.test_client()
    first = phone.post("/api/visits", json=body, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    again = phone.post("/api/visits", json=body, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert first.status_code == again.status_code == 201
    assert again.json["ticket"]["id"] == first.json["ticket"]["id"]
    reused = phone.post("/api/visits", json={**body, "service": "kia"}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert (reused.status_code, reused.json["error"]) == (409, "request_id_reused")
    # another phone replaying someone's request_id gets a ticket of its own, never theirs
    stranger = phone.post("/api/visits", json=body, environ_base={"REMOTE_ADDR": "10.0.0.66"})
    assert stranger.json["ticket"]["token"] != first.json["ticket"]["token"]


def test_one_address_gets_joins_per_address_then_429_and_a_replay_does_not_count(database, clock):
    app = server.create_app(CONFIG, overrides_for(database, **JOIN, limits={"joins_per_address": "3/hour"}),
                            clock=clock)
    key = current_key(app.test_client())
    phone = app.test_client()
    body = {"join": key, "service": "kk", "request_id": "once"}
    for _ in range(3):  # a phone on a weak network sends its tap again: one join
        assert phone.post("/api/visits", json=body, environ_base={"REMOTE_ADDR": "10.0.0.5"}).status_code == 201
    assert join(app, key, address="10.0.0.5").status_code == 201
    assert join(app, key, address="10.0.0.5").status_code == 201
    refused = join(app, key, address="10.0.0.5")
    assert (refused.status_code, refused.json["error"]) == (429, "rate_limited")
    assert "kios" in refused.json["message"]
    assert join(app, key, address="10.0.0.6").status_code == 201  # someone else
    assert len(rows(app, "SELECT * FROM tickets")) == 4
    app.extensions["store"].close()


def test_the_join_page_opens_for_a_current_code_and_an_old_one_says_to_scan_again(app, client, clock):
    key = current_key(client)
    page = client.get(f"/join/{key}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    qr = client.get(f"/join/{key}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    clock.advance(minutes=3)
    old = client.get(f"/join/{key}")
    assert old.status_code == 403 and "pindai lagi" in old.get_data(as_text=True).lower()
    assert client.get(f"/join/{key}/qr.svg").status_code == 403


def test_tickets_joined_from_phones_are_counted_by_source_in_the_report(app, client):
    visit(client, "kk")
    join(app, current_key(client))
    add_user(app, "kepala", "admin", ())
    report = Staff(app, "kepala").get("/api/reports/daily").json
    assert report["tickets"]["by_source"] == {"walk_in": 1, "booked": 0, "desk": 0, "phone": 1}


def test_a_phone_whose_answer_was_lost_gets_its_ticket_again_after_the_code_changed(app, client, clock):
    key = current_key(client)
    body = {"join": key, "service": "kk", "request_id": "lost-answer"}
    phone = app.test_client()
    first = phone.post("/api/visits", json=body, environ_base={"REMOTE_ADDR": "10.0.0.8"})
    clock.advance(minutes=5)  # the code is long gone
    again = phone.post("/api/visits", json=body, environ_base={"REMOTE_ADDR": "10.0.0.8"})
    assert (again.status_code, again.json["ticket"]["id"]) == (201, first.json["ticket"]["id"])
    stranger = phone.post("/api/visits", json=body, environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert (stranger.status_code, stranger.json["error"]) == (403, "join_expired")
