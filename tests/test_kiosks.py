"""Enrolled kiosks (issue 16): only a device the office enrolled acts as a kiosk; a visitor's
phone on the office Wi-Fi cannot issue tickets, use up a kiosk's rate, hear its printer or
choose where a printed QR code points."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time

import pytest
import requests
import socketio

import server
from conftest import CONFIG, ROOT, kiosk_client, overrides_for, visit
from web.devices import COOKIE_PREFIX


def tickets(database) -> int:
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT count(*) FROM tickets").fetchone()[0]


def assert_not_enrolled(response) -> None:
    assert response.status_code == 403, response.json
    assert response.json["error"] == "kiosk_not_enrolled" and "/admin" in response.json["message"]


def test_a_visit_and_a_slip_from_a_device_the_office_has_not_enrolled_are_refused_and_change_nothing(app, database):
    phone = app.test_client()
    assert_not_enrolled(visit(phone))
    assert_not_enrolled(phone.post("/api/slips", json={"kiosk": "lobby"}))
    assert tickets(database) == 0


def test_a_device_enrolled_as_another_kiosk_cannot_act_as_this_one(database, clock):
    app = server.create_app(CONFIG, overrides_for(database, kiosks=[
        {"id": "lobby", "printer": {"type": "preview"}}, {"id": "aula", "printer": {"type": "preview"}}]), clock=clock)
    aula = app.test_client()
    from conftest import enroll
    enroll(app, aula, "aula")
    assert visit(aula, kiosk="aula").status_code == 201
    assert_not_enrolled(visit(aula, kiosk="lobby"))


def test_an_admins_one_time_link_enrolls_a_browser_once_and_its_visits_are_then_served(app, admin, database):
    link = admin.post("/api/kiosks/lobby/enrollments")
    assert link.status_code == 201
    url = link.json["url"]
    assert url.startswith("http://localhost/kiosk/lobby?enroll=")
    kiosk_pc = app.test_client()
    opened = kiosk_pc.get(url.removeprefix("http://localhost"))
    assert opened.status_code == 303 and opened.headers["Location"] == "/kiosk/lobby"  # the code leaves the address bar
    cookie = opened.headers["Set-Cookie"]
    assert cookie.startswith(COOKIE_PREFIX + "lobby=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=315360000" in cookie  # long-lived: a kiosk PC stays enrolled until revoked
    assert visit(kiosk_pc).status_code == 201
    again = app.test_client().get(url.removeprefix("http://localhost"))
    assert again.status_code == 403 and "tidak berlaku" in again.get_data(as_text=True)
    assert COOKIE_PREFIX not in again.headers.get("Set-Cookie", "")
    assert tickets(database) == 1


def test_an_enrollment_link_expires_after_a_day(app, admin, clock):
    url = admin.post("/api/kiosks/lobby/enrollments").json["url"].removeprefix("http://localhost")
    clock.advance(hours=24, minutes=1)
    late = app.test_client()
    assert late.get(url).status_code == 403
    assert_not_enrolled(visit(late))


def test_a_revoked_kiosk_is_refused_and_can_be_enrolled_again(app, admin, client):
    assert visit(client).status_code == 201
    revoked = admin.post("/api/kiosks/lobby/revoke")
    assert revoked.json == {"kiosk": "lobby", "revoked": 1}
    assert_not_enrolled(visit(client))
    url = admin.post("/api/kiosks/lobby/enrollments").json["url"].removeprefix("http://localhost")
    client.get(url)
    assert visit(client).status_code == 201


def test_enroll_this_browser_sets_the_device_cookie_on_the_admins_own_browser(app, admin):
    answer = admin.post("/api/kiosks/lobby/enroll-browser")
    assert answer.status_code == 200 and answer.json["page"] == "/kiosk/lobby"
    assert visit(admin.client).status_code == 201
    kiosks = admin.get("/api/kiosks").json["kiosks"]
    assert [(k["id"], k["devices"]) for k in kiosks] == [("lobby", 1)]


def test_kiosk_enrollment_is_for_admins_only(app, staff):
    for path in ("/api/kiosks/lobby/enrollments", "/api/kiosks/lobby/enroll-browser", "/api/kiosks/lobby/revoke"):
        assert staff.post(path).status_code == 403
        assert app.test_client().post(path, json={}).status_code == 401
    assert staff.post("/api/kiosks/hall-9/enrollments").status_code == 403


def test_an_unknown_kiosk_is_not_found_for_an_admin(admin):
    answer = admin.post("/api/kiosks/hall-9/enrollments")
    assert answer.status_code == 404 and answer.json["error"] == "unknown_kiosk"


def test_another_client_cannot_use_up_the_kiosks_rate_limit(database, clock):
    app = server.create_app(CONFIG, overrides_for(database, limits={"visits_per_kiosk": "3/minute"}), clock=clock)
    stranger = app.test_client()
    assert {visit(stranger).status_code for _ in range(30)} == {403}
    assert {stranger.post("/api/visits", data="garbage").status_code for _ in range(10)} == {400}
    kiosk = kiosk_client(app)
    assert [visit(kiosk).status_code for _ in range(4)] == [201, 201, 201, 429]


def test_a_socket_naming_a_kiosk_without_its_device_cookie_is_refused(app, socket_client):
    from display.live import socketio as sio
    stranger = sio.test_client(app, auth={"kiosk": "lobby"})
    assert not stranger.is_connected()
    enrolled = socket_client(auth={"kiosk": "lobby"})
    assert enrolled.is_connected()


def test_a_forged_host_header_never_reaches_a_print_job(database, clock):
    app = server.create_app(CONFIG, overrides_for(database, kiosks=[
        {"id": "lobby", "printer": {"type": "network", "host": "127.0.0.1", "port": 9}}]), clock=clock)
    phone = app.test_client()
    forged = phone.post("/api/visits", base_url="http://evil.example/", json={
        "kiosk": "lobby", "service": "kk", "request_id": "forged"})
    assert_not_enrolled(forged)
    assert_not_enrolled(phone.post("/api/slips", base_url="http://evil.example/", json={"kiosk": "lobby"}))
    answer = visit(kiosk_client(app)).json
    with sqlite3.connect(database) as conn:
        urls = [json.loads(r[0]).get("url") for r in conn.execute("SELECT payload FROM print_jobs")]
    assert urls == [f"http://localhost/t/{answer['ticket']['token']}"]


def test_the_kiosk_page_of_an_unenrolled_browser_says_what_to_do(app, client):
    page = app.test_client().get("/kiosk/lobby").get_data(as_text=True)
    assert 'data-enrolled="false"' in page and "flask --app server kiosks enroll lobby" in page
    assert 'data-enrolled="true"' in client.get("/kiosk/lobby").get_data(as_text=True)


@pytest.mark.slow
def test_the_cli_enrolls_a_kiosk_with_a_link_and_revoking_it_drops_its_socket(live_server):
    live = live_server({"server": {"public_url": "http://antrian.kantor"}})
    env = {**os.environ, "KIOSK_CONFIG": str(live.config)}

    def cli(*args):
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "server", "kiosks", *args], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()

    url = cli("enroll", "lobby")[-1]
    assert url.startswith("http://antrian.kantor/kiosk/lobby?enroll=")
    kiosk_pc = requests.Session()
    opened = kiosk_pc.get(live.url + url.removeprefix("http://antrian.kantor"), timeout=10)
    assert opened.status_code == 200 and 'data-enrolled="true"' in opened.text
    body = {"kiosk": "lobby", "service": "kk", "request_id": "cli-1"}
    assert kiosk_pc.post(live.url + "/api/visits", json=body, timeout=10).status_code == 201
    cookie = "; ".join(f"{k}={v}" for k, v in kiosk_pc.cookies.items())
    screen = socketio.Client(reconnection=False)
    screen.connect(live.url, auth={"kiosk": "lobby"}, headers={"Cookie": cookie}, transports=["websocket"],
                   wait_timeout=5)
    try:
        assert cli("revoke", "lobby")[-1] == "Revoked 1 device(s) of kiosk lobby"
        deadline = time.monotonic() + 6  # the server notices the CLI's change within its 2 s poll
        while screen.connected and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not screen.connected
        refused = kiosk_pc.post(live.url + "/api/visits", json={**body, "request_id": "cli-2"}, timeout=10)
        assert refused.status_code == 403 and refused.json()["error"] == "kiosk_not_enrolled"
    finally:
        screen.disconnect()


def test_staff_may_print_an_online_slip_at_a_kiosk_for_a_visitor_they_redirected(app, staff):
    assert staff.post("/api/slips", json={"kiosk": "lobby"}).json == {"print": {"status": "preview"}}
    no_csrf = staff.client.post("/api/slips", json={"kiosk": "lobby"})
    assert_not_enrolled(no_csrf)
