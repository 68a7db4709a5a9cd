"""What the browser tests of the kiosk, the counter console and the supervisor's page share:
pages that record CSP complaints and script errors, accounts and staff sessions on a live
server, kiosk visits, signing in, screenshots, and the fits-the-screen check."""
from __future__ import annotations

import uuid

import requests
from playwright.sync_api import expect

from conftest import PASSWORD, SCREENSHOTS
from queueing import config as configuration
from queueing.accounts import Accounts
from queueing.store import Store

TEXT = {"use_inner_text": True}  # only the words of the language shown


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


def assert_fits(page, watched: str, smallest_text: int) -> None:
    """No page scrolling, none of the watched elements cut off, every visible button at least
    64 px tall, visible text at least smallest_text px."""
    sizes = page.evaluate("""([watched, smallest]) => {
        const d = document.documentElement;
        const visible = (el) => el.getClientRects().length > 0;
        const buttons = [...document.querySelectorAll('button')].filter(visible)
            .map(b => [b.innerText.trim().slice(0, 30), b.getBoundingClientRect().height]);
        const clipped = [...document.querySelectorAll(watched)].filter(visible)
            .filter(el => el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)
            .map(el => el.className + ': ' + el.innerText.trim().slice(0, 30));
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        const small = [];
        while (walker.nextNode()) {
            const el = walker.currentNode.parentElement;
            if (!walker.currentNode.textContent.trim() || !visible(el) || el.closest('.visually-hidden')) continue;
            const size = parseFloat(getComputedStyle(el).fontSize);
            if (size < smallest) small.push([walker.currentNode.textContent.trim().slice(0, 30), size]);
        }
        return {scrollH: d.scrollHeight, scrollW: d.scrollWidth, h: innerHeight, w: innerWidth, buttons, clipped, small};
    }""", [watched, smallest_text])
    assert sizes["scrollH"] <= sizes["h"] and sizes["scrollW"] <= sizes["w"], sizes
    assert all(height >= 64 for _, height in sizes["buttons"]), sizes["buttons"]
    assert not sizes["clipped"], sizes["clipped"]
    assert not sizes["small"], sizes["small"]
