"""Security checks as tests: the content policy and own-assets-only pages, socket origins, the
session cookie, logins (their timing, their limits per address and per account), answers kept out
of caches, and who may call which route (generated from the URL map)."""
from __future__ import annotations

import re
import sqlite3
import statistics
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

import server
from conftest import CONFIG, PASSWORD, Staff, add_user, overrides_for, visit, kiosk_client
from web.ratelimit import wait_words

# --- who may call what: every route not listed here must refuse an anonymous caller ---

STATIC = {"static", "kiosk.static", "counter.static", "display.static", "admin.static", "booking.static"}
PUBLIC = STATIC | {
    "index", "healthz",
    "kiosk.page", "counter.page", "display.hall", "display.phone", "admin.page",  # pages
    "kiosk.visit", "kiosk.slip",  # the kiosk is a public touchscreen
    "kiosk.online_qr", "display.ticket_qr",  # QR codes as SVG
    "counter.login",
    "display.state", "display.ticket_status", "admin.notices",
    "openapi.openapi_json",  # the API's own description
    "booking.slots", "booking.book", "booking.booking", "booking.cancel",  # booking from home
    "booking.page", "booking.status_page", "booking.booking_qr", "booking.ics",  # its pages, QR code, calendar file
    "kiosk.join_page", "kiosk.join_qr",  # joining from a phone with the hall screen's code
    "display.survey_state", "display.survey_answer",  # the survey, by the ticket's token
}
# Routes any logged-in staff member may call; every other non-public route is for admins only.
STAFF = {
    "counter.logout", "counter.session", "counter.desk", "counter.call_next", "counter.call",
    "counter.move", "counter.transfer", "counter.verify", "counter.reprint", "admin.lookup_ticket",
    "booking.staff_check_in", "counter.pause", "counter.resume", "counter.requeue", "counter.desk_visit",
}
# Staff routes that act at a counter or on a ticket held there: staff of another counter get 403.
COUNTER_BOUND = {"counter.desk", "counter.call_next", "counter.call", "counter.move",
                 "counter.transfer", "counter.verify", "counter.pause", "counter.resume", "counter.requeue"}
SAFE = {"GET", "HEAD", "OPTIONS"}


@dataclass
class World:
    """An app with a ticket held at counter 2, a print job, and one account per role."""
    app: object
    held: dict  # a claimed-emergency ticket called at counter 2
    job_id: int
    staff1: Staff  # counter 1
    staff2: Staff  # counter 2
    admin: Staff

    def version(self) -> int:
        return self.app.test_client().get("/api/state").json["version"]

    def jobs(self) -> int:
        with sqlite3.connect(self.app.extensions["store"].path) as conn:
            return conn.execute("SELECT count(*) FROM print_jobs").fetchone()[0]


@pytest.fixture
def world(database, clock):
    # A network printer nobody answers: the outbox is not started, so its jobs stay queued.
    app = server.create_app(CONFIG, overrides_for(database, kiosks=[
        {"id": "lobby", "printer": {"type": "network", "host": "127.0.0.1", "port": 9}}]), clock=clock)
    add_user(app, "siti", "staff", (1,))
    add_user(app, "budi", "staff", (2,))
    add_user(app, "kepala", "admin", ())
    staff1, staff2, admin = Staff(app, "siti"), Staff(app, "budi"), Staff(app, "kepala")
    ticket = visit(kiosk_client(app), "pindah", reason="bpjs").json["ticket"]  # pindah: counter 2 only
    called = staff2.post("/api/counters/2/call-next")
    assert called.json["ticket"]["id"] == ticket["id"]
    with sqlite3.connect(app.extensions["store"].path) as conn:
        job_id = conn.execute("SELECT id FROM print_jobs WHERE ticket_id = ?", (ticket["id"],)).fetchone()[0]
    yield World(app, ticket, job_id, staff1, staff2, admin)
    app.extensions["store"].close()


def route_calls(app, world: World, endpoints=None):
    """Yield (endpoint, method, url) for every rule and method, its parameters filled with real ids."""
    values = {"counter_id": 2, "ticket_id": world.held["id"], "job_id": world.job_id,
              "token": world.held["token"], "kiosk_id": "lobby", "filename": "base.css",
              "window_id": "1", "code": "ABCDEF", "key": "stale-key"}
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if endpoints is not None and rule.endpoint not in endpoints:
            continue
        missing = rule.arguments - set(values) - set(_choices(rule))
        assert not missing, f"{rule.rule}: give the test a real value for {missing}"
        for choice in _expand(rule):
            for method in sorted(rule.methods - SAFE) + sorted(rule.methods & {"GET"}):
                yield rule.endpoint, method, adapter.build(rule.endpoint, {**values, **choice},
                                                           method=method, append_unknown=False)


def _choices(rule) -> dict:
    """The `any(...)` parameters of a rule and their allowed values."""
    return {name: sorted(conv.items) for name, conv in rule._converters.items() if hasattr(conv, "items")}


def _expand(rule):
    choices = _choices(rule)
    if not choices:
        return [{}]
    [(name, items)] = choices.items()
    return [{name: item} for item in items]


def call(client, method: str, url: str, headers=None):
    return client.open(url, method=method, json={} if method not in SAFE else None, headers=headers or {})


def assert_json_error(response, status: int, code: str, where: str = ""):
    assert response.status_code == status, f"{where}: {response.status_code} {response.get_data(as_text=True)[:200]}"
    assert response.is_json and response.json["error"] == code, where
    assert len(response.json["message"]) > 10


def protected(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()} - PUBLIC


def test_the_route_lists_name_only_routes_that_exist(world):
    endpoints = {rule.endpoint for rule in world.app.url_map.iter_rules()}
    assert PUBLIC <= endpoints and STAFF <= endpoints and COUNTER_BOUND <= STAFF
    assert len(protected(world.app) - STAFF) >= 9  # the admin routes


def test_every_route_outside_the_public_list_refuses_an_anonymous_caller_with_401(world):
    anonymous = world.app.test_client()
    calls = list(route_calls(world.app, world, protected(world.app)))
    assert len(calls) >= 24
    before = (world.version(), world.jobs())
    for endpoint, method, url in calls:
        assert_json_error(call(anonymous, method, url), 401, "login_required", f"{method} {url}")
    assert (world.version(), world.jobs()) == before


def test_every_admin_route_refuses_staff_with_403(world):
    calls = list(route_calls(world.app, world, protected(world.app) - STAFF))
    before = (world.version(), world.jobs())
    for endpoint, method, url in calls:
        response = call(world.staff1.client, method, url, {"X-CSRFToken": world.staff1.csrf})
        assert_json_error(response, 403, "admin_only", f"{method} {url}")
    assert (world.version(), world.jobs()) == before


def test_staff_of_counter_1_acting_at_counter_2_or_on_its_ticket_gets_403(world):
    held = world.held["id"]
    bodies = {"counter.call": {"ticket_id": held}, "counter.transfer": {"service": "kk"},
              "counter.verify": {"emergency": False}}
    before = world.version()
    for endpoint, method, url in route_calls(world.app, world, COUNTER_BOUND):
        response = world.staff1.client.open(url, method=method, json=bodies.get(endpoint, {}),
                                            headers={"X-CSRFToken": world.staff1.csrf})
        assert response.status_code == 403, f"{method} {url}: {response.json}"
        assert response.json["error"] in ("not_your_counter", "not_your_ticket")
    assert world.version() == before
    ticket = world.admin.get("/api/counters/2").json["ticket"]
    assert (ticket["id"], ticket["status"]) == (held, "called")
    assert world.staff2.get("/api/counters/2").status_code == 200  # its own staff still may


def test_every_state_changing_staff_call_without_the_csrf_header_gets_403_csrf(world):
    calls = [(e, m, u) for e, m, u in route_calls(world.app, world, protected(world.app)) if m not in SAFE]
    assert len(calls) >= 12
    before = (world.version(), world.jobs())
    for endpoint, method, url in calls:
        assert_json_error(call(world.admin.client, method, url), 403, "csrf", f"{method} {url}")
        forged = call(world.admin.client, method, url, {"X-CSRFToken": "x" * len(world.admin.csrf)})
        assert_json_error(forged, 403, "csrf", f"forged {method} {url}")
    assert (world.version(), world.jobs()) == before
    assert world.admin.get("/api/session").status_code == 200  # still logged in: logout needed the token too


def test_a_cookie_replayed_after_logout_is_refused_on_every_protected_route(world):
    cookie = world.admin.client.get_cookie("antrian_session").value
    assert world.admin.post("/api/logout").status_code == 200
    thief = world.app.test_client()
    thief.set_cookie("antrian_session", cookie)
    before = (world.version(), world.jobs())
    for endpoint, method, url in route_calls(world.app, world, protected(world.app)):
        response = call(thief, method, url, {"X-CSRFToken": world.admin.csrf})
        assert_json_error(response, 401, "login_required", f"{method} {url}")
    assert (world.version(), world.jobs()) == before


# --- the session cookie ---

def cookie_attributes(response) -> dict:
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("antrian_session=")]
    name_value, *attributes = [part.strip() for part in header.split(";")]
    parsed = {"value": name_value.split("=", 1)[1]}
    for attribute in attributes:
        key, _, value = attribute.partition("=")
        parsed[key.lower()] = value or True
    return parsed


def login(app, username="siti"):
    return app.test_client().post("/api/login", json={"username": username, "password": PASSWORD})


def test_the_session_cookie_is_httponly_samesite_lax_and_not_secure_by_default(app):
    add_user(app, "siti")
    cookie = cookie_attributes(login(app))
    assert cookie["httponly"] is True and cookie["samesite"] in ("Lax", "Strict")
    assert "secure" not in cookie  # plain http on the office LAN must still work
    assert cookie["path"] == "/" and len(cookie["value"]) >= 32


def test_with_secure_cookies_the_session_cookie_is_secure_and_so_is_its_removal(database, clock):
    app = server.create_app(CONFIG, overrides_for(database, server={"secure_cookies": True}), clock=clock)
    add_user(app, "siti")
    response = login(app)
    cookie = cookie_attributes(response)
    assert cookie["secure"] is True and cookie["httponly"] is True and cookie["samesite"] in ("Lax", "Strict")
    client = app.test_client()
    client.set_cookie("antrian_session", cookie["value"])
    logout = client.post("/api/logout", headers={"X-CSRFToken": response.json["csrf_token"]})
    removal = cookie_attributes(logout)
    assert removal["value"] == "" and removal["expires"].endswith("1970 00:00:00 GMT")
    assert removal["secure"] is True and removal["httponly"] is True
    app.extensions["store"].close()


def test_logout_ends_the_session_on_the_server_and_expires_the_cookie(app, staff):
    cookie = staff.client.get_cookie("antrian_session").value
    response = staff.post("/api/logout")
    assert cookie_attributes(response)["value"] == ""
    assert app.extensions["accounts"].session(cookie) is None
    # the replay itself: tests/test_api.py::test_a_cookie_replayed_after_logout_gets_401


# --- the login rate limit ---

def test_the_wait_is_said_in_seconds_under_a_minute_and_in_minutes_above():
    assert (wait_words(1), wait_words(59), wait_words(60), wait_words(61), wait_words(3600)) == (
        "sekitar 1 detik", "sekitar 59 detik", "sekitar 1 menit", "sekitar 2 menit", "sekitar 60 menit")


def test_the_fourth_login_from_one_address_is_429_with_retry_after_even_with_the_right_password(database, clock):
    app = server.create_app(CONFIG, overrides_for(database, limits={"logins_per_address": "3/minute"}),
                            clock=clock)
    add_user(app, "siti")
    office_pc = app.test_client()
    wrong = {"username": "siti", "password": "bukan-ini-sandinya"}
    assert [office_pc.post("/api/login", json=wrong).status_code for _ in range(3)] == [401, 401, 401]
    too_many = office_pc.post("/api/login", json=wrong)
    assert_json_error(too_many, 429, "rate_limited")
    assert 1 <= int(too_many.headers["Retry-After"]) <= 60
    assert f"tunggu {wait_words(int(too_many.headers['Retry-After']))} lalu" in too_many.json["message"]
    right = office_pc.post("/api/login", json={"username": "siti", "password": PASSWORD},
                           headers={"X-Forwarded-For": "10.9.9.9"})  # a forged proxy header changes nothing
    assert_json_error(right, 429, "rate_limited")
    assert "Set-Cookie" not in right.headers and office_pc.get_cookie("antrian_session") is None
    other_pc = app.test_client()
    other_pc.environ_base["REMOTE_ADDR"] = "10.0.0.2"
    assert other_pc.post("/api/login", json={"username": "siti", "password": PASSWORD}).status_code == 200
    app.extensions["store"].close()


def from_address(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_ten_failed_logins_at_one_name_from_ten_addresses_make_even_the_right_password_wait(database, clock):
    app = server.create_app(CONFIG, overrides_for(database, limits={
        "logins_per_address": "10/minute", "logins_per_account": "10/minute"}), clock=clock)
    add_user(app, "siti")
    add_user(app, "budi")
    wrong = {"username": "siti", "password": "bukan-ini-sandinya"}
    assert [from_address(app, f"10.0.0.{i}").post("/api/login", json=wrong).status_code
            for i in range(1, 11)] == [401] * 10
    right = from_address(app, "10.0.1.1").post("/api/login", json={"username": "siti", "password": PASSWORD})
    assert_json_error(right, 429, "rate_limited")
    assert right.headers["Retry-After"].isdigit() and 1 <= int(right.headers["Retry-After"]) <= 60
    assert "Set-Cookie" not in right.headers
    other = from_address(app, "10.0.1.1").post("/api/login", json={"username": "budi", "password": PASSWORD})
    assert other.status_code == 200
    app.extensions["store"].close()


def test_a_name_with_no_account_is_limited_exactly_like_one_with_an_account(database, clock):
    app = server.create_app(CONFIG, overrides_for(database, limits={"logins_per_account": "3/minute"}),
                            clock=clock)
    add_user(app, "siti")
    answers = {}
    for name in ("siti", "tidak_ada"):
        tries = [from_address(app, f"10.0.2.{i}").post(
            "/api/login", json={"username": name, "password": "bukan-ini-sandinya"}) for i in range(4)]
        answers[name] = [(r.status_code, r.json) for r in tries]
        assert [status for status, _ in answers[name]] == [401, 401, 401, 429]
    assert answers["siti"] == answers["tidak_ada"]
    app.extensions["store"].close()


def test_an_unknown_or_disabled_name_takes_as_long_to_refuse_as_a_wrong_password(app):
    add_user(app, "siti")
    add_user(app, "budi")
    app.extensions["accounts"].set_disabled("budi")
    client = app.test_client()

    def seconds_to_refuse(name: str) -> float:
        start = time.perf_counter()
        response = client.post("/api/login", json={"username": name, "password": "bukan-ini-sandinya"})
        took = time.perf_counter() - start
        assert_json_error(response, 401, "bad_credentials")
        return took

    seconds_to_refuse("tidak_ada")  # once before measuring, as a running server has already
    times = {"siti": [], "tidak_ada": [], "budi": []}
    for _ in range(20):  # interleaved, so that the shared machine's drift falls on all three alike
        for name, took in times.items():
            took.append(seconds_to_refuse(name))
    medians = {name: statistics.median(took) for name, took in times.items()}
    assert min(medians.values()) > 0.005, medians  # a password hash was checked for each
    assert max(medians.values()) / min(medians.values()) <= 1.5, medians


# --- answers that no cache may keep ---

def test_staff_answers_and_pages_are_never_stored_by_a_cache_but_static_files_may_be(app, admin):
    for path in ("/api/session", "/api/reports/daily", "/counter", "/admin"):
        assert admin.get(path).headers["Cache-Control"] == "no-store", path
    add_user(app, "siti")
    login = app.test_client().post("/api/login", json={"username": "siti", "password": PASSWORD})
    assert login.status_code == 200 and login.headers["Cache-Control"] == "no-store"
    logout = admin.post("/api/logout")
    assert logout.status_code == 200 and logout.headers["Cache-Control"] == "no-store"
    for path in ("/static/base.css", "/static/counter/counter.js", "/static/js/live.js"):
        response = app.test_client().get(path)
        assert response.status_code == 200 and "no-store" not in response.headers.get("Cache-Control", ""), path


# --- the content policy: only the server's own assets ---

ALLOWED_SOURCES = {"'self'", "'none'"}
DATA_ALLOWED = {"img-src"}  # the favicon is data:, and data: images load nothing from elsewhere


def policy_of(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def html_pages(client, token: str) -> dict[str, object]:
    """Every public GET route that answers HTML, found from the URL map; each must be here."""
    pages = {}
    adapter = client.application.url_map.bind("localhost")
    for rule in client.application.url_map.iter_rules():
        if rule.endpoint in STATIC or "GET" not in rule.methods or rule.endpoint not in PUBLIC:
            continue
        url = adapter.build(rule.endpoint, {"token": token, "kiosk_id": "lobby", "key": "stale-key"},
                            append_unknown=False)
        response = client.get(url)
        if response.mimetype == "text/html":
            pages[url] = response
    pages["/t/no-such-token"] = client.get("/t/no-such-token")  # the 404 page of a phone
    return pages


def test_every_html_page_carries_a_policy_that_admits_only_the_servers_own_assets(client):
    token = visit(client).json["ticket"]["token"]
    pages = html_pages(client, token)
    assert {"/", "/kiosk/lobby", "/counter", "/display", "/admin", f"/t/{token}"} <= set(pages)
    for url, response in pages.items():
        policy = policy_of(response)
        assert policy["default-src"] == ["'self'"], url
        for directive in ("script-src", "style-src", "connect-src", "img-src", "font-src", "media-src"):
            assert directive in policy, (url, directive)
        for directive, sources in policy.items():
            allowed = ALLOWED_SOURCES | ({"data:"} if directive in DATA_ALLOWED else set())
            assert set(sources) <= allowed, (url, directive, sources)
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"], url
        assert policy["base-uri"] == ["'self'"], url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"  # ticket tokens are in URLs


class AssetParser(HTMLParser):
    """Collect the URLs a page loads (not links it navigates to) and any inline code or style."""

    LOADS = {("script", "src"), ("link", "href"), ("img", "src"), ("img", "srcset"), ("source", "src"),
             ("source", "srcset"), ("audio", "src"), ("video", "src"), ("video", "poster"),
             ("iframe", "src"), ("embed", "src"), ("object", "data"), ("image", "href"), ("use", "href"),
             ("input", "src"), ("track", "src")}

    def __init__(self):
        super().__init__()
        self.assets, self.inline = [], []
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if (tag, name) in self.LOADS and value:
                self.assets += [v.split()[0] for v in value.split(",")] if name == "srcset" else [value]
            if name.startswith("on") or name == "style":
                self.inline.append(f"<{tag} {name}=...>")
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self.inline.append("<script> without src")
        if tag == "style":
            self.inline.append("<style>")


def is_external(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https", "ws", "wss", "ftp") or url.startswith("//")


CSS_URLS = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")
# Modules a script imports (followed), and other URLs it loads (only checked to be this server's).
JS_IMPORTS = re.compile(r"""^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']"""
                        r"""|\bimport\s*\(\s*["']([^"']+)["']\s*\)""", re.M)
JS_LOADS = re.compile(r"""(?:\b(?:fetch|importScripts|io)|\bnew\s+(?:URL|Worker|SharedWorker|WebSocket|"""
                      r"""EventSource|Audio))\s*\(\s*["'`]([^"'`]+)["'`]""")


def assets_of(path: str, text: str) -> tuple[list[str], list[str]]:
    """Return the (followed, only checked) URLs a stylesheet or a script refers to."""
    if path.endswith(".css"):
        return [a or b for a, b in CSS_URLS.findall(text)], []
    if path.endswith(".js"):
        return [a or b or c for a, b, c in JS_IMPORTS.findall(text)], JS_LOADS.findall(text)
    return [], []


def test_no_page_or_its_scripts_and_styles_load_anything_from_another_host(client):
    token = visit(client).json["ticket"]["token"]
    seen, queue = set(), []
    for url, response in html_pages(client, token).items():
        parser = AssetParser()
        parser.feed(response.get_data(as_text=True))
        assert parser.inline == [], (url, parser.inline)  # the policy would block them
        assert parser.assets, url
        queue += [(url, asset) for asset in parser.assets]
    while queue:
        referrer, asset = queue.pop()
        assert not is_external(asset), f"{referrer} loads {asset}"
        if asset.startswith("data:"):
            continue
        path = urlsplit(urljoin("http://localhost" + referrer, asset)).path
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        assert response.status_code == 200, f"{referrer} loads {path}: {response.status_code}"
        followed, loaded = assets_of(path, response.get_data(as_text=True))
        assert not [url for url in loaded if is_external(url)], path
        queue += [(path, url) for url in followed]
    assert any(p.endswith("socket.io.esm.min.js") for p in seen)  # the vendored client is served here
    assert sum(p.endswith(".css") for p in seen) >= 5 and sum(p.endswith(".js") for p in seen) >= 8


# --- no cross-origin Socket.IO ---

def test_the_socket_server_admits_no_other_origin(app):
    from display.live import socketio
    for configured in (socketio.server.eio.cors_allowed_origins,
                       socketio.server_options.get("cors_allowed_origins")):
        assert configured is None or (configured != "*" and "*" not in configured)


def test_a_websocket_handshake_from_another_origin_is_refused(live_server):
    # The polling handshake and the same-origin websocket: tests/test_live.py
    import socketio
    import websocket
    server = live_server()
    ws_url = server.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(ws_url, origin="http://evil.example", timeout=5)
    assert refused.value.status_code == 400
    foreign = socketio.SimpleClient()
    with pytest.raises(socketio.exceptions.ConnectionError):
        foreign.connect(server.url, headers={"Origin": "https://evil.example"}, transports=["websocket"],
                        wait_timeout=5)
    own = websocket.create_connection(ws_url, origin=server.url, timeout=5)
    assert own.recv().startswith("0{")  # the Engine.IO open packet
    own.close()
