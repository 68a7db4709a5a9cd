"""The visitor's booking pages (SPEC "Booking ahead"): /booking from service to code, and a
booking's own page /b/<token> with its QR code, its calendar file and cancelling. First the
routes through Flask's test client, then the pages in a real browser against the real server.
Every server runs on a set clock (office time, WIB), whatever the machine's date, hour and zone;
screenshots land in docs/screenshots/ for people to look at."""
from __future__ import annotations

import datetime as dt
import re
import tomllib
import uuid

import pytest
import requests
from playwright.sync_api import expect

import server
from browserkit import TEXT, assert_phone_friendly, kiosk_visit, screenshot
from conftest import CONFIG, FakeClock, office_time, overrides_for
from web.qr import svg_qr

HOURS = {"mon": "07:30-15:00", "tue": "07:30-15:00", "wed": "07:30-15:00", "thu": "07:30-15:00",
         "fri": "07:30-14:00"}
BOOKING = {"days_ahead": 14, "slot_minutes": 60, "per_slot": 3, "late_minutes": 15}
CHRISTMAS = {"mode": "closed", "from": dt.date(2026, 12, 24), "until": dt.date(2026, 12, 25),
             "reference": "Hari Raya Natal"}
OFFICE = {"hours": HOURS, "booking": BOOKING, "admission": {"windows": [CHRISTMAS]}}
MONDAY = "2026-12-07T09:00:00+07:00"
PHONE = {"width": 360, "height": 740}
OFFICE_NAME = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tulungagung"


# --- the routes, through the test client ---

@pytest.fixture
def clock():
    return FakeClock(office_time("2026-12-07", "09:00"))  # Monday


@pytest.fixture
def overrides(database):
    return overrides_for(database, **OFFICE)


def book(client, date="2026-12-08", start="08:30", service="kk") -> dict:
    answer = client.post("/api/bookings", json={"service": service, "date": date, "start": start,
                                                "request_id": uuid.uuid4().hex})
    assert answer.status_code == 201, answer.json
    return answer.json["booking"]


def services_with(**changes) -> list[dict]:
    """The config's services, KTP-el postponed as in every test, each code's changes applied."""
    with open(CONFIG, "rb") as f:
        services = tomllib.load(f)["services"]
    return [{**s, "postponed": s["code"] == "ktp", **changes.get(s["code"], {})} for s in services]


def unfolded(text: str) -> list[str]:
    """An iCalendar file's content lines: CRLF-separated, a line starting with a space continues the last."""
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    physical = text[:-2].split("\r\n")
    assert all(len(line.encode()) <= 75 for line in physical), physical
    lines: list[str] = []
    for line in physical:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def ics_value(text: str) -> str:
    return text.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


def test_the_booking_page_offers_every_service_and_says_why_one_cannot_be_booked(database, clock):
    app = server.create_app(CONFIG, overrides_for(database, **OFFICE, services=services_with(
        informasi={"bookable": False})), clock=clock)
    try:
        page = app.test_client().get("/booking")
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "Pilih layanan" in html and "Choose a service" in html
        assert re.search(r'data-service="kk"[^>]*>', html) and "KK baru, perubahan data, cetak ulang" in html
        assert re.search(r'data-service="ktp"[^>]* disabled data-why="postponed"', html)  # KTP-el postponed
        assert re.search(r'data-service="informasi"[^>]* disabled data-why="unbookable"', html)
        assert not re.search(r'data-service="kk"[^>]* disabled', html)
        assert "Sedang ditunda: belum dapat dibooking" in html and "silakan datang langsung" in html
    finally:
        app.extensions["store"].close()


def test_without_booking_the_booking_page_says_so_and_the_home_page_does_not_offer_it(database, clock):
    app = server.create_app(CONFIG, overrides_for(database, hours=HOURS), clock=clock)
    try:
        client = app.test_client()
        page = client.get("/booking")
        assert page.status_code == 404 and page.mimetype == "text/html"
        assert "Booking antrean tidak tersedia" in page.get_data(as_text=True)
        assert "/booking" not in client.get("/").get_data(as_text=True)
    finally:
        app.extensions["store"].close()


def test_the_home_page_offers_the_booking_page_when_booking_is_on(client):
    assert 'href="/booking"' in client.get("/").get_data(as_text=True)


def test_a_bookings_qr_code_holds_its_pages_full_address_and_an_unknown_token_is_404(client):
    booking = book(client)
    answer = client.get(f"/b/{booking['token']}/qr.svg")
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    assert answer.data == svg_qr(f"http://localhost/b/{booking['token']}").get_data()
    unknown = client.get("/b/no-such-token/qr.svg")
    assert (unknown.status_code, unknown.json["error"]) == (404, "booking_not_found")


def test_the_calendar_file_holds_one_event_at_the_slots_time_with_the_code_and_the_link(client):
    booking = book(client)  # Tuesday 8 December 2026, 08:30-09:30 WIB
    answer = client.get(f"/b/{booking['token']}.ics")
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    assert answer.headers["Content-Disposition"] == f'attachment; filename="antrean-{booking["code"]}.ics"'
    lines = unfolded(answer.get_data(as_text=True))
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"] and lines[-1] == "END:VCALENDAR"
    event = lines[lines.index("BEGIN:VEVENT") + 1:lines.index("END:VEVENT")]
    fields = dict(line.split(":", 1) for line in event)
    assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION"} <= set(fields)
    assert booking["code"] in fields["UID"] and "@" in fields["UID"]
    assert (fields["DTSTART"], fields["DTEND"]) == ("20261208T013000Z", "20261208T023000Z")  # 08:30 WIB = 01:30 UTC
    assert fields["DTSTAMP"].startswith("20261207T02")  # the server's clock, Monday 09:xx WIB
    assert ics_value(fields["SUMMARY"]) == f"Antrean Kartu Keluarga — {OFFICE_NAME}"
    description = ics_value(fields["DESCRIPTION"])
    assert f"Kode booking: {booking['code']}" in description
    assert f"http://localhost/b/{booking['token']}" in description
    assert fields["STATUS"] == "CONFIRMED"


def test_an_unknown_booking_gets_a_page_that_says_so_and_its_calendar_file_is_404(client):
    page = client.get("/b/no-such-token")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "Booking tidak ditemukan" in page.get_data(as_text=True)
    assert client.get("/b/no-such-token.ics").status_code == 404


def test_a_booking_page_says_its_state_code_day_and_time(client):
    booking = book(client)
    html = client.get(f"/b/{booking['token']}").get_data(as_text=True)
    assert 'data-status="booked"' in html and "Selasa, 8 Desember 2026" in html and "Tuesday, 8 December 2026" in html
    assert "pukul 08.30–09.30 WIB" in html and "Check-in paling lambat pukul 09.45." in html
    assert " ".join(booking["code"]) in html  # spelt out for a screen reader
    client.post(f"/api/bookings/{booking['token']}/cancel")
    assert 'data-status="cancelled"' in client.get(f"/b/{booking['token']}").get_data(as_text=True)


def test_both_pages_carry_the_content_policy_and_leak_no_token_in_a_referer(client):
    booking = book(client)
    for path in ("/booking", booking["status_url"]):
        response = client.get(path)
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'"), path
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        assert response.headers["Cache-Control"] == "no-store", path


def test_a_booking_made_before_booking_was_turned_off_keeps_its_page(database, clock, client):
    booking = book(client)
    app = server.create_app(CONFIG, overrides_for(database, hours=HOURS), clock=clock)
    try:
        page = app.test_client().get(f"/b/{booking['token']}")
        assert page.status_code == 200 and booking["code"] in page.get_data(as_text=True)
    finally:
        app.extensions["store"].close()


# --- the pages, in a real browser against the real server ---

@pytest.fixture
def open_page(browser_pages):
    """Open a path of a server on a phone-sized page (a PC's with viewport=)."""
    def open_(server, path: str, viewport=PHONE, timezone_id: str = "Asia/Jakarta"):
        page = browser_pages.new(viewport, timezone_id=timezone_id)
        page.goto(server.url + path)
        return page

    return open_


def api_book(server, date="2026-12-08", start="08:30", service="kk") -> dict:
    answer = requests.post(f"{server.url}/api/bookings", timeout=10, json={
        "service": service, "date": date, "start": start, "request_id": uuid.uuid4().hex})
    assert answer.status_code == 201, answer.text
    return answer.json()["booking"]


def api_booking(server, token: str) -> dict:
    return requests.get(f"{server.url}/api/bookings/{token}", timeout=10).json()["booking"]


def places_left(server, date: str, start: str, service="kk") -> int:
    answer = requests.get(f"{server.url}/api/booking/slots", params={"service": service}, timeout=10).json()
    day = next(d for d in answer["days"] if d["date"] == date)
    return next(s["left"] for s in day["slots"] if s["start"] == start)


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def day_button(page, words: str):
    return page.locator("#days button", has_text=words)


def slot_button(page, time: str):
    return page.locator("#slots button", has_text=time)


def choose_until_confirm(page, service: str, day: str, time: str) -> None:
    button(page, service).click()
    day_button(page, day).click()
    slot_button(page, time).click()
    expect(page.locator("#confirm-title")).to_be_focused()


@pytest.mark.browser
def test_a_visitor_books_on_a_phone_from_service_to_code(live_server, open_page):
    server = live_server(OFFICE, clock=MONDAY)
    # A phone set to another zone still sees the office's days.
    page = open_page(server, "/booking", timezone_id="America/Los_Angeles")
    expect(page.locator("#service-title")).to_have_text("Pilih layanan", **TEXT)
    assert_phone_friendly(page)

    button(page, "Kartu Keluarga KK baru, perubahan data, cetak ulang").click()
    expect(page.locator("#day-title")).to_be_focused()
    expect(page.locator("#days button").first).to_have_text(re.compile("^Selasa, 8 Desember 2026"), **TEXT)
    expect(day_button(page, "Sabtu, 12 Desember 2026")).to_be_disabled()
    assert_phone_friendly(page)

    page.get_by_role("button", name="Selasa, 8 Desember 2026 8 sesi tersedia").click()  # as a screen reader says it
    expect(page.locator("#slot-title")).to_be_focused()
    expect(page.locator("#slot-chosen")).to_have_text("Kartu Keluarga · Selasa, 8 Desember 2026", **TEXT)
    expect(page.locator("#slots button")).to_have_count(8)  # 07:30 to 15:00, the last cut by closing
    expect(slot_button(page, "14.30–15.00 WIB")).to_have_text(re.compile("Sisa 3 tempat"), **TEXT)
    assert_phone_friendly(page)

    slot_button(page, "08.30–09.30 WIB").click()
    expect(page.locator("#confirm-title")).to_be_focused()
    expect(page.locator("#confirm-time")).to_have_text("pukul 08.30–09.30 WIB", **TEXT)
    expect(page.locator("#confirm-note")).to_contain_text("paling lambat pukul 09.45", **TEXT)
    button(page, "Booking sekarang").click()

    expect(page.locator("#done-title")).to_be_focused()
    code = page.locator("#booking").get_attribute("data-code")
    assert re.fullmatch(r"[23456789A-HJ-NP-Z]{6}", code)
    expect(page.locator("#done-code")).to_have_text(code)
    expect(page.locator("#done-code-spoken")).to_have_text(" ".join(code))
    expect(page.locator("#done-date")).to_have_text("Selasa, 8 Desember 2026", **TEXT)
    expect(page.locator("#done-time")).to_have_text("pukul 08.30–09.30 WIB (check-in paling lambat 09.45)", **TEXT)
    expect(page.locator("#done-bring")).to_contain_text("KK baru, perubahan data, cetak ulang", **TEXT)
    status_url = page.locator("#done-link").get_attribute("href")
    expect(page.locator("#done-url")).to_have_text(server.url + status_url)
    expect(page.locator("#done-qr")).to_have_attribute("src", f"{status_url}/qr.svg")
    assert page.locator("#done-qr").evaluate("img => img.complete && img.naturalWidth > 0")
    assert_phone_friendly(page)
    screenshot(page, "booking-phone.png")

    booking = api_booking(server, status_url.removeprefix("/b/"))
    assert (booking["code"], booking["service"], booking["date"], booking["start"], booking["status"]) == \
        (code, "kk", "2026-12-08", "08:30", "booked")
    assert places_left(server, "2026-12-08", "08:30") == 2

    page.locator("#done-link").click()
    expect(page.locator("#state-title")).to_have_text("Booking berlaku", **TEXT)


@pytest.mark.browser
def test_a_full_slot_and_a_full_day_are_shown_full_and_a_slot_taken_meanwhile_is_explained(live_server, open_page):
    server = live_server(OFFICE, clock=MONDAY)
    for _ in range(3):
        api_book(server, "2026-12-08", "08:30")
    for start in ("07:30", "08:30", "09:30", "10:30", "11:30", "12:30", "13:30", "14:30"):
        for _ in range(3):
            api_book(server, "2026-12-09", start)  # Wednesday: every place taken
    page = open_page(server, "/booking")
    button(page, "Kartu Keluarga KK baru, perubahan data, cetak ulang").click()
    wednesday = day_button(page, "Rabu, 9 Desember 2026")
    expect(wednesday).to_be_disabled()
    expect(wednesday).to_have_text(re.compile("Penuh$"), **TEXT)

    day_button(page, "Selasa, 8 Desember 2026").click()
    full = slot_button(page, "08.30–09.30 WIB")
    expect(full).to_be_disabled()
    expect(full).to_have_text(re.compile("Penuh$"), **TEXT)
    screenshot(page, "booking-slots.png")

    slot_button(page, "09.30–10.30 WIB").click()
    for _ in range(3):
        api_book(server, "2026-12-08", "09:30")  # someone else is quicker
    button(page, "Booking sekarang").click()
    expect(page.locator("#notice")).to_have_text(
        "Maaf, jam 09.30–10.30 WIB baru saja penuh. Daftar jam sudah diperbarui: silakan pilih jam lain.", **TEXT)
    expect(page.locator("#slot-title")).to_be_focused()
    expect(slot_button(page, "09.30–10.30 WIB")).to_be_disabled()
    slot_button(page, "10.30–11.30 WIB").click()
    expect(page.locator("#notice")).to_be_hidden()
    button(page, "Booking sekarang").click()
    expect(page.locator("#done-title")).to_be_focused()
    assert places_left(server, "2026-12-08", "10:30") == 2


@pytest.mark.browser
def test_holidays_weekends_and_a_postponed_service_say_why_they_cannot_be_booked(live_server, open_page):
    server = live_server(OFFICE, clock="2026-12-21T09:00:00+07:00")  # the Monday before Christmas
    page = open_page(server, "/booking")
    ktp = page.locator('[data-service="ktp"]')
    expect(ktp).to_be_disabled()
    expect(ktp).to_contain_text("Sedang ditunda", **TEXT)

    button(page, "Akta Kelahiran Akta kelahiran baru dan kutipan kedua").click()
    for day, reason in [("Kamis, 24 Desember 2026", "Kantor tutup: Hari Raya Natal"),
                        ("Jumat, 25 Desember 2026", "Kantor tutup: Hari Raya Natal"),
                        ("Sabtu, 26 Desember 2026", "Kantor tutup"),
                        ("Minggu, 27 Desember 2026", "Kantor tutup")]:
        closed = day_button(page, day)
        expect(closed).to_be_disabled()
        expect(closed).to_have_text(f"{day}\n{reason}", **TEXT)
    expect(day_button(page, "Rabu, 23 Desember 2026")).to_be_enabled()

    button(page, "English").click()
    expect(day_button(page, "25 December 2026")).to_contain_text("Office closed: Hari Raya Natal", **TEXT)


@pytest.mark.browser
def test_too_many_bookings_from_one_device_are_refused_with_the_wait(live_server, open_page):
    server = live_server({**OFFICE, "limits": {"bookings_per_address": "1/hour"}}, clock=MONDAY)
    api_book(server)  # this address's one booking of the hour
    page = open_page(server, "/booking")
    choose_until_confirm(page, "Kartu Keluarga KK baru, perubahan data, cetak ulang", "Selasa, 8 Desember 2026",
                         "09.30–10.30 WIB")
    button(page, "Booking sekarang").click()
    expect(page.locator("#notice")).to_contain_text("Terlalu banyak booking dari perangkat ini", **TEXT)
    expect(page.locator("#notice")).to_contain_text("lagi", **TEXT)
    button(page, "English").click()
    expect(page.locator("#notice")).to_have_text(
        re.compile(r"^Too many bookings from this device\. Please try again in \d+ minutes\.$"), **TEXT)
    expect(page.locator("#confirm-title")).to_be_visible()  # the choice stays, to send again later


@pytest.mark.browser
def test_a_booking_is_cancelled_from_its_page_only_after_confirming_and_its_place_is_free_again(
        live_server, open_page):
    server = live_server(OFFICE, clock=MONDAY)
    booking = api_book(server)
    assert places_left(server, "2026-12-08", "08:30") == 2
    page = open_page(server, booking["status_url"])
    expect(page.locator("#state-title")).to_have_text("Booking berlaku", **TEXT)
    expect(page.locator(".code")).to_have_text(booking["code"])
    expect(page.locator("#date")).to_have_text("Selasa, 8 Desember 2026", **TEXT)
    expect(page.locator("#time")).to_have_text("pukul 08.30–09.30 WIB", **TEXT)
    expect(page.locator("#service")).to_have_text("Kartu Keluarga", **TEXT)
    assert page.locator(".qr").evaluate("img => img.complete && img.naturalWidth > 0")
    assert_phone_friendly(page)
    screenshot(page, "booking-status.png")

    button(page, "Batalkan booking").click()
    expect(page.locator("#cancel-title")).to_be_focused()
    button(page, "Tidak, simpan booking").click()
    expect(page.locator("#cancel-confirm")).to_be_hidden()
    expect(button(page, "Batalkan booking")).to_be_focused()
    assert api_booking(server, booking["token"])["status"] == "booked"

    button(page, "Batalkan booking").click()
    button(page, "Ya, batalkan").click()
    expect(page.locator("#state-title")).to_have_text("Booking dibatalkan", **TEXT)
    expect(page.locator("#state-title")).to_be_focused()
    expect(button(page, "Batalkan booking")).to_be_hidden()
    expect(page.get_by_role("link", name="Buat booking baru")).to_be_visible()
    assert api_booking(server, booking["token"])["status"] == "cancelled"
    assert places_left(server, "2026-12-08", "08:30") == 3

    page.reload()
    expect(page.locator("#state-title")).to_have_text("Booking dibatalkan", **TEXT)


@pytest.mark.browser
def test_a_checked_in_booking_shows_its_queue_number_and_links_to_its_ticket_page(live_server, open_page):
    server = live_server(OFFICE, clock=MONDAY)
    booking = api_book(server)  # Tuesday 08:30
    server.kill()
    server = live_server(OFFICE, clock="2026-12-08T08:00:00+07:00")  # the same database, on the day
    ticket = kiosk_visit(server, booking=booking["code"])["ticket"]
    page = open_page(server, booking["status_url"])
    expect(page.locator("#state-title")).to_have_text("Sudah check-in", **TEXT)
    expect(page.locator("#ticket-number")).to_have_text(ticket["number"])
    expect(button(page, "Batalkan booking")).to_be_hidden()
    page.get_by_role("link", name="Lihat nomor antrean Anda").click()
    expect(page).to_have_url(server.url + ticket["status_url"])
    expect(page.locator("#number")).to_have_text(ticket["number"])


@pytest.mark.browser
def test_english_is_one_tap_away_on_both_pages_and_the_device_remembers_it(live_server, open_page):
    server = live_server(OFFICE, clock=MONDAY)
    page = open_page(server, "/booking")
    button(page, "English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#service-title")).to_have_text("Choose a service", **TEXT)
    button(page, "Family card (KK) New family card, changes, reprint").click()
    expect(page.locator("#day-title")).to_have_text("Choose a day", **TEXT)
    expect(page.locator("#days button").first).to_have_text(
        "Tuesday, 8 December 2026\n8 times available", **TEXT)
    expect(day_button(page, "12 December 2026")).to_have_text(re.compile("Office closed$"), **TEXT)
    day_button(page, "Tuesday, 8 December 2026").click()
    slot_button(page, "08.30–09.30 WIB").click()
    expect(page.locator("#confirm-note")).to_contain_text("by 09.45 at the latest", **TEXT)
    button(page, "Book now").click()
    expect(page.locator("#done-title")).to_have_text("You are booked", **TEXT)
    status_url = page.locator("#done-link").get_attribute("href")

    page.goto(server.url + status_url)  # the same device: still English
    expect(page.locator("#state-title")).to_have_text("Your booking stands", **TEXT)
    expect(page.locator("#date")).to_have_text("Tuesday, 8 December 2026", **TEXT)
    button(page, "Bahasa Indonesia").click()
    expect(page.locator("#state-title")).to_have_text("Booking berlaku", **TEXT)


@pytest.mark.browser
def test_save_to_calendar_downloads_the_booking_as_an_event(live_server, open_page):
    server = live_server(OFFICE, clock=MONDAY)
    page = open_page(server, "/booking")
    choose_until_confirm(page, "Kartu Keluarga KK baru, perubahan data, cetak ulang", "Jumat, 11 Desember 2026",
                         "13.30–14.00 WIB")  # Friday's last slot, cut short by closing at 14:00
    button(page, "Booking sekarang").click()
    expect(page.locator("#done-title")).to_be_focused()
    code = page.locator("#booking").get_attribute("data-code")
    with page.expect_download() as download:
        page.get_by_role("link", name="Simpan ke kalender").click()
    assert download.value.suggested_filename == f"antrean-{code}.ics"
    fields = dict(line.split(":", 1) for line in unfolded(download.value.path().read_bytes().decode()))
    assert (fields["DTSTART"], fields["DTEND"]) == ("20261211T063000Z", "20261211T070000Z")
    assert f"Kode booking: {code}" in ics_value(fields["DESCRIPTION"])
    assert ics_value(fields["SUMMARY"]) == f"Antrean Kartu Keluarga — {OFFICE_NAME}"
