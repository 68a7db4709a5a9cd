"""The whole day, end to end (issue 7): one emergency-only day in the office, played against
the real server in real Chromium with every page open side by side, as in the hall: the
supervisor's page, the lobby kiosk, the counter console, the wall screen and the visitors'
phones. The day closes from the command line and the daily report must count all of it.
Screenshots (whole-day-*.png) land in docs/screenshots/ for people to look at."""
from __future__ import annotations

import os
import subprocess
import sys
import tomllib

import pytest
import requests
import tomli_w
from playwright.sync_api import expect

from browserkit import TEXT, add_account, enroll_browser, log_in, screenshot, staff_session
from conftest import ROOT, SCREENSHOTS

pytestmark = pytest.mark.browser

WALL = {"width": 1920, "height": 1080}
COUNTER_PC = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
OFFICE = {"timezone_id": "Asia/Jakarta"}


@pytest.fixture(autouse=True)
def patient_expect():
    """Five pages and a server on two shared cores: give page conditions longer than the default 5 s."""
    expect.set_options(timeout=10_000)
    yield
    expect.set_options(timeout=5_000)


# --- the pages of the office ---

def open_page(browser_pages, server, path: str, viewport: dict):
    page = browser_pages.new(viewport, **OFFICE)
    if path.startswith("/kiosk/"):
        enroll_browser(page, server)
    page.goto(server.url + path)
    return page


def open_admin(browser_pages, server):
    page = open_page(browser_pages, server, "/admin", WALL)
    log_in(page, "kepala")
    expect(page.locator("#board")).to_be_visible()
    expect(page.locator("#admin")).to_have_attribute("data-live", "up")
    return page


def open_kiosk(browser_pages, server):
    page = open_page(browser_pages, server, "/kiosk/lobby", WALL)
    expect(page.locator("#kiosk")).to_have_attribute("data-live", "up")
    return page


def open_hall(browser_pages, server):
    page = open_page(browser_pages, server, "/display", WALL)
    expect(page.locator("#hall")).to_have_attribute("data-live", "up")
    expect(page.locator("#hall")).to_have_attribute("data-sound", "on")  # Chromium runs with autoplay allowed
    return page


def open_console(browser_pages, server):
    page = open_page(browser_pages, server, "/counter", COUNTER_PC)
    log_in(page, "siti")
    expect(page.locator("#console")).to_have_attribute("data-screen", "desk")
    expect(page.locator("#bar-counter")).to_have_text(" · Loket 1", **TEXT)
    expect(page.locator("#console")).to_have_attribute("data-live", "up")
    return page


def open_phone(browser_pages, server, status_url: str, live: str = "up"):
    """A visitor's phone on the ticket's page; "closed" for a ticket nothing can change any more."""
    page = open_page(browser_pages, server, status_url, PHONE)
    expect(page.locator("#phone")).to_have_attribute("data-live", live)
    return page


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


# --- what a visitor does at the kiosk ---

def take_number(kiosk, service: str, reason: str, priority: str | None = None) -> dict:
    """Tap through the kiosk: a priority group if any, the service, then the emergency question;
    return the server's answer to the visit, as the kiosk received it."""
    if priority:
        button(kiosk, priority).click()
        expect(button(kiosk, priority)).to_have_attribute("aria-pressed", "true")
    kiosk.locator("#start button.service", has_text=service).click()
    expect(kiosk.locator("#question-title")).to_have_text("Apakah keperluan Anda darurat?", **TEXT)
    with kiosk.expect_response("**/api/visits") as visit:
        kiosk.get_by_role("button", name=reason).click()
    return visit.value.json()


def next_visitor(kiosk) -> None:
    """The visitor taps Selesai: the kiosk is ready for the next one."""
    expect(kiosk.locator(".screen:not([hidden]) button[data-action=done]")).to_be_enabled()
    kiosk.locator(".screen:not([hidden]) button[data-action=done]").click()
    expect(kiosk.locator("#start")).to_be_visible()


def qr_loaded(page, selector: str) -> bool:
    """Wait (the image may still be on its way) until the QR image has loaded and has pixels."""
    page.wait_for_function("s => { const img = document.querySelector(s);"
                           " return img && img.complete && img.naturalWidth > 0; }", arg=selector)
    return True


# --- what the wall says ---

def announced(hall, count: int, to_the_end: bool = False) -> list[str]:
    """Wait until `count` announcements are queued (or spoken to their end); return their words.
    voice.js logs each one in window.__announcements."""
    hall.wait_for_function(
        "([n, end]) => (window.__announcements || []).filter((a) => !end || 'end' in a).length >= n",
        arg=[count, to_the_end], timeout=30_000)
    return [a["text"] for a in hall.evaluate("window.__announcements")]


def call_text(letter: str, digits: str, counter: str) -> str:
    return f"Nomor antrian {letter} {digits}, silakan menuju loket {counter}"


# --- closing the day ---

def close_day(server) -> None:
    """Run `flask close-day` on the live server's config and database while it runs, once the
    closing hour has passed: the same file with closes_at at 00.00, as 15.00 would be in the office
    (liveserver leaves closes_at out, since tests run at any hour)."""
    config = tomllib.loads(server.config.read_text())
    config["admission"]["closes_at"] = "00:00"
    closing = server.config.with_name("closing.toml")
    closing.write_text(tomli_w.dumps(config))
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "server", "close-day"], cwd=ROOT,
                          env={**os.environ, "KIOSK_CONFIG": str(closing)}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Expired 2 tickets"  # C001 and B003 were still waiting


# --- the supervisor's report ---

def report_rows(admin, table: str) -> dict[str, list[str]]:
    """One table of the daily report as shown: row heading → the cells of its row."""
    return admin.eval_on_selector_all(
        f"#report-tables table.{table} tbody tr",
        "rows => Object.fromEntries(rows.map((r) => [r.cells[0].innerText.trim(),"
        " [...r.cells].slice(1).map((c) => c.innerText.trim())]))")


def test_an_emergency_only_day_is_played_on_every_page_and_the_daily_report_counts_all_of_it(
        live_server, browser_pages):
    server = live_server()
    add_account(server, "kepala", "admin", ())
    add_account(server, "siti", "staff", (1,))  # Loket 1: Kartu Keluarga and KIA

    # Morning: the hall opens its screens, the supervisor switches to emergencies only.
    kiosk = open_kiosk(browser_pages, server)
    hall = open_hall(browser_pages, server)
    admin = open_admin(browser_pages, server)
    expect(kiosk.locator("#mode")).to_contain_text("Pelayanan tatap muka dibuka", **TEXT)
    button(admin, "Hanya darurat").click()
    expect(admin.locator("#confirm-question")).to_have_text("Ubah mode menjadi Hanya darurat mulai sekarang?", **TEXT)
    button(admin, "Ya, ubah mode").click()
    expect(admin.locator("#mode-name")).to_contain_text("Hanya darurat", **TEXT)
    expect(admin.locator("#mode-why")).to_contain_text("Diatur oleh admin kepala", **TEXT)
    expect(kiosk.locator("#mode")).to_contain_text("Pelayanan tatap muka hanya untuk keperluan darurat", **TEXT)
    expect(hall.locator("#ticker")).to_contain_text("hanya untuk keperluan darurat")
    admin.evaluate("scrollTo(0, 0)")
    screenshot(admin, "whole-day-admin-mode.png")
    console = open_console(browser_pages, server)
    expect(console.locator("#queue-empty")).to_be_visible()

    # A visitor with a BPJS matter gets B001.
    bpjs = take_number(kiosk, "Kartu Keluarga", "Keperluan BPJS Kesehatan")
    expect(kiosk.locator("#ticket-number")).to_have_text("B001", **TEXT)
    expect(kiosk.locator("#ticket-marks")).to_contain_text("Darurat: Keperluan BPJS Kesehatan", **TEXT)
    expect(kiosk.locator("#ticket-ahead")).to_have_text("Tidak ada antrean di depan Anda", **TEXT)
    assert qr_loaded(kiosk, "#ticket-qr")
    assert bpjs["ticket"]["number"] == "B001"
    bpjs_phone = open_phone(browser_pages, server, bpjs["ticket"]["status_url"])  # scanned from the kiosk
    expect(bpjs_phone.locator("#number")).to_have_text("B001")
    expect(bpjs_phone.locator("#status-main")).to_have_text("Anda berikutnya", **TEXT)
    next_visitor(kiosk)

    # A visitor with no emergency is shown the online service instead.
    take_number(kiosk, "Akta Kelahiran", "Tidak darurat")
    expect(kiosk.locator("#online-url")).to_have_text("layananonline.dukcapil.kemendagri.go.id", **TEXT)
    expect(kiosk.locator("#online-message")).to_contain_text("Akta Kelahiran dapat diurus secara online", **TEXT)
    expect(kiosk.locator("#online-steps li")).to_have_count(3)
    assert qr_loaded(kiosk, "#online-qr")
    screenshot(kiosk, "whole-day-kiosk-online.png")
    next_visitor(kiosk)

    # KTP-el is postponed: the kiosk says so, with its notice.
    kiosk.locator("#start button.service", has_text="KTP Elektronik").click()
    expect(kiosk.locator("#message-title")).to_have_text("Layanan ini sedang ditunda", **TEXT)
    next_visitor(kiosk)

    # An elderly visitor whose relative is in hospital: B002 goes ahead of B001.
    elderly = take_number(kiosk, "Kartu Keluarga", "Pasien dirawat di rumah sakit", priority="Lansia (60+ tahun)")
    expect(kiosk.locator("#ticket-number")).to_have_text("B002", **TEXT)
    expect(kiosk.locator("#ticket-marks")).to_contain_text("Prioritas: Lansia", **TEXT)
    expect(kiosk.locator("#ticket-marks")).to_contain_text("Darurat: Pasien dirawat di rumah sakit", **TEXT)
    expect(kiosk.locator("#ticket-ahead")).to_have_text("Tidak ada antrean di depan Anda", **TEXT)
    screenshot(kiosk, "whole-day-kiosk-priority-ticket.png")
    elderly_phone = open_phone(browser_pages, server, elderly["ticket"]["status_url"])
    expect(elderly_phone.locator("#status-main")).to_have_text("Anda berikutnya", **TEXT)
    expect(elderly_phone.locator("#priority")).to_be_visible()
    expect(bpjs_phone.locator("#status-main")).to_have_text("1 orang di depan Anda", **TEXT)  # live
    expect(hall.locator(".queue[data-service=kk] .queue-next")).to_have_text("B002B001")
    expect(console.locator("#waiting .w-number")).to_have_text(["B002", "B001"])
    next_visitor(kiosk)

    # Loket 1 calls next: the priority ticket, on the wall, in the hall's ears and on the phone.
    button(console, "Panggil berikutnya").click()
    expect(console.locator("#number")).to_have_text("B002")
    expect(console.locator("#claim")).to_contain_text("Klaim darurat: Pasien dirawat di rumah sakit", **TEXT)
    expect(hall.locator("#latest-number")).to_have_text("B002")
    expect(hall.locator("#latest-counter")).to_have_text("Loket 1")
    expect(hall.locator('.counter[data-counter="1"] .counter-number')).to_have_text("B002")
    expect(hall.locator(".queue[data-service=kk] .queue-next")).to_have_text("B001")
    expect(elderly_phone.locator("#status-main")).to_have_text("Silakan menuju Loket 1", **TEXT)
    expect(elderly_phone.locator("#phone")).to_have_attribute("data-status", "called")
    expect(bpjs_phone.locator("#status-main")).to_have_text("Anda berikutnya", **TEXT)
    assert announced(hall, 1) == [call_text("B", "nol nol dua", "satu")]
    screenshot(hall, "whole-day-display-call.png")
    screenshot(elderly_phone, "whole-day-phone-called.png")
    screenshot(console, "whole-day-counter-claim.png")

    # The hospital claim holds; B002 is served and done.
    button(console, "Darurat sah").click()
    expect(console.locator("#marks")).to_contain_text("Prioritas: Lansia", **TEXT)
    expect(console.locator("#marks")).to_contain_text("Darurat sah: Pasien dirawat di rumah sakit", **TEXT)
    button(console, "Mulai layani").click()
    expect(elderly_phone.locator("#status-main")).to_have_text("Anda sedang dilayani di Loket 1", **TEXT)
    button(console, "Selesai").click()
    expect(console.locator("#idle")).to_be_visible()
    expect(console.locator("#today-served")).to_have_text("1")
    expect(elderly_phone.locator("#status-main")).to_have_text("Pelayanan selesai", **TEXT)

    # Next: B001, whose BPJS claim turns out false: sent online.
    button(console, "Panggil berikutnya").click()
    expect(console.locator("#number")).to_have_text("B001")
    expect(hall.locator("#latest-number")).to_have_text("B001")
    expect(bpjs_phone.locator("#status-main")).to_have_text("Silakan menuju Loket 1", **TEXT)
    assert announced(hall, 2) == [call_text("B", "nol nol dua", "satu"), call_text("B", "nol nol satu", "satu")]
    button(console, "Bukan darurat").click()
    expect(console.locator("#status-badge")).to_have_text("Diarahkan ke layanan online", **TEXT)
    expect(console.locator("#redirect")).to_contain_text("B001 bukan darurat", **TEXT)
    expect(bpjs_phone.locator("#status-lead")).to_have_text("Dialihkan ke layanan online", **TEXT)
    expect(bpjs_phone.locator("#status-main")).to_have_text("Silakan urus secara online", **TEXT)
    expect(bpjs_phone.locator("#online-link")).to_have_text("https://layananonline.dukcapil.kemendagri.go.id")
    expect(hall.locator('.counter[data-counter="1"] .counter-number')).to_have_text("—")
    screenshot(console, "whole-day-counter-redirect.png")
    screenshot(bpjs_phone, "whole-day-phone-redirected.png")
    button(console, "Tutup").click()
    expect(console.locator("#idle")).to_be_visible()

    # Afternoon: two more emergencies take numbers and are still waiting at closing time.
    late_kia = take_number(kiosk, "Kartu Identitas Anak", "Pendaftaran TNI/Polri")
    expect(kiosk.locator("#ticket-number")).to_have_text("C001", **TEXT)
    next_visitor(kiosk)
    take_number(kiosk, "Kartu Keluarga", "Keperluan BPJS Kesehatan")
    expect(kiosk.locator("#ticket-number")).to_have_text("B003", **TEXT)
    next_visitor(kiosk)
    expect(console.locator("#waiting .w-number")).to_have_text(["C001", "B003"])
    expect(admin.locator("#today-total")).to_have_text("6")  # live on the supervisor's page
    expect(admin.locator("#today-ticket")).to_have_text("4")
    expect(admin.locator("#today-online")).to_have_text("1")
    expect(admin.locator("#today-postponed")).to_have_text("1")

    # Both calls were heard in full, one after the other.
    announced(hall, 2, to_the_end=True)
    first, second = hall.evaluate("window.__announcements")
    assert second["start"] >= first["end"] and first["ended"] == len(first["clips"]), (first, second)

    # The day closes from the command line while the server runs.
    close_day(server)
    # The server announces what the command did: the screens empty their queues by themselves.
    expect(hall.locator(".queue[data-service=kk] .queue-next")).to_have_text("—", timeout=10_000)
    expect(console.locator("#queue-empty")).to_be_visible(timeout=10_000)
    expired_phone = open_phone(browser_pages, server, late_kia["ticket"]["status_url"], live="closed")
    expect(expired_phone.locator("#number")).to_have_text("C001")
    expect(expired_phone.locator("#status-main")).to_have_text("Nomor ini sudah tidak berlaku", **TEXT)
    screenshot(expired_phone, "whole-day-phone-expired.png")
    assert requests.get(f"{server.url}/api/state", timeout=10).json()["waiting"] == []

    # The supervisor reads the day's report: every number is what the day did.
    button(admin, "Hari ini").click()  # fetch the report again: the closing happened in another process
    expired_row = admin.locator("#report-tables .summary-table tbody tr").filter(has_text="Kedaluwarsa")
    expect(expired_row.locator("td")).to_have_text("2")
    summary = {"Kunjungan di kios": ["6"], "· Dapat nomor antrian": ["4 (67%)"],
               "· Diarahkan ke layanan online": ["1 (17%)"], "· Layanan ditunda": ["1 (17%)"],
               "· Pelayanan ditutup": ["0 (0%)"], "· Kuota penuh": ["0 (0%)"], "Tiket diterbitkan": ["4"],
               "· Menunggu": ["0"], "· Dipanggil": ["0"], "· Sedang dilayani": ["0"], "· Selesai": ["1"],
               "· Tidak hadir": ["0"], "· Diarahkan online": ["1"], "· Kedaluwarsa": ["2"]}
    assert report_rows(admin, "summary-table") == summary
    assert report_rows(admin, "reason-table") == {
        "Keperluan BPJS Kesehatan": ["2"], "Tanpa klaim darurat": ["2"], "Pasien dirawat di rumah sakit": ["1"],
        "Pendaftaran TNI/Polri": ["1"]}
    assert report_rows(admin, "priority-table") == {"Bukan prioritas": ["5"], "Lansia": ["1"]}
    services = report_rows(admin, "service-table")
    assert {name: cells for name, cells in services.items() if cells != ["0", "0"]} == {
        "KTP Elektronik": ["1", "0"], "Kartu Keluarga": ["3", "3"], "Kartu Identitas Anak": ["1", "1"],
        "Akta Kelahiran": ["1", "0"]}
    counters = report_rows(admin, "counter-report")
    assert counters["Loket 1"][:3] == ["siti", "1", "0"]
    assert all(cells[:3] == ["—", "0", "0"] for name, cells in counters.items() if name != "Loket 1")
    admin.locator("#reports").screenshot(path=str(SCREENSHOTS / "whole-day-admin-report.png"))  # all of it

    # The same day from the API: the page showed exactly what the server counted.
    day = staff_session(server, "kepala").get(f"{server.url}/api/reports/daily", timeout=10).json()
    assert day["visits"]["total"] == 6
    assert day["visits"]["by_outcome"] == {"ticket": 4, "online": 1, "postponed": 1, "closed": 0, "full": 0}
    assert day["visits"]["by_reason"] == {"bpjs": 2, "none": 2, "rumah_sakit": 1, "tni_polri": 1}
    assert day["visits"]["by_priority"] == {"none": 5, "lansia": 1}
    assert day["visits"]["by_service"] == {"kk": 3, "akta_lahir": 1, "ktp": 1, "kia": 1}
    assert day["tickets"]["total"] == 4
    assert {s: n for s, n in day["tickets"]["by_status"].items() if n} == {"done": 1, "redirected": 1, "expired": 2}
    assert {s: n for s, n in day["tickets"]["by_service"].items() if n} == {"kk": 3, "kia": 1}
    assert [(c["name"], c["staff"], c["served"], c["no_show"]) for c in day["counters"] if c["staff"]] == [
        ("Loket 1", "siti", 1, 0)]
    assert day["wait_seconds"]["count"] == 2 and day["service_seconds"]["count"] == 1
