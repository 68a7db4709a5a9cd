"""The service calendar on the supervisor's page (issue 18), in a real browser against the
real server: an admin adds a closed day, an emergency-only period or a postponement and
deletes the office's own windows, an open kiosk follows at once, the config's windows are
read-only, the API's refusal is shown in its own sentence, another admin's change arrives
live, and the daily report says whether the office was open that day. Every date is the
server's set clock's, whatever the machine's date and hour."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import requests
from playwright.sync_api import expect

from browserkit import TEXT, add_account, open_path, screenshot, signed_in, staff_session
from conftest import PASSWORD

LARGE = {"width": 1920, "height": 1080}
MONDAY = "2026-12-07T09:00:00+07:00"
CHRISTMAS_EVE = "2026-12-24T09:00:00+07:00"  # a Thursday
HOURS = {"mon": "07:30-15:00", "tue": "07:30-15:00", "wed": "07:30-15:00", "thu": "07:30-15:00",
         "fri": "07:30-14:00"}
CONFIG_WINDOWS = [
    {"mode": "emergency_only", "postponed": ["ktp"], "from": dt.date(2020, 3, 18), "until": dt.date(2020, 4, 7),
     "reference": "Surat Edaran Sekda 470/318/105/2020"},
    {"mode": "closed", "from": dt.date(2026, 12, 24), "until": dt.date(2026, 12, 24),
     "reference": "Cuti Bersama Hari Raya Natal"},
    {"mode": "closed", "from": dt.date(2026, 12, 25), "until": dt.date(2026, 12, 25), "reference": "Hari Raya Natal"},
]


def office_with_a_calendar(live_server, clock: str):
    """A server on the office's week and holidays, its clock at `clock`, with admin kepala."""
    server = live_server({"hours": HOURS, "admission": {"windows": CONFIG_WINDOWS}}, clock=clock)
    add_account(server, "kepala", "admin", ())
    return server


@pytest.fixture
def open_page(browser_pages):
    """Open a path of a server in a fresh browser context (a kiosk page enrolled as a kiosk)."""
    def open_(server, path: str = "/admin"):
        return open_path(browser_pages, server, path, LARGE)

    return open_


def form(page):
    return page.locator("#window-form")


def window_item(page, reference: str):
    return page.locator("#calendar li.window", has_text=reference)


def listed_windows(server) -> list[dict]:
    return staff_session(server, "kepala").get(f"{server.url}/api/windows", timeout=10).json()["windows"]


def is_open(server) -> bool:
    return requests.get(f"{server.url}/api/state", timeout=10).json()["open"]


@pytest.mark.browser
def test_a_holiday_added_for_today_closes_the_open_kiosk_at_once_and_deleting_it_opens_it_again(
        live_server, open_page):
    server = office_with_a_calendar(live_server, MONDAY)
    kiosk = open_page(server, "/kiosk/lobby")
    expect(kiosk.locator("#kiosk")).to_have_attribute("data-live", "up")
    expect(kiosk.locator("#mode")).to_have_attribute("data-mode", "normal")
    expect(kiosk.locator("#start .services")).to_be_visible()
    page = open_page(server)
    signed_in(page)
    expect(page.locator("#window-from")).to_have_value("2026-12-07")  # the server's today
    expect(page.locator("#window-until")).to_have_value("2026-12-07")

    form(page).get_by_label("Kantor tutup").check()
    form(page).get_by_label("Keterangan").fill("Hari Berkabung Nasional")
    form(page).get_by_role("button", name="Tambahkan").click()

    added = window_item(page, "Hari Berkabung Nasional")
    expect(added).to_contain_text("Senin, 7 Desember 2026", **TEXT)
    expect(added.locator(".window-does")).to_have_text("Tutup", **TEXT)
    expect(added).to_contain_text("Berlaku hari ini", **TEXT)
    expect(added.locator(".window-meta")).to_contain_text("Ditambahkan oleh kepala, Senin, 7 Desember 2026", **TEXT)
    expect(added.locator(".window-meta")).to_contain_text(re.compile(r"09\.0\d WIB"), **TEXT)  # the server's clock
    expect(page.locator("#window-note")).to_contain_text("Ditambahkan: Tutup, Senin, 7 Desember 2026", **TEXT)
    expect(page.locator("#window-reference")).to_have_value("")
    # The kiosk hears of it without a reload: its closed screen has no service button to press.
    expect(kiosk.locator("#mode")).to_have_attribute("data-mode", "closed")
    expect(kiosk.locator("#start .services")).to_be_hidden()
    expect(kiosk.locator("#start")).to_contain_text("Hari Berkabung Nasional")
    assert is_open(server) is False
    expect(page.locator("#mode-name")).to_contain_text("Tutup", **TEXT)
    expect(page.locator("#mode-why")).to_contain_text("Sesuai kalender pelayanan (ditambahkan kantor): Hari Berkabung Nasional", **TEXT)
    expect(page.locator("#mode-history li").first).to_contain_text(
        "kepala menambah Tutup 7 Des 2026: Hari Berkabung Nasional", **TEXT)

    added.get_by_role("button", name="Hapus").click()
    expect(added.locator(".window-confirm")).to_be_visible()
    assert is_open(server) is False  # nothing yet
    added.get_by_role("button", name="Ya, hapus").click()

    expect(added).to_have_count(0)
    expect(page.locator("#calendar-note")).to_have_text("Dihapus: Hari Berkabung Nasional, Senin, 7 Desember 2026.", **TEXT)
    expect(kiosk.locator("#mode")).to_have_attribute("data-mode", "normal")
    assert is_open(server) is True
    expect(page.locator("#mode-history li").first).to_contain_text(
        "kepala menghapus Tutup 7 Des 2026: Hari Berkabung Nasional", **TEXT)
    assert [w["source"] for w in listed_windows(server)] == ["config"] * 3


@pytest.mark.browser
def test_the_configs_windows_are_read_only_and_another_admins_window_appears_live(live_server, open_page):
    server = office_with_a_calendar(live_server, MONDAY)
    add_account(server, "wakil", "admin", ())
    page = open_page(server)
    signed_in(page)

    christmas = window_item(page, "Hari Raya Natal").last
    expect(christmas).to_contain_text("Jumat, 25 Desember 2026", **TEXT)
    expect(christmas).to_contain_text("dari berkas konfigurasi", **TEXT)
    expect(page.locator("#calendar li.window[data-source=config] button")).to_have_count(0)
    expect(page.locator("#calendar-list li.window")).to_have_count(2)  # 24 and 25 December
    expect(page.locator("#calendar-past-count")).to_have_text("Sudah lewat (1)", **TEXT)
    expect(page.locator("#calendar-past-list")).to_be_hidden()
    page.locator("#calendar-past-count").click()
    expect(page.locator("#calendar-past-list")).to_contain_text(
        "Rabu, 18 Maret 2020 s.d. Selasa, 7 April 2020", **TEXT)
    expect(page.locator("#calendar-past-list")).to_contain_text("Hanya darurat", **TEXT)
    expect(page.locator("#calendar-past-list")).to_contain_text("Ditunda: KTP Elektronik", **TEXT)

    other = staff_session(server, "wakil")  # another admin, on another PC
    answer = other.post(f"{server.url}/api/windows", timeout=10, json={
        "from": "2026-12-14", "until": "2026-12-18", "mode": "emergency_only", "postponed": ["kia", "akta_lahir"],
        "reference": "Surat Edaran 470/12/2026"})
    assert answer.status_code == 201

    theirs = window_item(page, "Surat Edaran 470/12/2026")
    expect(theirs).to_contain_text("Senin, 14 Desember 2026 s.d. Jumat, 18 Desember 2026", **TEXT)
    expect(theirs.locator(".window-does")).to_contain_text("Hanya darurat", **TEXT)
    expect(theirs.locator(".window-does")).to_contain_text("Ditunda: Kartu Identitas Anak, Akta Kelahiran", **TEXT)
    expect(theirs).to_contain_text("Ditambahkan oleh wakil", **TEXT)
    expect(page.locator("#calendar-list li.window").first).to_have_attribute("data-window", str(answer.json()["window"]["id"]))
    expect(page.locator("#mode-history li").first).to_contain_text("wakil menambah Hanya darurat", **TEXT)

    page.get_by_role("button", name="EN", exact=True).click()
    expect(theirs.locator(".window-does")).to_contain_text("Postponed: Child ID card (KIA), Birth certificate", **TEXT)
    expect(christmas).to_contain_text("from the configuration file", **TEXT)


@pytest.mark.browser
def test_a_window_ending_before_it_starts_shows_the_apis_sentence_and_nothing_is_added(live_server, open_page):
    server = office_with_a_calendar(live_server, MONDAY)
    page = open_page(server)
    signed_in(page)
    expect(page.locator("#calendar-list li.window")).to_have_count(2)

    form(page).get_by_label("Dari").fill("2026-12-10")
    expect(page.locator("#window-until")).to_have_value("2026-12-10")  # until follows from
    form(page).get_by_label("Sampai").fill("2026-12-09")
    form(page).get_by_label("Keterangan").fill("Rapat kerja")
    form(page).get_by_role("button", name="Tambahkan").click()

    expect(page.locator("#window-note")).to_have_text("Tanggal 'until' tidak boleh sebelum tanggal 'from'.", **TEXT)
    expect(page.locator("#window-note")).to_have_attribute("data-kind", "error")
    expect(page.locator("#window-reference")).to_have_value("Rapat kerja")  # kept, to be corrected
    assert [w["source"] for w in listed_windows(server)] == ["config"] * 3
    expect(page.locator("#calendar-list li.window")).to_have_count(2)

    form(page).get_by_label("Mode tidak berubah").check()  # neither a mode nor a service
    form(page).get_by_label("Sampai").fill("2026-12-10")
    form(page).get_by_role("button", name="Tambahkan").click()
    expect(page.locator("#window-note")).to_have_text("Isi mode, layanan yang ditunda, atau keduanya.", **TEXT)
    assert len(listed_windows(server)) == 3


@pytest.mark.browser
def test_counter_staff_see_no_calendar_on_the_admin_page(live_server, open_page):
    server = office_with_a_calendar(live_server, MONDAY)
    add_account(server, "siti", "staff", (1,))
    page = open_page(server)
    assert page.request.post(f"{server.url}/api/login", data={"username": "siti", "password": PASSWORD}).ok
    page.goto(f"{server.url}/admin")

    expect(page.locator("#refused")).to_be_visible()
    expect(page.locator("#calendar")).to_be_hidden()
    expect(page.locator("#window-form")).to_be_hidden()
    assert page.request.get(f"{server.url}/api/windows").status == 403


@pytest.mark.browser
def test_the_daily_report_marks_a_closed_day_with_its_reason_and_an_open_day_with_its_hours(
        live_server, open_page):
    server = office_with_a_calendar(live_server, CHRISTMAS_EVE)
    staff_session(server, "kepala").post(f"{server.url}/api/windows", timeout=10, json={
        "from": "2026-12-23", "until": "2026-12-23", "mode": "emergency_only", "reference": "Surat Edaran 470/12/2026"})
    page = open_page(server)
    signed_in(page)
    day = page.locator("#report-day")

    expect(page.locator("#report-date")).to_have_value("2026-12-24")
    expect(day).to_have_attribute("data-state", "closed")
    expect(page.locator("#report-day-state")).to_have_text("Kantor tutup: Cuti Bersama Hari Raya Natal", **TEXT)
    expect(page.locator("#report-day-hours")).to_be_hidden()

    page.get_by_role("button", name="‹ Sebelumnya").click()
    expect(page.locator("#report-date")).to_have_value("2026-12-23")
    expect(day).to_have_attribute("data-state", "emergency_only")
    expect(page.locator("#report-day-state")).to_contain_text("Hanya darurat", **TEXT)
    expect(page.locator("#report-day-hours")).to_have_text("Jam layanan: 07.30–15.00.", **TEXT)

    page.get_by_role("button", name="‹ Sebelumnya").click()
    expect(day).to_have_attribute("data-state", "open")
    expect(page.locator("#report-day-state")).to_have_text("Kantor buka", **TEXT)
    expect(page.locator("#report-day-hours")).to_have_text("Jam layanan: 07.30–15.00.", **TEXT)
    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("#report-day-hours")).to_have_text("Service hours: 07:30–15:00.", **TEXT)

    page.locator("#report-date").fill("2026-12-20")  # a Sunday
    expect(day).to_have_attribute("data-state", "closed")
    expect(page.locator("#report-day-state")).to_have_text("Office closed: no service hours", **TEXT)
    page.get_by_role("button", name="ID", exact=True).click()
    expect(page.locator("#report-day-state")).to_have_text("Kantor tutup: Tidak ada jam layanan", **TEXT)


@pytest.mark.browser
def test_the_calendar_card_with_a_few_windows_is_photographed(live_server, open_page):
    server = office_with_a_calendar(live_server, MONDAY)
    staff_session(server, "kepala").post(f"{server.url}/api/windows", timeout=10, json={
        "from": "2026-12-07", "until": "2026-12-11", "mode": "emergency_only", "postponed": ["kia"],
        "reference": "Surat Edaran Kepala Dinas 470/1021/2026"})
    page = open_page(server)
    signed_in(page)

    form(page).get_by_label("Mode tidak berubah").check()  # a postponement only, from the form
    form(page).get_by_label("Akta Kelahiran").check()
    form(page).get_by_label("Dari").fill("2026-12-14")
    form(page).get_by_label("Sampai").fill("2026-12-18")
    form(page).get_by_label("Keterangan").fill("Blangko akta kelahiran habis")
    form(page).get_by_role("button", name="Tambahkan").click()

    postponed = window_item(page, "Blangko akta kelahiran habis")
    expect(postponed.locator(".window-does")).to_have_text("Ditunda: Akta Kelahiran", **TEXT)
    stored = [w for w in listed_windows(server) if w["reference"] == "Blangko akta kelahiran habis"]
    assert [(w["mode"], w["postponed"], w["from"], w["until"]) for w in stored] == [
        (None, ["akta_lahir"], "2026-12-14", "2026-12-18")]
    expect(form(page).get_by_label("Akta Kelahiran")).not_to_be_checked()  # the form starts again
    expect(form(page).get_by_label("Kantor tutup")).to_be_checked()
    expect(page.locator("#window-from")).to_have_value("2026-12-07")
    form(page).get_by_label("Sampai").fill("2026-12-08")
    expect(page.locator("#window-span")).to_have_text("Senin, 7 Desember 2026 s.d. Selasa, 8 Desember 2026 (2 hari)", **TEXT)
    page.locator("#calendar-past-count").click()
    page.set_viewport_size({"width": 1920, "height": 1440})  # the whole card, form and past window too
    page.evaluate("document.getElementById('calendar').scrollIntoView()")
    screenshot(page, "admin-calendar.png")
