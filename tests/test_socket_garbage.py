"""Socket.IO garbage against the real server (gunicorn): unknown events, huge and malformed
messages, frames that are not Socket.IO at all, a flood. Each is ignored or refused (closing that
one connection is fine), the server stays up and never answers 500, and a well-behaved client
connected throughout is still served: it gets the next `queue` event with the right version."""
from __future__ import annotations

import itertools
import json
import queue
import time

import pytest
import requests
import socketio
import websocket

from display.live import MAX_SOCKET_MESSAGE

_request_ids = itertools.count(1)


class Bystander:
    """A well-behaved client (as the hall display is) connected before the garbage and after it."""

    def __init__(self, server):
        self.server = server
        self.events: queue.Queue = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        self.client.on("queue", self.events.put)
        self.client.connect(server.url, transports=["websocket"], wait_timeout=5)

    def assert_still_served(self) -> None:
        """A visit made now reaches it as the next `queue` event, and sync answers that version."""
        assert self.client.connected
        version = self.client.call("sync", {"version": 0}, timeout=10)["version"]
        ticket = post_visit(self.server)
        deadline = time.monotonic() + 10
        while True:
            event = self.events.get(timeout=max(0.1, deadline - time.monotonic()))
            if event["version"] > version:
                break
        assert event == {"version": version + 1, "event": "issued", "ticket": {
            "number": ticket["number"], "service": "kk", "status": "waiting", "counter": None}}
        assert self.client.call("sync", timeout=10)["version"] == version + 1

    def close(self) -> None:
        self.client.disconnect()


class RawSocket:
    """An Engine.IO websocket spoken by hand, to send frames no Socket.IO client would."""

    def __init__(self, server):
        url = server.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(url, timeout=10)
        assert self.ws.recv().startswith("0{")  # Engine.IO open
        self.ws.send("40")  # Socket.IO connect to "/"
        self.frames = []
        self.wait_for(lambda frame: frame.startswith("40{"))  # the connect ack (the state may come first)

    def wait_for(self, wanted, timeout: float = 10) -> str:
        """Return the first frame for which wanted(frame) holds, answering pings on the way."""
        self.ws.settimeout(timeout)
        while True:
            frame = self.ws.recv()
            if frame == "2":
                self.ws.send("3")
            elif wanted(frame):
                return frame

    def ack(self, ack_id: int, timeout: float = 10):
        frame = self.wait_for(lambda f: f.startswith(f"43{ack_id}["), timeout)
        return json.loads(frame[len(f"43{ack_id}"):])

    def still_answers(self) -> bool:
        self.ws.send('42999["sync",{}]')
        return "version" in self.ack(999)[0]

    def answers_or_is_closed(self, timeout: float = 10) -> str:
        """Ask for a sync: "answered" with the snapshot, or "closed" by the server first."""
        try:
            self.ws.send('42999["sync",{}]')
            frame = self.wait_for(lambda f: f.startswith("43999[") or f in ("", "1"), timeout)
        except (websocket.WebSocketConnectionClosedException, ConnectionError):
            return "closed"
        except websocket.WebSocketProtocolException as e:  # e.g. an HTTP 500 written into the socket
            raise AssertionError(f"the server broke the websocket protocol: {e}") from None
        if frame in ("", "1"):  # a close frame, or Engine.IO's close packet
            return "closed"
        return "answered" if "version" in json.loads(frame[5:])[0] else frame

    def close(self) -> None:
        self.ws.close()


def post_visit(server) -> dict:
    body = {"kiosk": "lobby", "service": "kk", "request_id": f"garbage-{next(_request_ids)}"}
    response = requests.post(server.url + "/api/visits", json=body, cookies=server.kiosk_cookies(), timeout=10)
    assert response.status_code == 201, response.text
    return response.json()["ticket"]


def assert_server_healthy(server) -> None:
    """The server answers, and its log since the test began shows no 500 and no handler crash."""
    assert server.process.poll() is None
    assert requests.get(server.url + "/healthz", timeout=5).json() == {"ok": True}
    with open(server.log, "rb") as f:
        f.seek(server.log_start)
        log = f.read().decode(errors="replace")
    assert "Error handling request" not in log  # gunicorn's 500
    assert "display/live.py" not in log  # no traceback from our socket handlers


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One real server for the module, and one bystander connected through every test of it."""
    from bench.liveserver import LiveServer, write_config
    config = write_config(tmp_path_factory.mktemp("garbage"), {"server": {"threads": 100}})
    server = LiveServer(config).start()
    bystander = Bystander(server)
    yield server, bystander
    bystander.close()
    server.kill()


@pytest.fixture
def world(shared):
    server, bystander = shared
    server.log_start = server.log.stat().st_size
    return server, bystander


def version(server) -> int:
    return requests.get(server.url + "/api/state", timeout=5).json()["version"]


def test_unknown_and_reserved_event_names_are_refused_and_change_nothing(world):
    server, bystander = world
    rogue = socketio.Client(reconnection=False)
    rogue.connect(server.url, transports=["websocket"], wait_timeout=5)
    for name in ("call-next", "visit", "finish", "queue", "state", "ticket", "print", "notices", "mode",
                 "", "x" * 200, "ünïcödé ✓"):
        answer = rogue.call(name, {"counter": 1, "service": "kk", "mode": "closed"}, timeout=10)
        assert answer["error"] == "unknown_event" and len(answer["message"]) > 10, name
    raw = RawSocket(server)
    for frame in ('421[5]', '422[null,{}]', '423[["sync"]]', '424[{"event":"sync"}]', '425[true]'):
        raw.ws.send(frame)  # an event "name" that is not a string
    raw.ws.send('42["disconnect"]')  # a reserved name sent as an event: no handler runs for it
    assert raw.still_answers()
    before = version(server)
    for name in ("call-next", "visit"):
        rogue.emit(name, {"counter": 1, "service": "kk", "kiosk": "lobby", "request_id": "socket"})
    assert raw.still_answers() and version(server) == before
    assert rogue.connected
    rogue.disconnect()
    raw.close()
    bystander.assert_still_served()
    assert_server_healthy(server)


JUNK = ["garbage", 5, 3.5, None, True, [], ["token"], {"token": 5}, {"token": None}, {"token": ""},
        {"token": ["a", "b"]}, {"token": {"$ne": ""}}, {"token": "x" * 65}, {"token": "' OR 1=1 --"},
        {"token": "\u0000\uffff"}, {"nested": [[[[{"a": [[[]]]}]]]] * 20}, {"token": b"\x00\xff"},
        b"\x00\x01\xfe\xff"]


def test_malformed_watch_is_refused_and_a_proper_one_still_works(world):
    server, bystander = world
    token = post_visit(server)["token"]
    phone = socketio.Client(reconnection=False)
    phone.connect(server.url, transports=["websocket"], wait_timeout=5)
    wrapped = [token, [token], {"token": [token]}, {"token": {"token": token}}, {"token": token + "x"},
               {"token": token.encode()}]  # the real token, but not as {"token": "<token>"}
    for junk in JUNK + wrapped:
        answer = phone.call("watch", junk, timeout=10)
        assert answer["error"] in ("bad_token", "ticket_not_found"), junk
    assert phone.call("watch", ({"token": "nope"}, "extra", 3), timeout=10)["error"] == "ticket_not_found"
    assert phone.call("watch", timeout=10)["error"] == "bad_token"  # no argument at all
    assert phone.call("watch", {"token": token}, timeout=10)["ticket"]["status"] == "waiting"
    assert phone.connected
    phone.disconnect()
    bystander.assert_still_served()
    assert_server_healthy(server)


def test_malformed_sync_still_answers_with_the_snapshot(world):
    server, bystander = world
    post_visit(server)
    now = version(server)
    client = socketio.Client(reconnection=False)
    client.connect(server.url, transports=["websocket"], wait_timeout=5)
    for junk in JUNK + [{"version": "NaN"}, {"version": -1}, {"version": 10**30}]:
        assert client.call("sync", junk, timeout=10)["version"] == now, junk
    assert client.call("sync", ({"version": 0}, "extra", [1]), timeout=10)["version"] == now
    client.disconnect()
    bystander.assert_still_served()
    assert_server_healthy(server)


# Frames that are not Socket.IO: each may close its sender's connection, or be ignored.
GARBAGE_FRAMES = [
    "", "x", "9", "99", "ß", "\u0000", "b!!!not-base64", "4", "4{", "42", "42{}", "42[]", "42[",
    "42[\"sync\"", "42[\"sync\",{\"version\":1}", "42/nowhere,[\"sync\"]", "44{}", "49[]", "40/admin,",
    "43", "43abc[]", "451-[\"sync\",{\"_placeholder\":true,\"num\":0}]", "45x-[]",
    "4" + "[" * 5000 + "]" * 5000, "42[\"sync\"," + "[" * 5000 + "]" * 5000 + "]",
    b"\x00\x01\x02\xff", b"",
]


@pytest.mark.parametrize("frame", GARBAGE_FRAMES, ids=lambda f: repr(f[:12]))
def test_a_garbage_frame_is_ignored_or_closes_only_its_sender(world, frame):
    server, bystander = world
    raw = RawSocket(server)
    if isinstance(frame, bytes):
        raw.ws.send_binary(frame)
    else:
        raw.ws.send(frame)
    if isinstance(frame, str) and frame.startswith("451-"):
        raw.ws.send_binary(b"\x00")  # the attachment it announced
    assert raw.answers_or_is_closed() in ("answered", "closed")
    raw.close()
    bystander.assert_still_served()
    assert_server_healthy(server)


# --- too big ---

def big_sync(size: int) -> str:
    return '42["sync",{"junk":"' + "x" * size + '"}]'


@pytest.mark.parametrize("size", [MAX_SOCKET_MESSAGE + 1, 5 * 1024 * 1024], ids=["just-over", "5MB"])
def test_a_websocket_message_over_the_limit_closes_only_its_sender(world, size):
    server, bystander = world
    raw = RawSocket(server)
    raw.ws.send(big_sync(size))
    assert raw.answers_or_is_closed() == "closed"
    raw.close()
    binary = RawSocket(server)
    binary.ws.send_binary(b"\xff" * size)
    assert binary.answers_or_is_closed() == "closed"
    binary.close()
    bystander.assert_still_served()
    assert_server_healthy(server)


def test_a_message_just_under_the_limit_is_still_answered(world):
    server, bystander = world
    raw = RawSocket(server)
    raw.ws.send('42999["sync",{"junk":"' + "x" * (MAX_SOCKET_MESSAGE - 100) + '"}]')
    assert "version" in raw.ack(999)[0]
    raw.close()
    assert_server_healthy(server)


def test_polling_posts_over_the_limit_are_413_and_pin_no_server_thread(world):
    # The module's server runs 100 threads: before the fix each such POST held one for good.
    from concurrent.futures import ThreadPoolExecutor
    server, bystander = world
    base = server.url + "/socket.io/?EIO=4&transport=polling"

    def oversized_post(size: int) -> None:
        with requests.Session() as session:  # no long poll pending, unlike a browser
            sid = json.loads(session.get(base, timeout=10).text[1:])["sid"]
            assert session.post(f"{base}&sid={sid}", data="40", timeout=10).text.lower() == "ok"
            refused = session.post(f"{base}&sid={sid}", data=big_sync(size), timeout=30)
            assert refused.status_code == 413 and refused.json()["error"] == "too_large"

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(oversized_post, [MAX_SOCKET_MESSAGE + 1] * 120 + [5 * 1024 * 1024]))
    bystander.assert_still_served()
    assert_server_healthy(server)


def test_a_python_socketio_client_sending_megabytes_is_disconnected_alone(world):
    server, bystander = world
    greedy = socketio.Client(reconnection=False)
    gone = []
    greedy.on("disconnect", lambda *reason: gone.append(reason))
    greedy.connect(server.url, transports=["websocket"], wait_timeout=5)
    greedy.emit("watch", {"token": "x" * (3 * 1024 * 1024)})
    deadline = time.monotonic() + 10
    while not gone and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone and not greedy.connected
    bystander.assert_still_served()
    assert_server_healthy(server)


# --- not a websocket ---

@pytest.mark.parametrize("headers", [
    {},  # no Sec-WebSocket-Version and no key
    {"Sec-WebSocket-Version": "13"},
    {"Sec-WebSocket-Version": "99", "Sec-WebSocket-Key": "x"},
], ids=["nothing", "no-key", "bad-version"])
def test_a_malformed_websocket_handshake_gets_400_not_500(world, headers):
    import http.client
    server, bystander = world
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", "/socket.io/?EIO=4&transport=websocket",
                       headers={"Upgrade": "websocket", "Connection": "Upgrade", **headers})
    answer = connection.getresponse()
    assert answer.status == 400 and json.loads(answer.read())["error"] == "bad_request"
    connection.close()
    bystander.assert_still_served()
    assert_server_healthy(server)


# --- a flood ---

def test_a_flood_of_events_from_one_client_leaves_the_others_served(world):
    server, bystander = world
    flooder = RawSocket(server)
    frames = []
    for i in range(1, 3001):
        frames.append([f'42{i}["sync",{{"version":{i}}}]', f'42{i}["watch",{{"token":"t{i}"}}]',
                       f'42{i}["call-next",{{"counter":1}}]', '42["nope"]'][i % 4])
    started = time.monotonic()
    for frame in frames:
        flooder.ws.send(frame)
    bystander.assert_still_served()  # while the server still works through the flood
    assert time.monotonic() - started < 30
    assert flooder.answers_or_is_closed(timeout=60) in ("answered", "closed")
    flooder.close()
    bystander.assert_still_served()
    assert_server_healthy(server)
