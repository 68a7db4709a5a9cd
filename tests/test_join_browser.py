"""Joining the queue from a visitor's phone (issue 21) in a real browser against the real server:
the hall screen's QR code, scanned and followed on a phone-sized page to the ticket's own page;
the emergency question and the way online; an old code; the code rotating on the wall without
a blank moment; a wall without joining. Screenshots land in docs/screenshots/."""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from browserkit import TEXT, add_account, assert_phone_friendly, screenshot, staff_session
from test_display_browser import Desk, assert_fits, busy_morning

pytestmark = pytest.mark.browser

JOIN = {"join": {"rotate_seconds": 60}}
HALL = {"width": 1920, "height": 1080}
SMALL_HALL = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
QR_SRC = re.compile(r"^/join/([a-z2-7]{12})/qr\.svg$")
MONDAY = "2026-03-02T09:00:00+07:00"
THREE_MINUTES_LATER = "2026-03-02T09:03:00+07:00"  # past 2 × rotate_seconds: the first code is old
QR_LOADED = "(img) => img.complete && img.naturalWidth > 0"


# --- the wall and the phone ---

def open_hall(browser_pages, server, viewport=HALL):
    page = browser_pages.new(viewport, timezone_id="Asia/Jakarta")
    page.goto(server.url + "/display")
    expect(page.locator("#hall")).to_have_attribute("data-live", "up")
    return page


def scanned_key(hall) -> str:
    """The join code in the wall's QR code, once its image has loaded: what a phone's camera reads."""
    qr = hall.locator("#join-qr")
    expect(qr).to_be_visible()
    expect(qr).to_have_attribute("src", QR_SRC)
    assert qr.evaluate(QR_LOADED)
    return QR_SRC.match(qr.get_attribute("src")).group(1)


def open_phone(browser_pages, server, path: str):
    """A phone-sized page (390×844, touch) on a path of the server; the page and the HTTP answer."""
    page = browser_pages.new(PHONE, is_mobile=True, has_touch=True, device_scale_factor=2,
                             timezone_id="Asia/Jakarta")
    answer = page.goto(server.url + path)
    return page, answer


def current_key(server) -> str:
    return requests.get(f"{server.url}/api/state", timeout=10).json()["join"]["key"]


def admin_session(server, new: bool = True) -> requests.Session:
    """The supervisor kepala, signed in (made first unless the test already has them)."""
    if new:
        add_account(server, "kepala", "admin", ())
    return staff_session(server, "kepala")


def qr_size(page) -> float:
    box = page.locator("#join-qr").bounding_box()
    assert abs(box["width"] - box["height"]) < 1, box
    return box["width"]


# --- scanning the wall and joining ---

def test_a_phone_scans_the_walls_code_takes_a_priority_number_and_lands_on_its_ticket(live_server, browser_pages):
    server = live_server(JOIN)
    busy_morning(server, Desk(server))
    hall = open_hall(browser_pages, server)
    expect(hall.locator("#latest-number")).to_have_text("H001")
    key = scanned_key(hall)
    expect(hall.locator("#join-corner")).to_contain_text("Ambil antrean dari ponsel Anda")
    expect(hall.locator("#join-corner")).to_contain_text("Take a number from your phone")
    assert qr_size(hall) >= 200  # a phone's camera reads it from 1–2 m
    assert_fits(hall)
    screenshot(hall, "display-join.png")
    small = open_hall(browser_pages, server, SMALL_HALL)
    scanned_key(small)
    assert qr_size(small) >= 150
    assert_fits(small)
    screenshot(small, "display-join-1366.png")

    phone, answer = open_phone(browser_pages, server, f"/join/{key}")  # the URL the code holds
    assert answer.status == 200
    expect(phone.locator("#start-title")).to_have_text("Pilih layanan", **TEXT)
    expect(phone.locator('[data-service="ktp"] .badge')).to_have_text("Sedang ditunda", **TEXT)
    assert_phone_friendly(phone)
    screenshot(phone, "join-services.png")

    phone.get_by_role("button", name="Lansia (60+ tahun)").click()
    expect(phone.get_by_role("button", name="Lansia (60+ tahun)")).to_have_attribute("aria-pressed", "true")
    phone.get_by_role("button", name=re.compile("Kartu Keluarga")).click()
    phone.wait_for_url(re.compile(r"/t/[\w-]+$"))
    number = phone.locator("#number")
    expect(number).to_have_text(re.compile(r"^B\d{3}$"))
    expect(phone.locator("#priority")).to_be_visible()

    waiting = requests.get(f"{server.url}/api/state", timeout=10).json()["waiting"]
    mine = [t for t in waiting if t["number"] == number.inner_text()]
    assert mine and mine[0]["service"] == "kk" and mine[0]["priority"], waiting
    in_line = [t["number"] for t in waiting if t["service"] == "kk"]
    assert in_line[:2] == ["B008", mine[0]["number"]], in_line  # after the earlier priority visitor, before the rest
    report = admin_session(server, new=False).get(f"{server.url}/api/reports/daily", timeout=10).json()
    assert report["tickets"]["by_source"]["phone"] == 1, report["tickets"]


def test_english_is_one_tap_away_and_the_ticket_page_keeps_it(live_server, browser_pages):
    server = live_server(JOIN)
    phone, _ = open_phone(browser_pages, server, f"/join/{current_key(server)}")
    phone.get_by_role("button", name="English").click()
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator("#start-title")).to_have_text("Choose a service", **TEXT)
    expect(phone.locator("#mode-main")).to_have_text("Walk-in service is open.", **TEXT)
    phone.get_by_role("button", name=re.compile("Birth certificate")).click()
    phone.wait_for_url(re.compile(r"/t/[\w-]+$"))
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator("#ticket-label")).to_have_text("Your queue number", **TEXT)


def test_while_only_emergencies_are_admitted_a_phone_without_one_is_sent_online_and_with_one_gets_a_number(
        live_server, browser_pages):
    server = live_server(JOIN)
    switched = admin_session(server).post(f"{server.url}/api/admission/mode", json={"mode": "emergency_only"},
                                          timeout=10)
    assert switched.status_code == 200, switched.text
    phone, _ = open_phone(browser_pages, server, f"/join/{current_key(server)}")
    expect(phone.locator("#mode-main")).to_contain_text("hanya untuk keperluan darurat")

    phone.get_by_role("button", name=re.compile("Kartu Keluarga")).click()
    expect(phone.locator("#question-title")).to_have_text("Apakah keperluan Anda darurat?", **TEXT)
    expect(phone.get_by_role("button", name="Keperluan BPJS Kesehatan")).to_be_visible()
    assert_phone_friendly(phone)
    phone.get_by_role("button", name=re.compile("Tidak darurat")).click()

    expect(phone.locator("#online-title")).to_have_text("Silakan urus secara online", **TEXT)
    link = phone.locator("#online-url")
    expect(link).to_have_text("layananonline.dukcapil.kemendagri.go.id")
    expect(link).to_have_attribute("href", "https://layananonline.dukcapil.kemendagri.go.id")
    expect(phone.locator("#online-steps li")).to_have_count(3)
    qr = phone.locator("#online-qr")
    expect(qr).to_have_attribute("src", "/qr/online.svg")
    phone.wait_for_function(f"({QR_LOADED})(document.getElementById('online-qr'))")
    assert_phone_friendly(phone)
    screenshot(phone, "join-online.png")
    assert requests.get(f"{server.url}/api/state", timeout=10).json()["waiting"] == []

    phone.get_by_role("button", name="Kembali ke pilihan layanan").click()
    phone.get_by_role("button", name=re.compile("Kartu Keluarga")).click()
    phone.get_by_role("button", name="Keperluan BPJS Kesehatan").click()
    phone.wait_for_url(re.compile(r"/t/[\w-]+$"))
    expect(phone.locator("#number")).to_have_text(re.compile(r"^B\d{3}$"))
    waiting = requests.get(f"{server.url}/api/state", timeout=10).json()["waiting"]
    assert [t["service"] for t in waiting] == ["kk"], waiting


def test_a_postponed_service_is_said_in_words_with_a_way_back(live_server, browser_pages):
    server = live_server(JOIN)
    phone, _ = open_phone(browser_pages, server, f"/join/{current_key(server)}")
    phone.get_by_role("button", name=re.compile("KTP Elektronik")).click()
    expect(phone.locator("#message-title")).to_have_text("Layanan ini sedang ditunda", **TEXT)
    expect(phone.locator("#message-service")).to_have_text("Layanan: KTP Elektronik", **TEXT)
    expect(phone.locator("#message-text")).not_to_be_empty()
    phone.get_by_role("button", name="Kembali ke pilihan layanan").click()
    expect(phone.locator("#start-title")).to_be_visible()


def test_an_answer_lost_on_the_way_is_asked_again_with_the_same_request_id_and_makes_one_ticket(
        live_server, browser_pages):
    server = live_server(JOIN)
    phone, _ = open_phone(browser_pages, server, f"/join/{current_key(server)}")
    sent = []

    def lose_the_first_answer(route):
        sent.append(route.request.post_data_json)
        if len(sent) == 1:
            route.fetch()  # the server makes the ticket; its answer never reaches the phone
            route.abort("connectionreset")
        else:
            route.continue_()

    phone.route("**/api/visits", lose_the_first_answer)
    phone.get_by_role("button", name=re.compile("Kartu Keluarga")).click()
    expect(phone.locator("#failure-title")).to_have_text("Nomor antrian belum dapat diberikan", **TEXT)
    expect(phone.locator("#failure-text")).to_contain_text("Tidak dapat terhubung ke server")
    phone.get_by_role("button", name="Coba lagi").click()
    phone.wait_for_url(re.compile(r"/t/[\w-]+$"))
    expect(phone.locator("#number")).to_have_text("B001")

    assert len(sent) == 2 and sent[0]["request_id"] == sent[1]["request_id"], sent
    assert sent[0] == {"join": sent[0]["join"], "service": "kk", "request_id": sent[0]["request_id"]}
    waiting = requests.get(f"{server.url}/api/state", timeout=10).json()["waiting"]
    assert [t["number"] for t in waiting] == ["B001"]


def test_joins_past_the_addresss_limit_are_told_to_wait_in_words(live_server, browser_pages):
    server = live_server({**JOIN, "limits": {"joins_per_address": "1/hour"}})
    join_page = f"{server.url}/join/{current_key(server)}"
    phone, _ = open_phone(browser_pages, server, join_page.removeprefix(server.url))
    phone.get_by_role("button", name=re.compile("Kartu Keluarga")).click()
    phone.wait_for_url(re.compile(r"/t/[\w-]+$"))

    phone.goto(join_page)  # the code again: a second number from the same network
    expect(phone.locator("#start-title")).to_be_visible()
    phone.get_by_role("button", name=re.compile("Akta Kelahiran")).click()
    expect(phone.locator("#failure-text")).to_contain_text("Terlalu banyak pengambilan nomor dari jaringan ini")
    expect(phone.locator("#retry-button")).to_be_visible()
    assert len(requests.get(f"{server.url}/api/state", timeout=10).json()["waiting"]) == 1


# --- an old code ---

def test_an_old_code_tells_the_visitor_to_scan_the_hall_screen_again(live_server, browser_pages, tmp_path):
    monday = live_server(JOIN, clock=MONDAY)
    old = current_key(monday)
    monday.kill()
    later = live_server(JOIN, folder=tmp_path, clock=THREE_MINUTES_LATER)  # the same database and secret
    assert current_key(later) != old

    phone, answer = open_phone(browser_pages, later, f"/join/{old}")
    assert answer.status == 403
    expect(phone.locator("h1")).to_have_text("Kode sudah tidak berlaku")
    expect(phone.locator("main")).to_contain_text("Silakan pindai lagi kode QR di layar aula")
    expect(phone.locator("main")).to_contain_text("Scan the QR code on the hall screen again")
    assert_phone_friendly(phone)
    screenshot(phone, "join-expired.png")

    fresh, answer = open_phone(browser_pages, later, f"/join/{current_key(later)}")
    assert answer.status == 200
    expect(fresh.locator("#start-title")).to_be_visible()


def test_a_page_left_open_past_its_code_is_told_to_scan_again_when_it_sends(live_server, browser_pages):
    server = live_server(JOIN, clock=MONDAY)
    phone, _ = open_phone(browser_pages, server, f"/join/{current_key(server)}")
    expect(phone.locator("#join")).to_have_attribute("data-ready", "true")
    server.kill()  # the same server three minutes on: the page's code is old by now
    server.env["ANTRIAN_TEST_CLOCK"] = THREE_MINUTES_LATER
    server.start()

    phone.get_by_role("button", name=re.compile("Kartu Keluarga")).click()
    expect(phone.locator("#failure-title")).to_have_text("Kode sudah tidak berlaku", **TEXT)
    expect(phone.locator("#failure-text")).to_contain_text("pindai lagi kode QR di layar aula")
    expect(phone.locator("#retry-button")).to_be_hidden()
    assert requests.get(f"{server.url}/api/state", timeout=10).json()["waiting"] == []


# --- the code rotating on the wall ---

def test_the_walls_code_changes_as_it_rotates_and_never_leaves_the_corner_blank(live_server, browser_pages):
    # The server's clock is months from the browser's: the wall learns the difference itself.
    server = live_server({"join": {"rotate_seconds": 10}}, clock=MONDAY)
    hall = open_hall(browser_pages, server)
    first = scanned_key(hall)
    hall.evaluate("""() => {  // count the frames in which the corner shows no loaded code
        window.__blank = 0;
        const watch = () => {
            const qr = document.getElementById('join-qr');
            if (!qr || qr.closest('[hidden]') || !qr.complete || !qr.naturalWidth) window.__blank += 1;
            requestAnimationFrame(watch);
        };
        requestAnimationFrame(watch);
    }""")

    qr = hall.locator("#join-qr")
    expect(qr).not_to_have_attribute("src", f"/join/{first}/qr.svg", timeout=25000)
    second = scanned_key(hall)
    assert second != first
    assert requests.get(f"{server.url}/join/{second}", timeout=10).status_code == 200
    expect(qr).not_to_have_attribute("src", f"/join/{second}/qr.svg", timeout=15000)  # and on again, in step
    scanned_key(hall)
    assert hall.evaluate("window.__blank") == 0


def test_the_corner_leaves_the_wall_while_the_office_admits_nobody_and_comes_back(live_server, browser_pages):
    server = live_server(JOIN)
    hall = open_hall(browser_pages, server)
    scanned_key(hall)
    admin = admin_session(server)
    assert admin.post(f"{server.url}/api/admission/mode", json={"mode": "closed"}, timeout=10).status_code == 200
    expect(hall.locator("#closed")).to_be_visible()
    expect(hall.locator("#join-corner")).to_be_hidden()  # a phone would only be told the office is closed
    assert admin.post(f"{server.url}/api/admission/mode", json={"mode": None}, timeout=10).status_code == 200
    expect(hall.locator("#join-corner")).to_be_visible()


def test_a_wall_without_joining_shows_no_join_corner(live_server, browser_pages):
    server = live_server()
    hall = open_hall(browser_pages, server)
    expect(hall.locator("#hall")).to_have_attribute("data-version", re.compile(r"\d+"))
    expect(hall.locator("#join-corner")).to_be_hidden()
    assert hall.locator("#join-qr").get_attribute("src") is None
    assert requests.get(f"{server.url}/join/abcdefghijkl", timeout=10).status_code == 403
