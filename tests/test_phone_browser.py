"""The visitor's phone page in a real browser on a phone-sized screen (issue 21): the near-turn
alert the visitor asks for with one tap, what the page says it can do on this phone, the page
without a live connection, and the satisfaction survey (SKM) once served.
Screenshots land in docs/screenshots/ for people to look at."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browserkit import TEXT, add_account, assert_phone_friendly, kiosk_visit, screenshot, staff_session
from conftest import SCREENSHOTS

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


# --- the near-turn alert ---

def wait_for(page, expression: str, timeout_ms: int = 5000):
    """Wait until the page's expression is truthy; its value."""
    page.wait_for_function(expression, timeout=timeout_ms)
    return page.evaluate(expression)


def test_a_visitor_asks_once_is_alerted_when_three_are_ahead_and_again_when_called(live_server, browser_pages):
    server = live_server()
    desk = Desk(server)
    for _ in range(4):
        kiosk_visit(server, "kk")
    mine = kiosk_visit(server, "kk")["ticket"]
    page = open_phone(browser_pages, server, mine, init_script=RECORD_ALERTS, permissions=["notifications"])
    phone = page.locator("#phone")
    expect(phone).to_have_attribute("data-live", "up")
    expect(page.locator("#status-main")).to_have_text("4 orang di depan Anda", **TEXT)
    expect(phone).to_have_attribute("data-alert", "off")  # nothing asked on load
    expect(page.locator("#near")).to_be_hidden()

    page.get_by_role("button", name="Beri tahu saya saat giliran dekat").click()
    expect(phone).to_have_attribute("data-notify", "granted")
    expect(phone).to_have_attribute("data-alert", "armed")
    expect(page.locator("#alert-button")).to_be_hidden()
    expect(page.locator("#alert-info")).to_have_text(
        "Siap. Biarkan halaman ini tetap terbuka: ponsel akan bergetar, berbunyi dan menampilkan notifikasi "
        "saat tinggal 3 orang di depan Anda dan saat nomor Anda dipanggil.", **TEXT)
    assert page.evaluate("window.__notes") == []

    desk.serve(desk.call_next())  # 3 ahead now
    expect(phone).to_have_attribute("data-alert", "near")
    expect(page.locator("#near")).to_be_visible()
    expect(page.locator("#near-main")).to_have_text("Giliran Anda hampir tiba: 3 orang lagi", **TEXT)
    assert wait_for(page, "window.__notes.length && window.__notes") == ["Giliran Anda hampir tiba: 3 orang lagi"]
    assert page.evaluate("window.__vibrations") == [[200, 100, 200]]
    assert page.evaluate("window.__tones") > 2  # the tap's tone, then the chime
    screenshot(page, "phone-alert.png")

    for left in (2, 1):
        desk.serve(desk.call_next())
        expect(page.locator("#status-main")).to_have_text(f"{left} orang di depan Anda", **TEXT)
    desk.serve(desk.call_next())
    expect(page.locator("#status-main")).to_have_text("Anda berikutnya", **TEXT)
    expect(page.locator("#near-main")).to_have_text("Giliran Anda hampir tiba: Anda berikutnya", **TEXT)
    assert page.evaluate("window.__notes") == ["Giliran Anda hampir tiba: 3 orang lagi"]  # once per crossing
    assert len(page.evaluate("window.__vibrations")) == 1

    assert desk.call_next()["number"] == mine["number"]
    expect(phone).to_have_attribute("data-alert", "called")
    expect(page.locator("#near")).to_be_hidden()
    expect(page.locator("#alert")).to_be_hidden()
    assert wait_for(page, "window.__notes.length > 1 && window.__notes") == [
        "Giliran Anda hampir tiba: 3 orang lagi", f"Nomor {mine['number']} dipanggil ke Loket 1"]
    assert page.evaluate("window.__vibrations") == [[200, 100, 200], [400, 200, 400, 200, 800]]


def test_notifications_go_through_the_service_worker_where_the_page_may_not_make_them(live_server, browser_pages):
    """Chrome on Android refuses `new Notification()` from a page (a TypeError): the page's small
    service worker shows them instead."""
    android = """{
      const Real = window.Notification;
      window.Notification = function () { throw new TypeError("Illegal constructor"); };
      Object.defineProperty(window.Notification, "permission", { get: () => Real.permission });
      window.Notification.requestPermission = (callback) => Real.requestPermission(callback);
    }"""
    server = live_server()
    desk = Desk(server)
    kiosk_visit(server, "kk")
    mine = kiosk_visit(server, "kk")["ticket"]
    page = open_phone(browser_pages, server, mine, init_script=android, permissions=["notifications"])
    expect(page.locator("#phone")).to_have_attribute("data-live", "up")
    page.get_by_role("button", name="Beri tahu saya saat giliran dekat").click()
    expect(page.locator("#phone")).to_have_attribute("data-notify", "granted")
    expect(page.locator("#phone")).to_have_attribute("data-alert", "near")  # 1 ahead already: no alarm now
    desk.serve(desk.call_next())
    desk.call_next()
    expect(page.locator("#phone")).to_have_attribute("data-alert", "called")
    shown = """async () => {
      const registration = await navigator.serviceWorker.getRegistration("/static/display/");
      return registration ? (await registration.getNotifications()).map((n) => n.title) : [];
    }"""
    page.wait_for_function(f"({shown})().then((titles) => titles.length > 0)", timeout=5000)
    assert page.evaluate(shown) == [f"Nomor {mine['number']} dipanggil ke Loket 1"]


def test_without_a_permission_the_phone_says_keep_this_page_open_and_still_alerts_in_the_page(
        live_server, browser_pages):
    server = live_server()
    desk = Desk(server)
    for _ in range(4):
        kiosk_visit(server, "kk")
    mine = kiosk_visit(server, "kk")["ticket"]
    page = open_phone(browser_pages, server, mine, init_script=RECORD_ALERTS)
    expect(page.locator("#phone")).to_have_attribute("data-live", "up")
    page.get_by_role("button", name="Beri tahu saya saat giliran dekat").click()
    expect(page.locator("#phone")).to_have_attribute("data-notify", "denied")
    expect(page.locator("#alert-info")).to_have_text(
        "Ponsel ini tidak mengizinkan notifikasi: biarkan halaman ini terbuka, ponsel akan bergetar dan berbunyi "
        "saat tinggal 3 orang di depan Anda dan saat nomor Anda dipanggil.", **TEXT)
    expect(page.locator("#phone")).to_have_attribute("data-alert", "armed")
    desk.call_next()
    expect(page.locator("#phone")).to_have_attribute("data-alert", "near")
    expect(page.locator("#near")).to_be_visible()
    assert page.evaluate("window.__vibrations") == [[200, 100, 200]]
    assert page.evaluate("window.__notes") == []


def test_a_phone_without_notifications_or_vibration_promises_only_the_sound(live_server, browser_pages):
    """iOS Safari outside a home-screen app: no notifications, no vibration."""
    server = live_server()
    mine = kiosk_visit(server, "kk")["ticket"]
    page = open_phone(browser_pages, server, mine, init_script=NO_NOTIFICATIONS + NO_VIBRATION)
    expect(page.locator("#phone")).to_have_attribute("data-notify", "unsupported")
    page.get_by_role("button", name="Beri tahu saya saat giliran dekat").click()
    expect(page.locator("#phone")).to_have_attribute("data-alert", "near")  # next already
    expect(page.locator("#alert-info")).to_have_text(
        "Ponsel ini tidak mengizinkan notifikasi: biarkan halaman ini terbuka, halaman ini akan berbunyi "
        "saat tinggal 3 orang di depan Anda dan saat nomor Anda dipanggil.", **TEXT)
    page.get_by_role("button", name="English").click()
    expect(page.locator("#alert-info")).to_have_text(
        "This phone does not allow notifications: keep this page open; this page will sound "
        "when 3 people are ahead of you and when your number is called.", **TEXT)


# --- the satisfaction survey (SKM) ---

SURVEY = {"survey": {}}


def answer(page, question: int, value: int) -> None:
    """Tap answer value (1-4) of the question (1-9), as a thumb does."""
    page.locator(".question").nth(question - 1).locator(".answer").nth(value - 1).click()


def test_a_served_visitor_answers_the_nine_elements_and_a_comment_once_and_is_thanked(live_server, browser_pages):
    server = live_server(SURVEY)
    desk = Desk(server)
    mine = kiosk_visit(server, "kk")["ticket"]
    page = open_phone(browser_pages, server, mine, SMALL_PHONE)
    expect(page.locator("#phone")).to_have_attribute("data-live", "up")
    expect(page.locator("#survey")).to_be_hidden()  # not before the service is done

    desk.serve(desk.call_next())
    survey = page.locator("#survey")
    expect(survey).to_have_attribute("data-state", "form")
    expect(page.locator(".question")).to_have_count(9)
    expect(page.locator(".question-text").first).to_have_text(
        "1. Kesesuaian persyaratan dengan jenis pelayanan", **TEXT)
    expect(page.locator(".question").first.locator(".answer")).to_have_text(
        ["1\nTidak baik", "2\nKurang baik", "3\nBaik", "4\nSangat baik"], **TEXT)
    survey.get_by_role("button", name="English").click()  # one tap from the survey itself
    expect(page.locator(".question-text").first).to_have_text("1. Requirements fit the service", **TEXT)
    expect(page.locator(".question").first.locator(".answer-words")).to_have_text(
        ["Poor", "Fair", "Good", "Very good"], **TEXT)
    survey.get_by_role("button", name="Indonesia").click()
    expect(page.locator("#survey-send")).to_be_disabled()
    expect(page.locator("#survey-missing")).to_have_text("Masih 9 pertanyaan belum dijawab.", **TEXT)

    answer(page, 1, 3)
    for question in range(2, 6):
        answer(page, question, 4)
    expect(page.locator("#survey-missing")).to_have_text("Masih 4 pertanyaan belum dijawab.", **TEXT)
    assert_phone_friendly(page)
    page.locator(".question").nth(4).scroll_into_view_if_needed()
    screenshot(page, "phone-survey.png")
    for question in range(6, 10):
        answer(page, question, 4)
    expect(page.locator("#survey-send")).to_be_enabled()
    expect(page.locator("#survey-missing")).to_be_hidden()

    comment = "<b>cepat</b> & ramah"
    page.get_by_label("Saran atau komentar (boleh dikosongkan)").fill(comment)
    expect(page.locator("#comment-left")).to_have_text(f"Sisa {500 - len(comment)} karakter", **TEXT)
    page.get_by_role("button", name="Kirim jawaban").click()
    expect(survey).to_have_attribute("data-state", "thanks")
    expect(page.locator("#survey-thanks")).to_contain_text("Terima kasih atas penilaian Anda!", **TEXT)
    expect(page.locator("#survey-form")).to_be_hidden()
    assert page.locator("#phone b").count() == 0  # the comment is never markup on the page
    expect(page.locator("#status")).not_to_have_class(re.compile("is-new"))  # the call's pulse is over
    page.screenshot(path=str(SCREENSHOTS / "phone-survey-thanks.png"), full_page=True)

    report = desk.http.get(f"{server.url}/api/reports/survey", timeout=10).json()
    assert report["responses"] == 1
    assert report["nrr"]["u1"] == 3 and all(report["nrr"][f"u{i}"] == 4 for i in range(2, 10))
    assert [c["comment"] for c in report["comments"]] == [comment]  # verbatim, as text

    page.reload()
    expect(survey).to_have_attribute("data-state", "thanks")  # answered: no second form
    expect(page.locator("#survey-form")).to_be_hidden()


def answered_form(server, browser_pages, value: int):
    """A ticket served and finished, its phone page showing the survey with every element answered value."""
    desk = Desk(server)
    mine = kiosk_visit(server, "kk")["ticket"]
    desk.serve(desk.call_next())
    page = open_phone(browser_pages, server, mine)
    expect(page.locator("#survey")).to_have_attribute("data-state", "form")
    for question in range(1, 10):
        answer(page, question, value)
    return page


def test_a_comment_the_server_refuses_shows_its_reason_and_the_answers_stay(live_server, browser_pages):
    """The textarea stops at 500 characters; past it anyway (an old browser), the server's sentence shows."""
    server = live_server(SURVEY)
    page = answered_form(server, browser_pages, 2)
    page.locator("#comment").evaluate("(el) => el.removeAttribute('maxlength')")
    page.locator("#comment").fill("x" * 501)
    expect(page.locator("#comment-left")).to_have_text("1 karakter terlalu banyak", **TEXT)
    page.get_by_role("button", name="Kirim jawaban").click()
    expect(page.locator("#survey-error")).to_have_text("Komentar paling banyak 500 karakter.", **TEXT)
    expect(page.locator("#survey")).to_have_attribute("data-state", "form")
    page.locator("#comment").fill("Antrean tertib.")
    page.get_by_role("button", name="Kirim jawaban").click()
    expect(page.locator("#survey")).to_have_attribute("data-state", "thanks")


def test_after_the_next_day_the_survey_says_plainly_that_it_is_closed(live_server, browser_pages):
    server = live_server(SURVEY, clock="2026-03-02T10:00:00+07:00")
    page = answered_form(server, browser_pages, 3)

    server.kill()  # two days on, the form still open on the phone
    server.env = {**server.env, "ANTRIAN_TEST_CLOCK": "2026-03-04T08:00:00+07:00"}
    server.start()
    page.get_by_role("button", name="Kirim jawaban").click()
    expect(page.locator("#survey")).to_have_attribute("data-state", "closed")
    expect(page.locator("#survey-closed")).to_contain_text("Survei untuk tiket ini tidak dibuka", **TEXT)

    page.reload()
    expect(page.locator("#survey")).to_have_attribute("data-state", "closed")
    expect(page.locator("#survey-closed")).to_have_text(
        "Survei untuk nomor ini sudah ditutup. Survei dapat diisi sampai akhir hari berikutnya setelah pelayanan "
        "(3 Maret 2026).", **TEXT)
    expect(page.locator("#survey-form")).to_be_hidden()


def test_without_a_survey_at_the_office_a_done_ticket_shows_none(live_server, browser_pages):
    server = live_server()
    desk = Desk(server)
    mine = kiosk_visit(server, "kk")["ticket"]
    desk.serve(desk.call_next())
    page = open_phone(browser_pages, server, mine)
    expect(page.locator("#status-main")).to_have_text("Pelayanan selesai", **TEXT)
    expect(page.locator("#phone")).to_have_attribute("data-survey", "off")
    expect(page.locator("#survey")).to_be_hidden()
