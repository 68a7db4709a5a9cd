"""The supervisor's view (issue 6): the charts drawn on the server from a hand-made report,
their routes, and the page in a real browser against the real server: sign-in (and its
refusal for counter staff), today's figures live, the mode switch with its confirmation
reaching a kiosk, notices, printers and reprints, and the daily report. Screenshots land
in docs/screenshots/ for people to look at."""
from __future__ import annotations

import datetime as dt
import re
import sqlite3
import time
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import expect

from admin import charts
from bench.fakeprinter import FakePrinter
from bench.liveserver import free_port
from browserkit import TEXT, add_account, kiosk_visit, log_in, open_path, screenshot, signed_in, staff_session
from conftest import PASSWORD, visit
from queueing import config as configuration
from queueing.model import MONTHS

SVG = "{http://www.w3.org/2000/svg}"
LARGE = {"width": 1920, "height": 1080}
CODES = [f"u{i}" for i in range(1, 10)]
WIB = ZoneInfo("Asia/Jakarta")


# --- the charts, from a hand-made report ---

def hand_made_report() -> dict:
    """Monday 2 March 2026: 40 visits, 20 called tickets, arrivals at 08, 09, 10 and 13 WIB."""
    return {
        "date": "2026-03-02",
        "visits": {"total": 40, "by_outcome": {"ticket": 22, "online": 14, "postponed": 3, "closed": 1, "full": 0}},
        "wait_seconds": {"count": 20, "mean": 754.2, "p90": 1900.0},
        "wait_histogram": [{"label": "0-5", "count": 6}, {"label": "5-10", "count": 5},
                           {"label": "10-15", "count": 4}, {"label": "15-30", "count": 3},
                           {"label": "30-60", "count": 2}, {"label": "60+", "count": 0}],
        "by_hour": [{"hour": 8, "arrivals": 12, "calls": 5}, {"hour": 9, "arrivals": 15, "calls": 9},
                    {"hour": 10, "arrivals": 9, "calls": 11}, {"hour": 13, "arrivals": 4, "calls": 2}],
    }


def empty_report() -> dict:
    report = hand_made_report()
    return {**report, "visits": {"total": 0, "by_outcome": dict.fromkeys(report["visits"]["by_outcome"], 0)},
            "wait_seconds": {"count": 0, "mean": None, "p90": None},
            "wait_histogram": [{**b, "count": 0} for b in report["wait_histogram"]], "by_hour": []}


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed, standalone XML
    assert root.tag == f"{SVG}svg"
    return root


def bars(root: ET.Element) -> list[dict]:
    return [{**rect.attrib, "title": rect.find(f"{SVG}title").text}
            for rect in root.iter(f"{SVG}rect") if rect.get("class") == "bar"]


def texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


def test_the_hours_chart_draws_arrivals_and_calls_for_every_hour_of_the_office_day():
    svg = charts.hours_chart(hand_made_report())
    root = parse(svg)
    drawn = {(b["data-key"], b["data-series"]): int(b["data-value"]) for b in bars(root)}

    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "style=" not in svg
    assert root.find(f"{SVG}title").text == "Kedatangan dan panggilan per jam — Senin, 2 Maret 2026"
    assert root.find(f"{SVG}desc").text == "Total 40 kedatangan dan 27 panggilan."
    assert root.get("role") == "img" and root.get("aria-labelledby") == "title desc"
    assert [h for h, series in drawn if series == "Kedatangan"] == ["08", "09", "10", "11", "12", "13", "14", "15"]
    assert drawn[("09", "Kedatangan")] == 15 and drawn[("10", "Panggilan")] == 11 and drawn[("11", "Kedatangan")] == 0
    tallest = max(bars(root), key=lambda b: float(b["height"]))
    assert (tallest["data-key"], tallest["data-series"]) == ("09", "Kedatangan")
    assert {"12", "5", "15", "9", "11", "4", "2", "Kedatangan", "Panggilan", "Jam (WIB)"} <= set(texts(root))
    assert "09.00–09.59: kedatangan 15" in [b["title"] for b in bars(root)]


def test_the_waiting_chart_has_a_bar_per_bucket_and_says_the_mean_and_p90_in_minutes():
    root = parse(charts.wait_chart(hand_made_report()))
    drawn = [(b["data-key"], int(b["data-value"])) for b in bars(root)]

    assert drawn == [("0–5", 6), ("5–10", 5), ("10–15", 4), ("15–30", 3), ("30–60", 2), ("60+", 0)]
    assert root.find(f"{SVG}desc").text == "20 tiket dipanggil; rata-rata 12,6 menit, p90 31,7 menit menunggu."
    assert {"0–5", "60+", "6", "2", "Menit menunggu sampai dipanggil"} <= set(texts(root))
    heights = [float(b["height"]) for b in bars(root)]
    assert heights == sorted(heights, reverse=True) and heights[-1] == 0


def test_the_outcome_chart_shows_every_outcome_with_its_count_and_share_sent_online_in_bold():
    root = parse(charts.outcomes_chart(hand_made_report()))
    drawn = {b["data-key"]: int(b["data-value"]) for b in bars(root)}
    labels = {t.text: t.get("font-weight") for t in root.iter(f"{SVG}text")}

    assert drawn == {"ticket": 22, "online": 14, "postponed": 3, "closed": 1, "full": 0}
    assert {"22 (55%)", "14 (35%)", "3 (8%)", "1 (3%)", "0 (0%)", "40 kunjungan"} <= set(labels)
    assert labels["Diarahkan ke layanan online"] == "800" and labels["Dapat nomor antrian"] == "600"
    assert root.find(f"{SVG}desc").text == "40 kunjungan; 14 diarahkan ke layanan online."
    widths = {b["data-key"]: float(b["width"]) for b in bars(root)}
    assert widths["ticket"] > widths["online"] > widths["postponed"] > widths["closed"] > widths["full"] == 0


def test_the_charts_speak_english_when_asked():
    hours = parse(charts.hours_chart(hand_made_report(), "en"))
    outcomes = parse(charts.outcomes_chart(hand_made_report(), "en"))

    assert hours.find(f"{SVG}title").text == "Arrivals and calls by hour — Monday 2 March 2026"
    assert {"Arrivals", "Calls", "Hour (WIB)"} <= set(texts(hours))
    assert {"Sent to the online service", "40 visits"} <= set(texts(outcomes))
    assert "12.6 minutes" in parse(charts.wait_chart(hand_made_report(), "en")).find(f"{SVG}desc").text


def test_a_day_without_visits_draws_empty_charts_that_say_so():
    report = empty_report()
    hours, wait, outcomes = (parse(f(report)) for f in (charts.hours_chart, charts.wait_chart, charts.outcomes_chart))

    assert "Tidak ada data pada tanggal ini" in texts(hours)
    assert "Belum ada tiket yang dipanggil pada tanggal ini" in texts(wait)
    assert "0 kunjungan — Tidak ada data pada tanggal ini" in texts(outcomes)
    assert all(float(b["height"]) == 0 for b in bars(hours) + bars(wait))
    assert all(float(b["width"]) == 0 for b in bars(outcomes))


@pytest.mark.parametrize("largest, step", [(0, 1), (4, 1), (5, 2), (8, 2), (12, 5), (21, 10), (130, 50), (600, 200)])
def test_the_grid_step_is_a_round_number_and_four_steps_cover_the_tallest_bar(largest, step):
    assert charts.nice_step(largest) == step and 4 * step >= largest


# --- the survey's chart (issue 21), from a hand-made report ---

SURVEY_NRR = [3.667, 3.5, 2.25, 4.0, 3.0, 3.75, 3.8, 2.6, 1.0]


def hand_made_survey() -> dict:
    """March 2026: 12 responses, each element's NRR as in SURVEY_NRR (IKM 76.58, C: just under B)."""
    return {
        "from": "2026-03-01", "to": "2026-03-31", "responses": 12, "ikm": 76.58, "grade": "C",
        "grade_words": "Kurang Baik", "message": None,
        "elements": [{"code": code, "name": name, "name_en": name_en, "text": text, "nrr": value}
                     for (code, name, name_en, text, _), value in zip(configuration.SURVEY_ELEMENTS, SURVEY_NRR)],
    }


def empty_survey() -> dict:
    report = hand_made_survey()
    return {**report, "responses": 0, "ikm": None, "grade": None, "grade_words": None,
            "message": "Belum ada jawaban survei pada periode ini.",
            "elements": [{**e, "nrr": None} for e in report["elements"]]}


def test_the_survey_chart_draws_each_elements_nrr_on_the_1_to_4_scale_with_the_grade_boundaries():
    svg = charts.survey_elements(hand_made_survey())
    root = parse(svg)
    drawn = bars(root)
    boundaries = [line.attrib for line in root.iter(f"{SVG}line") if line.get("class") == "boundary"]

    assert "style=" not in svg and root.get("aria-labelledby") == "title desc"
    assert [(b["data-key"], float(b["data-value"])) for b in drawn] == list(zip(CODES, SURVEY_NRR))
    widths = [float(b["width"]) for b in drawn]
    assert widths[8] == 0 and widths[3] == max(widths)  # 1 is the scale's start, 4 its end
    assert abs(widths[0] / widths[3] - (3.667 - 1) / 3) < 0.01
    assert [(b["data-grade"], b["data-ikm"], b["data-nrr"]) for b in boundaries] == [
        ("C", "65.00", "2.6"), ("B", "76.61", "3.0644"), ("A", "88.31", "3.5324")]
    assert {"3,667", "2,250", "4,000", "1,000", "2,60", "3,06", "3,53", "65,00", "76,61", "88,31", "U1",
            "Persyaratan", "Penanganan pengaduan, saran dan masukan", "D", "C", "B", "A", "Mutu"} <= set(texts(root))
    assert root.find(f"{SVG}title").text == ("Nilai rata-rata per unsur (NRR) survei kepuasan"
                                              " — 1 Maret 2026 s.d. 31 Maret 2026")
    assert root.find(f"{SVG}desc").text == "12 jawaban; IKM 76,58, mutu C (Kurang Baik)."
    assert "U1 Persyaratan: NRR 3,667; nilai 91,7" in [b["title"] for b in drawn]
    assert [charts.score(nrr) for nrr in (3.333, 3.667, 2.6, 1.0)] == [83.3, 91.7, 65.0, 25.0]


def test_the_survey_chart_speaks_english_when_asked():
    root = parse(charts.survey_elements(hand_made_survey(), "en"))

    assert {"Requirements", "Facilities and infrastructure", "Grade", "3.667", "76.61"} <= set(texts(root))
    assert root.find(f"{SVG}title").text == ("Satisfaction survey: mean score per element (NRR)"
                                              " — 1 March 2026 to 31 March 2026")
    assert root.find(f"{SVG}desc").text == "12 responses; IKM 76.58, grade C (Fair)."


def test_a_period_without_survey_responses_draws_an_empty_chart_that_says_so():
    for report in (empty_survey(), {**empty_survey(), "elements": []}):  # the survey off: no elements
        root = parse(charts.survey_elements(report))

        assert [b["data-key"] for b in bars(root)] == CODES
        assert all(float(b["width"]) == 0 for b in bars(root))
        assert "Belum ada jawaban survei pada periode ini" in texts(root)
        assert root.find(f"{SVG}desc").text == "Belum ada jawaban survei pada periode ini."
        assert len([line for line in root.iter(f"{SVG}line") if line.get("class") == "boundary"]) == 3
    english = parse(charts.survey_elements(empty_survey(), "en"))
    assert "No survey responses in this period" in texts(english)


# --- the chart routes ---

CHART_PATHS = [f"/api/reports/daily/{name}.svg" for name in ("hours", "wait", "outcomes")]


@pytest.mark.parametrize("path", CHART_PATHS)
def test_admins_get_the_charts_as_svg_staff_get_403_and_strangers_401(client, admin, staff, path):
    answer = admin.get(path + "?date=2026-03-02")

    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    assert answer.headers["Cache-Control"] == "no-store"
    parse(answer.text)
    assert staff.get(path).status_code == 403
    assert client.get(path).status_code == 401
    assert admin.get(path + "?date=2.3.2026").json["error"] == "bad_date"


SURVEY_CHART = "/api/reports/survey/elements.svg"


def test_admins_get_the_survey_chart_as_svg_staff_get_403_and_strangers_401(client, admin, staff):
    answer = admin.get(SURVEY_CHART + "?from=2026-03-01&to=2026-03-02&lang=en")

    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Content-Security-Policy"] == "default-src 'none'"
    assert "No survey responses in this period" in texts(parse(answer.text))  # the survey is off here
    assert staff.get(SURVEY_CHART).status_code == 403
    assert client.get(SURVEY_CHART).status_code == 401
    assert admin.get(SURVEY_CHART + "?from=2026-03-02&to=2026-03-01").json["error"] == "bad_range"
    assert admin.get(SURVEY_CHART + "?from=1.3.2026").json["error"] == "bad_date"


def test_the_charts_of_a_seeded_day_count_its_visits(client, admin, clock):
    for service in ("kk", "kk", "kia", "ktp"):
        visit(client, service)
    admin.post("/api/admission/mode", {"mode": "emergency_only"})
    visit(client, "akta_lahir")

    outcomes = parse(admin.get("/api/reports/daily/outcomes.svg?date=2026-03-02").text)
    hours = parse(admin.get("/api/reports/daily/hours.svg?date=2026-03-02&lang=en").text)

    assert {b["data-key"]: int(b["data-value"]) for b in bars(outcomes)} == {
        "ticket": 3, "online": 1, "postponed": 1, "closed": 0, "full": 0}
    assert {(b["data-key"], b["data-series"]): int(b["data-value"]) for b in bars(hours)}[("09", "Arrivals")] == 5
    empty = parse(admin.get("/api/reports/daily/outcomes.svg?date=2026-03-01").text)
    assert "0 kunjungan — Tidak ada data pada tanggal ini" in texts(empty)


def test_the_page_has_no_inline_script_or_style_for_the_csp_to_refuse(client):
    html = client.get("/admin").text

    assert "style=" not in html and "<style" not in html
    assert all('src="' in tag for tag in re.findall(r"<script[^>]*>", html))
    assert "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tulungagung" in html


# --- in a real browser ---

def wait_until(condition, timeout: float = 10) -> None:
    """Poll a condition outside the browser (a printer, the database) until it holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def today_in_words() -> str:
    today = dt.datetime.now(WIB).date()
    return f"{today.day} {MONTHS[today.month - 1]} {today.year}"


@pytest.fixture
def open_page(browser_pages):
    """Open a path of a server in a fresh browser context; fail on any CSP complaint or script error."""
    def open_(server, path: str = "/admin", viewport=LARGE):
        return open_path(browser_pages, server, path, viewport)

    return open_


def waiting_for(page, service: str):
    return page.locator(f'#waiting-rows tr[data-service="{service}"] td').first  # then the longest wait


@pytest.mark.browser
def test_an_admin_sees_today_live_and_switches_the_kiosks_to_emergency_only_after_confirming(live_server, open_page):
    dead_port = free_port()  # nothing listens: the second kiosk's printer refuses every job
    server = live_server({"kiosks": [
        {"id": "lobby", "name": "Kios lobi", "printer": {"type": "preview"}},
        {"id": "lantai2", "name": "Kios lantai 2",
         "printer": {"type": "network", "host": "127.0.0.1", "port": dead_port, "timeout": 1}}]})
    add_account(server, "kepala", "admin", ())
    add_account(server, "siti", "staff", (1,))
    for service in ("kk", "kk", "kia", "ktp", "akta_lahir"):
        kiosk_visit(server, service)
    kiosk_visit(server, "pindah", kiosk="lantai2")
    boss = staff_session(server, "kepala")
    boss.post(f"{server.url}/api/admission/mode", json={"mode": "emergency_only"}, timeout=10)
    for service in ("kk", "kia", "akta_mati"):
        assert kiosk_visit(server, service)["outcome"] == "online"
    boss.post(f"{server.url}/api/admission/mode", json={"mode": None}, timeout=10)
    assert staff_session(server, "siti").post(f"{server.url}/api/counters/1/call-next", timeout=10).json()["ticket"]["number"] == "B001"

    kiosk = open_page(server, "/kiosk/lobby")
    expect(kiosk.locator("#kiosk")).to_have_attribute("data-live", "up")
    expect(kiosk.locator("#mode")).to_contain_text("Pelayanan tatap muka dibuka", **TEXT)
    page = open_page(server)
    signed_in(page)

    expect(page.locator("#today-online")).to_have_text("3")
    expect(page.locator("#today-online-share")).to_have_text("33% dari 9 kunjungan", **TEXT)
    expect(page.locator("#today-ticket")).to_have_text("5")
    expect(page.locator("#today-postponed")).to_have_text("1")
    expect(page.locator("#today-total")).to_have_text("9")
    expect(waiting_for(page, "kk")).to_have_text("1")
    expect(page.locator('#counter-rows tr[data-counter="1"]')).to_contain_text("B001", **TEXT)
    expect(page.locator('#counter-rows tr[data-counter="1"]')).to_contain_text("siti", **TEXT)
    expect(page.locator('#printer-list [data-kiosk="lantai2"] .failed-job')).to_contain_text("D001", **TEXT)
    expect(page.locator("#printer-alert")).to_have_text("Printer: 1 gagal dicetak", **TEXT)
    expect(page.locator("#mode-history li").first).to_contain_text("Override dihapus", **TEXT)

    kiosk_visit(server, "kk")  # live: the figures follow without a reload
    expect(waiting_for(page, "kk")).to_have_text("2")
    expect(page.locator("#today-ticket")).to_have_text("6")

    page.get_by_role("button", name="Hanya darurat", exact=True).click()
    expect(page.locator("#mode-confirm")).to_be_visible()
    expect(page.locator("#confirm-question")).to_have_text("Ubah mode menjadi Hanya darurat mulai sekarang?", **TEXT)
    assert requests.get(f"{server.url}/api/state", timeout=10).json()["mode"] == "normal"  # nothing yet
    page.get_by_role("button", name="Batal").click()
    expect(page.locator("#mode-confirm")).to_be_hidden()
    page.get_by_role("button", name="Hanya darurat", exact=True).click()
    page.get_by_role("button", name="Ya, ubah mode").click()

    expect(page.locator("#mode-name")).to_contain_text("Hanya darurat", **TEXT)
    expect(page.locator("#mode-why")).to_contain_text("Diatur oleh admin kepala", **TEXT)
    expect(page.locator("#mode-history li").first).to_contain_text("Hanya darurat", **TEXT)
    expect(page.locator("#mode-history li").first).to_contain_text(today_in_words(), **TEXT)
    expect(kiosk.locator("#mode")).to_contain_text("hanya untuk keperluan darurat", **TEXT)
    expect(page.locator("#mode-confirm")).to_be_hidden()
    page.evaluate("scrollTo(0, 0)")
    screenshot(page, "admin.png")

    page.get_by_role("button", name="Hapus override").click()
    expect(page.locator("#confirm-question")).to_contain_text("Mode menjadi Normal (bawaan konfigurasi)", **TEXT)
    page.get_by_role("button", name="Ya, ubah mode").click()
    expect(page.locator("#mode-why")).to_contain_text("Mode bawaan dari konfigurasi", **TEXT)
    expect(kiosk.locator("#mode")).to_contain_text("Pelayanan tatap muka dibuka", **TEXT)
    expect(page.get_by_role("button", name="Hapus override")).to_be_disabled()


@pytest.mark.browser
def test_an_admin_edits_a_notice_and_sees_it_saved_with_who_and_when(live_server, open_page):
    server = live_server()
    add_account(server, "kepala", "admin", ())
    page = open_page(server)
    signed_in(page)
    running = page.locator('[data-notice="running"]')
    ktp = page.locator('[data-notice="service:ktp"]')
    expect(ktp.locator("textarea")).to_have_value(re.compile("Surat keterangan \\(suket\\)"))
    expect(running.locator("[data-part=meta]")).to_have_text("Teks bawaan dari konfigurasi; belum pernah diubah.", **TEXT)
    expect(running.get_by_role("button", name="Simpan")).to_be_disabled()

    running.locator("textarea").fill("Layanan online: layananonline.dukcapil.kemendagri.go.id")
    running.get_by_role("button", name="Simpan").click()
    expect(running.locator("[data-part=state]")).to_contain_text("Tersimpan", **TEXT)
    ktp.locator("textarea").fill("Pelayanan KTP-el ditunda sampai 8 April 2020. Suket tetap berlaku.")
    ktp.get_by_role("button", name="Simpan").click()
    expect(ktp.locator("[data-part=state]")).to_contain_text("Tersimpan", **TEXT)

    stored = requests.get(f"{server.url}/api/notices", timeout=10).json()
    assert stored["running"]["text"] == "Layanan online: layananonline.dukcapil.kemendagri.go.id"
    assert stored["services"]["ktp"]["updated_by"] == "kepala"
    saved_at = dt.datetime.fromisoformat(stored["services"]["ktp"]["updated_at"]).astimezone(WIB)
    when = f"{saved_at.day} {MONTHS[saved_at.month - 1]} {saved_at.year}"
    expect(ktp.locator("[data-part=meta]")).to_contain_text("Diubah oleh kepala, ", **TEXT)
    expect(ktp.locator("[data-part=meta]")).to_contain_text(when, **TEXT)
    expect(ktp.locator("[data-part=meta]")).to_contain_text(f"{saved_at:%H.%M} WIB", **TEXT)

    page.reload()  # stored on the server, not in the page
    expect(page.locator("#board")).to_be_visible()
    expect(ktp.locator("textarea")).to_have_value("Pelayanan KTP-el ditunda sampai 8 April 2020. Suket tetap berlaku.")
    expect(ktp.locator("[data-part=meta]")).to_contain_text(when, **TEXT)
    expect(page.locator('[data-notice="service:kk"] [data-part=meta]')).to_contain_text("belum pernah diubah", **TEXT)
    page.get_by_role("button", name="EN", exact=True).click()
    expect(ktp.locator("[data-part=meta]")).to_contain_text("Changed by kepala", **TEXT)


@pytest.mark.browser
def test_counter_staff_are_told_the_page_is_for_admins_only(live_server, open_page):
    server = live_server()
    add_account(server, "siti", "staff", (1,))
    page = open_page(server)

    log_in(page, "siti")

    expect(page.locator("#login-error")).to_contain_text("Halaman ini hanya untuk admin", **TEXT)
    expect(page.locator("#login-error")).to_contain_text("siti", **TEXT)
    expect(page.locator("#board")).to_be_hidden()
    assert page.request.get(f"{server.url}/api/session").status == 401  # no session left behind

    # A staff session from the counter console, then /admin in the same browser:
    assert page.request.post(f"{server.url}/api/login", data={"username": "siti", "password": PASSWORD}).ok
    page.goto(f"{server.url}/admin")
    expect(page.locator("#refused")).to_be_visible()
    expect(page.locator("#refused-text")).to_contain_text("Halaman ini hanya untuk admin", **TEXT)
    expect(page.locator("#board")).to_be_hidden()
    page.get_by_role("button", name="Keluar, lalu masuk sebagai admin").click()
    expect(page.locator("#login")).to_be_visible()


def give_up_on(server, job_id: int) -> None:
    """Make a job look like one whose every attempt failed: out of paper, left for staff."""
    database = configuration.load(server.config).server.database
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE print_jobs SET status = 'failed', attempts = 4, paper = 'out',"
                     " last_error = 'printer is out of paper', next_attempt_at = NULL WHERE id = ?", (job_id,))
    conn.close()


@pytest.mark.browser
def test_a_failed_print_job_is_retried_and_a_ticket_reprinted_by_its_number(live_server, open_page):
    printer = FakePrinter("ok")
    try:
        server = live_server({"kiosks": [{"id": "lobby", "name": "Kios lobi", "printer": {
            "type": "network", "host": "127.0.0.1", "port": printer.port, "timeout": 2}}]})
        add_account(server, "kepala", "admin", ())
        answer = kiosk_visit(server, "kk")
        assert len(printer.printed()) == 1
        boss = staff_session(server, "kepala")
        # the worker records the outcome just after the bytes arrive
        wait_until(lambda: boss.get(f"{server.url}/api/printers", timeout=10).json()["printers"][0]["last_job"])
        give_up_on(server, answer["print"]["id"])

        page = open_page(server)
        signed_in(page)
        card = page.locator('#printer-list [data-kiosk="lobby"]')
        expect(card).to_contain_text(f"network · 127.0.0.1:{printer.port}", **TEXT)
        expect(card.locator(".paper")).to_have_text("Kertas habis", **TEXT)
        expect(card.locator(".failed-job")).to_contain_text("Tiket B001", **TEXT)
        expect(card.locator(".failed-job")).to_contain_text("printer is out of paper", **TEXT)
        expect(page.locator("#printer-alert")).to_have_text("Printer: 1 gagal dicetak · Kios lobi: kertas habis", **TEXT)

        card.get_by_role("button", name="Ulangi").click()

        expect(card.locator(".failed-job")).to_have_count(0)
        expect(page.locator("#printer-alert")).to_be_hidden()
        expect(card.locator(".paper")).to_have_text("Kertas ada", **TEXT)
        expect(card.locator(".last-job")).to_contain_text("Tiket B001 tercetak", **TEXT)
        wait_until(lambda: len(printer.jobs) == 2)

        page.get_by_label("Cari tiket nomor").fill("b001")
        page.get_by_role("button", name="Cari").click()
        expect(page.locator("#reprint-ticket")).to_contain_text("B001 · Kartu Keluarga · Menunggu", **TEXT)
        expect(page.locator("#reprint-source")).to_contain_text("Diambil di Kios lobi", **TEXT)
        expect(page.get_by_role("button", name="Antre lagi")).to_be_hidden()  # only a no-show goes back
        page.get_by_role("button", name="Cetak ulang").click()
        expect(page.locator("#reprint-note")).to_have_text("B001 dikirim ke printer Kios lobi.", **TEXT)
        expect(card.locator(".last-job")).to_contain_text("Tiket B001 tercetak", **TEXT)
        wait_until(lambda: len(printer.jobs) == 3)

        page.get_by_label("Cari tiket nomor").fill("B999")
        page.get_by_role("button", name="Cari").click()
        expect(page.locator("#reprint-note")).to_have_text("Tiket B999 tidak ditemukan pada hari itu.", **TEXT)
    finally:
        printer.stop()


@pytest.mark.browser
def test_the_daily_report_shows_its_charts_table_and_csv_links_for_the_date_picked(live_server, open_page):
    server = live_server()
    add_account(server, "kepala", "admin", ())
    add_account(server, "siti", "staff", (1,))
    for service in ("kk", "kk", "kia", "kia", "pindah", "ktp", "akta_lahir"):
        kiosk_visit(server, service)
    boss = staff_session(server, "kepala")
    boss.post(f"{server.url}/api/admission/mode", json={"mode": "emergency_only"}, timeout=10)
    for service in ("kk", "kk", "kia", "akta_lahir"):
        kiosk_visit(server, service)
    kiosk_visit(server, "kk", reason="bpjs", priority="lansia")
    boss.post(f"{server.url}/api/admission/mode", json={"mode": None}, timeout=10)
    siti = staff_session(server, "siti")
    for _ in range(2):
        ticket = siti.post(f"{server.url}/api/counters/1/call-next", timeout=10).json()["ticket"]
        siti.post(f"{server.url}/api/tickets/{ticket['id']}/start", timeout=10)
        siti.post(f"{server.url}/api/tickets/{ticket['id']}/finish", timeout=10)
    today = dt.datetime.now(WIB).date()
    yesterday = today - dt.timedelta(days=1)

    page = open_page(server)
    signed_in(page)
    report = page.locator("#reports")
    expect(page.locator("#report-date")).to_have_value(today.isoformat())
    expect(report.locator(".summary-table")).to_contain_text("Kunjungan di kios", **TEXT)
    expect(report.locator(".summary-table tbody tr").first).to_contain_text("12", **TEXT)
    expect(report.locator(".summary-table")).to_contain_text("4 (33%)", **TEXT)
    expect(report.locator(".counter-report tbody tr").first).to_contain_text("siti", **TEXT)
    expect(report.locator(".reason-table")).to_contain_text("Keperluan BPJS Kesehatan", **TEXT)
    expect(report.locator(".priority-table")).to_contain_text("Lansia", **TEXT)
    charts_loaded(page, today)
    assert page.locator("#day-csv").get_attribute("href") == f"/api/reports/daily.csv?date={today}"
    day_csv = page.request.get(server.url + page.locator("#day-csv").get_attribute("href"))
    assert day_csv.ok and "visits.by_outcome,online,4" in day_csv.text()
    page.evaluate("document.getElementById('reports').scrollIntoView()")
    screenshot(page, "admin-report.png")

    page.get_by_role("button", name="‹ Sebelumnya").click()
    expect(page.locator("#report-date")).to_have_value(yesterday.isoformat())
    expect(report.locator(".summary-table tbody tr").first).to_contain_text("0", **TEXT)
    charts_loaded(page, yesterday)
    page.locator("#report-date").fill(today.isoformat())
    expect(report.locator(".summary-table tbody tr").first).to_contain_text("12", **TEXT)
    expect(page.get_by_role("button", name="Berikutnya ›")).to_be_disabled()

    page.locator("#range-from").fill(today.isoformat())
    page.locator("#range-until").fill(yesterday.isoformat())
    expect(page.locator("#range-note")).to_contain_text("harus sesudah", **TEXT)
    assert page.locator("#range-csv").get_attribute("href") is None
    page.locator("#range-from").fill(yesterday.isoformat())
    page.locator("#range-until").fill(today.isoformat())
    expect(page.locator("#range-note")).to_have_text("2 hari, satu baris per hari.", **TEXT)
    href = page.locator("#range-csv").get_attribute("href")
    assert href == f"/api/reports/range.csv?from={yesterday}&until={today}"
    rows = page.request.get(server.url + href).text().splitlines()
    assert len(rows) == 3 and rows[2].startswith(f"{today},open,,12,7,4,1,0,0,0,0,0,2,")

    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("#chart-outcomes")).to_have_attribute("src", re.compile("lang=en"))
    expect(report.locator(".summary-table")).to_contain_text("Kiosk visits", **TEXT)


def charts_loaded(page, day: dt.date) -> None:
    """Each chart <img> shows the day's SVG (it decoded: an error would leave it 0 wide)."""
    for name in ("hours", "wait", "outcomes"):
        img = page.locator(f"#chart-{name}")
        expect(img).to_have_attribute("src", re.compile(f"/api/reports/daily/{name}.svg\\?date={day}&"))
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
        expect(img).to_have_attribute("alt", re.compile(str(day.day)))


def test_an_unenrolled_kiosk_browser_is_enrolled_from_the_admin_page_and_then_gives_numbers(live_server, open_page):
    server = live_server()
    add_account(server, "kepala", "admin", ())
    kiosk_pc = open_page(server, "/")
    kiosk_pc.goto(server.url + "/kiosk/lobby?idle=600")  # no device cookie yet
    expect(kiosk_pc.locator("#enroll")).to_be_visible()
    expect(kiosk_pc.locator("#enroll-title")).to_have_text("Kios ini belum terdaftar", **TEXT)
    expect(kiosk_pc.locator("#start")).to_be_hidden()
    screenshot(kiosk_pc, "kiosk-not-enrolled.png")

    kiosk_pc.goto(server.url + "/admin")  # the admin logs in on the kiosk PC itself
    signed_in(kiosk_pc)
    card = kiosk_pc.locator('#kiosk-list article[data-kiosk="lobby"]')
    expect(card).to_contain_text("Belum ada perangkat terdaftar", **TEXT)
    card.get_by_role("button", name="Buat tautan pendaftaran").click()
    expect(card.locator(".enroll-url")).to_contain_text("/kiosk/lobby?enroll=")
    card.get_by_role("button", name="Daftarkan browser ini").click()
    expect(card).to_contain_text("1 perangkat terdaftar", **TEXT)
    expect(card.locator(".kiosk-note")).to_contain_text("Browser ini sekarang kios lobby", **TEXT)
    screenshot(kiosk_pc, "admin-kiosks.png")

    kiosk_pc.goto(server.url + "/kiosk/lobby?idle=600")
    expect(kiosk_pc.locator("#kiosk")).to_have_attribute("data-live", "up")
    kiosk_pc.get_by_role("button", name="Kartu Keluarga").click()
    expect(kiosk_pc.locator("#ticket-number")).to_have_text("B001")
