"""Booking ahead in a real browser against the real server: a visitor checks in at the kiosk
with the code typed on its keypad, each refused code said in plain words; staff check a
visitor in from the counter console; the console and the hall mark booked tickets; the
supervisor sees the day's bookings by slot. Screenshots land in docs/screenshots/.

Bookings are made from tomorrow on, so each test books on a Monday (the server's clock set
to 2026-12-07) and restarts the server on the same database a day later: every moment here
is the server's set clock, in office time (WIB), whatever the machine's date and zone."""
from __future__ import annotations

import uuid

import pytest
import requests
from playwright.sync_api import expect

from bench.fakeprinter import FakePrinter
from browserkit import (TEXT, add_account, assert_fits, kiosk_visit, log_in, open_console_page, open_kiosk_page,
                        staff_session)
from browserkit import screenshot as save_screenshot

pytestmark = pytest.mark.browser

LANDSCAPE = {"width": 1920, "height": 1080}
PORTRAIT = {"width": 1080, "height": 1920}
HOURS = {"mon": "07:30-15:00", "tue": "07:30-15:00", "wed": "07:30-15:00", "thu": "07:30-15:00",
         "fri": "07:30-14:00"}
OFFICE = {"hours": HOURS, "booking": {"days_ahead": 14, "slot_minutes": 60, "per_slot": 3, "late_minutes": 15}}
MONDAY = "2026-12-07T09:00:00+07:00"         # the day the bookings are made
TUESDAY_AT_8 = "2026-12-08T08:00:00+07:00"   # the day they are for


# --- the server side ---

def book(server, service: str = "kk", date: str = "2026-12-08", start: str = "08:30") -> dict:
    """Book a slot as the visitor's phone does; the booking."""
    answer = requests.post(f"{server.url}/api/bookings", timeout=10, json={
        "service": service, "date": date, "start": start, "request_id": uuid.uuid4().hex})
    assert answer.status_code == 201, answer.text
    return answer.json()["booking"]


def booking_status(server, booking: dict) -> str:
    return requests.get(f"{server.url}/api/bookings/{booking['token']}", timeout=10).json()["booking"]["status"]


@pytest.fixture
def office_with_bookings(live_server, tmp_path):
    """Book slots on Monday, then start the office on Tuesday (or at `clock`) on the same database.

    Each booking is (service, date, start) or a dict of book()'s arguments; "cancel": True
    cancels it before the day. Returns the running server and the bookings, in order."""
    def start(*wanted, clock: str = TUESDAY_AT_8, overrides: dict | None = None):
        office = {**OFFICE, **(overrides or {})}
        monday = live_server(office, clock=MONDAY)
        made = []
        for want in wanted:
            options = dict(want)
            cancel = options.pop("cancel", False)
            made.append(book(monday, **options))
            if cancel:
                cancelled = requests.post(f"{monday.url}/api/bookings/{made[-1]['token']}/cancel", timeout=10)
                assert cancelled.status_code == 200, cancelled.text
        monday.kill()
        return live_server(office, folder=tmp_path, clock=clock), made

    return start


# --- the kiosk ---

@pytest.fixture
def open_kiosk(browser_pages):
    """Open /kiosk/lobby in a fresh browser page, enrolled; wait until it is live."""
    def open_(server, viewport=LANDSCAPE):
        return open_kiosk_page(browser_pages, server, viewport)

    return open_


def type_code(page, code: str) -> None:
    """Tap the code's characters on the keypad, as a visitor does."""
    for character in code:
        page.locator(f'#keypad button[data-key="{character}"]').click()


def open_keypad(page) -> None:
    page.get_by_role("button", name="Sudah punya kode booking?").click()
    expect(page.locator("#booking-title")).to_have_text("Masukkan kode booking Anda", **TEXT)


def check_in_at_kiosk(page, code: str, priority: str | None = None) -> None:
    """From the start screen: the keypad, the code, Lanjut, the priority step, the ticket."""
    open_keypad(page)
    type_code(page, code)
    page.get_by_role("button", name="Lanjut").click()
    expect(page.locator("#booking-chosen-code")).to_have_text(code)
    if priority:
        page.locator("#booking-priority").get_by_role("button", name=priority).click()
    page.get_by_role("button", name="Ambil nomor antrean").click()


def screenshot(page, name: str) -> None:
    # buttons are held for a moment after each screen change (a double tap's 2nd tap)
    expect(page.locator(".screen:not([hidden]) .actions button:not([data-ready=false])").first).to_be_enabled()
    save_screenshot(page, name)


def assert_kiosk_fits(page) -> None:
    """No scrolling either way, nothing cut off, every button at least 64 px tall, text at least 24 px."""
    assert_fits(page, "button, .screen > *", smallest_text=24)


def test_a_visitor_types_the_booking_code_on_the_keypad_and_gets_the_booked_ticket(office_with_bookings, open_kiosk):
    server, (booking,) = office_with_bookings({"service": "kk", "start": "08:30"})
    kiosk_visit(server, "kk")  # a walk-in at 08:00, before the slot: B001
    page = open_kiosk(server)

    open_keypad(page)
    expect(page.locator("#keypad button")).to_have_count(32)
    expect(page.get_by_role("button", name="Lanjut")).to_be_disabled()
    type_code(page, booking["code"][:5] + "Z")
    page.get_by_role("button", name="Hapus", exact=True).click()  # a slip of the finger, taken back
    type_code(page, booking["code"][5])
    expect(page.locator("#booking-code")).to_have_text(booking["code"])
    expect(page.get_by_role("button", name="Lanjut")).to_be_enabled()
    screenshot(page, "kiosk-keypad.png")
    page.get_by_role("button", name="Lanjut").click()
    page.locator("#booking-priority").get_by_role("button", name="Ibu hamil").click()
    page.get_by_role("button", name="Ambil nomor antrean").click()

    expect(page.locator("#ticket-number")).to_have_text("B002", **TEXT)
    expect(page.locator("#ticket-marks")).to_contain_text("Booking", **TEXT)
    expect(page.locator("#ticket-marks")).to_contain_text("Prioritas: Ibu hamil", **TEXT)
    expect(page.locator("#ticket")).to_contain_text("Kartu Keluarga", **TEXT)
    assert booking_status(server, booking) == "checked_in"
    waiting = requests.get(f"{server.url}/api/state", timeout=10).json()["waiting"]
    assert [(t["number"], t["booked"], t["priority"]) for t in waiting] == [("B002", True, True), ("B001", False, False)]


def test_the_keypad_fits_portrait_and_landscape_with_big_keys(office_with_bookings, open_kiosk):
    server, (booking,) = office_with_bookings({"service": "kk", "start": "08:30"})
    for viewport in (LANDSCAPE, PORTRAIT):
        page = open_kiosk(server, viewport)
        assert_kiosk_fits(page)
        open_keypad(page)
        assert_kiosk_fits(page)
        keys = page.locator("#keypad button").evaluate_all("keys => keys.map(k => k.getBoundingClientRect().height)")
        assert min(keys) >= 80, keys  # well above the 64 px of any button: 32 of them, tapped in a row
        type_code(page, booking["code"][:3])
        if viewport is PORTRAIT:
            screenshot(page, "kiosk-keypad-portrait.png")
        type_code(page, booking["code"][3:])
        assert_kiosk_fits(page)
        page.get_by_role("button", name="English").click()
        assert_kiosk_fits(page)
        page.get_by_role("button", name="Next", exact=True).click()
        expect(page.locator("#booking-priority-title")).to_have_text("Priority visitor?", **TEXT)
        assert_kiosk_fits(page)


def test_a_mistyped_code_is_not_found_and_try_again_keeps_what_was_typed(office_with_bookings, open_kiosk):
    server, (booking,) = office_with_bookings({"service": "kk", "start": "08:30"})
    page = open_kiosk(server)
    wrong = booking["code"][:5] + ("2" if booking["code"][5] != "2" else "3")

    check_in_at_kiosk(page, wrong)

    expect(page.locator("#message-title")).to_have_text("Kode booking tidak ditemukan", **TEXT)
    expect(page.locator("#message-text")).to_have_text("Kode booking tidak ditemukan. Periksa kembali kode Anda.", **TEXT)
    expect(page.locator("#message-service")).to_have_text(f"Kode booking: {wrong}", **TEXT)
    assert_kiosk_fits(page)
    page.get_by_role("button", name="English").click()
    expect(page.locator("#message-text")).to_have_text(
        "Please check the code on your booking and try again.", **TEXT)
    page.get_by_role("button", name="Try again").click()

    expect(page.locator("#booking-code")).to_have_text(wrong)
    page.get_by_role("button", name="Delete", exact=True).click()
    type_code(page, booking["code"][5])
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_role("button", name="Take my queue number").click()
    expect(page.locator("#ticket-number")).to_have_text("B001", **TEXT)
    assert booking_status(server, booking) == "checked_in"


def test_a_code_for_another_day_a_used_code_and_a_cancelled_one_are_each_refused_in_plain_words(
        office_with_bookings, open_kiosk):
    server, (wednesday, used, cancelled) = office_with_bookings(
        {"service": "kk", "date": "2026-12-09", "start": "09:30"}, {"service": "kia", "start": "07:30"},
        {"service": "kk", "start": "10:30", "cancel": True})
    kiosk_visit(server, booking=used["code"], statuses=(201,))
    page = open_kiosk(server)

    check_in_at_kiosk(page, wednesday["code"])
    expect(page.locator("#message-title")).to_have_text("Booking ini bukan untuk hari ini", **TEXT)
    expect(page.locator("#message-text")).to_contain_text("Rabu, 9 Desember 2026", **TEXT)
    expect(page.get_by_role("button", name="Ambil nomor antrean biasa")).to_be_hidden()
    page.get_by_role("button", name="English").click()
    expect(page.locator("#message-text")).to_contain_text("Wednesday", **TEXT)
    expect(page.locator("#message-text")).to_contain_text("9 December 2026", **TEXT)
    page.get_by_role("button", name="Done", exact=True).click()

    check_in_at_kiosk(page, used["code"])
    expect(page.locator("#message-title")).to_have_text("Kode booking sudah dipakai", **TEXT)
    expect(page.locator("#message-text")).to_have_text(
        "Kode booking ini sudah dipakai untuk mengambil nomor antrean.", **TEXT)
    page.get_by_role("button", name="Selesai").click()

    check_in_at_kiosk(page, cancelled["code"])
    expect(page.locator("#message-title")).to_have_text("Booking sudah dibatalkan", **TEXT)
    expect(page.locator("#message-text")).to_contain_text("Silakan ambil nomor antrean biasa.", **TEXT)
    expect(page.get_by_role("button", name="Ambil nomor antrean biasa")).to_be_visible()
    assert booking_status(server, wednesday) == "booked" and booking_status(server, cancelled) == "cancelled"
    assert [t["number"] for t in requests.get(f"{server.url}/api/state", timeout=10).json()["waiting"]] == ["C001"]


def test_a_visitor_too_late_for_the_slot_is_told_so_and_takes_a_walk_in_number_instead(
        office_with_bookings, open_kiosk):
    # the 08:30-09:30 slot takes check-ins until 09:45: at 10:00 it is missed
    server, (booking,) = office_with_bookings({"service": "kk", "start": "08:30"},
                                              clock="2026-12-08T10:00:00+07:00")
    page = open_kiosk(server)
    page.get_by_role("button", name="Lansia").click()

    check_in_at_kiosk(page, booking["code"])

    expect(page.locator("#message-title")).to_have_text("Waktu booking sudah lewat", **TEXT)
    expect(page.locator("#message-text")).to_have_text(
        "Waktu check-in booking ini sudah lewat. Silakan ambil nomor antrean biasa.", **TEXT)
    assert booking_status(server, booking) == "missed"
    assert_kiosk_fits(page)
    page.get_by_role("button", name="Ambil nomor antrean biasa").click()

    expect(page.locator("#start-title")).to_be_visible()
    expect(page.get_by_role("button", name="Lansia")).to_have_attribute("aria-pressed", "true")
    page.locator("#start button.service", has_text="Kartu Keluarga").click()
    expect(page.locator("#ticket-number")).to_have_text("B001", **TEXT)
    expect(page.locator("#ticket-marks")).to_have_text("Prioritas: Lansia (60+ tahun)", **TEXT)


def test_without_booking_the_kiosk_offers_no_code_and_on_a_closed_day_it_hides_it(live_server, open_kiosk,
                                                                                  tmp_path):
    plain = open_kiosk(live_server({"hours": HOURS}, clock=TUESDAY_AT_8))
    expect(plain.locator("#start .service").first).to_be_visible()
    expect(plain.get_by_role("button", name="Sudah punya kode booking?")).to_have_count(0)

    (tmp_path / "saturday").mkdir()
    saturday = open_kiosk(live_server(OFFICE, folder=tmp_path / "saturday", clock="2026-12-12T09:00:00+07:00"))
    expect(saturday.locator("#closed")).to_be_visible()
    expect(saturday.locator("#start button:visible")).to_have_count(0)


# --- the counter console ---

CONSOLE = {"width": 1366, "height": 768}


@pytest.fixture
def open_console(browser_pages):
    """Open /counter in a fresh browser page and sign in; wait for the desk and the live channel."""
    def open_(server, user: str = "siti", viewport=CONSOLE):
        # the PC's own zone is not the office's
        return open_console_page(browser_pages, server, user, viewport, timezone_id="Europe/Lisbon")

    return open_


def waiting_item(page, number: str):
    return page.locator("#waiting .wait-item", has=page.locator(".w-number", has_text=number))


def test_staff_check_a_visitor_in_at_the_console_and_read_the_number_out(office_with_bookings, open_console):
    server, (booking,) = office_with_bookings({"service": "kk", "start": "08:30"})
    add_account(server, "siti")
    kiosk_visit(server, "kk")  # B001, a walk-in at 08:00
    page = open_console(server, viewport={"width": 1920, "height": 1080})

    page.get_by_role("button", name="Check-in booking").click()
    expect(page.locator("#checkin")).to_be_visible()
    page.get_by_label("Kode booking pengunjung").fill("ZZZZZZ")
    page.keyboard.press("Enter")
    expect(page.locator("#checkin-words")).to_have_text(
        "Kode booking tidak ditemukan. Periksa kembali kode Anda.", **TEXT)
    expect(page.locator("#checkin-number")).to_be_hidden()

    page.get_by_label("Kode booking pengunjung").fill(booking["code"].lower())  # typed in any case
    page.keyboard.press("Enter")
    expect(page.locator("#checkin-number")).to_have_text("B002", **TEXT)
    expect(page.locator("#checkin-service")).to_have_text("Kartu Keluarga", **TEXT)
    expect(page.locator("#checkin-slot")).to_have_text(f"Kode {booking['code']} · sesi 08.30", **TEXT)
    expect(page.locator("#checkin-words")).to_have_text("Bacakan nomor ini kepada pengunjung.", **TEXT)
    expect(waiting_item(page, "B002")).to_contain_text("Booking 08.30", **TEXT)
    save_screenshot(page, "counter-checkin.png")
    assert booking_status(server, booking) == "checked_in"

    page.get_by_label("Kode booking pengunjung").fill(booking["code"])
    page.get_by_role("button", name="Check-in", exact=True).click()
    expect(page.locator("#checkin-words")).to_have_text(
        "Kode booking ini sudah dipakai untuk mengambil nomor antrean.", **TEXT)
    page.keyboard.press("Escape")
    expect(page.locator("#checkin")).to_be_hidden()
    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("#note")).to_have_text(f"Booking {booking['code']}: queue number B002.", **TEXT)
    page.keyboard.press("k")
    page.get_by_label("The visitor's booking code").fill(booking["code"])
    page.keyboard.press("Enter")
    expect(page.locator("#checkin-words")).to_have_text(
        "This booking code has already been used to take a queue number.", **TEXT)


def test_the_console_marks_a_booked_ticket_with_its_sessions_start_in_office_time(office_with_bookings, open_console):
    server, (booking,) = office_with_bookings({"service": "kia", "start": "07:30"})
    add_account(server, "siti")
    kiosk_visit(server, "kk")  # B001 at 08:00
    kiosk_visit(server, booking=booking["code"], statuses=(201,))  # C001 queues from 07:30
    page = open_console(server)

    expect(page.locator("#waiting .w-number")).to_have_text(["C001", "B001"])
    expect(waiting_item(page, "C001")).to_contain_text("Booking 07.30", **TEXT)
    expect(waiting_item(page, "C001")).to_have_attribute("data-booked", "true")
    expect(waiting_item(page, "B001")).not_to_contain_text("Booking", **TEXT)

    page.keyboard.press("n")  # call the next: the booked ticket, marked in hand too
    expect(page.locator("#number")).to_have_text("C001", **TEXT)
    expect(page.locator("#marks")).to_contain_text("Booking 07.30", **TEXT)
    assert_fits(page, "button, .current, .actions, .note, .today", smallest_text=14)


def test_staff_print_a_checked_in_ticket_at_a_kiosk_printer(office_with_bookings, open_console):
    printer = FakePrinter("ok")
    try:
        kiosks = {"kiosks": [
            {"id": "lobby", "name": "Kios lobi", "printer": {"type": "preview"}},
            {"id": "lantai2", "name": "Kios lantai 2",
             "printer": {"type": "network", "host": "127.0.0.1", "port": printer.port, "timeout": 2}}]}
        server, (booking,) = office_with_bookings({"service": "kk", "start": "08:30"}, overrides=kiosks)
        add_account(server, "siti")
        page = open_console(server)
        page.keyboard.press("k")
        expect(page.locator("#checkin .print-choice")).to_have_count(2)  # on screen, or the one kiosk with a printer
        expect(page.get_by_label("Tampilkan nomor di layar ini")).to_be_checked()

        page.get_by_label("Cetak di Kios lantai 2").check()
        page.get_by_label("Kode booking pengunjung").fill(booking["code"])
        page.keyboard.press("Enter")

        expect(page.locator("#checkin-number")).to_have_text("B001", **TEXT)
        expect(page.locator("#checkin-words")).to_have_text(
            "Tiket sudah tercetak di Kios lantai 2. Minta pengunjung mengambilnya.", **TEXT)
        assert any(b"B001" in job for job in printer.printed())
    finally:
        printer.stop()


# --- the hall display ---

def test_the_hall_tags_a_booked_number_among_the_next_ones_and_says_why_in_the_running_text(
        office_with_bookings, browser_pages):
    server, (booking,) = office_with_bookings({"service": "kk", "start": "07:30"})
    for _ in range(2):
        kiosk_visit(server, "kk")  # B001, B002 at 08:00
    page = browser_pages.new(LANDSCAPE)
    page.goto(f"{server.url}/display")
    expect(page.locator("#hall")).to_have_attribute("data-live", "up")
    kk = page.locator('.queue[data-service="kk"] .queue-number')
    expect(kk).to_have_text(["B001", "B002"])

    kiosk_visit(server, booking=booking["code"], statuses=(201,))  # B003 queues from 07:30: first

    expect(kk.first).to_have_text("B003booking")
    expect(kk.first).to_have_attribute("data-booked", "true")
    expect(kk.nth(1)).to_have_text("B001")
    expect(page.locator("#ticker")).to_contain_text("Nomor bertanda “booking” dipesan secara online")
    tag = page.locator(".queue-booked").evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert tag >= 18, tag  # a word to read from across the hall, smaller than the number it tags


# --- the supervisor's page ---

def booking_rows(page, day: str):
    """The rows of a day's table on the Booking card: [session, service, not yet in, arrived, missed, cancelled]."""
    return page.locator(f'.booking-day[data-date="{day}"] tbody tr')


def test_the_supervisor_sees_todays_and_tomorrows_bookings_by_session_with_totals_live(
        office_with_bookings, browser_pages):
    # Tuesday at 10:00: the 07:30 session is over (missed), the 10:30 one has begun
    server, (missed, first, second, cancelled, wednesday) = office_with_bookings(
        {"service": "kk", "start": "07:30"}, {"service": "kk", "start": "10:30"},
        {"service": "kk", "start": "10:30"}, {"service": "kia", "start": "10:30", "cancel": True},
        {"service": "kia", "date": "2026-12-09", "start": "08:30"}, clock="2026-12-08T10:00:00+07:00")
    kiosk_visit(server, booking=first["code"], statuses=(201,))
    add_account(server, "kepala", "admin", ())
    page = browser_pages.new({"width": 1920, "height": 1080}, timezone_id="Asia/Jakarta")
    page.goto(f"{server.url}/admin")
    log_in(page, "kepala")
    expect(page.locator("#admin")).to_have_attribute("data-live", "up")

    today = page.locator('.booking-day[data-date="2026-12-08"]')
    expect(today.locator("h3")).to_have_text("Hari ini · Selasa, 8 Desember 2026", **TEXT)
    expect(booking_rows(page, "2026-12-08")).to_have_count(3)
    expect(page.locator('tbody[data-slot="07:30"] tr[data-service="kk"] td')).to_have_text(["0", "0", "1", "0"])
    expect(page.locator('tbody[data-slot="10:30"] tr[data-service="kk"] td')).to_have_text(["1", "1", "0", "0"])
    expect(page.locator('tbody[data-slot="10:30"] tr[data-service="kia"] td')).to_have_text(["0", "0", "0", "1"])
    expect(today.locator("tfoot th")).to_have_text("Jumlah (4 booking)", **TEXT)
    expect(today.locator("tfoot td")).to_have_text(["1", "1", "1", "1"])
    tomorrow = page.locator('.booking-day[data-date="2026-12-09"]')
    expect(tomorrow.locator("h3")).to_have_text("Besok · Rabu, 9 Desember 2026", **TEXT)
    expect(tomorrow.locator('tbody[data-slot="08:30"] tr[data-service="kia"]')).to_contain_text(
        "Kartu Identitas Anak", **TEXT)
    expect(tomorrow.locator("tfoot td")).to_have_text(["1", "0", "0", "0"])

    kiosk_visit(server, booking=second["code"], statuses=(201,))  # live: the card follows the check-in
    expect(page.locator('tbody[data-slot="10:30"] tr[data-service="kk"] td')).to_have_text(["0", "2", "0", "0"])
    expect(today.locator("tfoot td")).to_have_text(["0", "2", "1", "1"])
    page.locator("#bookings").evaluate("card => card.scrollIntoView()")
    save_screenshot(page, "admin-bookings.png")
    page.get_by_role("button", name="EN", exact=True).click()
    expect(today.locator("thead th")).to_have_text(
        ["Session", "Service", "Not yet in", "Arrived", "Missed", "Cancelled"], **TEXT)
    assert [booking_status(server, b) for b in (missed, cancelled, wednesday)] == ["missed", "cancelled", "booked"]


def test_without_booking_the_supervisors_page_has_no_booking_card(live_server, browser_pages):
    server = live_server()
    add_account(server, "kepala", "admin", ())
    page = browser_pages.new({"width": 1920, "height": 1080})
    page.goto(f"{server.url}/admin")
    log_in(page, "kepala")
    expect(page.locator("#today-date")).not_to_have_text("")
    expect(page.locator("#bookings")).to_have_count(0)


# --- the call, end to end ---

def test_a_booked_ticket_is_called_on_the_wall_and_on_its_visitors_phone(office_with_bookings, browser_pages):
    """From home to the counter: booked on Monday, checked in on Tuesday at 08:00 for the 07:30
    slot, so it is called before the walk-in who came at 08:00 too; the hall shows and the
    visitor's phone says where to go."""
    server, (booking,) = office_with_bookings({"service": "kk", "start": "07:30"})
    walk_in = kiosk_visit(server, "kk")["ticket"]
    ticket = kiosk_visit(server, booking=booking["code"], statuses=(201,))["ticket"]
    assert ticket["booked"] is True and ticket["position"] == 0
    hall = browser_pages.new(LANDSCAPE)
    hall.goto(f"{server.url}/display")
    expect(hall.locator("#hall")).to_have_attribute("data-live", "up")
    phone = browser_pages.new({"width": 390, "height": 844})
    phone.goto(f"{server.url}{ticket['status_url']}")
    expect(phone.locator("#phone")).to_have_attribute("data-status", "waiting")
    add_account(server, "siti", "staff", (1,))

    called = staff_session(server, "siti").post(f"{server.url}/api/counters/1/call-next", timeout=10).json()
    assert called["ticket"]["number"] == ticket["number"] != walk_in["number"]

    expect(hall.locator("#latest-number")).to_have_text(ticket["number"])
    expect(hall.locator("#latest-counter")).to_have_text("Loket 1")
    expect(phone.locator("#phone")).to_have_attribute("data-status", "called")
    expect(phone.locator("#status-main")).to_have_text("Silakan menuju Loket 1", **TEXT)
    assert booking_status(server, booking) == "checked_in"
