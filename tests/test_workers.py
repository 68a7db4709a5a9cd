"""Several server processes on one database, announcing through Redis (issue 22): every screen,
whichever process holds it, hears every version in order, whichever process made the change;
a Redis restart loses nothing; the work that runs once runs once. Real gunicorn workers, real
redis-server (Debian's), real Socket.IO clients over websockets."""
from __future__ import annotations

import concurrent.futures
import subprocess
import threading
import time
import uuid

import pytest
import requests
import socketio

from bench.redisserver import RedisServer

WORKERS = 4


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


def multi(redis_url: str, **more) -> dict:
    return {"server": {"workers": WORKERS, "message_queue": redis_url}, **more}


class Screen:
    """A hall screen over a websocket: the snapshot it got and every `queue` event it heard."""

    def __init__(self, url: str):
        self.events, self.states, self.lock = [], [], threading.Lock()
        self.client = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
        self.client.on("queue", self._queue)
        self.client.on("state", lambda s: self._add(self.states, s))
        self.client.connect(url, transports=["websocket"], wait_timeout=10)

    def _add(self, items, item):
        with self.lock:
            items.append(item)

    def _queue(self, event):
        self._add(self.events, event)

    def versions(self) -> list[int]:
        with self.lock:
            return [e["version"] for e in self.events]

    def last(self) -> int:
        with self.lock:
            seen = [e["version"] for e in self.events] + [s["version"] for s in self.states]
        return max(seen, default=0)

    def close(self):
        self.client.disconnect()


def visit(server, service="kk") -> dict:
    answer = requests.post(f"{server.url}/api/visits", json={"kiosk": "lobby", "service": service,
                                                              "request_id": uuid.uuid4().hex},
                           cookies=server.kiosk_cookies(), timeout=20)
    assert answer.status_code == 201, answer.text
    return answer.json()["ticket"]


def state(server) -> dict:
    return requests.get(f"{server.url}/api/state", timeout=10).json()


def wait_for(predicate, what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def worker_pids(server) -> set[int]:
    """The gunicorn workers: the master's children (the print process is a worker's child)."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(server.pid)], capture_output=True, text=True).stdout
    return {int(p) for p in out.split()}


def assert_heard_every_version_in_order(screens, final: int) -> None:
    """Every version after the screen's snapshot, once, in order. A change committed just before
    the snapshot may still arrive after it (its sending was queued): pages drop what their
    snapshot already holds (static/js/live.js), and so does this check."""
    for screen in screens:
        start = screen.states[0]["version"]
        assert [v for v in screen.versions() if v > start] == list(range(start + 1, final + 1)), \
            "every version, once, in order"


def test_four_processes_every_screen_hears_every_version_in_order_whoever_made_it(live_server, redis_server):
    server = live_server(multi(redis_server.url))
    wait_for(lambda: len(worker_pids(server)) == WORKERS, "four workers")
    screens = [Screen(server.url) for _ in range(12)]
    try:
        with concurrent.futures.ThreadPoolExecutor(16) as pool:  # a burst over many connections: every worker
            tickets = list(pool.map(lambda _: visit(server), range(60)))
        final = state(server)["version"]
        assert final >= 60 and len({t["number"] for t in tickets}) == 60
        wait_for(lambda: all(s.last() >= final for s in screens), "every screen at the last version")
        assert_heard_every_version_in_order(screens, final)
        snapshot = state(server)
        assert [w["number"] for w in snapshot["waiting"]] == sorted(t["number"] for t in tickets)
    finally:
        for screen in screens:
            screen.close()


def test_without_a_message_queue_more_than_one_worker_stops_the_server_naming_the_key(tmp_path):
    from bench.liveserver import LiveServer, write_config
    server = LiveServer(write_config(tmp_path, {"server": {"workers": 2}}))
    with pytest.raises(RuntimeError, match="server.message_queue: is required when server.workers"):
        server.start(timeout=20)


class Phone:
    """A ticket's phone page over a websocket: the views of its ticket it heard."""

    def __init__(self, url: str, token: str):
        self.views = []
        self.client = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
        self.client.on("ticket", self.views.append)
        self.client.connect(f"{url}?watch={token}", transports=["websocket"], wait_timeout=10)

    def close(self):
        self.client.disconnect()


def staff(server, name="kepala"):
    from browserkit import add_account, staff_session
    add_account(server, name, "admin", ())
    return staff_session(server, name)


def test_a_redis_restart_mid_run_loses_nothing_and_every_screen_and_phone_catches_up(live_server, redis_server):
    server = live_server(multi(redis_server.url))
    wait_for(lambda: len(worker_pids(server)) == WORKERS, "four workers")
    first = visit(server)
    screens = [Screen(server.url) for _ in range(8)]
    phones = [Phone(server.url, first["token"]) for _ in range(4)]
    admin = staff(server)
    try:
        redis_server.stop()
        during = [visit(server) for _ in range(10)]  # visits never wait for Redis
        assert admin.post(f"{server.url}/api/counters/1/call-next", timeout=20).status_code == 200
        redis_server.start()
        after = [visit(server) for _ in range(10)]
        final = state(server)["version"]
        wait_for(lambda: all(s.last() >= final for s in screens), "every screen at the last version", 30)
        assert_heard_every_version_in_order(screens, final)
        wait_for(lambda: all(p.views and p.views[-1]["status"] == "called" for p in phones),
                 "every phone told its ticket is called", 30)
        waiting = [w["number"] for w in state(server)["waiting"]]
        assert waiting == [t["number"] for t in during + after]  # nothing lost in the database
    finally:
        for client in screens + phones:
            client.close()


def test_kill_9_of_one_process_under_load_the_others_go_on_and_nothing_is_lost_or_doubled(live_server,
                                                                                          redis_server):
    server = live_server(multi(redis_server.url))
    wait_for(lambda: len(worker_pids(server)) == WORKERS, "four workers")
    screens = [Screen(server.url) for _ in range(8)]
    request_ids = [uuid.uuid4().hex for _ in range(80)]

    def visit_until_answered(request_id):
        """A kiosk whose request died with its process sends it again: the same ticket or a new one, once."""
        for _ in range(50):
            try:
                answer = requests.post(f"{server.url}/api/visits", json={
                    "kiosk": "lobby", "service": "kk", "request_id": request_id},
                    cookies=server.kiosk_cookies(), timeout=10)
                if answer.status_code == 201:
                    return answer.json()["ticket"]["number"]
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{request_id} never answered")

    try:
        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            futures = [pool.submit(visit_until_answered, rid) for rid in request_ids]
            time.sleep(0.3)
            victim = sorted(worker_pids(server))[0]
            subprocess.run(["kill", "-9", str(victim)], check=True)
            numbers = [f.result() for f in futures]
        assert len(set(numbers)) == 80  # one ticket per request, none doubled
        wait_for(lambda: len(worker_pids(server)) == WORKERS, "gunicorn to replace the dead worker")
        snapshot = state(server)
        waiting = [w["number"] for w in snapshot["waiting"]]
        assert sorted(waiting) == sorted(numbers) and waiting == [f"B{i:03d}" for i in range(1, 81)]
        final = snapshot["version"]
        wait_for(lambda: all(s.last() >= final for s in screens), "every screen, reconnected or not, at the end", 30)
        for screen in screens:  # a screen on the dead process reconnected and got the snapshot
            assert screen.last() == final
    finally:
        for screen in screens:
            screen.close()


def test_the_clis_change_reaches_screens_on_every_process(live_server, redis_server, tmp_path):
    from test_cli import closing_config, flask
    server = live_server(multi(redis_server.url))
    wait_for(lambda: len(worker_pids(server)) == WORKERS, "four workers")
    numbers = [visit(server)["number"] for _ in range(3)]
    screens = [Screen(server.url) for _ in range(8)]
    try:
        run = flask(closing_config(server, tmp_path), "close-day")
        assert run.returncode == 0, run.stderr
        final = state(server)["version"]
        wait_for(lambda: all(s.last() >= final for s in screens), "every screen heard the CLI's change")
        for screen in screens:
            assert [(e["event"], e["ticket"]["number"]) for e in screen.events] == [("expired", n) for n in numbers]
    finally:
        for screen in screens:
            screen.close()


def test_the_print_process_runs_once_and_moves_when_its_process_dies(live_server, redis_server):
    from bench.fakeprinter import FakePrinter
    printer = FakePrinter("ok")
    try:
        server = live_server(multi(redis_server.url, kiosks=[{"id": "lobby", "name": "Lobi", "printer": {
            "type": "network", "host": "127.0.0.1", "port": printer.port, "timeout": 2}}]))
        wait_for(lambda: len(worker_pids(server)) == WORKERS, "four workers")
        numbers = [visit(server)["number"] for _ in range(8)]
        jobs = printer.printed(timeout=20, count=8)
        time.sleep(1)  # a second print process would have sent its copies by now
        assert len(printer.jobs) == 8 and all(any(n.encode() in job for job in jobs) for n in numbers)
        leader = int((server.config.parent / "antrian.db.leader").read_text())
        subprocess.run(["kill", "-9", str(leader)], check=True)
        wait_for(lambda: leader not in worker_pids(server) and len(worker_pids(server)) == WORKERS, "a new worker")
        more = [visit(server)["number"] for _ in range(3)]
        printer.printed(timeout=20, count=11)
        time.sleep(1)
        assert len(printer.jobs) == 11 and all(any(n.encode() in job for job in printer.jobs) for n in more)
    finally:
        printer.stop()


@pytest.mark.browser
def test_with_several_processes_the_pages_hold_their_connection_over_a_websocket_and_the_wall_hears_calls(
        live_server, redis_server, browser_pages):
    """Long polling keeps a session in the process that began it, and gunicorn's workers share one
    port: the pages say websocket-only in a meta tag, and the hall (real Chromium) hears calls
    made through any worker."""
    from playwright.sync_api import expect
    server = live_server(multi(redis_server.url))
    assert '<meta name="antrian-live-transport" content="websocket">' in requests.get(
        f"{server.url}/display", timeout=10).text
    page = browser_pages.new({"width": 1920, "height": 1080})
    transports = []
    page.on("websocket", lambda ws: transports.append(ws.url))
    page.goto(f"{server.url}/display")
    expect(page.locator("#hall")).to_have_attribute("data-live", "up")
    admin = staff(server)
    for _ in range(6):  # calls made through whichever worker takes each request
        visit(server)
        called = admin.post(f"{server.url}/api/counters/1/call-next", timeout=20).json()["ticket"]
        expect(page.locator('.counter[data-counter="1"] .counter-number')).to_have_text(called["number"])
        admin.post(f"{server.url}/api/tickets/{called['id']}/start", timeout=20)
        admin.post(f"{server.url}/api/tickets/{called['id']}/finish", timeout=20)
    assert transports and all("transport=websocket" in url for url in transports)
    polled = [r for r in page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
              if "transport=polling" in r]
    assert polled == []


def test_one_process_pages_say_nothing_of_transport(live_server):
    server = live_server()
    assert "antrian-live-transport" not in requests.get(f"{server.url}/display", timeout=10).text
