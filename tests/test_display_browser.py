"""The hall display and the visitor's phone page in a real browser against the real server
(issue 5): calls on the wall within a second, spoken one at a time and never twice, the
screen right again after a server restart, the phone told which counter to go to.
Screenshots land in docs/screenshots/ for people to look at."""
from __future__ import annotations

import datetime as dt
import http.cookiejar
import json
import re
import time
import tomllib
import urllib.request
from contextlib import closing
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from browserkit import CHRISTMAS, CHRISTMAS_DAY, log_in, office_calendar
from conftest import CHROMIUM, CHROMIUM_ARGS, CONFIG, PASSWORD, SCREENSHOTS
from queueing import config as configuration
from queueing.accounts import Accounts
from queueing.model import Actor
from queueing.service import QueueService
from queueing.store import Store

pytestmark = pytest.mark.browser

HALL = {"width": 1920, "height": 1080}
SMALL_HALL = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
ADMIN = Actor("kepala", "admin")
RECORD_VIBRATIONS = """navigator.vibrate = (pattern) => {
  (window.__vibrations = window.__vibrations || []).push(pattern); return true; };"""


# --- the server side: visitors and a logged-in desk ---

def api(server, path: str, body: dict | None = None, opener=None, headers: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(server.url + path, data=data, headers={
        "Content-Type": "application/json", **(headers or {})})
    with (opener or urllib.request.build_opener()).open(request, timeout=10) as response:
        return json.loads(response.read())


_visits = iter(range(1, 10**9))


def visit(server, service: str = "kk", **extra) -> dict:
    """Take a ticket at the lobby kiosk; return it."""
    body = {"kiosk": "lobby", "service": service, "request_id": f"display-{next(_visits)}", **extra}
    return api(server, "/api/visits", body, headers=server.kiosk_headers())["ticket"]


def open_store(server):
    """The server's own config and database, as the CLI opens them while it runs."""
    config = configuration.load(server.config)
    return config, Store(config.server.database)


class Desk:
    """A supervisor logged in against the live server, acting at any counter."""

    def __init__(self, server):
        self.server = server
        config, store = open_store(server)
        with closing(store):
            Accounts(config, store).add_user("kepala", PASSWORD, "admin", [])
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        login = api(server, "/api/login", {"username": "kepala", "password": PASSWORD}, self.opener)
        self.headers = {"X-CSRFToken": login["csrf_token"]}

    def post(self, path: str, body: dict | None = None) -> dict:
        return api(self.server, path, body or {}, self.opener, self.headers)

    def call_next(self, counter: int) -> dict:
        return self.post(f"/api/counters/{counter}/call-next")["ticket"]

    def act(self, ticket: dict, action: str, body: dict | None = None) -> dict:
        return self.post(f"/api/tickets/{ticket['id']}/{action}", body)["ticket"]


# --- the browser side ---

@pytest.fixture
def open_page(browser):
    """Open a page of the server in a fresh browser context; every CSP violation fails the test."""
    contexts = []

    def open_(server, path: str, viewport=HALL, init_script: str | None = None, on=None, clock: str | None = None):
        """clock: the moment the page's clock stands at (the server's set clock), for the wall's own clock."""
        context = (on or browser).new_context(viewport=viewport, locale="id-ID")
        contexts.append(context)
        page = context.new_page()
        page.csp_errors = []
        page.on("console", lambda m: "Content Security Policy" in m.text and page.csp_errors.append(m.text))
        if init_script:
            page.add_init_script(init_script)
        if clock:
            page.clock.set_fixed_time(dt.datetime.fromisoformat(clock))
        page.goto(server.url + path)
        return page

    yield open_
    for context in contexts:
        for page in context.pages:
            assert not page.csp_errors, page.csp_errors
        context.close()


def open_hall(open_page, server, viewport=HALL, on=None, clock: str | None = None):
    page = open_page(server, "/display", viewport, on=on, clock=clock)
    expect(page.locator("#hall")).to_have_attribute("data-live", "up")
    expect(page.locator("#hall")).to_have_attribute("data-version", re.compile(r"\d+"))
    return page


def spoken(page, count: int, timeout: float = 60) -> list[dict]:
    """Wait until `count` announcements have been spoken to their end; return all of them."""
    deadline = time.monotonic() + timeout
    while True:
        said = page.evaluate("window.__announcements || []")
        if sum(1 for a in said if "end" in a) >= count or time.monotonic() > deadline:
            assert sum(1 for a in said if "end" in a) >= count, said
            return said
        page.wait_for_timeout(100)


def call_text(letter: str, digits: str, counter: str) -> str:
    return f"Nomor antrian {letter} {digits}, silakan menuju loket {counter}"


def counter_row(page, counter: int):
    return page.locator(f'.counter[data-counter="{counter}"]')


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))


# --- the wall screen ---

def test_a_call_is_on_the_wall_within_a_second_large_and_flashing(live_server, open_page):
    server = live_server()
    desk = Desk(server)
    for _ in range(2):
        visit(server, "kk")
    page = open_hall(open_page, server)
    expect(page.locator(".queue[data-service=kk] .queue-next")).to_have_text("B001B002")

    started = time.monotonic()
    desk.call_next(1)
    expect(page.locator("#latest-number")).to_have_text("B001", timeout=1000)
    assert time.monotonic() - started < 1.0

    expect(page.locator("#latest-counter")).to_have_text("Loket 1")
    expect(page.locator("#latest")).to_have_class(re.compile("is-flashing"))
    expect(counter_row(page, 1).locator(".counter-number")).to_have_text("B001")
    expect(counter_row(page, 1)).to_have_attribute("data-status", "called")
    expect(page.locator(".queue[data-service=kk] .queue-next")).to_have_text("B002")
    expect(page.locator(".queue[data-service=kk] .queue-waiting")).to_have_text("1")
    expect(page.locator("#latest")).not_to_have_class(re.compile("is-flashing"), timeout=10000)  # a few seconds, then calm


def test_three_quick_calls_are_announced_in_order_one_at_a_time(live_server, open_page):
    server = live_server()
    desk = Desk(server)
    for service in ("kk", "pindah", "akta_lahir"):
        visit(server, service)
    page = open_hall(open_page, server)
    expect(page.locator("#hall")).to_have_attribute("data-sound", "on")

    for counter in (1, 2, 3):
        desk.call_next(counter)

    said = spoken(page, 3)
    assert [a["text"] for a in said] == [
        call_text("B", "nol nol satu", "satu"), call_text("D", "nol nol satu", "dua"),
        call_text("E", "nol nol satu", "tiga")]
    assert [a["version"] for a in said] == sorted(a["version"] for a in said)
    for earlier, later in zip(said, said[1:]):
        assert later["start"] >= earlier["end"], (earlier, later)  # never two at once
    for a in said:
        assert a["clips"][0] == "chime" and a["ended"] == len(a["clips"]), a  # every clip played to its end


def test_a_recall_is_announced_again_but_a_reconnect_repeats_nothing(live_server, open_page):
    server = live_server()
    desk = Desk(server)
    first = visit(server, "kk")
    visit(server, "kk")
    page = open_hall(open_page, server)
    desk.call_next(1)
    desk.act(first, "recall")
    spoken(page, 2)

    server.kill()
    expect(page.locator("#offline")).to_be_visible()
    expect(page.locator("#offline")).to_contain_text("Koneksi ke server terputus")
    server.start()
    expect(page.locator("#offline")).to_be_hidden(timeout=3000)
    desk.call_next(2)  # announced after anything the reconnect could have queued

    said = spoken(page, 3)
    assert [a["text"] for a in said] == [
        call_text("B", "nol nol satu", "satu"), call_text("B", "nol nol satu", "satu"),
        call_text("B", "nol nol dua", "dua")]


def test_after_a_restart_with_changes_made_meanwhile_the_wall_is_right_within_3_s(live_server, open_page):
    server = live_server()
    desk = Desk(server)
    first, second = visit(server, "kk"), visit(server, "kk")
    visit(server, "pindah")
    page = open_hall(open_page, server)
    desk.call_next(1)
    expect(counter_row(page, 1).locator(".counter-number")).to_have_text("B001")
    spoken(page, 1)

    server.kill()
    config, store = open_store(server)  # while it is down, the queue moves on (another process, the CLI)
    with closing(store):
        service = QueueService(config, store)
        service.no_show(ADMIN, first["id"])
        service.call_next(ADMIN, 2)
    server.start()

    started = time.monotonic()
    expect(counter_row(page, 2).locator(".counter-number")).to_have_text(second["number"], timeout=3000)
    expect(counter_row(page, 1).locator(".counter-number")).to_have_text("—", timeout=100)
    expect(page.locator("#latest-number")).to_have_text("B002", timeout=100)
    expect(page.locator(".queue[data-service=kk] .queue-waiting")).to_have_text("0", timeout=100)
    assert time.monotonic() - started < 3.0
    expect(page.locator("#offline")).to_be_hidden()

    visit(server, "akta_lahir")
    desk.call_next(3)
    said = spoken(page, 2)  # the snapshot showed B002 but did not speak it: only the new call is heard
    assert [a["text"] for a in said] == [call_text("B", "nol nol satu", "satu"), call_text("E", "nol nol satu", "tiga")]


def test_where_autoplay_is_blocked_the_wall_says_so_and_one_tap_turns_the_sound_on(live_server, open_page, browser):
    args = [a for a in CHROMIUM_ARGS if not a.startswith("--autoplay-policy")]
    strict = browser.browser_type.launch(executable_path=CHROMIUM, args=args)
    try:
        server = live_server()
        desk = Desk(server)
        visit(server, "kk")
        page = open_page(server, "/display", on=strict)
        expect(page.locator("#sound-off")).to_be_visible()
        expect(page.locator("#sound-off")).to_contain_text("Suara nonaktif: ketuk layar")
        expect(page.locator("#hall")).to_have_attribute("data-sound", "blocked")

        desk.call_next(1)  # shown at once, spoken once the sound is on
        expect(page.locator("#latest-number")).to_have_text("B001")
        page.mouse.click(960, 540)

        expect(page.locator("#sound-off")).to_be_hidden()
        said = spoken(page, 1)
        assert said[0]["text"] == call_text("B", "nol nol satu", "satu")
    finally:
        strict.close()


def test_counter_numbers_are_said_in_indonesian_words(live_server, open_page):
    page = open_hall(open_page, live_server())
    words = page.evaluate("""import('/static/display/voice.js').then((voice) =>
        [1, 2, 9, 10, 11, 12, 19, 20, 21, 35, 99, 100, 101, 110, 111, 250, 999, 1000]
          .map((n) => voice.numberWords(n).join(' ')))""")
    assert words == [
        "satu", "dua", "sembilan", "sepuluh", "sebelas", "dua belas", "sembilan belas", "dua puluh",
        "dua puluh satu", "tiga puluh lima", "sembilan puluh sembilan", "seratus", "seratus satu",
        "seratus sepuluh", "seratus sebelas", "dua ratus lima puluh",
        "sembilan ratus sembilan puluh sembilan", "satu nol nol nol"]


def busy_morning(server, desk) -> None:
    """Several counters busy, a recall, people waiting in most services."""
    for service, count in (("kk", 7), ("kia", 3), ("pindah", 4), ("akta_lahir", 5), ("akta_mati", 1),
                           ("legalisir", 2), ("informasi", 3)):
        for _ in range(count):
            visit(server, service)
    for counter in (1, 2, 3):
        desk.call_next(counter)
    desk.act(desk.call_next(4), "start")
    visit(server, "kk", priority="lansia")  # comes first in line


def assert_fits(page) -> dict:
    """No scrolling either way and no number cut off; return the sizes of the key texts."""
    sizes = page.evaluate("""() => {
        const d = document.documentElement;
        const size = (sel) => parseFloat(getComputedStyle(document.querySelector(sel)).fontSize);
        const cut = [...document.querySelectorAll('.latest-number, .latest-counter, .counter-number, .counter-name,'
                                                  + ' .queue-number, .queue-count, .previous-number, .clock,'
                                                  + ' .closed-word, .closed-when, .closed-why')]
          .filter((el) => el.getClientRects().length && (el.scrollWidth > el.clientWidth + 1
                  || el.getBoundingClientRect().bottom > el.closest('section, header').getBoundingClientRect().bottom + 1))
          .map((el) => el.textContent);
        return {scrollH: d.scrollHeight, scrollW: d.scrollWidth, h: innerHeight, w: innerWidth, cut,
                latest: size('.latest-number'), counter: size('.counter-number'), next: size('.queue-next')};
    }""")
    assert sizes["scrollH"] <= sizes["h"] and sizes["scrollW"] <= sizes["w"], sizes
    assert not sizes["cut"], sizes
    return sizes


def test_the_wall_fits_1920_and_1366_with_huge_numbers_and_the_office_clock(live_server, open_page):
    server = live_server()
    busy_morning(server, Desk(server))

    page = open_hall(open_page, server)
    expect(page.locator("#latest-number")).to_have_text("H001")
    expect(counter_row(page, 4)).to_have_attribute("data-status", "serving")
    expect(page.locator(".queue[data-service=kk] .queue-next")).to_have_text("B008B003B004")  # priority first
    sizes = assert_fits(page)
    assert sizes["latest"] >= 200 and sizes["counter"] >= 80 and sizes["next"] >= 36, sizes  # 10 m away
    jakarta = [(dt.datetime.now(ZoneInfo("Asia/Jakarta")) + dt.timedelta(seconds=s)).strftime("%H.%M")
               for s in (-2, 0, 62)]
    assert page.locator("#clock").inner_text() in jakarta
    expect(page.locator("#zone")).to_have_text("WIB")
    expect(page.locator("#date")).to_contain_text(str(dt.datetime.now(ZoneInfo("Asia/Jakarta")).year))
    expect(page.locator(".queue[data-service=ktp]")).to_be_hidden()  # postponed and empty: in the notices
    screenshot(page, "display-1920.png")

    small = open_hall(open_page, server, SMALL_HALL)
    expect(small.locator("#latest-number")).to_have_text("H001")
    assert_fits(small)
    screenshot(small, "display-1366.png")


def test_the_running_text_gives_the_mode_the_online_address_and_postponed_services(live_server, open_page):
    today = dt.date(2026, 3, 19)  # the server's clock, not the machine's
    server = live_server({"admission": {"windows": [{
        "mode": "emergency_only", "from": today - dt.timedelta(days=1), "until": today + dt.timedelta(days=7),
        "reference": "Surat Edaran Sekda 470/318/105/2020"}]}}, clock="2026-03-19T09:00:00+07:00")
    desk = Desk(server)
    page = open_hall(open_page, server)
    ticker = page.locator("#ticker")
    expect(ticker).to_contain_text("Pelayanan tatap muka hanya untuk keperluan darurat sampai dengan")
    expect(ticker).to_contain_text("Keperluan BPJS Kesehatan")
    expect(ticker).to_contain_text("layananonline.dukcapil.kemendagri.go.id")
    expect(ticker).to_contain_text("Surat Edaran Sekda 470/318/105/2020")
    expect(ticker).to_contain_text("Pelayanan KTP-el ditunda sementara")

    desk.post("/api/admission/mode", {"mode": "normal"})

    expect(ticker).to_contain_text("Ambil nomor antrian di kios")
    expect(ticker).not_to_contain_text("hanya untuk keperluan darurat")
    expect(ticker).to_contain_text("Pelayanan KTP-el ditunda sementara")


def postponed(*codes: str) -> dict:
    """Overrides that postpone the given services of config.toml, with no notice of their own;
    KTP-el stays postponed by its flag, with its notice, as in every test (any_day_overrides)."""
    with open(CONFIG, "rb") as f:
        services = tomllib.load(f)["services"]
    return {"services": [{**s, "postponed": True, "notice": ""} if s["code"] in codes
                         else {**s, "postponed": s["code"] == "ktp"} for s in services]}


def test_notices_an_admin_edits_reach_an_open_wall_at_once_and_a_wall_opened_later(live_server, open_page):
    server = live_server(postponed("kia"))
    desk = Desk(server)  # the supervisor's account, signed in again on /admin below
    for _ in range(3):
        visit(server, "kk")
    desk.call_next(1)
    errors = []
    hall = open_hall(open_page, server)
    hall.on("pageerror", lambda error: errors.append(str(error)))
    hall.evaluate("window.__sameLoad = true")
    ticker = hall.locator("#ticker")
    expect(ticker).to_contain_text("Kartu Identitas Anak: pelayanan ditunda sementara.")  # no notice yet
    expect(ticker).to_contain_text("Pelayanan KTP-el ditunda sementara")  # the config's notice

    admin = open_page(server, "/admin")
    admin.on("pageerror", lambda error: errors.append(str(error)))
    log_in(admin, "kepala")
    expect(admin.locator("#admin")).to_have_attribute("data-live", "up")
    running_text = "Pengambilan dokumen jadi dilayani di Loket 5 mulai pukul 09.00."
    kia_notice = "Pelayanan KIA ditunda sampai blangko tersedia kembali."
    for key, text in (("running", running_text), ("service:kia", kia_notice)):
        notice = admin.locator(f'[data-notice="{key}"]')
        notice.locator("textarea").fill(text)
        notice.get_by_role("button", name="Simpan").click()
        expect(notice.locator("[data-part=state]")).to_contain_text("Tersimpan")

    expect(ticker.locator(".ticker-item").first).to_have_text(running_text, timeout=3000)
    expect(ticker).to_contain_text(f"Kartu Identitas Anak: {kia_notice}", timeout=3000)
    expect(ticker).not_to_contain_text("Kartu Identitas Anak: pelayanan ditunda sementara.")
    expect(ticker).to_contain_text("Pelayanan KTP-el ditunda sementara")  # not edited: still the config's
    expect(ticker).to_contain_text("Ambil nomor antrian di kios")  # the day's own sentences stay
    assert hall.evaluate("window.__sameLoad") is True  # live, not reloaded

    later = open_hall(open_page, server)
    later_ticker = later.locator("#ticker")
    expect(later_ticker.locator(".ticker-item").first).to_have_text(running_text)
    screenshot(later, "display-running-text.png")  # at once: the ticker moves on
    expect(later_ticker).to_contain_text(f"Kartu Identitas Anak: {kia_notice}")
    expect(later.locator("#latest-number")).to_have_text("B001")
    assert not errors, errors


# --- the office's calendar: closed days and postponements (issue 18) ---
# Every moment here is the server's set clock (live_server(clock=...)), in office time (WIB),
# and the wall's own clock is set to it: these tests hold on any day, at any hour, in any zone.



def test_on_a_holiday_the_wall_says_closed_and_when_service_reopens_above_all_else(live_server, open_page):
    server = live_server(office_calendar(*CHRISTMAS), clock=CHRISTMAS_DAY)
    page = open_hall(open_page, server, clock=CHRISTMAS_DAY)

    closed = page.locator("#closed")
    expect(closed).to_be_visible()
    expect(page.locator("#closed-word")).to_have_text("Tutup Closed")
    expect(page.locator("#closed-when")).to_contain_text("Dibuka kembali Senin, 28 Desember 2026 pukul 07.30")
    expect(page.locator("#closed-when")).to_contain_text(re.compile(r"Reopens Monday,? 28 December 2026 at 07\.30"))
    expect(page.locator("#closed-why")).to_have_text("Hari Raya Natal")
    expect(page.locator("#ticker")).to_contain_text(
        "Kantor tutup: Hari Raya Natal. Pelayanan dibuka kembali Senin, 28 Desember 2026 pukul 07.30.")
    expect(page.locator("#ticker")).not_to_contain_text("Ambil nomor antrian di kios")
    expect(page.locator("#date")).to_have_text("Jumat, 25 Desember 2026")
    banner, latest = closed.bounding_box(), page.locator("#latest").bounding_box()
    assert banner["y"] + banner["height"] <= latest["y"] and banner["width"] > 0.9 * HALL["width"], (banner, latest)
    expect(counter_row(page, 1)).to_be_visible()  # the counters stay below
    sizes = assert_fits(page)
    closed_word = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.closed-word')).fontSize)")
    assert closed_word >= 100 and closed_word > sizes["counter"], (closed_word, sizes)  # read from 10 m
    screenshot(page, "display-closed.png")

    small = open_hall(open_page, server, SMALL_HALL, clock=CHRISTMAS_DAY)
    expect(small.locator("#closed")).to_be_visible()
    assert_fits(small)


def test_the_wall_closes_live_when_the_office_adds_a_closed_day_and_keeps_the_last_calls(live_server, open_page):
    monday = "2026-12-07T09:00:00+07:00"
    server = live_server(office_calendar(), clock=monday)
    desk = Desk(server)
    busy_morning(server, desk)
    page = open_hall(open_page, server, clock=monday)
    page.evaluate("window.__sameLoad = true")
    expect(page.locator("#latest-number")).to_have_text("H001")
    expect(page.locator("#closed")).to_be_hidden()

    desk.post("/api/windows", {"from": "2026-12-07", "until": "2026-12-07", "mode": "closed",
                               "reference": "Rapat Koordinasi Bupati"})

    expect(page.locator("#closed")).to_be_visible()
    expect(page.locator("#closed-when")).to_contain_text("Dibuka kembali Selasa, 8 Desember 2026 pukul 07.30")
    expect(page.locator("#closed-why")).to_have_text("Rapat Koordinasi Bupati")
    expect(page.locator("#latest-number")).to_have_text("H001")  # the last calls stay, smaller
    expect(counter_row(page, 4)).to_have_attribute("data-status", "serving")
    assert page.evaluate("window.__sameLoad") is True
    assert_fits(page)
    assert_fits(open_hall(open_page, server, SMALL_HALL, clock=monday))


def test_the_running_text_announces_closed_days_ahead_and_services_postponed_to_a_date(live_server, open_page):
    monday = "2026-12-21T09:00:00+07:00"  # Christmas Eve and Christmas Day are this week
    kia_postponed = {"from": dt.date(2026, 12, 14), "until": dt.date(2026, 12, 31), "postponed": ["kia"],
                     "reference": "Blangko KIA habis"}
    server = live_server(office_calendar(*CHRISTMAS, kia_postponed), clock=monday)
    page = open_hall(open_page, server, clock=monday)

    ticker = page.locator("#ticker")
    expect(ticker).to_contain_text("Kantor tutup Kamis, 24 Desember 2026 (Cuti Bersama Hari Raya Natal)"
                                   " dan Jumat, 25 Desember 2026 (Hari Raya Natal).")
    expect(ticker).to_contain_text("Layanan Kartu Identitas Anak ditunda sampai 31 Desember 2026.")
    expect(ticker).to_contain_text("Pelayanan KTP-el ditunda sementara")  # postponed by its flag: no end
    expect(ticker).to_contain_text("Ambil nomor antrian di kios")  # open today
    expect(page.locator("#closed")).to_be_hidden()
    expect(page.locator(".queue[data-service=kia]")).to_be_hidden()  # postponed and empty: in the notices
    expect(page.locator(".queue[data-service=kk]")).to_be_visible()


# --- the visitor's phone ---

def test_the_phone_counts_down_the_people_ahead_and_then_sends_the_visitor_to_the_counter(live_server, open_page):
    server = live_server()
    desk = Desk(server)
    first, _second, third = [visit(server, "kk") for _ in range(3)]
    mine = visit(server, "kk")
    visit(server, "pindah")
    page = open_page(server, mine["status_url"], PHONE, RECORD_VIBRATIONS)
    phone = page.locator("#phone")
    expect(phone).to_have_attribute("data-live", "up")
    expect(page.locator("#number")).to_have_text("B004")
    expect(page.locator("#service")).to_have_text("Kartu Keluarga", use_inner_text=True)
    expect(page.locator("#status-main")).to_have_text("3 orang di depan Anda", use_inner_text=True)
    screenshot(page, "phone-waiting.png")

    desk.call_next(1)
    expect(page.locator("#status-main")).to_have_text("2 orang di depan Anda", use_inner_text=True)
    desk.call_next(2)
    expect(page.locator("#status-main")).to_have_text("1 orang di depan Anda", use_inner_text=True)
    desk.act(first, "no-show")
    desk.call_next(1)
    expect(page.locator("#status-main")).to_have_text("Anda berikutnya", use_inner_text=True)
    assert page.locator("body").inner_text().count("B00") == 1  # nothing of the tickets ahead

    desk.act(third, "start")
    desk.act(third, "finish")
    desk.call_next(1)
    expect(page.locator("#status-main")).to_have_text("Silakan menuju Loket 1", use_inner_text=True)
    expect(phone).to_have_attribute("data-status", "called")
    assert page.evaluate("window.__vibrations") == [[400, 200, 400, 200, 800]]
    expect(page.locator("#status")).not_to_have_class(re.compile("is-new"))  # the pulse is over
    screenshot(page, "phone-called.png")

    desk.act(mine, "recall")
    deadline = time.monotonic() + 5
    while len(page.evaluate("window.__vibrations")) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert len(page.evaluate("window.__vibrations")) == 2  # a recall buzzes again
    desk.act(mine, "start")
    expect(page.locator("#status-main")).to_have_text("Anda sedang dilayani di Loket 1", use_inner_text=True)
    desk.act(mine, "finish")
    expect(page.locator("#status-main")).to_have_text("Pelayanan selesai", use_inner_text=True)
    expect(phone).to_have_attribute("data-live", "closed")  # nothing can change any more


def test_a_phone_refused_a_live_connection_keeps_up_by_asking_every_15_seconds(live_server, open_page):
    """SPEC "Capacity": past its address's places the phone page is refused with a reason,
    says nothing alarming, and still learns of its call by asking /api/tickets/<token>."""
    from bench.rawsockets import Pool

    server = live_server({"limits": {"sockets_per_address": 1}})
    desk = Desk(server)
    mine = visit(server, "kk")
    pool = Pool()
    try:
        assert pool.connect("127.0.0.1", server.port, 1)["connected"] == 1  # the address's one place
        page = open_page(server, mine["status_url"], PHONE)
        phone = page.locator("#phone")
        expect(phone).to_have_attribute("data-live", "refused")
        expect(page.locator("#status-main")).to_have_text("Anda berikutnya", use_inner_text=True)
        desk.call_next(1)
        expect(page.locator("#status-main")).to_have_text("Silakan menuju Loket 1", use_inner_text=True,
                                                          timeout=20_000)
        expect(page.locator("#offline")).to_be_hidden()  # polling reaches the server: nothing is lost
    finally:
        pool.close()


def test_the_phone_gives_an_estimated_wait_once_today_has_a_history(live_server, open_page):
    server = live_server()
    desk = Desk(server)
    for _ in range(3):
        visit(server, "kk")
    mine = visit(server, "kk")
    page = open_page(server, mine["status_url"], PHONE)
    expect(page.locator("#status-main")).to_have_text("3 orang di depan Anda", use_inner_text=True)
    expect(page.locator("#status-wait")).to_be_hidden()  # no guess made of nothing

    for _ in range(3):
        ticket = desk.call_next(1)
        desk.act(ticket, "start")
        desk.act(ticket, "finish")

    expect(page.locator("#status-main")).to_have_text("Anda berikutnya", use_inner_text=True)
    expect(page.locator("#status-wait")).to_have_text(re.compile(r"Perkiraan waktu tunggu sekitar \d+ menit"),
                                                      use_inner_text=True)


def test_the_phone_says_redirected_no_show_and_expired_in_plain_words_in_both_languages(live_server, open_page):
    server = live_server()
    desk = Desk(server)
    claimed = visit(server, "kk", reason="bpjs")
    missed = visit(server, "kk")
    later = visit(server, "akta_mati")

    redirected = open_page(server, claimed["status_url"], PHONE)
    expect(redirected.locator("#phone")).to_have_attribute("data-live", "up")
    desk.act(claimed, "verify", {"emergency": False})
    expect(redirected.locator("#status-main")).to_have_text("Silakan urus secara online", use_inner_text=True)
    expect(redirected.locator("#status-lead")).to_have_text("Dialihkan ke layanan online", use_inner_text=True)
    expect(redirected.locator("#online-link")).to_have_text("https://layananonline.dukcapil.kemendagri.go.id")

    no_show = open_page(server, missed["status_url"], PHONE)
    expect(no_show.locator("#phone")).to_have_attribute("data-live", "up")
    desk.call_next(1)
    expect(no_show.locator("#status-main")).to_have_text("Silakan menuju Loket 1", use_inner_text=True)
    desk.act(missed, "no-show")
    expect(no_show.locator("#status-main")).to_have_text("Anda tidak hadir saat dipanggil", use_inner_text=True)
    # within requeue_minutes the page says the number can still be put back, and keeps listening
    expect(no_show.locator("#status-sub")).to_contain_text("Sudah kembali? Temui petugas loket sebelum pukul",
                                                           use_inner_text=True)
    expect(no_show.locator("#phone")).to_have_attribute("data-live", "up")
    no_show.get_by_role("button", name="English").click()
    expect(no_show.locator("html")).to_have_attribute("lang", "en")
    expect(no_show.locator("#status-main")).to_have_text("You were not there when called", use_inner_text=True)
    expect(no_show.locator("#service")).to_have_text("Family card (KK)", use_inner_text=True)

    config, store = open_store(server)  # the day closes: tomorrow's clock expires today's waiting tickets
    with closing(store):
        QueueService(config, store, lambda: dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).expire_day()
    expired = open_page(server, later["status_url"], PHONE)
    expect(expired.locator("#status-main")).to_have_text("Nomor ini sudah tidak berlaku", use_inner_text=True)
    expect(expired.locator("#phone")).to_have_attribute("data-live", "closed")


def test_a_requeued_no_show_is_back_on_the_wall_and_its_phone_counts_down_again(live_server, open_page):
    server = live_server()
    desk = Desk(server)
    missed = visit(server, "kk")
    others = [visit(server, "kk") for _ in range(4)]
    hall = open_hall(open_page, server)
    phone = open_page(server, missed["status_url"], PHONE)
    expect(phone.locator("#phone")).to_have_attribute("data-live", "up")
    desk.call_next(1)
    desk.act(missed, "no-show")
    expect(phone.locator("#status-main")).to_have_text("Anda tidak hadir saat dipanggil", use_inner_text=True)

    assert desk.act(missed, "requeue")["position"] == 3
    expect(phone.locator("#status-main")).to_have_text("3 orang di depan Anda", use_inner_text=True)
    next_numbers = hall.locator('.queue[data-service="kk"] .queue-next .queue-number')
    expect(next_numbers).to_have_text([t["number"] for t in others[:3]])  # the wall shows three
    desk.call_next(1)
    expect(phone.locator("#status-main")).to_have_text("2 orang di depan Anda", use_inner_text=True)
    expect(next_numbers).to_have_text([others[1]["number"], others[2]["number"], missed["number"]])
    screenshot(hall, "display-requeued.png")


def test_a_no_show_past_requeue_minutes_is_told_to_take_a_new_number_and_the_phone_stops_listening(
        live_server, open_page):
    server = live_server({"queue": {"requeue_minutes": 0}})
    desk = Desk(server)
    missed = visit(server, "kk")
    phone = open_page(server, missed["status_url"], PHONE)
    expect(phone.locator("#phone")).to_have_attribute("data-live", "up")
    desk.call_next(1)
    desk.act(missed, "no-show")
    expect(phone.locator("#status-sub")).to_contain_text("Silakan ambil nomor baru", use_inner_text=True)
    expect(phone.locator("#phone")).to_have_attribute("data-live", "closed")


def test_a_paused_counter_shows_why_in_words_on_the_wall_and_comes_back_when_resumed(live_server, open_page):
    server = live_server()
    desk = Desk(server)
    page = open_hall(open_page, server)
    row = counter_row(page, 3)
    expect(row).to_have_attribute("data-status", "idle")

    desk.post("/api/counters/3/pause", {"reason": "ibadah"})

    expect(row).to_have_attribute("data-status", "paused")
    expect(row.locator(".counter-state")).to_have_text("Ibadah")
    expect(row.locator(".counter-number")).to_have_text("")
    screenshot(page, "display-paused.png")
    desk.post("/api/counters/3/resume")
    expect(row).to_have_attribute("data-status", "idle")
    expect(row.locator(".counter-number")).to_have_text("—")
