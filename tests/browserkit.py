"""What the browser tests of the kiosk, the counter console and the supervisor's page share:
pages that record CSP complaints and script errors, accounts and staff sessions on a live
server, kiosk visits, opening pages, signing in, the console's buttons, screenshots, the
fits-the-screen and phone checks, and the office calendar the calendar tests run on."""
from __future__ import annotations

import contextlib
import datetime as dt
import uuid

import pytest
import requests
from playwright.sync_api import expect

from bench.fakeprinter import FakePrinter
from conftest import PASSWORD, SCREENSHOTS
from queueing import config as configuration
from queueing.accounts import Accounts
from queueing.store import Store

TEXT = {"use_inner_text": True}  # only the words of the language shown


@pytest.fixture(autouse=True)
def patient_expect():
    """Two cores shared with other test runs: give page conditions longer than the default 5 s.

    Autouse in each test module that imports it."""
    expect.set_options(timeout=10_000)
    yield
    expect.set_options(timeout=5_000)


class Pages:
    """Fresh browser contexts, a PC each, whose pages record CSP complaints and script errors.

    The `browser_pages` fixture (conftest.py) closes them after the test and fails it if any
    page had a problem."""

    def __init__(self, browser):
        self.browser = browser
        self.contexts = []

    def new(self, viewport: dict, **options):
        """A page in a new context, in Indonesian; its problems gather in page.problems."""
        context = self.browser.new_context(viewport=viewport, locale="id-ID", **options)
        self.contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("console", lambda m: "Content Security Policy" in m.text and page.problems.append(m.text))
        page.on("pageerror", lambda e: page.problems.append(str(e)))
        return page

    def close(self) -> None:
        """Close every context; then fail if a page had a problem."""
        problems = [problem for context in self.contexts for page in context.pages for problem in page.problems]
        for context in self.contexts:
            context.close()
        assert not problems, problems


def add_account(server, name: str, role: str = "staff", counters=(1,)) -> None:
    """Create an account in the live server's database, as `flask users add` does."""
    config = configuration.load(server.config)
    store = Store(config.server.database)
    try:
        Accounts(config, store).add_user(name, PASSWORD, role, list(counters))
    finally:
        store.close()


def staff_session(server, name: str) -> requests.Session:
    """A requests session logged in as name, sending its CSRF token on every change."""
    http = requests.Session()
    answer = http.post(f"{server.url}/api/login", json={"username": name, "password": PASSWORD}, timeout=10)
    assert answer.status_code == 200, answer.text
    http.headers["X-CSRFToken"] = answer.json()["csrf_token"]
    return http


def kiosk_visit(server, service: str = "kk", kiosk: str = "lobby", statuses=(200, 201), **extra) -> dict:
    """A visit at a kiosk, as its touchscreen sends it; the answer, whose status must be one of statuses."""
    body = {"kiosk": kiosk, "service": service, "request_id": uuid.uuid4().hex, **extra}
    answer = requests.post(f"{server.url}/api/visits", json=body, cookies=server.kiosk_cookies(), timeout=10)
    assert answer.status_code in statuses, answer.text
    return answer.json()


def kiosk_ticket(server, service: str = "kk", **extra) -> dict:
    """Issue a ticket as the lobby kiosk does; the ticket."""
    return kiosk_visit(server, service, statuses=(201,), **extra)["ticket"]


@contextlib.contextmanager
def office_with_printer(live_server, behaviour: str = "ok"):
    """A live server whose lobby kiosk prints on a fake network printer: (server, printer).
    The printer stops afterwards, whatever the test did."""
    printer = FakePrinter(behaviour)
    try:
        yield live_server(network_kiosk(printer.port)), printer
    finally:
        printer.stop()


def network_kiosk(port: int) -> dict:
    """Overrides for a lobby kiosk whose printer is on the network, at port on this machine."""
    return {"kiosks": [{"id": "lobby", "name": "Kios lobi",
                        "printer": {"type": "network", "host": "127.0.0.1", "port": port, "timeout": 2}}]}


def enroll_browser(page, server) -> None:
    """Give the page's browser the kiosks' device cookies, as opening an enrollment link would."""
    page.context.add_cookies([{"name": name, "value": value, "url": server.url, "httpOnly": True,
                               "sameSite": "Lax"} for name, value in server.kiosk_cookies().items()])


def log_in(page, user: str, password: str = PASSWORD) -> None:
    """Fill in and send the staff login form (login_form in templates/_macros.html)."""
    expect(page.locator("#login")).to_be_visible()
    page.get_by_label("Nama pengguna").fill(user)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk", exact=True).click()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))


def measure(page, watched: str, smallest_text: int, buttons: str = "button") -> dict:
    """The page's scroll size and viewport, each visible button's height, the watched elements
    cut off, and visible text under smallest_text px."""
    return page.evaluate("""([watched, smallest, buttonSelector]) => {
        const d = document.documentElement;
        const visible = (el) => el.getClientRects().length > 0;
        const buttons = [...document.querySelectorAll(buttonSelector)].filter(visible)
            .map(b => [b.innerText.trim().slice(0, 30), b.getBoundingClientRect().height]);
        const clipped = watched ? [...document.querySelectorAll(watched)].filter(visible)
            .filter(el => el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)
            .map(el => el.className + ': ' + el.innerText.trim().slice(0, 30)) : [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        const small = [];
        while (walker.nextNode()) {
            const el = walker.currentNode.parentElement;
            if (!walker.currentNode.textContent.trim() || !visible(el) || el.closest('.visually-hidden')) continue;
            const size = parseFloat(getComputedStyle(el).fontSize);
            if (size < smallest) small.push([walker.currentNode.textContent.trim().slice(0, 30), size]);
        }
        return {scrollH: d.scrollHeight, scrollW: d.scrollWidth, h: innerHeight, w: innerWidth, buttons, clipped, small};
    }""", [watched, smallest_text, buttons])


def assert_fits(page, watched: str, smallest_text: int) -> None:
    """No page scrolling, none of the watched elements cut off, every visible button at least
    64 px tall, visible text at least smallest_text px."""
    sizes = measure(page, watched, smallest_text)
    assert sizes["scrollH"] <= sizes["h"] and sizes["scrollW"] <= sizes["w"], sizes
    assert all(height >= 64 for _, height in sizes["buttons"]), sizes["buttons"]
    assert not sizes["clipped"], sizes["clipped"]
    assert not sizes["small"], sizes["small"]


def assert_phone_friendly(page) -> None:
    """A page a phone scrolls down: nothing wider than the screen, every visible button (and
    button-like link) at least 64 px tall, no text under 15 px."""
    sizes = measure(page, "", 15, "button, a.button")
    assert sizes["scrollW"] <= sizes["w"], sizes
    assert all(height >= 64 for _, height in sizes["buttons"]), sizes["buttons"]
    assert not sizes["small"], sizes["small"]


def open_path(browser_pages, server, path: str, viewport: dict):
    """A fresh browser page on a path of the server, in office time (a kiosk page enrolled)."""
    page = browser_pages.new(viewport, timezone_id="Asia/Jakarta")
    if path.startswith("/kiosk/"):
        enroll_browser(page, server)
    page.goto(server.url + path)
    return page


def open_kiosk_page(browser_pages, server, viewport: dict, query: str = ""):
    """/kiosk/lobby in a fresh browser page, enrolled as the kiosk; once its socket is up."""
    page = browser_pages.new(viewport)
    enroll_browser(page, server)
    page.goto(f"{server.url}/kiosk/lobby{query}")
    expect(page.locator("#kiosk")).to_have_attribute("data-live", "up")
    return page


def open_console_page(browser_pages, server, user: str, viewport: dict, timezone_id: str = "Asia/Jakarta"):
    """/counter in a fresh browser page, signed in as user; once the desk is loaded and live."""
    page = browser_pages.new(viewport, timezone_id=timezone_id)
    page.goto(f"{server.url}/counter")
    log_in(page, user)
    expect(page.locator("#console")).to_have_attribute("data-screen", "desk")
    expect(page.locator("#waiting-count")).not_to_have_text("")
    expect(page.locator("#console")).to_have_attribute("data-live", "up")
    return page


def button(page, name: str):
    """The button whose accessible name is exactly name."""
    return page.get_by_role("button", name=name, exact=True)


def console_action(page, name: str):
    """The counter console's button for an action (its data-action)."""
    return page.locator(f'#console button[data-action="{name}"]')


def assert_console_fits(page) -> None:
    """No page scrolling, nothing cut off, every visible button at least 64 px, text at least 14 px."""
    assert_fits(page, "button, .current, .actions, .note, .today", smallest_text=14)


def signed_in(page) -> None:
    """Sign in as the admin kepala on /admin and wait until the board is live."""
    log_in(page, "kepala")
    expect(page.locator("#board")).to_be_visible()
    expect(page.locator("#admin")).to_have_attribute("data-live", "up")


# --- the office's calendar in browser tests (issue 18): the server's set clock, office time ---

OFFICE_HOURS = {"mon": "07:30-15:00", "tue": "07:30-15:00", "wed": "07:30-15:00", "thu": "07:30-15:00",
                "fri": "07:30-14:00", "sat": "", "sun": ""}
CHRISTMAS = [
    {"mode": "closed", "from": dt.date(2026, 12, 24), "until": dt.date(2026, 12, 24),
     "reference": "Cuti Bersama Hari Raya Natal"},
    {"mode": "closed", "from": dt.date(2026, 12, 25), "until": dt.date(2026, 12, 25), "reference": "Hari Raya Natal"},
]
CHRISTMAS_DAY = "2026-12-25T09:00:00+07:00"  # a Friday; the office reopens on Monday the 28th


def office_calendar(*windows) -> dict:
    """Overrides for the office's week (weekday hours) with these dated windows."""
    return {"hours": OFFICE_HOURS, "admission": {"windows": list(windows)}}
