"""Fixtures: a fresh app on a temporary database, a fake clock, logged-in staff, a socket client."""
from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

import server
from bench.liveserver import any_day_overrides
from queueing import config as configuration
from queueing.service import QueueService
from queueing.store import Store

ROOT = Path(__file__).resolve().parent.parent

CONFIG = ROOT / "config.toml"
WIB = dt.timezone(dt.timedelta(hours=7))
PASSWORD = "rahasia-loket-123"


class FakeClock:
    """A clock the test moves; each reading advances it by a millisecond, like real time would."""

    def __init__(self, start: dt.datetime):
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> dt.datetime:
        with self._lock:
            self.now += dt.timedelta(milliseconds=1)
            return self.now

    def set(self, moment: dt.datetime) -> None:
        with self._lock:
            self.now = moment

    def advance(self, **delta) -> None:
        with self._lock:
            self.now += dt.timedelta(**delta)


def office_time(day: str, hhmm: str) -> dt.datetime:
    """An aware moment at a WIB wall-clock time."""
    return dt.datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=WIB)


def overrides_for(database: Path, **sections) -> dict:
    """Config overrides for tests: a temp database, no rate limits, no hours or holidays,
    KTP-el postponed (bench.liveserver.any_day_overrides), then the test's own sections."""
    return configuration.merge(any_day_overrides(database), sections)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(office_time("2026-03-02", "09:00"))  # a Monday morning


@pytest.fixture
def database(tmp_path) -> Path:
    return tmp_path / "antrian.db"


@pytest.fixture
def overrides(database) -> dict:
    return overrides_for(database)


@pytest.fixture
def config(overrides):
    return configuration.load(CONFIG, overrides)


@pytest.fixture
def service(config, clock) -> QueueService:
    store = Store(config.server.database)
    yield QueueService(config, store, clock)
    store.close()


@pytest.fixture
def app(overrides, clock):
    app = server.create_app(CONFIG, overrides, clock=clock)
    yield app
    app.extensions["store"].close()


def enroll(app, client, *kiosks: str, domain: str = "localhost"):
    """Enroll a test client as the named kiosks (all configured ones by default), as the
    office enrolls its kiosk PCs; return the client."""
    from web.devices import COOKIE_PREFIX
    for kiosk in kiosks or [k.id for k in app.extensions["config"].kiosks]:
        token = app.extensions["kiosks"].enroll_directly(kiosk, "test")
        client.set_cookie(COOKIE_PREFIX + kiosk, token, domain=domain)
    return client


def kiosk_client(app, domain: str = "localhost"):
    """A new test client enrolled as every configured kiosk."""
    return enroll(app, app.test_client(), domain=domain)


@pytest.fixture
def client(app):
    """A client enrolled as every configured kiosk: everything the suite does through the
    kiosk API goes through an enrolled device."""
    return enroll(app, app.test_client())


def add_user(app, username: str, role: str = "staff", counters=(1,)) -> None:
    app.extensions["accounts"].add_user(username, PASSWORD, role, list(counters))


class Staff:
    """A logged-in test client that sends the CSRF header on every change."""

    def __init__(self, app, username: str):
        self.client = app.test_client()
        response = self.client.post("/api/login", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.json
        self.csrf = response.json["csrf_token"]

    def post(self, path: str, json=None, **kwargs):
        headers = {"X-CSRFToken": self.csrf, **kwargs.pop("headers", {})}
        return self.client.post(path, json=json if json is not None else {}, headers=headers, **kwargs)

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)


@pytest.fixture
def staff(app) -> Staff:
    """Staff at counter 1 (services kk and kia)."""
    add_user(app, "siti", "staff", (1,))
    return Staff(app, "siti")


@pytest.fixture
def staff2(app) -> Staff:
    """Staff at counter 2 (services kk and pindah)."""
    add_user(app, "budi", "staff", (2,))
    return Staff(app, "budi")


@pytest.fixture
def admin(app) -> Staff:
    add_user(app, "kepala", "admin", ())
    return Staff(app, "kepala")


_request_ids = iter(range(1, 10**9))


def visit(client, service: str = "kk", kiosk: str = "lobby", **extra):
    """POST one visit with a fresh request_id."""
    body = {"kiosk": kiosk, "service": service, "request_id": f"req-{next(_request_ids)}", **extra}
    return client.post("/api/visits", json=body)


@pytest.fixture
def socket_client(app):
    from display.live import sender, socketio
    clients = []

    def make(**options):
        if "kiosk" in (options.get("auth") or {}) and "flask_test_client" not in options:
            options["flask_test_client"] = kiosk_client(app)  # a kiosk's socket comes from its device
        c = socketio.test_client(app, **options)
        receive = c.get_received

        def get_received(namespace=None):
            sender.drain()  # events leave from the sender thread, a moment after the answer
            return receive(namespace)

        c.get_received = get_received
        clients.append(c)
        return c

    yield make
    for c in clients:
        if c.is_connected():
            c.disconnect()


# --- real servers and a real browser ---

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required"]


@pytest.fixture
def live_server(tmp_path):
    """Start the production server on a temporary config; call with overrides."""
    from bench.liveserver import LiveServer, write_config
    servers = []

    def start(overrides: dict | None = None, folder: Path | None = None, clock: str | None = None):
        """clock: the moment the server's clock reads at start ("2026-12-24T09:00:00+07:00");
        without it the machine's, for tests that hold at any hour."""
        folder = folder or tmp_path
        server_ = LiveServer(write_config(folder, overrides), clock=clock).start()
        servers.append(server_)
        return server_

    yield start
    for s in servers:
        s.kill()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (its own browser download cannot work here)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


SCREENSHOTS = ROOT / "docs" / "screenshots"


@pytest.fixture
def browser_pages(browser):
    """Fresh browser pages for one test (browserkit.Pages); a CSP complaint or a script error fails it."""
    from browserkit import Pages  # it imports this module
    pages = Pages(browser)
    yield pages
    pages.close()
