"""Slow and silent clients against the real server (gunicorn, web/worker.py): half-sent heads and
bodies, a slowloris, garbage. None of them holds up anyone else, each is cut within its deadline,
gunicorn's own errors answer in the app's JSON, and live sockets outlast every deadline."""
from __future__ import annotations

import json
import queue
import secrets
import selectors
import socket
import time

import pytest
import requests
import socketio

from web.worker import BODY_SECONDS, HEAD_SECONDS, LINGER_SECONDS

pytestmark = pytest.mark.slow

HELD = 250  # more than the 100 threads the default config keeps for requests
MARGIN = 3.0  # the event loop looks at deadlines once a second, on 2 shared cores
KEEPALIVE = 5  # web/serving.py


def hold(server, payload: bytes, count: int = HELD) -> list[socket.socket]:
    """Open count connections that each send payload, and nothing more."""
    held = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        connection.sendall(payload)
        held.append(connection)
    return held


def assert_office_answers(server) -> None:
    """/healthz and the state answer within a second each, as they do with nobody else there."""
    for path in ("/healthz", "/api/state"):
        started = time.monotonic()
        assert requests.get(server.url + path, timeout=1).status_code == 200
        assert time.monotonic() - started < 1


def wait_until_closed(held: list[socket.socket], deadline: float) -> dict[socket.socket, bytes]:
    """Read every connection until the server closes it or deadline passes; return what each
    received, for those the server closed. Closes them all."""
    received = {connection: b"" for connection in held}
    closed = {}
    with selectors.DefaultSelector() as selector:
        for connection in held:
            connection.setblocking(False)
            selector.register(connection, selectors.EVENT_READ)
        while len(closed) < len(held) and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=max(0.0, deadline - time.monotonic())):
                connection = key.fileobj
                try:
                    data = connection.recv(4096)
                except BlockingIOError:
                    continue
                except ConnectionResetError:
                    data = b""
                if data:
                    received[connection] += data
                else:
                    closed[connection] = received[connection]
                    selector.unregister(connection)
    for connection in held:
        connection.close()
    return closed


def read_answer(connection: socket.socket) -> tuple[int, dict, bytes]:
    """Read a whole answer the server sends before closing: status, headers, body."""
    connection.settimeout(10)
    data = b""
    while chunk := connection.recv(4096):
        data += chunk
    connection.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def test_incomplete_heads_hold_up_nobody_and_are_cut_at_the_deadline(live_server):
    server = live_server()
    sent_at = time.monotonic()
    held = hold(server, b"GET /api/state HTTP/1.1\r\nHost: x\r\n")
    try:
        assert_office_answers(server)
    finally:
        closed = wait_until_closed(held, sent_at + HEAD_SECONDS + MARGIN)
    assert len(closed) == HELD
    assert all(answer.startswith(b"HTTP/1.1 408 ") for answer in closed.values())
    assert_office_answers(server)


def test_stalled_bodies_hold_up_nobody_and_are_answered_408_at_the_deadline(live_server):
    server = live_server()
    sent_at = time.monotonic()
    held = hold(server, b"POST /api/state HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        b"Content-Length: 10000\r\n\r\n{")
    try:
        assert_office_answers(server)
    finally:
        closed = wait_until_closed(held, sent_at + BODY_SECONDS + MARGIN)
    assert len(closed) == HELD
    answers = {answer.partition(b"\r\n\r\n")[2] for answer in closed.values()}
    assert [json.loads(body)["error"] for body in answers] == ["request_timeout"]
    assert_office_answers(server)


@pytest.mark.parametrize("request_bytes, seconds", [
    (b"", KEEPALIVE),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", KEEPALIVE),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", LINGER_SECONDS),
], ids=["silent", "idle-keep-alive", "answered-not-hanging-up"])
def test_connections_that_send_nothing_more_hold_up_nobody_and_are_closed_in_seconds(
        live_server, request_bytes, seconds):
    server = live_server()
    sent_at = time.monotonic()
    held = hold(server, request_bytes)
    try:
        assert_office_answers(server)
    finally:
        closed = wait_until_closed(held, sent_at + seconds + MARGIN)
    assert len(closed) == HELD
    if request_bytes:
        assert all(answer.startswith(b"HTTP/1.1 200 ") for answer in closed.values())
    assert_office_answers(server)


def test_a_slowloris_sending_a_header_byte_every_half_second_is_cut_within_the_head_deadline(live_server):
    server = live_server()
    request = b"GET /api/state HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    answer, started = b"", time.monotonic()
    try:
        for byte in request:  # 70 s at most; the deadline is 5 s
            try:
                connection.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            connection.settimeout(0.5)
            try:
                chunk = connection.recv(4096)
            except socket.timeout:
                continue
            except ConnectionResetError:
                break
            answer += chunk
            if not chunk:
                break
        cut_after = time.monotonic() - started
    finally:
        connection.close()
    assert cut_after < HEAD_SECONDS + MARGIN
    assert answer.startswith(b"HTTP/1.1 408 ")


@pytest.mark.parametrize("request_bytes, status, code", [
    (b"GARBAGE\r\n\r\n", 400, "bad_request"),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 431, "headers_too_large"),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Endless: " + b"a" * 70000, 431, "headers_too_large"),
], ids=["request-line", "long-header", "endless-head"])
def test_a_malformed_request_gets_a_short_json_answer_not_an_html_page(live_server, request_bytes, status, code):
    server = live_server()
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    connection.sendall(request_bytes)
    answered, headers, body = read_answer(connection)
    assert answered == status
    assert headers["content-type"] == "application/json" and b"<" not in body and len(body) < 300
    error = json.loads(body)
    assert error["error"] == code and error["message"].endswith(".")
    assert_office_answers(server)


def test_a_client_waiting_for_100_continue_gets_it_before_sending_its_body(live_server):
    server = live_server()
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=2)
    connection.sendall(b"POST /api/state HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       b"Expect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n")
    assert connection.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
    connection.sendall(b"{}")
    answer = b""
    while chunk := connection.recv(4096):
        answer += chunk
    connection.close()
    assert answer.startswith(b"HTTP/1.1 405 ")  # the app's own answer, and no second 100


def add_admin(config_path) -> tuple[str, str]:
    """Make an admin account on the server's database (the store serves several processes)."""
    from queueing import config as configuration
    from queueing.accounts import Accounts
    from queueing.store import Store
    config = configuration.load(config_path)
    store = Store(config.server.database)
    try:
        password = secrets.token_urlsafe(12)
        Accounts(config, store).add_user("kepala", password, "admin", [])
        return "kepala", password
    finally:
        store.close()


class Screen:
    """A python-socketio client, as a hall screen (websocket) or a phone that can only poll."""

    def __init__(self, server, transport: str):
        self.events: queue.Queue = queue.Queue()
        self.disconnects = []
        self.client = socketio.Client(reconnection=False)
        self.client.on("queue", self.events.put)
        self.client.on("disconnect", lambda *reason: self.disconnects.append(reason))
        self.client.connect(server.url, transports=[transport], wait_timeout=5)


def test_live_sockets_and_long_polls_outlast_the_deadlines_and_keep_receiving(live_server):
    server = live_server()
    username, password = add_admin(server.config)
    screens = [Screen(server, "websocket"), Screen(server, "polling")]
    try:
        time.sleep(max(HEAD_SECONDS, BODY_SECONDS) + 7)  # idle: only the long poll waits on the server
        assert all(screen.client.connected and not screen.disconnects for screen in screens)
        with requests.Session() as admin:
            login = admin.post(server.url + "/api/login", json={"username": username, "password": password},
                               timeout=5)
            admin.headers["X-CSRFToken"] = login.json()["csrf_token"]
            switched = admin.post(server.url + "/api/admission/mode", json={"mode": "emergency_only"}, timeout=5)
            assert switched.status_code == 200, switched.text
        for screen in screens:
            assert screen.events.get(timeout=10)["event"] == "mode"
            assert screen.client.call("sync", {"version": 0}, timeout=10)["version"] >= 1
    finally:
        for screen in screens:
            screen.client.disconnect()
