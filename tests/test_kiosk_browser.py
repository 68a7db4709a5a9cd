"""The kiosk page in a real browser against the real server (issue 3): a ticket, or the
way online, in at most three taps; no double tickets; honest when the server or the
printer is gone. Screenshots land in docs/screenshots/ for people to look at."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import requests
from playwright.sync_api import expect

from bench.fakeprinter import FakePrinter
from browserkit import (CHRISTMAS, CHRISTMAS_DAY, add_account, assert_fits, enroll_browser, kiosk_visit,
                        office_calendar, open_kiosk_page, staff_session)
from browserkit import screenshot as save_screenshot
from queueing.model import MONTHS

pytestmark = pytest.mark.browser

LANDSCAPE = {"width": 1920, "height": 1080}
PORTRAIT = {"width": 1080, "height": 1920}
EMERGENCY = {"admission": {"mode": "emergency_only"}}


@pytest.fixture
def open_kiosk(browser_pages):
    """Open /kiosk/lobby on a server in a fresh browser page; wait until it is live."""
    def open_(server, viewport=LANDSCAPE, query=""):
        return open_kiosk_page(browser_pages, server, viewport, query)

    return open_


TODAY = dt.date(2026, 3, 19)  # the server's clock in the tests of a dated window (not the machine's)
AT_NINE = f"{TODAY.isoformat()}T09:00:00+07:00"


def window_around_today(days_left: int = 14) -> dict:
    """An emergency-only window from two days before TODAY to some days after (its dates go on
    screen); the server is started on TODAY with clock=AT_NINE."""
    today = TODAY
    return {"admission": {"windows": [{
        "mode": "emergency_only", "from": today - dt.timedelta(days=2),
        "until": today + dt.timedelta(days=days_left), "reference": "Surat Edaran Sekda 470/318/105/2020"}]}}


def date_in_words(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def waiting(server) -> list[dict]:
    answer = requests.get(f"{server.url}/api/state", timeout=10)
    answer.raise_for_status()
    return answer.json()["waiting"]


def service_button(page, name: str):
    return page.locator("#start button.service", has_text=name)


def screenshot(page, name: str) -> None:
    # buttons are held for a moment after each screen change (a double tap's 2nd tap)
    expect(page.locator(".screen:not([hidden]) button:not([data-used=true])").first).to_be_enabled()
    save_screenshot(page, name)


def qr_loaded(page, selector: str, timeout_ms: int = 5000) -> bool:
    """Whether the QR image has loaded (an image loads after the screen shows it: wait for it)."""
    page.wait_for_function("sel => { const img = document.querySelector(sel);"
                           " return img && img.complete && img.naturalWidth > 0; }",
                           arg=selector, timeout=timeout_ms)
    return True


def assert_kiosk_fits(page) -> None:
    """No scrolling either way, nothing cut off, every button at least 64 px tall, text at least 24 px."""
    assert_fits(page, "button, .screen > *", smallest_text=24)


# --- normal mode ---

def test_a_visitor_picks_a_service_and_sees_the_ticket_number_and_its_qr_code(live_server, open_kiosk):
    server = live_server()
    for _ in range(3):
        kiosk_visit(server, "kk")
    page = open_kiosk(server)
    expect(page.locator("#mode")).to_contain_text("Pelayanan tatap muka dibuka", use_inner_text=True)
    screenshot(page, "kiosk-start-landscape.png")

    service_button(page, "Kartu Keluarga").click()

    expect(page.locator("#ticket-number")).to_have_text("B004", use_inner_text=True)
    expect(page.locator("#ticket")).to_contain_text("Kartu Keluarga", use_inner_text=True)
    expect(page.locator("#ticket-ahead")).to_have_text("3 orang di depan Anda", use_inner_text=True)
    expect(page.locator("#print-state")).to_contain_text("Tiket tidak dicetak di kios ini", use_inner_text=True)
    expect(page.locator("#announce")).to_contain_text("Nomor antrian B 0 0 4", use_inner_text=True)
    assert qr_loaded(page, "#ticket-qr")
    screenshot(page, "kiosk-ticket.png")
    page.get_by_role("button", name="Selesai").click()
    expect(page.locator("#start")).to_be_visible()
    assert len(waiting(server)) == 4


def test_a_priority_visitor_says_so_with_one_tap_before_the_service(live_server, open_kiosk):
    server = live_server()
    kiosk_visit(server, "kk")
    page = open_kiosk(server)

    page.get_by_role("button", name="Lansia").click()
    expect(page.get_by_role("button", name="Lansia")).to_have_attribute("aria-pressed", "true")
    service_button(page, "Kartu Keluarga").click()

    expect(page.locator("#ticket-number")).to_have_text("B002", use_inner_text=True)
    expect(page.locator("#ticket-marks")).to_contain_text("Prioritas: Lansia", use_inner_text=True)
    expect(page.locator("#ticket-ahead")).to_have_text("Tidak ada antrean di depan Anda", use_inner_text=True)
    assert waiting(server)[0] == {**waiting(server)[0], "number": "B002", "priority": True}


def test_english_is_one_tap_away(live_server, open_kiosk):
    page = open_kiosk(live_server())
    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#start-title")).to_have_text("Choose a service", use_inner_text=True)
    expect(service_button(page, "Family card (KK)")).to_be_visible()
    expect(page.locator("#mode")).to_contain_text("Walk-in service is open", use_inner_text=True)
    service_button(page, "Family card (KK)").click()
    expect(page.locator("#ticket")).to_contain_text("Your queue number", use_inner_text=True)
    expect(page.locator("#print-state")).to_contain_text("This kiosk does not print tickets", use_inner_text=True)


def test_the_postponed_ktp_service_shows_its_notice_that_a_suket_stays_valid(live_server, open_kiosk):
    server = live_server()
    page = open_kiosk(server)
    expect(service_button(page, "KTP Elektronik")).to_contain_text("Sedang ditunda", use_inner_text=True)

    service_button(page, "KTP Elektronik").click()

    expect(page.locator("#message-title")).to_have_text("Layanan ini sedang ditunda", use_inner_text=True)
    expect(page.locator("#message-text")).to_contain_text("Surat keterangan (suket)", use_inner_text=True)
    expect(page.locator("#message-text")).to_contain_text("tetap berlaku", use_inner_text=True)
    screenshot(page, "kiosk-postponed.png")
    assert waiting(server) == []


def test_a_double_tap_on_a_service_makes_exactly_one_ticket(live_server, open_kiosk):
    server = live_server()
    page = open_kiosk(server)

    service_button(page, "Akta Kelahiran").dblclick()
    expect(page.locator("#ticket-number")).to_have_text("E001", use_inner_text=True)
    page.get_by_role("button", name="Selesai").click()
    expect(service_button(page, "Akta Kelahiran")).to_be_enabled()
    # two taps within the same moment, faster than any request
    page.eval_on_selector("button[data-service=akta_lahir]", "b => { b.click(); b.click(); }")
    expect(page.locator("#ticket-number")).to_have_text("E002", use_inner_text=True)

    page.wait_for_timeout(500)  # a second ticket, if any, would have been issued by now
    assert [t["number"] for t in waiting(server)] == ["E001", "E002"]


def test_an_idle_kiosk_returns_to_the_start_screen_in_indonesian(live_server, open_kiosk):
    page = open_kiosk(live_server(), query="?idle=2")
    page.get_by_role("button", name="English").click()
    page.get_by_role("button", name="Pregnant").click()
    service_button(page, "Family card").click()
    expect(page.locator("#ticket-number")).to_have_text("B001", use_inner_text=True)

    expect(page.locator("#start")).to_be_visible(timeout=8000)
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("button", name="Ibu hamil")).to_have_attribute("aria-pressed", "false")


# --- emergency only ---

def test_in_emergency_only_mode_an_emergency_reason_gets_a_ticket(live_server, open_kiosk):
    server = live_server(window_around_today(), clock=AT_NINE)
    page = open_kiosk(server)
    until = TODAY + dt.timedelta(days=14)
    expect(page.locator("#mode")).to_contain_text("Pelayanan tatap muka hanya untuk keperluan darurat", use_inner_text=True)
    expect(page.locator("#mode")).to_contain_text("sampai dengan", use_inner_text=True)
    expect(page.locator("#mode")).to_contain_text(date_in_words(until), use_inner_text=True)

    service_button(page, "Kartu Keluarga").click()
    expect(page.locator("#question-title")).to_have_text("Apakah keperluan Anda darurat?", use_inner_text=True)
    screenshot(page, "kiosk-emergency.png")
    page.get_by_role("button", name="Keperluan BPJS Kesehatan").click()

    expect(page.locator("#ticket-number")).to_have_text("B001", use_inner_text=True)
    expect(page.locator("#ticket-marks")).to_contain_text("Darurat: Keperluan BPJS Kesehatan", use_inner_text=True)
    assert [t["number"] for t in waiting(server)] == ["B001"]


def test_in_emergency_only_mode_not_an_emergency_sends_the_visitor_online(live_server, open_kiosk):
    server = live_server(EMERGENCY)
    page = open_kiosk(server)

    service_button(page, "Akta Kelahiran").click()
    page.get_by_role("button", name="Tidak darurat").click()

    expect(page.locator("#online-url")).to_have_text("layananonline.dukcapil.kemendagri.go.id", use_inner_text=True)
    expect(page.locator("#online-message")).to_contain_text("Akta Kelahiran dapat diurus secara online", use_inner_text=True)
    expect(page.locator("#online-steps li")).to_have_count(3)
    assert qr_loaded(page, "#online-qr")
    screenshot(page, "kiosk-online.png")
    page.get_by_role("button", name="Cetak petunjuk ini").click()
    expect(page.locator("#slip-state")).to_contain_text("tidak dapat dicetak di kios ini", use_inner_text=True)
    expect(page.locator("#slip-state")).to_contain_text("foto kode QR", use_inner_text=True)
    assert waiting(server) == []


def test_a_walk_in_with_no_emergency_for_an_offline_service_is_told_when_to_come_back(live_server, open_kiosk):
    page = open_kiosk(live_server(window_around_today(days_left=3), clock=AT_NINE))
    resumes = TODAY + dt.timedelta(days=4)

    service_button(page, "Legalisir Dokumen").click()
    page.get_by_role("button", name="Tidak darurat").click()

    expect(page.locator("#message-title")).to_have_text("Pelayanan tatap muka ditutup", use_inner_text=True)
    expect(page.locator("#message-text")).to_contain_text(date_in_words(resumes), use_inner_text=True)


def test_the_back_button_of_the_emergency_question_keeps_the_priority_choice(live_server, open_kiosk):
    page = open_kiosk(live_server(EMERGENCY))
    page.get_by_role("button", name="Membawa balita").click()
    service_button(page, "Kartu Keluarga").click()
    page.get_by_role("button", name="Kembali").click()

    expect(page.locator("#start")).to_be_visible()
    expect(page.get_by_role("button", name="Membawa balita")).to_have_attribute("aria-pressed", "true")


# --- fitting the screen ---

@pytest.mark.parametrize("viewport, name", [(LANDSCAPE, "landscape"), (PORTRAIT, "portrait")])
def test_every_screen_fits_without_scrolling_with_big_buttons_and_text(live_server, open_kiosk, viewport, name):
    server = live_server(window_around_today(), clock=AT_NINE)
    page = open_kiosk(server, viewport)
    assert_kiosk_fits(page)
    if name == "portrait":
        screenshot(page, "kiosk-start-portrait.png")
    page.get_by_role("button", name="English").click()
    assert_kiosk_fits(page)
    page.get_by_role("button", name="Bahasa Indonesia").click()

    page.get_by_role("button", name="Penyandang disabilitas").click()
    service_button(page, "Perkawinan / Perceraian").click()
    expect(page.locator("#question")).to_be_visible()
    assert_kiosk_fits(page)
    page.get_by_role("button", name="Pendaftaran TNI/Polri").click()
    expect(page.locator("#ticket-number")).to_have_text("G001", use_inner_text=True)
    assert_kiosk_fits(page)
    if name == "portrait":
        screenshot(page, "kiosk-ticket-portrait.png")
    page.get_by_role("button", name="Selesai").click()

    service_button(page, "Kartu Keluarga").click()
    page.get_by_role("button", name="Tidak darurat").click()
    expect(page.locator("#online")).to_be_visible()
    page.get_by_role("button", name="Cetak petunjuk ini").click()
    expect(page.locator("#slip-state")).to_be_visible()
    assert_kiosk_fits(page)
    if name == "portrait":
        screenshot(page, "kiosk-online-portrait.png")
    page.get_by_role("button", name="Selesai").click()

    service_button(page, "KTP Elektronik").click()
    expect(page.locator("#message")).to_be_visible()
    assert_kiosk_fits(page)


# --- when things fail ---

def test_with_the_server_gone_the_kiosk_sends_the_visitor_to_the_information_desk(live_server, open_kiosk):
    server = live_server()
    page = open_kiosk(server)
    server.kill()

    service_button(page, "Kartu Keluarga").click()

    expect(page.locator("#failure")).to_contain_text(
        "Tidak dapat terhubung ke server. Silakan menuju meja informasi.", use_inner_text=True)
    expect(page.locator("#ticket")).to_be_hidden()
    expect(page.locator("#ticket-number")).to_have_text("", use_inner_text=True)
    expect(page.get_by_role("button", name="Coba lagi")).to_be_visible()


def test_in_closed_mode_the_kiosk_says_so_and_offers_nothing_to_press(live_server, open_kiosk):
    server = live_server({"admission": {"mode": "closed"}})
    page = open_kiosk(server)

    expect(page.locator("#closed-title")).to_have_text("Pelayanan tatap muka ditutup", use_inner_text=True)
    expect(page.locator("#closed-message")).to_have_text(
        "Pelayanan tatap muka ditutup sampai ada pemberitahuan lebih lanjut.", use_inner_text=True)
    expect(page.locator("#start button:visible")).to_have_count(0)
    page.get_by_role("button", name="English").click()
    expect(page.locator("#closed-message")).to_have_text(
        "Walk-in service is closed until further notice.", use_inner_text=True)
    assert waiting(server) == []


def test_after_the_daily_limit_the_kiosk_says_the_queue_is_full(live_server, open_kiosk):
    server = live_server({"admission": {"daily_limit": 1}})
    kiosk_visit(server, "kk")
    page = open_kiosk(server)

    service_button(page, "Akta Kematian").click()

    expect(page.locator("#message-title")).to_have_text("Kuota antrean hari ini sudah habis", use_inner_text=True)
    expect(page.locator("#ticket-number")).to_have_text("", use_inner_text=True)


def test_a_refused_visit_shows_the_servers_message(live_server, open_kiosk):
    page = open_kiosk(live_server({"limits": {"visits_per_kiosk": "1/minute"}}))
    service_button(page, "Kartu Keluarga").click()
    expect(page.locator("#ticket-number")).to_have_text("B001", use_inner_text=True)
    page.get_by_role("button", name="Selesai").click()

    service_button(page, "Kartu Keluarga").click()

    expect(page.locator("#failure-text")).to_contain_text("Terlalu banyak permintaan dari kios ini", use_inner_text=True)
    expect(page.locator("#ticket")).to_be_hidden()


def network_kiosk(port: int) -> dict:
    return {"kiosks": [{"id": "lobby", "printer": {"type": "network", "host": "127.0.0.1",
                                                    "port": port, "timeout": 2}}]}


def test_a_network_printer_prints_the_ticket_and_the_kiosk_says_to_take_it(live_server, open_kiosk):
    printer = FakePrinter("ok", delay=1.0)  # a second per job: long enough to see it printing
    try:
        page = open_kiosk(live_server(network_kiosk(printer.port)))
        service_button(page, "Kartu Keluarga").click()

        expect(page.locator("#print-state")).to_have_text("Tiket sedang dicetak…", use_inner_text=True)
        expect(page.locator("#print-state")).to_have_text("Silakan ambil tiket Anda.", use_inner_text=True)
        expect(page.locator("#ticket-number")).to_have_text("B001", use_inner_text=True)
        assert any(b"B001" in job for job in printer.printed())
    finally:
        printer.stop()


def test_a_dead_printer_leaves_the_number_and_qr_code_on_screen_for_longer(live_server, open_kiosk):
    printer = FakePrinter("ok")
    page = open_kiosk(live_server(network_kiosk(printer.port)), query="?idle=2")
    printer.stop()  # the printer dies: connection refused from now on

    service_button(page, "Kartu Keluarga").click()

    expect(page.locator("#print-state")).to_contain_text("Catat nomor Anda atau pindai kode QR", use_inner_text=True)
    page.wait_for_timeout(2500)  # longer than the 2 s idle time: still there
    expect(page.locator("#ticket-number")).to_have_text("B001", use_inner_text=True)
    assert qr_loaded(page, "#ticket-qr")
    expect(page.locator("#start")).to_be_visible(timeout=8000)


# --- live mode changes ---

def test_the_kiosk_follows_a_mode_switch_without_reloading(live_server, open_kiosk):
    server = live_server()
    page = open_kiosk(server)
    expect(page.locator("#mode")).to_contain_text("Pelayanan tatap muka dibuka", use_inner_text=True)

    admin_switches_mode(server, "emergency_only")

    expect(page.locator("#mode")).to_contain_text("hanya untuk keperluan darurat", use_inner_text=True)
    service_button(page, "Kartu Keluarga").click()
    expect(page.locator("#question")).to_be_visible()


def admin_switches_mode(server, mode: str) -> None:
    add_account(server, "kepala", "admin", ())
    answer = staff_session(server, "kepala").post(f"{server.url}/api/admission/mode", json={"mode": mode}, timeout=10)
    assert answer.ok, answer.text


# --- the office's calendar: closed days, hours, postponements (issue 18) ---
# Every moment here is the server's set clock (live_server(clock=...)), in office time (WIB):
# these tests hold on any day, at any hour, in any time zone.

A_MONDAY = "2026-12-07T09:00:00+07:00"


def admin(server):
    add_account(server, "kepala", "admin", ())
    return staff_session(server, "kepala")


def test_on_a_holiday_the_kiosk_says_when_service_reopens_and_offers_no_service(live_server, open_kiosk):
    server = live_server(office_calendar(*CHRISTMAS), clock=CHRISTMAS_DAY)
    page = open_kiosk(server)

    expect(page.locator("#closed-title")).to_have_text("Pelayanan tatap muka ditutup", use_inner_text=True)
    expect(page.locator("#closed-message")).to_have_text(
        "Kantor tutup: Hari Raya Natal. Pelayanan dibuka kembali Senin, 28 Desember 2026 pukul 07.30.",
        use_inner_text=True)
    expect(page.locator("#closed")).to_contain_text("layananonline.dukcapil.kemendagri.go.id", use_inner_text=True)
    expect(page.locator("#start button:visible")).to_have_count(0)  # no service, no priority choice
    expect(page.get_by_role("button", name="Kartu Keluarga")).to_have_count(0)
    assert qr_loaded(page, "#closed .qr")
    assert_kiosk_fits(page)
    save_screenshot(page, "kiosk-closed.png")

    page.get_by_role("button", name="English").click()
    expect(page.locator("#closed-title")).to_have_text("Walk-in service is closed", use_inner_text=True)
    expect(page.locator("#closed-message")).to_have_text(re.compile(
        r"^The office is closed: Hari Raya Natal\. Service reopens Monday,? 28 December 2026 at 07\.30\.$"),
        use_inner_text=True)
    assert_kiosk_fits(page)

    portrait = open_kiosk(server, PORTRAIT)
    expect(portrait.locator("#closed-message")).to_contain_text("Senin, 28 Desember 2026 pukul 07.30", use_inner_text=True)
    assert qr_loaded(portrait, "#closed .qr")
    assert_kiosk_fits(portrait)
    save_screenshot(portrait, "kiosk-closed-portrait.png")


def test_the_server_renders_a_closed_kiosk_closed_before_any_script_runs(live_server, browser_pages):
    server = live_server(office_calendar(*CHRISTMAS), clock=CHRISTMAS_DAY)
    page = browser_pages.new(LANDSCAPE, java_script_enabled=False)
    enroll_browser(page, server)
    page.goto(f"{server.url}/kiosk/lobby")

    expect(page.locator("#closed-message")).to_have_text(
        "Kantor tutup: Hari Raya Natal. Pelayanan dibuka kembali Senin, 28 Desember 2026 pukul 07.30.",
        use_inner_text=True)
    expect(page.locator("#start button:visible")).to_have_count(0)


def test_before_opening_time_the_kiosk_says_it_opens_today_and_opens_by_itself_at_07_30(live_server, open_kiosk):
    # 20 s before opening: time for the server and the page to start, then the clock opens the office
    server = live_server(office_calendar(), clock="2026-12-07T07:29:40+07:00")
    page = open_kiosk(server)
    page.evaluate("window.__sameLoad = true")

    expect(page.locator("#closed-title")).to_have_text("Pelayanan tatap muka belum dibuka", use_inner_text=True)
    expect(page.locator("#closed-message")).to_have_text("Pelayanan dibuka hari ini pukul 07.30.", use_inner_text=True)
    expect(service_button(page, "Kartu Keluarga")).to_be_hidden()
    page.get_by_role("button", name="English").click()
    expect(page.locator("#closed-message")).to_have_text("Service opens today at 07.30.", use_inner_text=True)
    page.get_by_role("button", name="Bahasa Indonesia").click()

    expect(service_button(page, "Kartu Keluarga")).to_be_visible(timeout=30_000)
    expect(page.locator("#mode")).to_contain_text("Pelayanan tatap muka dibuka", use_inner_text=True)
    expect(page.locator("#closed")).to_be_hidden()
    assert page.evaluate("window.__sameLoad") is True  # live, not reloaded
    service_button(page, "Kartu Keluarga").click()
    expect(page.locator("#ticket-number")).to_have_text("B001", use_inner_text=True)


def test_the_kiosk_closes_and_reopens_live_as_the_office_adds_and_deletes_a_closed_day(live_server, open_kiosk):
    server = live_server(office_calendar(), clock=A_MONDAY)
    page = open_kiosk(server)
    page.evaluate("window.__sameLoad = true")
    expect(service_button(page, "Kartu Keluarga")).to_be_visible()
    http = admin(server)

    added = http.post(f"{server.url}/api/windows", json={
        "from": "2026-12-07", "until": "2026-12-07", "mode": "closed", "reference": "Rapat Koordinasi Bupati"}, timeout=10)
    assert added.status_code == 201, added.text

    expect(page.locator("#closed-message")).to_have_text(
        "Kantor tutup: Rapat Koordinasi Bupati. Pelayanan dibuka kembali Selasa, 8 Desember 2026 pukul 07.30.",
        use_inner_text=True)
    expect(page.locator("#start button:visible")).to_have_count(0)

    deleted = http.delete(f"{server.url}/api/windows/{added.json()['window']['id']}", timeout=10)
    assert deleted.status_code == 204, deleted.text

    expect(service_button(page, "Kartu Keluarga")).to_be_visible()
    expect(page.locator("#closed")).to_be_hidden()
    expect(page.get_by_role("button", name="Lansia")).to_be_visible()
    assert page.evaluate("window.__sameLoad") is True
    service_button(page, "Kartu Keluarga").click()
    expect(page.locator("#ticket-number")).to_have_text("B001", use_inner_text=True)


def test_a_tap_that_reaches_the_server_after_closing_is_told_when_service_reopens(live_server, open_kiosk):
    server = live_server(office_calendar(*CHRISTMAS), clock=CHRISTMAS_DAY)
    page = open_kiosk(server)
    # as if the office had closed between the kiosk's last snapshot and the visitor's tap
    page.eval_on_selector("#start", "start => { start.dataset.admitting = 'true'; }")

    service_button(page, "Kartu Keluarga").click()

    expect(page.locator("#message-title")).to_have_text("Pelayanan tatap muka ditutup", use_inner_text=True)
    expect(page.locator("#message-text")).to_have_text(
        "Kantor tutup: Hari Raya Natal. Pelayanan dibuka kembali Senin, 28 Desember 2026 pukul 07.30.",
        use_inner_text=True)
    page.get_by_role("button", name="English").click()
    expect(page.locator("#message-text")).to_have_text(
        re.compile(r"^Service reopens Monday,? 28 December 2026 at 07\.30\.$"), use_inner_text=True)
    page.get_by_role("button", name="Done", exact=True).click()
    expect(page.locator("#closed")).to_be_visible()  # the start screen has caught up
    expect(page.locator("#start button:visible")).to_have_count(0)
    assert waiting(server) == []


def test_a_service_postponed_by_a_window_is_marked_with_its_last_day_at_once(live_server, open_kiosk):
    server = live_server(office_calendar(), clock=A_MONDAY)
    page = open_kiosk(server)
    kia = service_button(page, "Kartu Identitas Anak")
    expect(kia).not_to_have_class(re.compile("is-postponed"))
    expect(service_button(page, "KTP Elektronik")).to_contain_text("Sedang ditunda", use_inner_text=True)  # its flag

    added = admin(server).post(f"{server.url}/api/windows", json={
        "from": "2026-12-07", "until": "2026-12-18", "postponed": ["kia"], "reference": "Blangko KIA habis"}, timeout=10)
    assert added.status_code == 201, added.text

    expect(kia).to_contain_text("Ditunda sampai 18 Des 2026", use_inner_text=True)
    expect(kia).to_have_attribute("data-postponed", "true")
    assert_kiosk_fits(page)
    portrait = open_kiosk(server, PORTRAIT)
    expect(service_button(portrait, "Kartu Identitas Anak")).to_contain_text("Ditunda sampai 18 Des 2026", use_inner_text=True)
    assert_kiosk_fits(portrait)
    kia.click()
    expect(page.locator("#message-title")).to_have_text("Layanan ini sedang ditunda", use_inner_text=True)
    expect(page.locator("#message-text")).to_contain_text("ditunda sampai Jumat, 18 Desember 2026", use_inner_text=True)
    expect(page.locator("#message-text")).to_contain_text("Dilayani kembali Senin, 21 Desember 2026", use_inner_text=True)
    page.get_by_role("button", name="English").click()
    expect(page.locator("#message-text")).to_have_text(re.compile(
        r"^This service is postponed until Friday,? 18 December 2026\. It resumes on Monday,? 21 December 2026\.$"),
        use_inner_text=True)
    assert waiting(server) == []
