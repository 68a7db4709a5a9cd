"""The counter console in a real browser against the real server (issue 4): a shift of
two staff at two counters, every action by button and by key, emergencies confirmed and
rejected, refusals in the server's words, lost sessions and lost connections. Screenshots
land in docs/screenshots/ for people to look at."""
from __future__ import annotations

import contextlib
import re
import sqlite3

import pytest
import requests
from playwright.sync_api import expect

from browserkit import (TEXT, add_account, assert_console_fits, button, console_action, kiosk_ticket, log_in,
                        office_with_printer, screenshot, staff_session)
from browserkit import patient_expect  # noqa: F401 (an autouse fixture: imported, it applies here)
from conftest import PASSWORD
from queueing import config as configuration

pytestmark = pytest.mark.browser

SMALL = {"width": 1366, "height": 768}
LARGE = {"width": 1920, "height": 1080}


# --- helpers ---

def status_of(server, ticket: dict) -> str:
    return requests.get(f"{server.url}/api/tickets/{ticket['token']}", timeout=10).json()["ticket"]["status"]


def held_by(server, http: requests.Session, counter: int) -> dict:
    """The ticket a counter holds, as its console would load it."""
    return http.get(f"{server.url}/api/counters/{counter}", timeout=10).json()["ticket"]


def at_desk(page, counter: str = "Loket 1") -> None:
    """Wait until the desk of counter is loaded and the live channel is up."""
    expect(page.locator("#console")).to_have_attribute("data-screen", "desk")
    expect(page.locator("#bar-counter")).to_have_text(f" · {counter}", **TEXT)
    expect(page.locator("#waiting-count")).not_to_have_text("")
    expect(page.locator("#console")).to_have_attribute("data-live", "up")


@pytest.fixture
def open_console(browser_pages):
    """Open /counter in a fresh browser context (a PC of its own); optionally log in."""
    def open_(server, user: str | None = None, viewport=SMALL, counter: str = "Loket 1"):
        page = browser_pages.new(viewport)
        page.goto(f"{server.url}/counter")
        if user:
            log_in(page, user)
            at_desk(page, counter)
        return page

    return open_


# --- signing in ---

def test_staff_sign_in_in_indonesian_or_english_and_a_wrong_password_shows_the_servers_words(
        live_server, open_console):
    server = live_server()
    add_account(server, "siti")
    page = open_console(server)
    expect(page.locator("#login-title")).to_have_text("Masuk ke konsol loket", **TEXT)
    screenshot(page, "counter-login.png")

    button(page, "EN").click()
    expect(page.locator("#login-title")).to_have_text("Sign in to the counter console", **TEXT)
    expect(button(page, "Sign in")).to_be_visible()
    button(page, "ID").click()

    log_in(page, "siti", "salah-sekali")
    expect(page.locator("#login-error")).to_have_text("Nama pengguna atau kata sandi salah.", **TEXT)
    expect(page.locator("#console")).to_have_attribute("data-screen", "login")

    page.get_by_label("Kata sandi").fill(PASSWORD)
    button(page, "Masuk").click()
    at_desk(page)  # one counter: no choice to make
    expect(page.locator("#who")).to_have_text("siti", **TEXT)


def test_an_admin_chooses_any_counter_staff_only_their_own_and_the_pc_remembers(live_server, open_console):
    server = live_server()
    add_account(server, "kepala", "admin", ())
    add_account(server, "rina", "staff", (1, 2))
    page = open_console(server)
    log_in(page, "kepala")
    expect(page.locator("#choose-title")).to_have_text("Pilih loket Anda", **TEXT)
    expect(page.locator("#choose button:visible")).to_have_count(5)

    page.locator("#choose button", has_text="Loket 3").click()
    at_desk(page, "Loket 3")
    page.reload()
    at_desk(page, "Loket 3")  # remembered on this PC

    button(page, "Keluar").click()
    log_in(page, "rina")
    expect(page.locator("#choose")).to_be_visible()  # Loket 3 is not hers
    assert page.locator("#choose button:visible .choice-name").all_inner_texts() == ["Loket 1", "Loket 2"]
    page.locator("#choose button", has_text="Loket 2").click()
    at_desk(page, "Loket 2")
    button(page, "Ganti loket").click()
    page.locator("#choose button", has_text="Loket 1").click()
    at_desk(page, "Loket 1")


# --- serving ---

def test_a_ticket_is_called_recalled_started_and_finished_with_its_timer_and_todays_tally(
        live_server, open_console):
    server = live_server()
    add_account(server, "siti")
    first = kiosk_ticket(server, "kk")
    kiosk_ticket(server, "kia", priority="lansia")
    page = open_console(server, "siti")
    expect(page.locator("#waiting .w-number")).to_have_text(["C001", "B001"])  # priority first
    expect(page.locator("#waiting .wait-item").first).to_contain_text("Prioritas: Lansia", **TEXT)
    for name in ("recall", "start", "finish", "finish-next", "no-show", "transfer"):
        expect(console_action(page, name)).to_be_disabled()

    button(page, "Panggil berikutnya").click()
    expect(page.locator("#number")).to_have_text("C001")
    expect(page.locator("#status-badge")).to_have_text("Dipanggil", **TEXT)
    expect(page.locator("#held")).to_contain_text("Kartu Identitas Anak", **TEXT)
    expect(page.locator("#marks")).to_have_text("Prioritas: Lansia", **TEXT)
    expect(page.locator("#clock")).not_to_have_text("00:00", timeout=10000)  # counting since the call
    expect(console_action(page, "call-next")).to_be_disabled()
    expect(console_action(page, "finish")).to_be_disabled()
    expect(page.locator("#waiting .wait-item").first).to_be_disabled()

    button(page, "Panggil ulang").click()
    expect(page.locator("#note")).to_have_text("C001 dipanggil ulang.", **TEXT)
    button(page, "Mulai layani").click()
    expect(page.locator("#status-badge")).to_have_text("Sedang dilayani", **TEXT)
    expect(page.locator("#timer-label")).to_have_text("Lama layanan", **TEXT)
    expect(console_action(page, "recall")).to_be_disabled()
    expect(page.locator("#clock")).not_to_have_text("00:00", timeout=10000)

    button(page, "Selesai & panggil berikutnya").click()  # one press: finish, then call next
    expect(page.locator("#number")).to_have_text("B001")
    expect(page.locator("#note")).to_have_text("C001 selesai. Memanggil B001.", **TEXT)
    button(page, "Mulai layani").click()
    button(page, "Selesai").click()
    expect(page.locator("#idle")).to_contain_text("Belum ada tiket di loket ini", **TEXT)
    expect(page.locator("#today-served")).to_have_text("2")
    expect(page.locator("#today-mean")).to_have_text(re.compile(r"^00:\d\d$"))
    assert status_of(server, first) == "done"


def test_a_visitor_who_does_not_come_is_marked_no_show_and_counted(live_server, open_console):
    server = live_server()
    add_account(server, "siti")
    ticket = kiosk_ticket(server, "kk")
    page = open_console(server, "siti")

    button(page, "Panggil berikutnya").click()
    expect(page.locator("#number")).to_have_text("B001")
    button(page, "Tidak hadir").click()

    expect(page.locator("#note")).to_have_text("B001 ditandai tidak hadir.", **TEXT)
    expect(page.locator("#idle")).to_be_visible()
    expect(page.locator("#today-no-show")).to_have_text("1")
    expect(page.locator("#queue-empty")).to_have_text("Tidak ada yang menunggu.", **TEXT)
    assert status_of(server, ticket) == "no_show"


def test_tapping_a_ticket_in_the_list_calls_that_ticket_out_of_turn(live_server, open_console):
    server = live_server()
    add_account(server, "siti")
    for service in ("kk", "kk", "kia"):
        kiosk_ticket(server, service)
    page = open_console(server, "siti")
    expect(page.locator("#idle-next")).to_have_text("Berikutnya: B001 · Kartu Keluarga", **TEXT)

    page.locator("#waiting .wait-item", has_text="C001").click()

    expect(page.locator("#number")).to_have_text("C001")
    expect(page.locator("#note")).to_have_text("Memanggil C001 ke Loket 1.", **TEXT)
    expect(page.locator("#waiting .w-number")).to_have_text(["B001", "B002"])  # once the desk is read again
    expect(page.locator("#queue-hint")).to_have_text("Selesaikan tiket saat ini untuk memanggil dari daftar.", **TEXT)
    for item in page.locator("#waiting .wait-item").all():
        expect(item).to_be_disabled()


# --- two counters, live ---

def test_two_counters_share_kk_live_and_a_kia_ticket_transferred_to_pindah_arrives_at_counter_2(
        live_server, open_console):
    server = live_server()
    add_account(server, "siti", counters=(1,))  # kk + kia
    add_account(server, "budi", counters=(2,))  # kk + pindah
    for service in ("kk", "kia", "pindah", "kk"):
        kiosk_ticket(server, service)
    one = open_console(server, "siti")
    two = open_console(server, "budi", counter="Loket 2")
    expect(one.locator("#waiting .w-number")).to_have_text(["B001", "C001", "B002"])
    expect(two.locator("#waiting .w-number")).to_have_text(["B001", "D001", "B002"])

    button(one, "Panggil berikutnya").click()
    expect(one.locator("#number")).to_have_text("B001")
    expect(two.locator("#waiting .w-number")).to_have_text(["D001", "B002"])  # gone from counter 2, live
    button(two, "Panggil berikutnya").click()
    expect(two.locator("#number")).to_have_text("D001")

    button(one, "Mulai layani").click()
    button(one, "Selesai").click()
    expect(one.locator("#idle")).to_be_visible()
    button(one, "Panggil berikutnya").click()
    expect(one.locator("#number")).to_have_text("C001")
    button(one, "Alihkan").click()
    expect(one.locator("#transfer")).to_be_visible()
    expect(one.locator("#transfer-title")).to_have_text("Alihkan tiket C001 ke layanan:", **TEXT)
    expect(one.locator(".transfer-option", has_text="Kartu Identitas Anak")).to_be_hidden()  # its own service
    expect(one.locator(".transfer-option", has_text="KTP Elektronik")).to_be_disabled()  # postponed
    one.locator(".transfer-option", has_text="Pindah / Datang").click()

    expect(one.locator("#note")).to_have_text("C001 dialihkan ke Pindah / Datang (Loket 2).", **TEXT)
    expect(one.locator("#idle")).to_be_visible()
    expect(one.locator("#waiting .w-number")).to_have_text(["B002"])
    arrived = two.locator("#waiting .wait-item", has_text="C001")
    expect(arrived).to_contain_text("Pindah / Datang", **TEXT)  # live, no reload
    expect(two.locator("#waiting .w-number")).to_have_text(["C001", "B002"])  # its place by issue time

    button(two, "Mulai layani").click()
    button(two, "Selesai").click()
    expect(two.locator("#idle")).to_be_visible()
    button(two, "Panggil berikutnya").click()
    expect(two.locator("#number")).to_have_text("C001")
    expect(two.locator("#held-service")).to_have_text("Pindah / Datang", **TEXT)
    expect(two.locator("#waiting .w-number")).to_have_text(["B002"])
    expect(one.locator("#waiting .w-number")).to_have_text(["B002"])


def test_a_service_a_window_postpones_today_cannot_be_chosen_in_the_transfer_dialog(live_server, open_console):
    server = live_server()
    add_account(server, "siti")
    add_account(server, "kepala", "admin", ())
    kiosk_ticket(server, "kk")
    page = open_console(server, "siti")
    button(page, "Panggil berikutnya").click()
    expect(page.locator("#number")).to_have_text("B001")
    button(page, "Alihkan").click()
    pindah = page.locator(".transfer-option", has_text="Pindah / Datang")
    expect(pindah).to_be_enabled()
    button(page, "Batal").click()

    today = requests.get(f"{server.url}/api/state", timeout=10).json()["day"]  # the server's day
    added = staff_session(server, "kepala").post(f"{server.url}/api/windows", json={
        "from": today, "until": today, "postponed": ["pindah"], "reference": "Gangguan jaringan SIAK"}, timeout=10)
    assert added.status_code == 201, added.text

    expect(pindah).to_have_attribute("data-postponed", "true")  # live, from the snapshot
    button(page, "Alihkan").click()
    expect(pindah).to_be_disabled()
    expect(pindah).to_contain_text("Sedang ditunda", **TEXT)
    expect(pindah.locator(".option-key")).to_have_text("")
    expect(page.locator(".transfer-option", has_text="Akta Kelahiran")).to_be_enabled()


# --- emergencies ---

def test_a_confirmed_emergency_stays_marked_and_a_rejected_one_ends_redirected_with_the_online_slip_printed(
        live_server, open_console):
    with office_with_printer(live_server) as (server, printer):
        add_account(server, "siti")
        confirmed = kiosk_ticket(server, "kk", reason="bpjs")
        rejected = kiosk_ticket(server, "kia", reason="tni_polri")
        kiosk_ticket(server, "kk", priority="ibu_hamil")
        kiosk_ticket(server, "kk")
        page = open_console(server, "siti")
        expect(page.locator("#waiting .wait-item", has_text="C001")).to_contain_text(
            "Klaim darurat: Pendaftaran TNI/Polri", **TEXT)

        page.locator("#waiting .wait-item", has_text="B001").click()
        expect(page.locator("#claim")).to_contain_text("Klaim darurat: Keperluan BPJS Kesehatan", **TEXT)
        expect(page.locator("#claim")).to_contain_text("Periksa bukti pengunjung", **TEXT)
        expect(page.locator("#waiting .wait-item").first).to_contain_text("Prioritas: Ibu hamil", **TEXT)
        screenshot(page, "counter-emergency.png")
        button(page, "Darurat sah").click()

        expect(page.locator("#claim")).to_be_hidden()
        expect(page.locator("#marks")).to_have_text("Darurat sah: Keperluan BPJS Kesehatan", **TEXT)
        expect(page.locator("#note")).to_have_text("Darurat B001 dinyatakan sah.", **TEXT)
        button(page, "Mulai layani").click()
        button(page, "Selesai").click()
        expect(page.locator("#idle")).to_be_visible()

        page.locator("#waiting .wait-item", has_text="C001").click()
        expect(page.locator("#number")).to_have_text("C001")
        button(page, "Bukan darurat").click()

        expect(page.locator("#status-badge")).to_have_text("Diarahkan ke layanan online", **TEXT)
        expect(page.locator("#redirect")).to_contain_text("C001 bukan darurat", **TEXT)
        expect(page.locator("#redirect")).to_contain_text("layananonline.dukcapil.kemendagri.go.id", **TEXT)
        button(page, "Cetak petunjuk di Kios lobi").click()
        expect(page.locator("#slip-state")).to_have_text(
            "Petunjuk sudah tercetak di Kios lobi. Minta pengunjung mengambilnya.", **TEXT)
        assert any(b"layananonline.dukcapil" in job for job in printer.printed())
        expect(console_action(page, "call-next")).to_be_enabled()
        assert status_of(server, confirmed) == "done"
        assert status_of(server, rejected) == "redirected"


# --- refusals ---

def test_a_refused_action_shows_the_servers_message(live_server, open_console):
    server = live_server()
    add_account(server, "siti")
    page = open_console(server, "siti")
    expect(page.locator("#queue-empty")).to_be_visible()

    button(page, "Panggil berikutnya").click()  # the server is the judge of an empty queue

    expect(page.locator("#note")).to_have_text("Tidak ada antrean untuk Loket 1.", **TEXT)
    expect(page.locator("#note")).to_have_attribute("data-kind", "error")
    expect(page.locator("#idle")).to_be_visible()
    kiosk_ticket(server, "kk")
    expect(page.locator("#waiting .w-number")).to_have_text(["B001"])
    expect(page.locator("#note")).to_have_text("Tidak ada antrean untuk Loket 1.", **TEXT)  # until the next action
    button(page, "Panggil berikutnya").click()
    expect(page.locator("#note")).to_have_text("Memanggil B001 ke Loket 1.", **TEXT)


def test_a_tap_on_a_ticket_another_counter_took_meanwhile_shows_why_and_the_list_catches_up(
        live_server, open_console):
    server = live_server()
    add_account(server, "siti", counters=(1,))
    add_account(server, "budi", counters=(2,))
    kiosk_ticket(server, "kk")
    kiosk_ticket(server, "kk")
    page = open_console(server)
    page.route("**/socket.io/**", lambda route: route.abort())  # no live channel: the list goes stale
    log_in(page, "siti")
    expect(page.locator("#waiting .w-number")).to_have_text(["B001", "B002"])
    expect(page.locator("#link")).to_have_text("Terputus — menyambung ulang…", **TEXT)
    budi = staff_session(server, "budi")
    assert budi.post(f"{server.url}/api/counters/2/call-next", json={}, timeout=10).json()["ticket"]["number"] == "B001"

    page.locator("#waiting .wait-item", has_text="B001").click()

    expect(page.locator("#note")).to_have_text("Tiket B001 sudah dipanggil, tidak bisa dipanggil.", **TEXT)
    expect(page.locator("#note")).to_have_attribute("data-kind", "error")
    expect(page.locator("#waiting .w-number")).to_have_text(["B002"])  # reloaded after the refusal
    expect(page.locator("#idle")).to_be_visible()
    page.unroute("**/socket.io/**")
    expect(page.locator("#link")).to_be_hidden(timeout=15000)  # reconnects by itself
    expect(page.locator("#console")).to_have_attribute("data-live", "up")
    budi.post(f"{server.url}/api/tickets/{held_by(server, budi, 2)['id']}/no-show", json={}, timeout=10)
    kiosk_ticket(server, "kia")
    expect(page.locator("#waiting .w-number")).to_have_text(["B002", "C001"])  # live again


# --- keyboard ---

def test_every_action_has_a_keyboard_shortcut(live_server, open_console):
    server = live_server()
    add_account(server, "siti")
    kiosk_ticket(server, "kk")                       # B001: N U M L
    kiosk_ticket(server, "kk")                       # B002: called by L, then T
    kiosk_ticket(server, "kia", reason="bpjs")       # C001: N D A → pindah
    kiosk_ticket(server, "kk", reason="rumah_sakit")  # B003: N B P
    kiosk_ticket(server, "kk")                       # B004: N M S
    page = open_console(server, "siti")
    keys = page.keyboard
    expect(console_action(page, "call-next").locator("kbd")).to_have_text("N")

    keys.press("n")
    expect(page.locator("#number")).to_have_text("B001")
    keys.press("s")  # not allowed while only called: nothing happens
    keys.press("u")
    expect(page.locator("#note")).to_have_text("B001 dipanggil ulang.", **TEXT)
    expect(page.locator("#status-badge")).to_have_text("Dipanggil", **TEXT)
    keys.press("m")
    expect(page.locator("#status-badge")).to_have_text("Sedang dilayani", **TEXT)
    keys.press("l")
    expect(page.locator("#number")).to_have_text("B002")
    keys.press("t")
    expect(page.locator("#note")).to_have_text("B002 ditandai tidak hadir.", **TEXT)

    keys.press("n")
    expect(page.locator("#number")).to_have_text("C001")
    keys.press("d")
    expect(page.locator("#marks")).to_have_text("Darurat sah: Keperluan BPJS Kesehatan", **TEXT)
    keys.press("a")
    expect(page.locator("#transfer")).to_be_visible()
    keys.press("Escape")
    expect(page.locator("#transfer")).to_be_hidden()
    keys.press("a")
    pindah = page.locator(".transfer-option", has_text="Pindah / Datang")
    keys.press(pindah.locator(".option-key").inner_text())
    expect(page.locator("#note")).to_have_text("C001 dialihkan ke Pindah / Datang (Loket 2).", **TEXT)

    keys.press("n")
    expect(page.locator("#number")).to_have_text("B003")
    keys.press("b")
    expect(page.locator("#redirect")).to_contain_text("B003 bukan darurat", **TEXT)
    keys.press("p")
    expect(page.locator("#slip-state")).to_have_text(
        "Kios lobi tidak memiliki printer. Tunjukkan kode QR ini kepada pengunjung.", **TEXT)

    keys.press("n")
    expect(page.locator("#number")).to_have_text("B004")
    keys.press("m")
    expect(page.locator("#status-badge")).to_have_text("Sedang dilayani", **TEXT)
    keys.press("s")
    expect(page.locator("#idle")).to_be_visible()
    expect(page.locator("#today-served")).to_have_text("2")
    expect(page.locator("#today-no-show")).to_have_text("1")


# --- sessions ---

def test_an_expired_session_sends_the_user_to_the_login_and_the_ticket_in_hand_comes_back(
        live_server, open_console):
    server = live_server()
    add_account(server, "siti")
    kiosk_ticket(server, "kk")
    page = open_console(server, "siti")
    button(page, "Panggil berikutnya").click()
    expect(page.locator("#number")).to_have_text("B001")

    database = configuration.load(server.config).server.database
    with contextlib.closing(sqlite3.connect(database, timeout=10)) as db, db:
        db.execute("UPDATE sessions SET last_seen = '2000-01-01T00:00:00.000000+00:00'")  # 12 h idle and more
    # The next call, whichever it is (this start or a desk refresh still on its way), answers 401.
    page.keyboard.press("m")

    expect(page.locator("#login")).to_be_visible()
    expect(page.locator("#login-note")).to_contain_text("Silakan login kembali", **TEXT)
    expect(page.locator("#login-note")).to_contain_text("Tiket B001 tetap tercatat di Loket 1", **TEXT)
    expect(page.get_by_label("Nama pengguna")).to_have_value("siti")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    button(page, "Masuk").click()

    at_desk(page)
    expect(page.locator("#number")).to_have_text("B001")
    expect(page.locator("#status-badge")).to_have_text("Dipanggil", **TEXT)  # the start was not sent
    button(page, "Mulai layani").click()
    expect(page.locator("#status-badge")).to_have_text("Sedang dilayani", **TEXT)


def test_logging_out_ends_the_session_on_the_server(live_server, open_console):
    server = live_server()
    add_account(server, "siti")
    page = open_console(server, "siti")
    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == "antrian_session")
    assert requests.get(f"{server.url}/api/session", cookies={"antrian_session": cookie}, timeout=10).ok

    button(page, "Keluar").click()

    expect(page.locator("#login")).to_be_visible()
    expect(page.locator("#login-note")).to_have_text("Anda sudah keluar.", **TEXT)
    expect(button(page, "Keluar")).to_be_hidden()
    answer = requests.get(f"{server.url}/api/session", cookies={"antrian_session": cookie}, timeout=10)
    assert answer.status_code == 401
    page.reload()
    expect(page.locator("#login")).to_be_visible()


# --- the connection ---

def test_the_console_says_terputus_while_the_server_is_away_and_resyncs_by_itself(live_server, open_console):
    server = live_server()
    add_account(server, "siti")
    kiosk_ticket(server, "kk")
    page = open_console(server, "siti")
    expect(page.locator("#link")).to_be_hidden()

    server.kill()
    expect(page.locator("#link")).to_have_text("Terputus — menyambung ulang…", **TEXT)
    server.start()
    kiosk_ticket(server, "kia", priority="balita")

    expect(page.locator("#link")).to_be_hidden(timeout=20000)
    expect(page.locator("#waiting .w-number")).to_have_text(["C001", "B001"])
    button(page, "Panggil berikutnya").click()
    expect(page.locator("#number")).to_have_text("C001")


# --- how it looks ---

@pytest.mark.parametrize("viewport, name", [(SMALL, "counter-1366.png"), (LARGE, "counter-1920.png")])
def test_the_console_fits_the_screen_with_big_buttons_and_a_scrolling_list(live_server, open_console,
                                                                           viewport, name):
    server = live_server()
    add_account(server, "siti")
    kiosk_ticket(server, "kk")
    kiosk_ticket(server, "kia", priority="lansia")
    for i in range(14):
        kiosk_ticket(server, ("kk", "kia")[i % 3 == 0], **({"reason": "rumah_sakit"} if i == 4 else {}))
    page = open_console(server, "siti", viewport)
    assert_console_fits(page)

    button(page, "Panggil berikutnya").click()
    expect(page.locator("#number")).to_have_text("C001")
    button(page, "Mulai layani").click()
    expect(page.locator("#status-badge")).to_have_text("Sedang dilayani", **TEXT)
    expect(page.locator("#clock")).not_to_have_text("00:00")
    assert_console_fits(page)
    assert page.eval_on_selector("#waiting", "el => el.scrollHeight > el.clientHeight")  # the list scrolls
    screenshot(page, name)

    button(page, "EN").click()
    expect(button(page, "Finish & call next")).to_be_enabled()
    expect(page.locator("#status-badge")).to_have_text("Being served", **TEXT)
    assert_console_fits(page)
