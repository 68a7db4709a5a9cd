"""The visitor's phone page in a real browser on a phone-sized screen (issue 21): the near-turn
alert the visitor asks for with one tap, what the page says it can do on this phone, the page
without a live connection, and the satisfaction survey (SKM) once served.
Screenshots land in docs/screenshots/ for people to look at."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browserkit import TEXT, add_account, assert_phone_friendly, kiosk_visit, screenshot, staff_session

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}
# What the page gave the phone, kept for the test: system notifications' titles, vibrations, tones.
RECORD_ALERTS = """
window.__notes = []; window.__vibrations = []; window.__tones = 0;
if (window.Notification) {
  const Real = window.Notification;
  window.Notification = class extends Real {
    constructor(title, options) { super(title, options); window.__notes.push(title); }
  };
}
navigator.vibrate = (pattern) => { window.__vibrations.push(pattern); return true; };
const oscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () { window.__tones += 1; return oscillator.call(this); };
"""
NO_NOTIFICATIONS = "delete window.Notification;"  # iOS Safari outside a home-screen app
NO_VIBRATION = "delete Navigator.prototype.vibrate;"  # iOS Safari again


class Desk:
    """The supervisor, calling and serving at any counter of the live server."""

    def __init__(self, server):
        add_account(server, "kepala", "admin", ())
        self.url = server.url
        self.http = staff_session(server, "kepala")

    def post(self, path: str) -> dict:
        answer = self.http.post(self.url + path, json={}, timeout=10)
        assert answer.ok, answer.text
        return answer.json()

    def call_next(self, counter: int = 1) -> dict:
        return self.post(f"/api/counters/{counter}/call-next")["ticket"]

    def serve(self, ticket: dict) -> None:
        self.post(f"/api/tickets/{ticket['id']}/start")
        self.post(f"/api/tickets/{ticket['id']}/finish")

    def serve_next(self, counter: int = 1) -> dict:
        ticket = self.call_next(counter)
        self.serve(ticket)
        return ticket


def open_phone(browser_pages, server, ticket: dict, viewport=PHONE, init_script: str = "", **options):
    """The ticket's phone page in a fresh phone-sized browser context (touch, mobile viewport)."""
    page = browser_pages.new(viewport, is_mobile=True, has_touch=True, timezone_id="Asia/Jakarta", **options)
    if init_script:
        page.add_init_script(init_script)
    page.goto(server.url + ticket["status_url"])
    return page


# --- no live connection ---

def test_a_phone_refused_a_live_connection_says_it_updates_every_15_seconds(live_server, browser_pages):
    """SPEC "Capacity": past its address's places the phone is refused; it polls, says so plainly,
    and no "connection lost" alarm shows while polling reaches the server."""
    from bench.rawsockets import Pool

    server = live_server({"limits": {"sockets_per_address": 1}})
    mine = kiosk_visit(server, "kk")["ticket"]
    pool = Pool()
    try:
        assert pool.connect("127.0.0.1", server.port, 1)["connected"] == 1  # the address's one place
        page = open_phone(browser_pages, server, mine)
        expect(page.locator("#phone")).to_have_attribute("data-live", "refused")
        expect(page.locator("#slow")).to_have_text("Tanpa sambungan langsung: halaman ini diperbarui setiap 15 detik.",
                                                   **TEXT)
        expect(page.locator("#offline")).to_be_hidden()
        page.get_by_role("button", name="English").click()
        expect(page.locator("#slow")).to_have_text("No live connection: this page updates every 15 seconds.", **TEXT)
    finally:
        pool.close()


def test_a_phone_with_its_live_connection_up_says_nothing_about_polling(live_server, browser_pages):
    server = live_server()
    page = open_phone(browser_pages, server, kiosk_visit(server, "kk")["ticket"])
    expect(page.locator("#phone")).to_have_attribute("data-live", "up")
    page.wait_for_timeout(3500)  # past the moment a lost connection would be told
    expect(page.locator("#slow")).to_be_hidden()
    expect(page.locator("#offline")).to_be_hidden()
