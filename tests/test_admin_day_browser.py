"""The counter's day on the supervisor's page (issue 20), in a real browser against the real
server: each counter's state today (ready, calling, serving, paused with why and since when),
the services waiting past their target, a no-show put back in the queue from the ticket
lookup, and the daily report's staff, paused time, sources and waiting targets.

Waiting and paused times come from the server's set clock: a test starts the office at one
moment, then restarts it on the same database some minutes later, and never sleeps minutes."""
from __future__ import annotations

import datetime as dt
import re
import tomllib
import uuid
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import expect

from bench.liveserver import ROOT
from browserkit import TEXT, add_account, kiosk_visit, open_path, screenshot, signed_in, staff_session

LARGE = {"width": 1920, "height": 1080}
WIB = ZoneInfo("Asia/Jakarta")
pytestmark = pytest.mark.browser


@pytest.fixture
def open_page(browser_pages):
    def open_(server, path: str = "/admin", viewport=LARGE):
        return open_path(browser_pages, server, path, viewport)

    return open_


def with_targets(**targets: int) -> dict:
    """Overrides giving some services another target_wait in minutes (the others keep the
    shipped config's; KTP-el postponed, as in every test)."""
    with open(ROOT / "config.toml", "rb") as f:
        services = tomllib.load(f)["services"]
    return {"services": [{**s, "postponed": s["code"] == "ktp",
                          **({"target_wait": targets[s["code"]]} if s["code"] in targets else {})}
                         for s in services]}


def later(moment: str, **delta) -> str:
    """An ISO moment some time after another, for a server started again on the same database."""
    return (dt.datetime.fromisoformat(moment) + dt.timedelta(**delta)).isoformat()


def office_time(stamp: str, english: bool = False) -> str:
    """A stored instant as the page writes it: "11.42 WIB" (or "11:42 WIB")."""
    moment = dt.datetime.fromisoformat(stamp).astimezone(WIB)
    return moment.strftime("%H:%M WIB" if english else "%H.%M WIB")


def post(session, server, path: str, body=None, status: int = 200) -> dict:
    answer = session.post(f"{server.url}{path}", json=body or {}, timeout=10)
    assert answer.status_code == status, answer.text
    return answer.json()


def counter_row(page, counter: int):
    return page.locator(f'#counter-rows tr[data-counter="{counter}"]')


def set_language(page, language: str) -> None:
    page.get_by_role("button", name=language.upper(), exact=True).click()


# --- today's counters and targets ---

def test_a_paused_counter_shows_its_reason_and_since_when_and_is_ready_again_once_resumed(live_server, open_page):
    server = live_server()
    add_account(server, "kepala", "admin", ())
    add_account(server, "siti", "staff", (1,))
    add_account(server, "budi", "staff", (2,))
    for _ in range(3):
        kiosk_visit(server, "kk")
    siti, budi = staff_session(server, "siti"), staff_session(server, "budi")
    post(budi, server, "/api/counters/2/call-next")
    page = open_page(server)
    signed_in(page)
    expect(counter_row(page, 1).locator(".state")).to_have_text("Siap", **TEXT)
    expect(counter_row(page, 2).locator(".state")).to_have_text("Memanggil B001", **TEXT)

    paused = post(siti, server, "/api/counters/1/pause", {"reason": "ibadah"})["paused"]
    since = office_time(paused["since"])
    expect(counter_row(page, 1).locator(".state")).to_have_text(f"Jeda: Ibadah sejak {since}", **TEXT)
    expect(counter_row(page, 1)).to_have_attribute("data-state", "paused")
    post(budi, server, "/api/tickets/1/start")
    expect(counter_row(page, 2).locator(".state")).to_have_text("Melayani B001", **TEXT)
    set_language(page, "en")
    expect(counter_row(page, 1).locator(".state")).to_have_text(
        f"Paused: Prayer since {office_time(paused['since'], english=True)}", **TEXT)
    expect(counter_row(page, 2).locator(".state")).to_have_text("Serving B001", **TEXT)
    set_language(page, "id")

    post(siti, server, "/api/counters/1/resume")
    expect(counter_row(page, 1).locator(".state")).to_have_text("Siap", **TEXT)
    expect(counter_row(page, 1)).to_have_attribute("data-state", "free")
    post(siti, server, "/api/counters/1/call-next")
    expect(counter_row(page, 1).locator(".state")).to_have_text("Memanggil B002", **TEXT)


def test_a_service_waiting_past_its_target_is_listed_live_until_its_queue_is_called(live_server, open_page, tmp_path):
    office = with_targets(kk=10, kia=30)
    start = "2026-03-02T11:30:00+07:00"  # a Monday, before the midday prayer
    first = live_server(office, clock=start)
    add_account(first, "kepala", "admin", ())
    add_account(first, "siti", "staff", (1,))
    add_account(first, "budi", "staff", (2,))
    add_account(first, "rina", "staff", (3,))
    for service in ("kk", "kk", "kk", "kia"):
        kiosk_visit(first, service)
    first.kill()
    # twelve minutes and a half on: the oldest visitor has waited 12 whole minutes
    server = live_server(office, folder=tmp_path, clock=later(start, minutes=12, seconds=30))
    siti, budi, rina = (staff_session(server, name) for name in ("siti", "budi", "rina"))
    post(siti, server, "/api/counters/1/call-next")  # B001
    ticket = post(budi, server, "/api/counters/2/call-next")["ticket"]  # B002
    post(budi, server, f"/api/tickets/{ticket['id']}/start")
    paused = post(rina, server, "/api/counters/3/pause", {"reason": "ibadah"})["paused"]

    page = open_page(server)
    signed_in(page)
    over = page.locator("#over-target")
    expect(over.locator("li")).to_have_count(1)
    expect(over.locator('li[data-service="kk"]')).to_have_text(
        "B Kartu Keluarga: terlama menunggu 12 menit, target 10 menit", **TEXT)
    expect(page.locator('#waiting-rows tr[data-service="kk"]')).to_contain_text("lewat target", **TEXT)
    expect(page.locator('#waiting-rows tr[data-service="kia"] td').last).to_have_text("12 mnt", **TEXT)
    expect(counter_row(page, 1).locator(".state")).to_have_text("Memanggil B001", **TEXT)
    expect(counter_row(page, 2).locator(".state")).to_have_text("Melayani B002", **TEXT)
    expect(counter_row(page, 3).locator(".state")).to_have_text(f"Jeda: Ibadah sejak {office_time(paused['since'])}", **TEXT)
    assert office_time(paused["since"]) == "11.42 WIB"
    page.evaluate("scrollTo(0, document.getElementById('today').getBoundingClientRect().top + scrollY - 90)")
    screenshot(page, "admin-today-counters.png")
    set_language(page, "en")
    expect(over.locator('li[data-service="kk"]')).to_have_text(
        "B Family card (KK): longest wait 12 minutes, target 10 minutes", **TEXT)
    set_language(page, "id")

    post(siti, server, "/api/tickets/1/no-show")
    post(siti, server, "/api/counters/1/call-next")  # B003, the last visitor waiting for a KK
    expect(over.locator("li")).to_have_text("Semua layanan dalam target", **TEXT)
    expect(page.locator("#targets")).to_have_attribute("data-over", "0")
    expect(page.locator('#waiting-rows tr[data-service="kk"] td').last).to_have_text("—", **TEXT)


# --- requeue from the ticket lookup ---

def find_ticket(page, number: str) -> None:
    page.get_by_label("Cari tiket nomor").fill(number)
    page.get_by_role("button", name="Cari", exact=True).click()


def test_a_no_show_found_by_number_is_put_back_in_the_queue_with_its_new_position(live_server, open_page):
    # The machine's clock: the page judges the requeue deadline by the server's Date header.
    server = live_server()
    add_account(server, "kepala", "admin", ())
    add_account(server, "siti", "staff", (1,))
    taken = [kiosk_visit(server, "kk")["ticket"] for _ in range(5)]  # B001 to B005
    siti = staff_session(server, "siti")
    post(siti, server, "/api/counters/1/call-next")
    missed = post(siti, server, "/api/tickets/1/no-show")["ticket"]
    desk = post(siti, server, "/api/desk/visits", {"service": "pindah", "request_id": uuid.uuid4().hex}, status=201)

    page = open_page(server)
    signed_in(page)
    find_ticket(page, "b001")
    expect(page.locator("#reprint-ticket")).to_have_text("B001 · Kartu Keluarga · Tidak hadir", **TEXT)
    expect(page.locator("#reprint-source")).to_have_text(f"Diambil di Kios lobi, {office_time(taken[0]['issued_at'])}",
                                                         **TEXT)
    expect(page.locator("#requeue-why")).to_have_text(
        f"Tidak hadir saat dipanggil di Loket 1, {office_time(missed['ended_at'])}."
        f" Bisa antre lagi sampai {office_time(missed['requeue_until'])}.", **TEXT)
    expect(page.get_by_role("button", name="Cetak ulang")).to_be_hidden()  # the lobby kiosk only shows tickets on screen
    page.evaluate("document.getElementById('printers').scrollIntoView()")
    page.evaluate("scrollBy(0, -90)")
    screenshot(page, "admin-requeue.png")
    page.get_by_role("button", name="Antre lagi").click()

    expect(page.locator("#reprint-note")).to_have_text("B001 kembali ke antrean, posisi 3 (3 orang di depannya).", **TEXT)
    expect(page.locator("#reprint-ticket")).to_have_text("B001 · Kartu Keluarga · Menunggu", **TEXT)
    expect(page.get_by_role("button", name="Antre lagi")).to_be_hidden()
    waiting = [t["number"] for t in requests.get(f"{server.url}/api/state", timeout=10).json()["waiting"]
               if t["service"] == "kk"]
    assert waiting == ["B002", "B003", "B004", "B001", "B005"]
    expect(page.locator('#waiting-rows tr[data-service="kk"] td').first).to_have_text("5")
    set_language(page, "en")
    expect(page.locator("#reprint-note")).to_have_text("B001 is back in the queue, position 3 (3 people ahead).", **TEXT)
    set_language(page, "id")

    find_ticket(page, desk["ticket"]["number"])
    expect(page.locator("#reprint-source")).to_have_text(
        f"Dibuat di loket oleh siti, {office_time(desk['ticket']['issued_at'])}", **TEXT)
    expect(page.get_by_role("button", name="Cetak ulang")).to_be_hidden()  # read out from the screen: no printer


def test_past_its_requeue_time_a_no_show_has_no_button_and_the_page_says_why(live_server, open_page):
    server = live_server({"queue": {"requeue_minutes": 0}})  # the time is up as soon as the call is missed
    add_account(server, "kepala", "admin", ())
    add_account(server, "siti", "staff", (1,))
    kiosk_visit(server, "kk")
    siti = staff_session(server, "siti")
    post(siti, server, "/api/counters/1/call-next")
    missed = post(siti, server, "/api/tickets/1/no-show")["ticket"]

    page = open_page(server)
    signed_in(page)
    find_ticket(page, "B001")
    expect(page.locator("#reprint-ticket")).to_have_text("B001 · Kartu Keluarga · Tidak hadir", **TEXT)
    expect(page.locator("#requeue-why")).to_contain_text(
        f"Batas antre lagi ({office_time(missed['requeue_until'])}) sudah lewat: pengunjung perlu mengambil nomor baru.",
        **TEXT)
    expect(page.get_by_role("button", name="Antre lagi")).to_be_hidden()
    expect(page.get_by_role("button", name="Cetak ulang")).to_be_hidden()
    refused = staff_session(server, "kepala").post(f"{server.url}/api/tickets/1/requeue", json={}, timeout=10)
    assert refused.status_code == 409 and refused.json()["error"] == "requeue_too_late"


# --- the daily report: staff, paused time, sources, waiting targets ---

def test_the_report_gives_each_staff_members_figures_the_paused_time_and_the_share_within_target(
        live_server, open_page, tmp_path):
    office = with_targets(kk=10, kia=5)
    start = "2026-03-02T09:00:00+07:00"
    server = live_server(office, clock=start)
    add_account(server, "kepala", "admin", ())
    add_account(server, "siti", "staff", (1,))
    add_account(server, "budi", "staff", (2,))
    for service in ("kk", "kk", "kk", "kia"):
        kiosk_visit(server, service)
    siti = staff_session(server, "siti")
    post(siti, server, "/api/desk/visits", {"service": "pindah", "request_id": uuid.uuid4().hex}, status=201)
    post(siti, server, "/api/counters/1/call-next")  # B001, called at once: within its target
    post(siti, server, "/api/tickets/1/start")
    server.kill()

    server = live_server(office, folder=tmp_path, clock=later(start, minutes=20, seconds=30))
    siti = staff_session(server, "siti")
    post(siti, server, "/api/tickets/1/finish")
    post(siti, server, "/api/counters/1/call-next")  # B002, after 20 minutes: past its target
    post(siti, server, "/api/tickets/2/start")
    post(siti, server, "/api/tickets/2/finish")
    post(siti, server, "/api/counters/1/pause", {"reason": "istirahat"})
    server.kill()

    # 25 minutes and 20 seconds on: siti's break lasted 25 whole minutes
    server = live_server(office, folder=tmp_path, clock=later(start, minutes=45, seconds=50))
    post(staff_session(server, "siti"), server, "/api/counters/1/resume")
    budi = staff_session(server, "budi")
    post(budi, server, "/api/counters/2/call-next")  # B003, after 45 minutes
    post(budi, server, "/api/tickets/3/no-show")
    report = staff_session(server, "kepala").get(f"{server.url}/api/reports/daily", timeout=10).json()
    assert [(s["user"], s["served"], s["no_show"]) for s in report["staff"]] == [("budi", 0, 1), ("siti", 2, 0)]

    page = open_page(server)
    signed_in(page)
    reports = page.locator("#reports")
    expect(reports.locator(".staff-table caption")).to_have_text("Staf", **TEXT)
    staff = reports.locator(".staff-table tbody tr")
    expect(staff).to_have_count(2)
    expect(staff.nth(0)).to_have_text(re.compile(r"^budi\s*Loket 2\s*0\s*1\s*–\s*0 mnt$"), **TEXT)
    expect(staff.nth(1)).to_have_text(re.compile(r"^siti\s*Loket 1\s*2\s*0\s*\d+,\d mnt\s*25 mnt$"), **TEXT)
    expect(reports.locator(".counter-report tbody tr").first).to_contain_text("25 mnt", **TEXT)
    targets = reports.locator(".target-table tbody tr")
    expect(targets).to_have_count(9)  # the shipped config gives every service a target
    expect(targets.nth(1)).to_have_text(re.compile(r"^Kartu Keluarga\s*10 mnt\s*3\s*1\s*33%$"), **TEXT)
    expect(targets.nth(2)).to_have_text(re.compile(r"^Kartu Identitas Anak\s*5 mnt\s*0\s*0\s*—$"), **TEXT)
    expect(targets.nth(3)).to_have_text(re.compile(r"^Pindah / Datang\s*30 mnt\s*0\s*0\s*—$"), **TEXT)
    sources = reports.locator(".source-table")
    expect(sources.locator("tbody tr").nth(0)).to_have_text(re.compile(r"Datang langsung \(kios\)\s*4$"), **TEXT)
    expect(sources.locator("tbody tr").nth(2)).to_have_text(re.compile(r"Dibuat di loket\s*1$"), **TEXT)
    page.evaluate("document.querySelector('#reports .report-wide').scrollIntoView()")
    page.evaluate("scrollBy(0, -90)")
    screenshot(page, "admin-report-staff.png")

    set_language(page, "en")
    expect(reports.locator(".staff-table caption")).to_have_text("Staff", **TEXT)
    expect(staff.nth(1)).to_contain_text("25 min", **TEXT)
    expect(targets.nth(2)).to_have_text(re.compile(r"^Child ID card \(KIA\)\s*5 min\s*0\s*0\s*—$"), **TEXT)
