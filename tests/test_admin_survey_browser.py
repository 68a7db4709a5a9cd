"""The satisfaction survey's report on the supervisor's page (SKM, Permenpan-RB 14/2017; issue 21),
in a real browser against the real server: answers seeded through the API on tickets really
served, then the period picked, the IKM and grade, each element's NRR, the service and counter
rows, the comments shown as the visitors wrote them, the CSV link, the chart, a period nobody
answered in, and English."""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from browserkit import TEXT, add_account, kiosk_visit, open_path, screenshot, signed_in, staff_session

pytestmark = pytest.mark.browser

CODES = [f"u{i}" for i in range(1, 10)]
LARGE = {"width": 1920, "height": 1080}
START = "2026-03-16T09:00:00+07:00"  # a Monday; the default period is 1 to 16 March 2026
TODAY = "2026-03-16"
MARKUP = "Petugas ramah. <b>markup</b> & <i>lainnya</i>"
# Three answers, worked out by hand:
#   all:       answers 36 + 27 + 24 = 87 of 27 → IKM 87/27 × 25 = 80.555… → 80,56, B (Baik);
#              U1 (4+3+3)/3 = 3,333 (score 83,33); U3 (4+3+2)/3 = 3,000 (75,00); U8 (4+3+1)/3 = 2,667 (66,67)
#   kk:        36 + 27 of 18 → 87,50, B;      kia: 24/9 × 25 = 66,67, C (Kurang Baik)
#   Loket 1:   36 + 24 of 18 → 83,33, B;  Loket 2: 27/9 × 25 = 75,00, C
ANSWERS = [
    ("kk", 1, [4, 4, 4, 4, 4, 4, 4, 4, 4], MARKUP),
    ("kk", 2, [3, 3, 3, 3, 3, 3, 3, 3, 3], None),
    ("kia", 1, [3, 3, 2, 3, 3, 3, 3, 1, 3], "Antrean cepat."),
]


def served_and_answered(server, boss, service: str, counter: int, values: list[int], comment) -> None:
    """A ticket taken at the kiosk, called at the counter, served, finished, and its survey answered."""
    ticket = kiosk_visit(server, service)["ticket"]
    for path, body in ((f"/api/counters/{counter}/call", {"ticket_id": ticket["id"]}),
                       (f"/api/tickets/{ticket['id']}/start", {}), (f"/api/tickets/{ticket['id']}/finish", {})):
        answer = boss.post(server.url + path, json=body, timeout=10)
        assert answer.ok, answer.text
    body = {"answers": dict(zip(CODES, values)), **({"comment": comment} if comment else {})}
    answer = requests.post(f"{server.url}/api/tickets/{ticket['token']}/survey", json=body, timeout=10)
    assert answer.status_code == 201, answer.text


def row(table, head: str):
    """The row of a table whose first cell (its header) is head."""
    return table.locator("tbody tr").filter(has=table.page.locator("th", has_text=head))


def test_the_survey_report_shows_the_ikm_grade_elements_services_and_comments_for_the_period(live_server, browser_pages):
    server = live_server({"survey": {}}, clock=START)
    add_account(server, "kepala", "admin", ())
    boss = staff_session(server, "kepala")
    for service, counter, values, comment in ANSWERS:
        served_and_answered(server, boss, service, counter, values, comment)

    page = open_path(browser_pages, server, "/admin", LARGE)
    signed_in(page)
    card = page.locator("#survey")
    expect(page.locator("#survey-from")).to_have_value("2026-03-01")  # this month so far
    expect(page.locator("#survey-to")).to_have_value(TODAY)
    expect(page.locator("#survey-responses")).to_have_text("3")

    page.locator("#survey-from").fill(TODAY)
    expect(page.locator("#survey-csv")).to_have_attribute("href", f"/api/reports/survey.csv?from={TODAY}&to={TODAY}")
    expect(page.locator("#survey-responses")).to_have_text("3")
    expect(page.locator("#survey-ikm")).to_have_text("80,56", **TEXT)
    expect(page.locator("#survey-grade")).to_have_text("B")
    expect(page.locator("#survey-grade-words")).to_have_text("Baik", **TEXT)
    elements = card.locator(".survey-element-table")
    expect(elements.locator("tbody tr")).to_have_count(9)
    for code, name, nrr, score in (("U1", "Persyaratan", "3,333", "83,33"), ("U3", "Waktu penyelesaian", "3,000", "75,00"),
                                   ("U8", "Penanganan pengaduan, saran dan masukan", "2,667", "66,67")):
        expect(row(elements, code).locator("td")).to_have_text([name, nrr, score], **TEXT)
    services = card.locator(".survey-service-table")
    expect(row(services, "Kartu Keluarga").locator("td")).to_have_text(["2", "87,50", "B · Baik"], **TEXT)
    expect(row(services, "Kartu Identitas Anak").locator("td")).to_have_text(["1", "66,67", "C · Kurang Baik"], **TEXT)
    counters = card.locator(".survey-counter-table")
    expect(row(counters, "Loket 1").locator("td")).to_have_text(["2", "83,33", "B · Baik"], **TEXT)
    expect(row(counters, "Loket 2").locator("td")).to_have_text(["1", "75,00", "C · Kurang Baik"], **TEXT)
    comments = card.locator(".survey-comment-table tbody tr")
    expect(comments).to_have_count(2)
    expect(comments.first.locator("td")).to_have_text(["Kartu Keluarga", MARKUP], **TEXT)  # as written, not as markup
    assert comments.first.locator("b, i").count() == 0
    expect(comments.first.locator("th")).to_have_text("16 Mar 2026", **TEXT)

    chart = page.locator("#chart-survey")
    expect(chart).to_have_attribute("src", re.compile(f"/api/reports/survey/elements.svg\\?from={TODAY}&to={TODAY}&lang=id&"))
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    expect(chart).to_have_attribute("alt", re.compile("U1 3,333.*IKM 80,56, mutu B"))
    csv = page.request.get(server.url + page.locator("#survey-csv").get_attribute("href"))
    assert csv.ok and "all,ikm,80.56" in csv.text() and "<b>markup</b>" in csv.text()
    page.evaluate("document.activeElement.blur(); document.getElementById('survey').scrollIntoView()")
    screenshot(page, "admin-survey.png")

    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("#survey-grade-words")).to_have_text("Good", **TEXT)
    expect(row(services, "Child ID card (KIA)").locator("td").last).to_have_text("C · Fair", **TEXT)
    expect(row(elements, "U1").locator("td").first).to_have_text("Requirements", **TEXT)
    expect(page.locator("#survey-ikm")).to_have_text("80.56", **TEXT)
    expect(chart).to_have_attribute("src", re.compile("lang=en"))
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    screenshot(page, "admin-survey-en.png")
    page.get_by_role("button", name="ID", exact=True).click()

    page.locator("#survey-from").fill("2026-02-01")
    page.locator("#survey-to").fill("2026-02-28")
    expect(page.locator("#survey-message")).to_have_text("Belum ada jawaban survei pada periode ini.", **TEXT)
    expect(page.locator("#survey-responses")).to_have_text("0")
    expect(page.locator("#survey-ikm")).to_have_text("–", **TEXT)
    expect(page.locator("#survey-grade-words")).to_have_text("")
    expect(card.locator(".survey-element-table")).to_have_count(0)
    expect(page.locator("#survey-tables")).to_be_hidden()
    expect(chart).to_have_attribute("src", re.compile("from=2026-02-01&to=2026-02-28"))
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    expect(chart).to_have_attribute("alt", re.compile("belum ada jawaban"))
    expect(page.locator("#survey-csv")).to_have_attribute("href", "/api/reports/survey.csv?from=2026-02-01&to=2026-02-28")
    page.evaluate("document.activeElement.blur(); document.getElementById('survey').scrollIntoView()")
    screenshot(page, "admin-survey-empty.png")

    page.locator("#survey-to").fill("2026-01-31")  # before "from": nothing is asked for
    expect(page.locator("#survey-note")).to_contain_text("harus sesudah", **TEXT)
    assert page.locator("#survey-csv").get_attribute("href") is None

    page.set_viewport_size({"width": 1366, "height": 768})  # the office's smaller PCs
    page.get_by_role("button", name="Bulan ini").click()
    expect(page.locator("#survey-ikm")).to_have_text("80,56", **TEXT)
    page.evaluate("document.getElementById('survey').scrollIntoView()")
    screenshot(page, "admin-survey-1366.png")
