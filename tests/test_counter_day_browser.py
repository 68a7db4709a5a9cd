"""The counter's day on the console in a real browser against the real server (issue 20): a
break shown on the console and the hall and ended with one key, a no-show who came back put
in the queue again (and a button that goes once requeue_minutes have passed), tickets issued
at the desk for a visitor, and the waiting list's mark past a service's target_wait.
Screenshots land in docs/screenshots/ for people to look at."""
from __future__ import annotations

import datetime as dt
import re
import tomllib

import pytest
import requests
from playwright.sync_api import expect

from browserkit import (TEXT, add_account, assert_console_fits, assert_fits, button, console_action, kiosk_ticket,
                        log_in, office_with_printer, open_console_page, screenshot, staff_session)
from browserkit import patient_expect  # noqa: F401 (an autouse fixture: imported, it applies here)
from conftest import CONFIG, WIB

pytestmark = pytest.mark.browser

SMALL = {"width": 1366, "height": 768}
HALL = {"width": 1920, "height": 1080}
MONDAY_AT_9 = "2026-03-02T09:00:00+07:00"


# --- helpers ---

def snapshot(server) -> dict:
    return requests.get(f"{server.url}/api/state", timeout=10).json()


def desk_of(server, http: requests.Session, counter: int = 1) -> dict:
    return http.get(f"{server.url}/api/counters/{counter}", timeout=10).json()


@pytest.fixture
def open_console(browser_pages):
    """/counter in a fresh browser context (a PC of its own), signed in; once its desk is live."""
    def open_(server, user: str, viewport=SMALL):
        return open_console_page(browser_pages, server, user, viewport)

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
    kiosk_ticket(server, "kk")
    page = open_console(server, "siti")
    keys = page.keyboard
    keys.press("n")
    expect(page.locator("#number")).to_have_text("B001")
    expect(console_action(page, "pause-open")).to_be_disabled()  # a ticket in hand: no pause
    keys.press("m")
    expect(page.locator("#status-badge")).to_have_text("Sedang dilayani", **TEXT)
    keys.press("s")
    expect(page.locator("#idle")).to_be_visible()
    expect(console_action(page, "pause-open").locator("kbd")).to_have_text("J")

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
    expect(console_action(page, "call-next")).to_be_disabled()
    expect(console_action(page, "pause-open")).to_be_hidden()
    kiosk_ticket(server, "kk")  # a visitor comes meanwhile: listed, but not to be called
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
    expect(console_action(page, "call-next")).to_be_enabled()
    expect(row).to_have_attribute("data-status", "idle")
    assert snapshot(server)["counters"][0]["paused"] is None
    keys.press("n")
    expect(page.locator("#number")).to_have_text("B002")


def test_a_pause_refused_while_a_ticket_is_in_hand_shows_the_servers_sentence(live_server, browser_pages):
    server = live_server()
    add_account(server, "siti")
    kiosk_ticket(server, "kk")
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
    expect(console_action(page, "pause-open")).to_be_disabled()
    assert snapshot(server)["counters"][0]["paused"] is None


# --- no-shows ---

def no_show_item(page, number: str):
    return page.locator("#no-show-list .no-show", has_text=number)


def test_a_requeued_no_show_is_back_in_the_queue_on_the_console_the_phone_and_the_display(
        live_server, open_console, open_hall):
    server = live_server()
    add_account(server, "siti")
    first = kiosk_ticket(server, "kk")
    for _ in range(3):
        kiosk_ticket(server, "kk")
    page = open_console(server, "siti")
    expect(page.locator("#no-shows")).to_be_hidden()  # nobody missed a call yet
    for number in ("B001", "B002"):
        page.keyboard.press("n")
        expect(page.locator("#number")).to_have_text(number)
        page.keyboard.press("t")
        expect(page.locator("#note")).to_have_text(f"{number} ditandai tidak hadir.", **TEXT)

    expect(page.locator("#no-shows-title")).to_have_text("Tidak hadir hari ini", **TEXT)
    expect(page.locator("#no-show-list .ns-number")).to_have_text(["B002", "B001"])  # the latest first
    item = no_show_item(page, "B001")
    expect(item).to_contain_text("Kartu Keluarga", **TEXT)
    expect(item.locator(".ns-ago")).to_have_text("baru saja", **TEXT)
    expect(item.locator(".ns-late")).to_be_hidden()
    assert_console_fits(page)
    screenshot(page, "counter-no-shows.png")

    item.get_by_role("button", name="Antre lagi B001").click()

    expect(page.locator("#note")).to_have_text("B001 kembali ke antrean, posisi 2: 2 orang di depannya.", **TEXT)
    expect(page.locator("#waiting .w-number")).to_have_text(["B003", "B004", "B001"])  # after the next ones
    expect(page.locator("#no-show-list .ns-number")).to_have_text(["B002"])
    phone = requests.get(f"{server.url}/api/tickets/{first['token']}", timeout=10).json()["ticket"]
    assert (phone["status"], phone["position"]) == ("waiting", 2)
    hall = open_hall(server)
    expect(hall.locator('.queue[data-service="kk"] .queue-next')).to_have_text(re.compile(r"B003\s*B004\s*B001"))


def two_waiting_and_the_first_missed(server):
    """siti's session and B001, called at counter 1 and marked a no-show; B002 waits."""
    add_account(server, "siti")
    kiosk_ticket(server, "kk")
    kiosk_ticket(server, "kk")
    desk = staff_session(server, "siti")
    called = desk.post(f"{server.url}/api/counters/1/call-next", json={}, timeout=10).json()["ticket"]
    desk.post(f"{server.url}/api/tickets/{called['id']}/no-show", json={}, timeout=10)
    return desk, called


def test_the_hall_shows_a_requeued_number_again_live(live_server, open_hall):
    server = live_server()
    desk, called = two_waiting_and_the_first_missed(server)
    hall = open_hall(server)
    nexts = hall.locator('.queue[data-service="kk"] .queue-next')
    expect(nexts).to_have_text("B002")

    assert desk.post(f"{server.url}/api/tickets/{called['id']}/requeue", json={}, timeout=10).ok

    expect(nexts).to_have_text(re.compile(r"B002\s*B001"), timeout=5000)


def test_the_requeue_button_is_gone_once_requeue_minutes_have_passed(live_server, open_console, tmp_path):
    morning = live_server(clock=MONDAY_AT_9)
    desk, late = two_waiting_and_the_first_missed(morning)
    page = open_console(morning, "siti")
    expect(no_show_item(page, "B001").locator(".ns-requeue")).to_be_visible()  # within the hour
    morning.kill()

    noon = live_server(folder=tmp_path, clock="2026-03-02T11:00:00+07:00")  # two hours on, the same day
    desk = staff_session(noon, "siti")
    fresh = desk.post(f"{noon.url}/api/counters/1/call-next", json={}, timeout=10).json()["ticket"]
    desk.post(f"{noon.url}/api/tickets/{fresh['id']}/no-show", json={}, timeout=10)
    assert [t["requeueable"] for t in desk_of(noon, desk)["no_shows"]] == [True, False]
    page = open_console(noon, "siti")

    expect(page.locator("#no-show-list .ns-number")).to_have_text(["B002", "B001"])
    expect(no_show_item(page, "B001").locator(".ns-requeue")).to_be_hidden()
    expect(no_show_item(page, "B001").locator(".ns-late")).to_have_text("lewat batas waktu", **TEXT)
    expect(no_show_item(page, "B002").locator(".ns-requeue")).to_be_visible()
    expect(no_show_item(page, "B002").locator(".ns-late")).to_be_hidden()
    button(page, "EN").click()
    expect(no_show_item(page, "B001").locator(".ns-late")).to_have_text("too late", **TEXT)
    refused = desk.post(f"{noon.url}/api/tickets/{late['id']}/requeue", json={}, timeout=10)
    assert (refused.status_code, refused.json()["error"]) == (409, "requeue_too_late")


# --- desk tickets ---

def test_a_desk_ticket_for_an_elderly_visitor_is_read_out_and_one_for_an_emergency_printed_at_the_kiosk(
        live_server, open_console):
    with office_with_printer(live_server) as (server, printer):
        add_account(server, "siti")
        page = open_console(server, "siti")
        dialog = page.locator("#visit")
        expect(button(page, "Ambil tiket untuk pengunjung")).to_have_attribute("aria-keyshortcuts", "G")

        page.keyboard.press("g")
        expect(dialog).to_be_visible()
        expect(dialog.locator(".print-choice")).to_have_text(
            ["Tampilkan nomor di layar ini", "Cetak di Kios lobi"], **TEXT)
        page.keyboard.press("Enter")  # nothing chosen yet
        expect(page.locator("#visit-problem")).to_have_text("Pilih layanan yang dibutuhkan pengunjung.", **TEXT)
        dialog.get_by_label("Kartu Keluarga").check()
        dialog.get_by_label("Lansia").check()
        button(page, "Ambil tiket").click()

        expect(page.locator("#visit-number")).to_have_text("B001")
        expect(page.locator("#visit-service")).to_have_text("Kartu Keluarga", **TEXT)
        expect(page.locator("#visit-marks")).to_have_text("Prioritas: Lansia", **TEXT)
        expect(page.locator("#visit-ahead")).to_have_text("Tidak ada antrean di depannya.", **TEXT)
        expect(page.locator("#visit-words")).to_have_text("Bacakan nomor ini kepada pengunjung.", **TEXT)
        expect(page.locator("#visit-choices")).to_be_hidden()
        waiting = snapshot(server)["waiting"]
        assert [(t["number"], t["priority"]) for t in waiting] == [("B001", True)]
        screenshot(page, "counter-desk-ticket.png")
        assert_fits(page, "#visit button, .visit-result", smallest_text=14)

        button(page, "Pengunjung berikutnya").click()
        expect(dialog.get_by_label("Kartu Keluarga")).not_to_be_checked()  # a new visitor starts afresh
        dialog.get_by_label("Kartu Identitas Anak").check()
        dialog.get_by_label("Keperluan BPJS Kesehatan").check()
        dialog.get_by_label("Cetak di Kios lobi").check()
        page.keyboard.press("Enter")

        expect(page.locator("#visit-number")).to_have_text("C001")
        expect(page.locator("#visit-marks")).to_have_text("Darurat sah: Keperluan BPJS Kesehatan", **TEXT)
        expect(page.locator("#visit-words")).to_have_text(
            "Tiket sudah tercetak di Kios lobi. Minta pengunjung mengambilnya.", **TEXT)
        assert any(b"C001" in job for job in printer.printed())
        issued = {t["number"]: t for t in desk_of(server, staff_session(server, "siti"))["waiting"]}
        assert (issued["C001"]["source"], issued["C001"]["issued_by"], issued["C001"]["emergency"]) == (
            "desk", "siti", "confirmed")

        button(page, "Pengunjung berikutnya").click()
        dialog.get_by_label("KTP Elektronik").check()  # postponed in these tests
        page.keyboard.press("Enter")
        expect(page.locator("#visit-words")).to_have_text(re.compile("ditunda"), **TEXT)
        expect(page.locator("#visit-number")).to_be_hidden()
        button(page, "Ubah pilihan").click()
        expect(dialog.get_by_label("KTP Elektronik")).to_be_checked()  # the same visitor, another choice
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(page.locator("#waiting .w-number")).to_have_count(2)
        expect(page.locator("#note")).to_have_text("Tiket C001 diambil untuk pengunjung.", **TEXT)


# --- waiting targets ---

def services_with_targets(**targets) -> list[dict]:
    """The shipped services with these target_wait minutes (the others none), KTP-el postponed."""
    with open(CONFIG, "rb") as f:
        services = tomllib.load(f)["services"]
    out = []
    for s in services:
        service = {k: v for k, v in s.items() if k != "target_wait"}
        service["postponed"] = s["code"] == "ktp"
        if s["code"] in targets:
            service["target_wait"] = targets[s["code"]]
        out.append(service)
    return out


def test_a_ticket_waiting_past_its_services_target_is_marked_in_the_list(live_server, open_console, tmp_path):
    office = {"services": services_with_targets(kk=1)}
    nine = live_server(office, clock=MONDAY_AT_9)
    kiosk_ticket(nine, "kk")
    kiosk_ticket(nine, "kia")
    nine.kill()
    later = live_server(office, folder=tmp_path, clock="2026-03-02T09:05:00+07:00")  # five minutes on
    add_account(later, "siti")
    kiosk_ticket(later, "kk")
    waiting = {t["number"]: t for t in desk_of(later, staff_session(later, "siti"))["waiting"]}
    assert [waiting[n]["over_target"] for n in ("B001", "C001", "B002")] == [True, False, False]

    page = open_console(later, "siti")

    expect(page.locator("#waiting .w-number")).to_have_text(["B001", "C001", "B002"])
    items = page.locator("#waiting .wait-item")
    expect(items.nth(0)).to_have_attribute("data-over", "true")
    expect(items.nth(0).locator(".w-over")).to_have_text("Lewat target 1 mnt", **TEXT)
    expect(items.nth(1).locator(".w-over")).to_be_hidden()  # KIA has no target here
    expect(items.nth(2).locator(".w-over")).to_be_hidden()  # B002 came just now
    button(page, "EN").click()
    expect(items.nth(0).locator(".w-over")).to_have_text("Over the 1 min target", **TEXT)
