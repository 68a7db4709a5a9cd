"""The live channel with Flask-SocketIO's test client: snapshot, queue events, sync, watch."""
import time

import pytest

from conftest import visit
from queueing.model import SYSTEM


def events(socket, name):
    return [m["args"][0] for m in socket.get_received() if m["name"] == name]


def test_a_client_gets_the_snapshot_on_connect(socket_client, client):
    visit(client)
    socket = socket_client()
    [state] = events(socket, "state")
    assert state["version"] == 1 and state["waiting"][0]["number"] == "B001"


def test_every_change_sends_one_queue_event_with_consecutive_versions(socket_client, client, staff):
    socket = socket_client()
    socket.get_received()
    visit(client), visit(client, "kia")
    ticket_id = staff.post("/api/counters/1/call-next").json["ticket"]["id"]
    staff.post(f"/api/tickets/{ticket_id}/recall")
    staff.post(f"/api/tickets/{ticket_id}/start")
    staff.post(f"/api/tickets/{ticket_id}/finish")
    received = events(socket, "queue")
    assert [e["version"] for e in received] == [1, 2, 3, 4, 5, 6]
    assert [e["event"] for e in received] == ["issued", "issued", "called", "recalled", "started", "finished"]
    assert received[2]["ticket"] == {"number": "B001", "service": "kk", "status": "called", "counter": 1}


def test_a_refused_change_sends_nothing(socket_client, staff):
    socket = socket_client()
    socket.get_received()
    staff.post("/api/counters/1/call-next")  # 404 queue_empty
    staff.post("/api/tickets/1/start")  # 404
    assert events(socket, "queue") == []


def test_sync_answers_with_the_snapshot(socket_client, client):
    socket = socket_client()
    visit(client)
    snapshot = socket.emit("sync", {"version": 0}, callback=True)
    assert snapshot["version"] == 1 and snapshot["waiting"][0]["number"] == "B001"


def test_a_mode_switch_is_a_queue_event_without_a_ticket(socket_client, admin):
    socket = socket_client()
    socket.get_received()
    admin.post("/api/admission/mode", {"mode": "emergency_only"})
    assert events(socket, "queue") == [{"version": 1, "event": "mode", "ticket": None}]


def test_a_watcher_receives_its_own_ticket_only(socket_client, client, staff):
    mine = visit(client).json["ticket"]
    visit(client)
    phone, other = socket_client(), socket_client()
    answer = phone.emit("watch", {"token": mine["token"]}, callback=True)
    assert answer["ticket"]["number"] == "B001" and answer["ticket"]["position"] == 0
    phone.get_received(), other.get_received()
    staff.post("/api/counters/1/call-next")
    [update] = events(phone, "ticket")
    assert (update["number"], update["status"], update["counter_name"]) == ("B001", "called", "Loket 1")
    assert "token" not in update
    assert events(other, "ticket") == []


def test_watch_with_a_bad_token_is_refused_without_joining(socket_client):
    phone = socket_client()
    assert phone.emit("watch", {"token": "nope"}, callback=True)["error"] == "ticket_not_found"
    assert phone.emit("watch", "garbage", callback=True)["error"] == "bad_token"
    assert phone.emit("watch", {"token": "x" * 500}, callback=True)["error"] == "bad_token"
    assert phone.is_connected()


def test_clients_cannot_change_anything_over_the_socket(socket_client, client):
    socket = socket_client()
    for name in ("call-next", "visit", "finish", "queue", "state"):
        socket.emit(name, {"counter": 1, "service": "kk"})
    assert client.get("/api/state").json["version"] == 0
    assert socket.is_connected()


def test_a_socket_from_another_origin_is_refused_and_the_same_origin_accepted(live_server):
    import socketio
    server = live_server()
    foreign = socketio.SimpleClient()
    with pytest.raises(socketio.exceptions.ConnectionError):
        foreign.connect(server.url, headers={"Origin": "http://evil.example"}, transports=["polling"],
                        wait_timeout=5)
    same = socketio.SimpleClient()  # websocket-client sends the server's own Origin
    same.connect(server.url, transports=["websocket"], wait_timeout=5)
    event, state = same.receive(timeout=5)
    assert event == "state" and state["version"] == 0
    same.disconnect()


def test_changes_from_many_threads_are_broadcast_in_version_order(app, socket_client, staff, staff2):
    import threading
    from conftest import visit as post_visit
    socket = socket_client()
    socket.get_received()
    from conftest import kiosk_client
    clients = [kiosk_client(app) for _ in range(6)]
    threads = [threading.Thread(target=lambda c=c: [post_visit(c) for _ in range(15)]) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    versions = [m["args"][0]["version"] for m in socket.get_received() if m["name"] == "queue"]
    assert versions == list(range(1, 91))


def test_a_rolled_back_change_announces_nothing(app, socket_client, staff):
    socket = socket_client()
    socket.get_received()
    staff.post("/api/counters/1/call-next")  # nothing waiting: refused inside the transaction
    assert [m for m in socket.get_received() if m["name"] == "queue"] == []


def test_a_change_is_sent_by_its_own_request_once_the_answer_is_out(app, client):
    """No hand-off to another thread: the request that made the change sends it after answering."""
    from display.live import sender, socketio
    socket = socketio.test_client(app)  # unwrapped: nothing drains the sender for it
    socket.get_received()
    sender._wake.clear()
    with client.post("/api/visits", json={"kiosk": "lobby", "service": "kk", "request_id": "own"}) as answer:
        assert answer.status_code == 201
    queued = [m["args"][0] for m in socket.get_received() if m["name"] == "queue"]
    assert [(e["version"], e["event"]) for e in queued] == [(1, "issued")]
    assert not sender._wake.is_set()  # the sender's thread was not needed
    socket.disconnect()


def test_a_change_made_outside_a_request_is_sent_by_the_sender_thread(app, socket_client):
    from display.live import sender
    socket = socket_client()
    socket.get_received()
    app.extensions["queue"].set_mode(SYSTEM, "closed")  # as the CLI or a background loop would
    deadline = time.monotonic() + 2
    while sender._pending and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not sender._pending
    assert [e["event"] for e in events(socket, "queue")] == ["mode"]


def test_staff_sockets_of_a_disabled_account_or_an_expired_session_are_closed_and_live_ones_stay(
        app, socket_client, staff, staff2, clock):
    from display.live import drop_ended_staff_sockets
    accounts = app.extensions["accounts"]
    siti, budi = (socket_client(flask_test_client=s.client) for s in (staff, staff2))
    screen = socket_client()
    accounts.set_disabled("siti")
    drop_ended_staff_sockets(accounts.live_session_ids)
    assert not siti.is_connected() and budi.is_connected() and screen.is_connected()
    clock.advance(hours=13)  # budi's session idles past its twelve hours
    drop_ended_staff_sockets(accounts.live_session_ids)
    assert not budi.is_connected() and screen.is_connected()
