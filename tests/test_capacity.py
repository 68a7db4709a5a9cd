"""Live connections within capacity (SPEC "Capacity", issue 16): phones hear only their own
ticket, places are bounded per class and per address, refusals carry a reason, and one address
cannot ask without end. The same with 600 real sockets on the production server is at the end."""
import json
import time

import pytest

from conftest import PASSWORD, add_user, enroll, visit
from web.capacity import PHONE, SCREEN, TRUSTED, SocketCapacity

HANDSHAKE = "/socket.io/?EIO=4&transport=polling"


def events(socket, name):
    return [m["args"][0] for m in socket.get_received() if m["name"] == name]


def phone_socket(socket_client, token):
    from display.live import sender
    sender.drain()  # the changes before it connects are sent before it connects
    return socket_client(query_string=f"watch={token}")


# --- what a phone hears ---

def test_a_phone_is_sent_its_ticket_on_connect_and_no_snapshot(socket_client, client):
    ticket = visit(client).json["ticket"]
    phone = phone_socket(socket_client, ticket["token"])
    received = phone.get_received()
    assert [m["name"] for m in received] == ["ticket"]
    assert received[0]["args"][0]["number"] == ticket["number"]
    assert received[0]["args"][0]["position"] == 0


def test_a_phone_hears_its_position_move_and_nothing_of_other_services(socket_client, client, staff):
    visit(client)  # ahead of it
    mine = visit(client).json["ticket"]
    phone = phone_socket(socket_client, mine["token"])
    phone.get_received()
    visit(client, service="akta_lahir")  # another service: nothing moves
    assert phone.get_received() == []
    staff.post("/api/counters/1/call-next")  # calls the first: one fewer ahead
    [update] = events(phone, "ticket")
    assert (update["number"], update["status"], update["position"]) == (mine["number"], "waiting", 0)
    assert "token" not in update


def test_a_phone_never_receives_queue_events_while_screens_receive_every_one(socket_client, client, staff):
    mine = visit(client).json["ticket"]
    phone, screen = phone_socket(socket_client, mine["token"]), socket_client()
    phone.get_received(), screen.get_received()
    visit(client, service="kia")
    staff.post("/api/counters/1/call-next")
    staff.post(f"/api/tickets/{mine['id']}/recall")
    assert [e["event"] for e in events(screen, "queue")] == ["issued", "called", "recalled"]
    got = phone.get_received()
    assert {m["name"] for m in got} == {"ticket"}
    assert [m["args"][0].get("event") for m in got] == ["called", "recalled"]  # its own changes, named


def test_a_change_that_leaves_a_phones_view_as_it_was_sends_it_nothing(socket_client, client, staff):
    first, mine = visit(client).json["ticket"], visit(client).json["ticket"]
    phone = phone_socket(socket_client, mine["token"])
    phone.get_received()
    visit(client)  # behind it: its position stays 1
    assert phone.get_received() == []
    staff.post("/api/counters/1/call-next")
    staff.post(f"/api/tickets/{first['id']}/start")  # the one ahead is served: mine is unchanged
    assert [v["position"] for v in events(phone, "ticket")] == [0]


def test_a_priority_ticket_moves_the_phones_it_goes_ahead_of(socket_client, client):
    mine = visit(client).json["ticket"]
    phone = phone_socket(socket_client, mine["token"])
    phone.get_received()
    visit(client, priority="lansia")
    assert [v["position"] for v in events(phone, "ticket")] == [1]


def test_a_phone_with_an_unknown_token_is_refused_with_a_reason(app):
    from display.live import socketio
    phone = socketio.test_client(app, query_string="watch=nope")
    assert not phone.is_connected()


def test_the_views_read_together_match_each_tickets_own_view(app, client, staff):
    service = app.extensions["queue"]
    tickets = [visit(client, service=s).json["ticket"] for s in ["kk", "kia", "kk", "akta_lahir", "kk"]]
    tickets.append(visit(client, service="kk", priority="lansia").json["ticket"])
    staff.post("/api/counters/1/call-next")
    together = service.tickets_by_tokens([t["token"] for t in tickets] + ["unknown"])
    assert set(together) == {t["token"] for t in tickets}
    for t in tickets:
        assert together[t["token"]] == service.ticket_by_token(t["token"])


# --- places ---

def test_one_address_holds_at_most_its_share_of_places_and_gets_them_back():
    capacity = SocketCapacity(sockets=100, per_address=3)
    keys = [capacity.take(PHONE, "10.0.0.5")[0] for _ in range(3)]
    key, refusal = capacity.take(SCREEN, "10.0.0.5")
    assert key is None and refusal["status"] == 429 and refusal["error"] == "too_many_connections"
    assert capacity.take(PHONE, "10.0.0.6")[1] is None  # another address is served
    capacity.hand_over(keys[0], "sid-1")
    capacity.give_back("sid-1")
    assert capacity.take(PHONE, "10.0.0.5")[1] is None


def test_phones_never_take_the_screens_share_and_staff_have_their_own():
    capacity = SocketCapacity(sockets=24, per_address=0, trusted=2)
    for n in range(22):  # 24 less a twelfth
        assert capacity.take(PHONE, f"10.0.1.{n}")[1] is None
    assert capacity.take(PHONE, "10.0.2.1")[1]["error"] == "capacity"
    assert capacity.take(SCREEN, "10.0.2.2")[1] is None
    assert capacity.take(SCREEN, "10.0.2.3")[1] is None
    assert capacity.take(SCREEN, "10.0.2.4")[1]["error"] == "capacity"
    assert capacity.take(TRUSTED, "10.0.3.1")[1] is None
    assert capacity.take(TRUSTED, "10.0.3.1")[1] is None
    assert capacity.take(TRUSTED, "10.0.3.1")[1]["status"] == 503
    assert capacity.counts() == {TRUSTED: 2, PHONE: 22, SCREEN: 2}


def test_places_of_sessions_that_ended_unseen_are_pruned():
    capacity = SocketCapacity(sockets=100, per_address=1)
    key, _ = capacity.take(PHONE, "10.0.0.5")
    capacity.hand_over(key, "sid-gone")
    assert capacity.prune({"sid-other"}) == 1
    assert capacity.take(PHONE, "10.0.0.5")[1] is None


@pytest.fixture
def few_places(overrides):
    overrides["limits"]["sockets_per_address"] = 3
    overrides["server"] = {**overrides.get("server", {}), "sockets": 24}
    return overrides


def poll_handshake(client, address, query=""):
    return client.get(HANDSHAKE + query, environ_base={"REMOTE_ADDR": address})


def test_long_polling_sessions_past_the_per_address_cap_are_refused_with_a_reason(few_places, app):
    client = app.test_client()
    opened = [poll_handshake(client, "10.1.0.1") for _ in range(3)]
    assert [r.status_code for r in opened] == [200, 200, 200]
    refused = poll_handshake(client, "10.1.0.1")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "15"
    assert refused.json["error"] == "too_many_connections" and "koneksi" in refused.json["message"]
    assert poll_handshake(client, "10.1.0.2").status_code == 200  # another address
    sid = json.loads(opened[0].get_data(as_text=True)[1:])["sid"]
    closed = client.post(f"{HANDSHAKE}&sid={sid}", data="1", environ_base={"REMOTE_ADDR": "10.1.0.1"})
    assert closed.status_code == 200
    assert poll_handshake(client, "10.1.0.1").status_code == 200  # its place came back


def test_a_full_server_refuses_phones_but_admits_a_screen_and_staff(few_places, app):
    client = app.test_client()
    for n in range(22):
        assert poll_handshake(client, f"10.2.0.{n}", "&watch=t").status_code == 200
    full = poll_handshake(client, "10.2.1.1", "&watch=t")
    assert full.status_code == 503 and full.json["error"] == "capacity"
    assert poll_handshake(client, "10.2.1.2").status_code == 200  # a hall display
    add_user(app, "siti", "staff", (1,))
    staff = app.test_client()
    staff.post("/api/login", json={"username": "siti", "password": PASSWORD})
    for n in range(5):  # the counters have places of their own, even from one address
        assert poll_handshake(staff, "10.2.2.1").status_code == 200
    kiosk = enroll(app, app.test_client())
    assert poll_handshake(kiosk, "10.2.2.2").status_code == 200


def test_a_forged_session_cookie_does_not_reach_the_staff_places(few_places, app):
    client = app.test_client()
    client.set_cookie("antrian_session", "forged")
    client.set_cookie("antrian_kiosk_lobby", "forged")
    for _ in range(3):
        assert poll_handshake(client, "10.3.0.1").status_code == 200
    assert poll_handshake(client, "10.3.0.1").status_code == 429


# --- one address asking without end ---

@pytest.fixture
def few_requests(overrides):
    overrides["limits"]["requests_per_address"] = "5/minute"
    return overrides


def test_an_address_asking_too_often_is_told_to_wait_and_others_are_served(few_requests, app):
    phone = app.test_client()
    answers = [phone.get("/api/state", environ_base={"REMOTE_ADDR": "10.4.0.1"}) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert answers[-1].json["error"] == "rate_limited" and int(answers[-1].headers["Retry-After"]) > 0
    assert phone.get("/api/state", environ_base={"REMOTE_ADDR": "10.4.0.2"}).status_code == 200


def test_kiosks_and_staff_are_not_counted_as_anonymous(few_requests, app):
    kiosk = enroll(app, app.test_client())
    for _ in range(8):
        assert visit(kiosk).status_code == 201
        assert kiosk.get("/api/state").status_code == 200
    add_user(app, "siti", "staff", (1,))
    staff = app.test_client()
    staff.post("/api/login", json={"username": "siti", "password": PASSWORD})
    for _ in range(8):
        assert staff.get("/api/session").status_code == 200


# --- a hall of phones on the production server ---

def test_six_hundred_sockets_then_visits_and_a_call_are_seen_by_all(live_server):
    """590 phones from 30 addresses (the shipped 20 per address), each watching its ticket, and
    10 hall screens: a visit and /healthz answer within a second, every screen hears the call,
    and of the phones exactly those whose ticket the call moved hear of it."""
    import requests

    from browserkit import add_account, staff_session
    from bench.rawsockets import Pool  # cheap clients

    server = live_server({"limits": {"sockets_per_address": 20}})
    kiosk = requests.Session()
    kiosk.cookies.update(server.kiosk_cookies())
    services = ["kk", "kia", "akta_lahir", "legalisir"]
    tickets = [kiosk.post(f"{server.url}/api/visits", timeout=10, json={
        "kiosk": "lobby", "service": services[n % 4], "request_id": f"hall-{n}"}).json()["ticket"]
        for n in range(590)]
    addresses = [f"127.0.{1 + n // 200}.{2 + n % 200}" for n in range(30)]
    pool = Pool()
    try:
        phones = pool.connect("127.0.0.1", server.port, 590, per_process=300, sources=addresses,
                              queries=[f"watch={t['token']}" for t in tickets])
        screens = pool.connect("127.0.0.1", server.port, 10, sources=["127.0.9.9"])
        assert (phones["connected"], phones["refused"]) == (590, {})
        assert (screens["connected"], screens["refused"]) == (10, {})
        pool.clear()

        for path in ("/healthz", "/api/state"):
            assert requests.get(server.url + path, timeout=1).status_code == 200
        assert kiosk.post(f"{server.url}/api/visits", timeout=1, json={
            "kiosk": "lobby", "service": "informasi", "request_id": "hall-late"}).status_code == 201
        add_account(server, "siti", "staff", (1,))
        called = staff_session(server, "siti").post(f"{server.url}/api/counters/1/call-next",
                                                    timeout=1).json()["ticket"]
        version = requests.get(f"{server.url}/api/state", timeout=1).json()["version"]

        moved = {t["number"] for t in tickets if t["service"] == called["service"]}
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            seen = pool.report(server.port)
            heard = {number for _, number, _, _ in seen["tickets"]}
            if len(seen["arrivals"].get(f"{server.port}:{version}", [])) == 10 and heard >= moved:
                break
            time.sleep(0.2)
        assert len(seen["arrivals"][f"{server.port}:{version}"]) == 10  # every screen, no phone
        assert len(seen["arrivals"][f"{server.port}:{version - 1}"]) == 10  # the late visit too
        assert heard == moved  # the phones of the called service, and no other
        assert ("called" in {status for _, number, status, _ in seen["tickets"] if number == called["number"]})
        assert seen["dropped"] == 0 and seen["connected"] == 600
    finally:
        pool.close()


def test_a_phone_past_its_addresses_places_is_refused_on_the_production_server(live_server):
    import requests

    server = live_server({"limits": {"sockets_per_address": 2}})
    handshake = f"{server.url}{HANDSHAKE}"
    assert [requests.get(handshake, timeout=5).status_code for _ in range(2)] == [200, 200]
    refused = requests.get(handshake, timeout=5)
    assert refused.status_code == 429 and refused.json()["error"] == "too_many_connections"
    assert refused.headers["Retry-After"] == "15"
