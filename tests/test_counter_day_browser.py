"""The counter's day on the console in a real browser against the real server (issue 20): a
break shown on the console and the hall and ended with one key. Screenshots land in
docs/screenshots/ for people to look at."""
from __future__ import annotations

import datetime as dt

import pytest
import requests
from playwright.sync_api import expect

from browserkit import TEXT, add_account, assert_fits, kiosk_visit, log_in, screenshot, staff_session
from conftest import WIB

pytestmark = pytest.mark.browser

SMALL = {"width": 1366, "height": 768}
HALL = {"width": 1920, "height": 1080}


# --- helpers (the console's, as tests/test_counter_browser.py has them) ---

def visit(server, service: str = "kk", **extra) -> dict:
    """Issue a ticket as the lobby kiosk does."""
    return kiosk_visit(server, service, statuses=(201,), **extra)["ticket"]


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def action(page, name: str):
    return page.locator(f'#console button[data-action="{name}"]')


def snapshot(server) -> dict:
    return requests.get(f"{server.url}/api/state", timeout=10).json()


def assert_console_fits(page) -> None:
    """No page scrolling, nothing cut off, every visible button at least 64 px, text at least 14 px."""
    assert_fits(page, "button, .current, .actions, .note, .today", smallest_text=14)


@pytest.fixture(autouse=True)
def patient_expect():
    """Two cores shared with other test runs: give page conditions longer than the default 5 s."""
    expect.set_options(timeout=10_000)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture
def open_console(browser_pages):
    """/counter in a fresh browser context (a PC of its own), signed in; once its desk is live."""
    def open_(server, user: str, viewport=SMALL):
        page = browser_pages.new(viewport, timezone_id="Asia/Jakarta")
        page.goto(f"{server.url}/counter")
        log_in(page, user)
        expect(page.locator("#console")).to_have_attribute("data-screen", "desk")
        expect(page.locator("#waiting-count")).not_to_have_text("")
        expect(page.locator("#console")).to_have_attribute("data-live", "up")
        return page

    return open_


@pytest.fixture
def open_hall(browser_pages):
    """The hall display at 1920×1080, once live."""
    def open_(server):
        page = browser_pages.new(HALL, timezone_id="Asia/Jakarta")
        page.goto(f"{server.url}/display")
        expect(page.locator("#hall")).to_have_attribute("data-live", "up")
        return page

    return open_


def office_hhmm(stamp: str, separator: str = ".") -> str:
    return dt.datetime.fromisoformat(stamp).astimezone(WIB).strftime(f"%H{separator}%M")


# --- pauses ---

def test_a_shift_with_a_break_pauses_the_console_and_the_hall_and_one_key_resumes(live_server, open_console, open_hall):
    server = live_server()
    add_account(server, "siti")
    visit(server, "kk")
    page = open_console(server, "siti")
    keys = page.keyboard
    keys.press("n")
    expect(page.locator("#number")).to_have_text("B001")
    expect(action(page, "pause-open")).to_be_disabled()  # a ticket in hand: no pause
    keys.press("m")
    expect(page.locator("#status-badge")).to_have_text("Sedang dilayani", **TEXT)
    keys.press("s")
    expect(page.locator("#idle")).to_be_visible()
    expect(action(page, "pause-open").locator("kbd")).to_have_text("J")

    keys.press("j")
    expect(page.locator("#pause-dialog")).to_be_visible()
    expect(page.locator(".pause-option .option-name")).to_have_text(["Istirahat", "Ibadah", "Rapat", "Lainnya"], **TEXT)
    expect(page.locator(".pause-option kbd")).to_have_text(["1", "2", "3", "4"])
    keys.press("2")

    expect(page.locator("#pause-dialog")).to_be_hidden()
    expect(page.locator("#current")).to_have_attribute("data-status", "paused")
    paused = snapshot(server)["counters"][0]["paused"]
    assert paused["reason"] == "ibadah"
    expect(page.locator("#status-badge")).to_have_text("Dijeda", **TEXT)
    expect(page.locator("#paused-title")).to_have_text("Loket dijeda: Ibadah", **TEXT)
    expect(page.locator("#paused-since")).to_have_text(f"sejak {office_hhmm(paused['since'])} (< 1 menit)", **TEXT)
    expect(page.locator("#paused-hall")).to_contain_text("Layar ruang tunggu menampilkan “Ibadah”", **TEXT)
    expect(page.locator("#note")).to_have_text("Loket 1 dijeda: Ibadah.", **TEXT)
    expect(action(page, "call-next")).to_be_disabled()
    expect(action(page, "pause-open")).to_be_hidden()
    visit(server, "kk")  # a visitor comes meanwhile: listed, but not to be called
    expect(page.locator("#waiting .wait-item")).to_have_count(1)
    expect(page.locator("#waiting .wait-item").first).to_be_disabled()
    expect(page.locator("#queue-hint")).to_have_text("Lanjutkan melayani untuk memanggil dari daftar.", **TEXT)
    assert_console_fits(page)
    screenshot(page, "counter-paused.png")

    hall = open_hall(server)
    row = hall.locator('.counter[data-counter="1"]')
    expect(row).to_have_attribute("data-status", "paused")
    expect(row.locator(".counter-state")).to_have_text("Ibadah")

    button(page, "EN").click()
    expect(page.locator("#paused-title")).to_have_text("Counter paused: Prayer", **TEXT)
    expect(page.locator("#paused-since")).to_have_text(f"since {office_hhmm(paused['since'], ':')} (< 1 min)", **TEXT)
    button(page, "ID").click()

    keys.press("j")  # one press resumes
    expect(page.locator("#current")).to_have_attribute("data-status", "none")
    expect(page.locator("#note")).to_have_text("Loket 1 melayani lagi.", **TEXT)
    expect(action(page, "call-next")).to_be_enabled()
    expect(row).to_have_attribute("data-status", "idle")
    assert snapshot(server)["counters"][0]["paused"] is None
    keys.press("n")
    expect(page.locator("#number")).to_have_text("B002")


def test_a_pause_refused_while_a_ticket_is_in_hand_shows_the_servers_sentence(live_server, browser_pages):
    server = live_server()
    add_account(server, "siti")
    visit(server, "kk")
    page = browser_pages.new(SMALL)
    page.goto(f"{server.url}/counter")
    page.route("**/socket.io/**", lambda route: route.abort())  # no live channel: the desk misses the call
    log_in(page, "siti")
    expect(page.locator("#waiting .w-number")).to_have_text(["B001"])
    called = staff_session(server, "siti").post(f"{server.url}/api/counters/1/call-next", json={}, timeout=10)
    assert called.json()["ticket"]["number"] == "B001"  # from siti's other PC

    button(page, "Jeda").click()
    page.locator(".pause-option", has_text="Istirahat").click()

    expect(page.locator("#note")).to_have_text(
        "Loket 1 masih menangani tiket B001. Selesaikan atau tandai tidak hadir dulu.", **TEXT)
    expect(page.locator("#note")).to_have_attribute("data-kind", "error")
    expect(page.locator("#number")).to_have_text("B001")  # the desk read again after the refusal
    expect(action(page, "pause-open")).to_be_disabled()
    assert snapshot(server)["counters"][0]["paused"] is None
