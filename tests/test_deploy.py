"""The installation files of deploy/ (issue 22), each checked by the tool that will run it: the
systemd units by systemd-analyze verify, the printer rule by udevadm test on a simulated USB
printer, the backup by real runs on a database, the screen script against a server that comes up
late, and nginx by nginx -t and by requests through it, over HTTPS and a websocket, to a live
server. Runs as root, as CI does (unshare and mount for udev, nginx's workers)."""
from __future__ import annotations

import contextlib
import datetime as dt
import grp
import http.client
import os
import re
import signal
import socket
import sqlite3
import ssl
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import requests
import socketio

from bench.liveserver import LiveServer, free_port, write_config
from web import serving
from web.capacity import TRUSTED_SOCKETS

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
# [server] trusted_proxies: which proxies' X-Forwarded-For the per-address limits believe.


def run(*args, timeout: float = 60, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kwargs)


# --- the systemd units ---

def installed_here(name: str, folder: Path) -> Path:
    """A copy of a unit whose installed paths point into this checkout: systemd-analyze verify
    wants every program it starts to exist."""
    text = (DEPLOY / name).read_text()
    for installed, here in (("/opt/antrian/.venv/bin/python", sys.executable), ("/opt/antrian", str(ROOT)),
                            ("/usr/local/bin/antrian-screen", str(DEPLOY / "screen.sh"))):
        text = text.replace(installed, here)
    path = folder / name
    path.write_text(text)
    return path


def verify(folder: Path, names: list[str], user: bool = False, text_of=None) -> tuple[int, str]:
    """systemd-analyze verify on copies of the units (text_of: a change to their text); its exit
    code and everything it said."""
    paths = [installed_here(name, folder) for name in names]
    if text_of:
        for path in paths:
            path.write_text(text_of(path.read_text()))
    env = dict(os.environ)
    if user:  # a --user manager, even one only checking, needs a runtime directory
        runtime = folder / "runtime"
        runtime.mkdir(mode=0o700, exist_ok=True)
        env["XDG_RUNTIME_DIR"] = str(runtime)
    done = run("systemd-analyze", *(["--user"] if user else []), "verify", *paths, cwd=folder, env=env)
    return done.returncode, (done.stdout + done.stderr).strip()


UNITS = {
    "server": (["antrian.service"], False, "ProtectSystem="),
    "backup": (["antrian-backup.timer", "antrian-backup.service"], False, "Persistent="),
    "backup-service": (["antrian-backup.service"], False, "ReadWritePaths="),
    "screen": (["antrian-screen.service"], True, "RestartSec="),
}


@pytest.mark.parametrize("unit", UNITS)
def test_each_unit_passes_systemd_analyze_verify_without_a_word(tmp_path, unit):
    names, user, _ = UNITS[unit]
    assert verify(tmp_path, names, user) == (0, "")


@pytest.mark.parametrize("unit", UNITS)
def test_a_misspelled_directive_is_reported_so_the_check_above_would_fail(tmp_path, unit):
    names, user, directive = UNITS[unit]
    typo = directive[:-2] + "x="  # ProtectSystem= becomes ProtectSystex=
    code, said = verify(tmp_path, names, user, lambda text: text.replace(directive, typo, 1))
    assert f"Unknown key '{typo[:-1]}'" in said, said


def directive(name: str, key: str) -> list[str]:
    return re.findall(rf"^{key}=(.*)$", (DEPLOY / name).read_text(), re.M)


def test_the_server_unit_runs_the_server_on_the_installed_config_as_its_own_user():
    assert directive("antrian.service", "User") == ["antrian"]
    assert directive("antrian.service", "ExecStart") == [
        "/opt/antrian/.venv/bin/python /opt/antrian/server.py --config /etc/antrian/config.toml"]
    assert "KIOSK_CONFIG=/etc/antrian/config.toml" in directive("antrian.service", "Environment")
    assert directive("antrian.service", "StateDirectory") == ["antrian"]
    assert directive("antrian.service", "Restart") == ["on-failure"]
    # server.py exits 2 on a config error: no restart loop on a typo
    assert directive("antrian.service", "RestartPreventExitStatus") == ["2"]


def test_the_server_unit_allows_the_open_files_of_the_largest_config_allowed():
    # queueing/config.py allows up to 2,000 threads and 5,000 sockets; server.py gives gunicorn a
    # thread per place and web/serving.py wants its connections plus spare files.
    threads = 2000 + 5000 + TRUSTED_SOCKETS
    needed = threads + serving.IDLE_CONNECTIONS + serving.SPARE_FILES
    assert int(directive("antrian.service", "LimitNOFILE")[0]) >= needed


def test_the_server_units_sandbox_rates_ok_in_systemd_analyze_security(tmp_path):
    done = run("systemd-analyze", "security", "--offline=true", installed_here("antrian.service", tmp_path))
    exposure = float(re.search(r"Overall exposure level for antrian\.service: ([\d.]+)", done.stdout)[1])
    assert exposure <= 2.5, done.stdout  # of 10; 1.9 when written: every directive that fits is set


# --- the udev rule for USB thermal printers ---

RULE = "60-antrian-printer.rules"
DEVPATH = "devices/pci0000:00/0000:00:14.0/usb1/1-1"


def usb_device(root: Path, vendor: int, product: int, interface_class: int) -> None:
    """Lay out one USB device in a sysfs-like tree as the kernel shows it: uevent, ids, and the
    descriptors (the device, a configuration, one interface of the class, two bulk endpoints),
    from which udev's usb_id reads ID_USB_INTERFACES."""
    device = root / DEVPATH
    device.mkdir(parents=True)
    (root / "bus" / "usb" / "devices").mkdir(parents=True)
    (device / "subsystem").symlink_to("../../../../../bus/usb")
    (device / "uevent").write_text(
        f"MAJOR=189\nMINOR=1\nDEVNAME=bus/usb/001/002\nDEVTYPE=usb_device\nDRIVER=usb\n"
        f"PRODUCT={vendor:x}/{product:x}/100\nTYPE=0/0/0\nBUSNUM=001\nDEVNUM=002\n")
    for name, value in {"idVendor": f"{vendor:04x}", "idProduct": f"{product:04x}", "bDeviceClass": "00",
                        "bDeviceSubClass": "00", "bDeviceProtocol": "00", "bcdDevice": "0100",
                        "busnum": "1", "devnum": "2", "speed": "12", "bNumInterfaces": " 1",
                        "bConfigurationValue": "1"}.items():
        (device / name).write_text(value + "\n")
    descriptors = struct.pack("<BBHBBBBHHHBBBB", 18, 1, 0x200, 0, 0, 0, 64, vendor, product, 0x100, 0, 0, 0, 1)
    descriptors += struct.pack("<BBHBBBBB", 9, 2, 32, 1, 1, 0, 0xC0, 50)
    descriptors += struct.pack("<9B", 9, 4, 0, 0, 2, interface_class, 1 if interface_class == 7 else 0,
                               2 if interface_class == 7 else 0, 0)
    descriptors += struct.pack("<BBBBHB", 7, 5, 0x81, 2, 64, 0) + struct.pack("<BBBBHB", 7, 5, 0x02, 2, 64, 0)
    (device / "descriptors").write_bytes(descriptors)


def udev_test(tmp_path: Path, vendor: int, product: int, interface_class: int, rule_text: str | None = None) -> str:
    """udevadm test of the device plugged in, with deploy/'s rule as the only local rule, in a
    mount namespace of its own where the tree stands for /sys; everything udev said."""
    tree = tmp_path / f"sys-{vendor:04x}-{interface_class:02x}"
    usb_device(tree, vendor, product, interface_class)
    rules = tmp_path / f"rules-{vendor:04x}-{interface_class:02x}"
    rules.mkdir()
    (rules / RULE).write_text(rule_text or (DEPLOY / RULE).read_text())
    # udevadm test writes its database in /run/udev and links in /dev: fresh ones here, not the machine's
    script = ('mount -t tmpfs tmpfs /run && mount -t tmpfs tmpfs /dev && mount --bind "$1" /sys'
              ' && mount --bind "$2" /etc/udev/rules.d && exec udevadm test --action=add "$3"')
    done = run("unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", tree, rules,
               f"/sys/{DEVPATH}", env={**os.environ, "SYSTEMD_DEVICE_VERIFY_SYSFS": "0",  # a tree, not sysfs
                                       "LIBMOUNT_UTAB": str(tmp_path / "utab")})
    assert done.returncode == 0, done.stderr[-2000:]
    said = done.stdout + done.stderr
    assert f"Reading rules file: /etc/udev/rules.d/{RULE}" in said
    return said


def set_by_rule(said: str) -> set[tuple[str, str]]:
    return set(re.findall(rf"/etc/udev/rules\.d/{re.escape(RULE)}:\d+ (GROUP|MODE) (\S+)", said))


LP = str(grp.getgrnam("lp").gr_gid)


@pytest.mark.parametrize("vendor, product, interface_class", [
    (0x1a86, 0x7584, 0x07),  # any maker's USB printer class
    (0x0416, 0x5011, 0xff),  # a Winbond-based POS-58 that calls itself vendor-specific
    (0x04b8, 0x0202, 0xff),  # an Epson TM printer
])
def test_a_usb_thermal_printer_is_given_to_group_lp_read_and_write(tmp_path, vendor, product, interface_class):
    said = udev_test(tmp_path, vendor, product, interface_class)
    assert set_by_rule(said) == {("GROUP", LP), ("MODE", "0660")}, said[-3000:]
    assert not [line for line in said.splitlines() if RULE in line and "nvalid" in line]


def test_a_usb_keyboard_is_left_alone(tmp_path):
    assert set_by_rule(udev_test(tmp_path, 0x046d, 0xc31c, 0x03)) == set()


def test_udev_reports_a_misspelled_key_in_the_rule(tmp_path):
    said = udev_test(tmp_path, 0x0416, 0x5011, 0xff, (DEPLOY / RULE).read_text().replace('ATTR{idVendor}=="0416"', 'ATRR{idVendor}=="0416"'))
    assert re.search(rf"{re.escape(RULE)}:\d+ Invalid key 'ATRR'", said), said[-3000:]


# --- the daily backup and its rotation ---

def backup(config: Path, folder: Path, day: str, keep: str = "30") -> subprocess.CompletedProcess:
    """deploy/backup.sh as the timer runs it, on a given day."""
    env = {**os.environ, "KIOSK_CONFIG": str(config), "KEEP_DAYS": keep, "BACKUP_DATE": day,
           "ANTRIAN_HOME": str(ROOT), "PYTHON": sys.executable}
    return run(DEPLOY / "backup.sh", folder, env=env, timeout=120)


def dated(folder: Path) -> list[str]:
    return sorted(p.name[len("antrian-"):-len(".db")] for p in folder.iterdir()
                  if re.fullmatch(r"antrian-\d{4}-\d\d-\d\d\.db", p.name) and p.is_file() and not p.is_symlink())


def days(first: str, count: int) -> list[str]:
    start = dt.date.fromisoformat(first)
    return [(start + dt.timedelta(days=i)).isoformat() for i in range(count)]


def tickets_in(path: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, nothing beside it
        return [row[0] for row in db.execute("SELECT number FROM tickets ORDER BY id")]


def visit(service, request_id: str) -> str:
    result = service.visit("lobby", "kk", None, None, request_id)
    assert result.body["outcome"] == "ticket", result.body
    return result.body["ticket"]["number"]


def test_daily_backups_hold_the_tickets_and_the_newest_keep_days_stay_and_nothing_else_goes(tmp_path, service):
    config = write_config(tmp_path)  # the database the service fixture writes: tmp_path/antrian.db
    first = visit(service, "r1")  # the service keeps its connection open, as a running server does
    folder = tmp_path / "backups"
    folder.mkdir()
    old = days("2026-10-27", 40)  # forty days of backups before 6 December
    for day in old:
        (folder / f"antrian-{day}.db").write_bytes(b"an old backup")
    strangers = ["notes.txt", "antrian-2026-12-01.db.bak", "antrian-latest.db", "antrian-2026-1-1.db",
                 ".antrian-2026-12-01.db.partial.keep", "antrian-1998-01-01.db"]
    for name in strangers[:-1]:
        (folder / name).write_text("not ours to delete")
    (folder / strangers[-1]).symlink_to("notes.txt")  # named like a backup, but a link
    (folder / "antrian-1999-01-01.db").mkdir()  # named like a backup, but a folder
    (folder / "antrian-1999-01-01.db" / "inside").write_text("keep")

    done = backup(config, folder, "2026-12-06")
    assert done.returncode == 0, done.stderr
    assert dated(folder) == days("2026-11-07", 30)  # the 29 newest old ones and today's
    assert tickets_in(folder / "antrian-2026-12-06.db") == [first]
    assert "deleted antrian-2026-10-27.db" in done.stdout

    second = visit(service, "r2")
    for n, day in enumerate(days("2026-12-07", 3), start=1):  # the next days' runs
        done = backup(config, folder, day)
        assert done.returncode == 0, done.stderr
        assert dated(folder) == days("2026-11-07", 30 + n)[-30:]
    assert tickets_in(folder / "antrian-2026-12-09.db") == [first, second]
    assert tickets_in(folder / "antrian-2026-12-06.db") == [first]

    visit(service, "r3")
    made = (folder / "antrian-2026-12-09.db").read_bytes()
    again = backup(config, folder, "2026-12-09")  # a second run on one day keeps the day's first copy
    assert again.returncode == 0 and "exists" in again.stdout
    assert (folder / "antrian-2026-12-09.db").read_bytes() == made

    for name in strangers:
        assert (folder / name).exists() or (folder / name).is_symlink(), name
    assert (folder / "antrian-1999-01-01.db" / "inside").read_text() == "keep"
    assert not [p.name for p in folder.iterdir() if p.name.endswith(("-wal", "-shm", ".partial"))]


@pytest.mark.parametrize("keep", ["0", "ten", "-1", "3 "])
def test_a_bad_keep_days_deletes_nothing(tmp_path, keep):
    folder = tmp_path / "backups"
    folder.mkdir()
    for day in days("2026-11-01", 5):
        (folder / f"antrian-{day}.db").write_bytes(b"an old backup")
    done = backup(tmp_path / "config.toml", folder, "2026-12-06", keep)
    assert done.returncode == 2 and "KEEP_DAYS" in done.stderr
    assert dated(folder) == days("2026-11-01", 5)


# --- kiosk and hall display PCs ---

class Healthz(BaseHTTPRequestHandler):
    asked: list[str] = []

    def do_GET(self):
        Healthz.asked.append(self.path)
        self.send_response(200 if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_screen_waits_for_the_server_then_opens_its_page_in_a_kept_chromium_profile(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/kiosk/lobby"
    said = tmp_path / "chromium-args"
    chromium = tmp_path / "chromium"  # stands in for Debian's chromium: it notes how it was started
    chromium.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {said}\n')
    chromium.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "XDG_DATA_HOME"}
    env.update(CHROMIUM=str(chromium), HOME=str(tmp_path / "home"))
    screen = subprocess.Popen([DEPLOY / "screen.sh", url], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(3)
        assert screen.poll() is None and not said.exists()  # no server yet: it waits
        server = HTTPServer(("127.0.0.1", port), Healthz)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        assert screen.wait(15) == 0, screen.stdout.read()
        server.shutdown()
    finally:
        if screen.poll() is None:
            screen.kill()
    assert "/healthz" in Healthz.asked
    args = said.read_text().splitlines()
    assert args[-1] == url
    assert {"--kiosk", "--autoplay-policy=no-user-gesture-required", "--noerrdialogs",
            "--disable-session-crashed-bubble"} <= set(args)
    profile = tmp_path / "home" / ".local" / "share" / "antrian-screen"
    assert f"--user-data-dir={profile}" in args and profile.is_dir()  # where the kiosk's cookie stays
    assert "--incognito" not in args


def test_the_screen_refuses_what_is_not_a_web_address(tmp_path):
    done = run(DEPLOY / "screen.sh", "antrian.kantor/display")
    assert done.returncode == 2 and "not an http(s) address" in done.stderr


def test_the_autostart_entry_is_a_valid_desktop_file():
    done = run("desktop-file-validate", DEPLOY / "antrian-screen.desktop")
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


# --- nginx in front: TLS, websockets, the booking allow list ---

HOURS = {day: "07:30-15:00" for day in ("mon", "tue", "wed", "thu", "fri")}
BOOKING = {"hours": HOURS, "booking": {"days_ahead": 14, "slot_minutes": 60, "per_slot": 3}}
MONDAY = "2026-12-07T09:00:00+07:00"


def rewritten(text: str, changes: dict[str, str]) -> str:
    """Replace each installed value by the test's; a value no longer in the file fails loudly."""
    for old, new in changes.items():
        assert old in text, f"{old!r} is no longer in the file: update the test"
        text = text.replace(old, new)
    return text


class Nginx:
    """Debian's nginx with deploy/'s two files, on free ports, in front of a live server."""

    def __init__(self, folder: Path, upstream: int):
        self.folder = folder
        self.http, self.https, self.public = free_port(), free_port(), free_port()
        self.tls = folder / "tls"
        done = run(DEPLOY / "make-cert.sh", "antrian.kantor", "127.0.0.1", env={**os.environ, "TLS_DIR": str(self.tls)})
        assert done.returncode == 0, done.stderr
        self.ca = self.tls / "ca.crt"
        tls = {"/etc/antrian/tls/": f"{self.tls}/"}
        (folder / "antrian.conf").write_text(rewritten((DEPLOY / "nginx-antrian.conf").read_text(), {
            "listen 80 default_server;": f"listen 127.0.0.1:{self.http} default_server;",
            "listen [::]:80 default_server;\n": "",
            "listen 443 ssl http2 default_server;": f"listen 127.0.0.1:{self.https} ssl http2 default_server;",
            "listen [::]:443 ssl http2 default_server;\n": "",
            "server 127.0.0.1:5000;": f"server 127.0.0.1:{upstream};", **tls}))
        (folder / "antrian-booking.conf").write_text(rewritten((DEPLOY / "nginx-antrian-booking.conf").read_text(), {
            "listen 8443 ssl http2;": f"listen 127.0.0.1:{self.public} ssl http2;",
            "listen [::]:8443 ssl http2;\n": "",
            "/etc/antrian/tls/public.": f"{self.tls}/antrian."}))
        self.conf = folder / "nginx.conf"
        self.conf.write_text(
            ("user root;\n" if os.geteuid() == 0 else "")  # its workers write temp files in this folder
            + f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{ worker_connections 512; }}\n"
            f"http {{\n    access_log {folder}/access.log;\n    client_body_temp_path {folder}/body;\n"
            f"    proxy_temp_path {folder}/proxy;\n    include {folder}/antrian.conf;\n"
            f"    include {folder}/antrian-booking.conf;\n}}\n")
        self.process: subprocess.Popen | None = None

    def command(self, *args: str) -> list[str]:
        return ["nginx", "-c", str(self.conf), "-p", str(self.folder), "-e", str(self.folder / "error.log"), *args]

    def start(self) -> "Nginx":
        self.process = subprocess.Popen(self.command("-g", "daemon off;"), stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (self.folder / "error.log").read_text()
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.public), 0.5):
                return self
            time.sleep(0.05)
        raise RuntimeError("nginx did not listen in 10 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)

    def lan(self, path: str = "") -> str:
        return f"https://127.0.0.1:{self.https}{path}"

    def outside(self, path: str = "") -> str:
        return f"https://127.0.0.1:{self.public}{path}"


@contextlib.contextmanager
def proxied(folder: Path, overrides: dict, clock: str | None = None):
    """A live server on overrides, and nginx in front of it; both stopped after."""
    folder.mkdir(parents=True, exist_ok=True)
    server = LiveServer(write_config(folder, overrides), clock=clock).start()
    nginx = Nginx(folder, server.port)
    try:
        yield server, nginx.start()
    finally:
        nginx.stop()
        server.kill()


OFFICE = {**BOOKING, "server": {"secure_cookies": True,
                                "trusted_proxies": ["127.0.0.1"]}}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """The office's server (booking on, secure cookies) behind deploy/'s nginx, on a Monday."""
    with proxied(tmp_path_factory.mktemp("office"), OFFICE, MONDAY) as both:
        yield both


def test_nginx_accepts_the_config_without_a_warning(office):
    _, nginx = office
    done = run(*nginx.command("-t"))
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr and "test is successful" in done.stderr
    assert "[warn]" not in done.stderr and "[emerg]" not in done.stderr, done.stderr


def test_over_https_the_server_answers_with_the_office_ca_and_plain_http_is_sent_to_https(office):
    _, nginx = office
    answer = requests.get(nginx.lan("/healthz"), verify=nginx.ca, timeout=5)  # the certificate really checked
    assert (answer.status_code, answer.json()) == (200, {"ok": True})
    plain = requests.get(f"http://127.0.0.1:{nginx.http}/healthz", allow_redirects=False, timeout=5)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://127.0.0.1")
    assert plain.headers["Location"].endswith("/healthz")


def test_nginx_refuses_a_body_larger_than_the_server_takes(office):
    _, nginx = office
    answer = requests.post(nginx.lan("/api/visits"), data=b"x" * 20000, verify=nginx.ca, timeout=5,
                           headers={"Content-Type": "application/json"})
    assert answer.status_code == 413


def test_a_socket_io_websocket_through_the_proxy_gets_the_state_and_hears_a_visit(office):
    server, nginx = office
    screen = socketio.SimpleClient(ssl_verify=False)
    screen.connect(nginx.lan(), transports=["websocket"], wait_timeout=5)
    try:
        event, state = screen.receive(timeout=5)
        assert event == "state"
        answer = requests.post(nginx.lan("/api/visits"), verify=nginx.ca, timeout=5, cookies=server.kiosk_cookies(),
                               json={"kiosk": "lobby", "service": "kk", "request_id": uuid.uuid4().hex})
        assert answer.status_code == 201, answer.text
        while True:
            event, change = screen.receive(timeout=5)
            if event == "queue":
                break
        assert change["version"] == state["version"] + 1
        assert change["ticket"]["number"] == answer.json()["ticket"]["number"]
    finally:
        screen.disconnect()


def test_a_kiosk_enrolled_once_through_the_proxy_keeps_a_secure_httponly_cookie(office):
    server, nginx = office
    done = run(sys.executable, "-m", "flask", "--app", "server", "kiosks", "enroll", "lobby", cwd=ROOT,
               env={**os.environ, "KIOSK_CONFIG": str(server.config)})
    assert done.returncode == 0, done.stderr
    link = urllib.parse.urlsplit(done.stdout.strip().splitlines()[-1])  # the one-time link, last line
    browser = requests.Session()
    first = browser.get(nginx.lan(f"{link.path}?{link.query}"), verify=nginx.ca, allow_redirects=False, timeout=5)
    assert first.status_code == 303 and first.headers["Location"].endswith("/kiosk/lobby")
    cookie = first.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "Max-Age=" in cookie  # kept across restarts
    assert browser.get(nginx.lan(link.path), verify=nginx.ca, timeout=5).status_code == 200
    again = requests.get(nginx.lan(f"{link.path}?{link.query}"), verify=nginx.ca, allow_redirects=False, timeout=5)
    assert again.status_code != 303  # one time only


def outside(nginx: Nginx, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, nginx.outside(path), verify=nginx.ca, allow_redirects=False, timeout=5, **kwargs)


def raw_get(port: int, path: str) -> int:
    """GET a path exactly as written (no client tidies its dots away); the status."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=5)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.parametrize("method, path", [
    ("GET", "/"), ("GET", "/admin"), ("GET", "/kiosk/lobby"), ("GET", "/display"), ("GET", "/counter"),
    ("GET", "/healthz"), ("GET", "/api/state"), ("GET", "/api/openapi.json"), ("GET", "/t/abc"),
    ("GET", "/join/abc"), ("GET", "/socket.io/?EIO=4&transport=polling"), ("GET", "/static/js/live.js"),
    ("GET", "/static/js/staff.js"), ("POST", "/api/visits"), ("POST", "/api/login"), ("POST", "/booking"),
    ("GET", "/api/bookings"), ("POST", "/api/bookings/ABCD1234/check-in"), ("DELETE", "/api/bookings/abc"),
    ("POST", "/api/bookings/abc"), ("GET", "/api/bookings/abc/cancel"),
])
def test_from_the_internet_everything_but_booking_is_404(office, method, path):
    _, nginx = office
    assert outside(nginx, method, path, json={}).status_code == 404


@pytest.mark.parametrize("path", ["/static/booking/../../admin", "/static/booking/%2e%2e/%2e%2e/admin",
                                  "/booking/../admin", "/b/x/../../admin", "/static/booking/..%2f..%2fadmin"])
def test_from_the_internet_no_path_climbs_out_of_the_allow_list(office, path):
    _, nginx = office
    assert raw_get(nginx.public, path) == 404


def loads(nginx: Nginx, page: str) -> list[str]:
    """Every same-site file a page loads, its scripts' imports followed."""
    html = outside(nginx, "GET", page).text
    todo = re.findall(r'(?:href|src)="(/[^"]*)"', html)
    seen: list[str] = []
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.append(path)
        answer = outside(nginx, "GET", path)
        assert answer.status_code == 200, f"{page} loads {path}: {answer.status_code} from outside"
        if path.endswith(".js"):
            todo += [urllib.parse.urljoin(path, name) for name in re.findall(r'from\s+"(\.[^"]+)"', answer.text)]
    return seen


def test_from_the_internet_a_visitor_books_sees_and_cancels_a_visit_with_every_file_the_pages_load(office):
    _, nginx = office
    assert outside(nginx, "GET", "/booking").status_code == 200
    assert {"/static/base.css", "/static/booking/booking.js", "/static/js/words.js"} <= set(loads(nginx, "/booking"))
    slots = outside(nginx, "GET", "/api/booking/slots?service=kk").json()
    day = slots["days"][0]
    start = next(slot["start"] for slot in day["slots"] if slot["left"])
    made = outside(nginx, "POST", "/api/bookings", json={"service": "kk", "date": day["date"], "start": start,
                                                         "request_id": uuid.uuid4().hex})
    assert made.status_code == 201, made.text
    token = made.json()["booking"]["token"]
    assert outside(nginx, "GET", f"/api/bookings/{token}").json()["booking"]["status"] == "booked"
    assert "/static/booking/status.js" in loads(nginx, f"/b/{token}")
    for path in (f"/b/{token}/qr.svg", f"/b/{token}.ics"):
        assert outside(nginx, "GET", path).status_code == 200, path
    cancelled = outside(nginx, "POST", f"/api/bookings/{token}/cancel", json={})
    assert cancelled.status_code == 200 and cancelled.json()["booking"]["status"] == "cancelled"


def get_from(address: str, port: int, path: str, headers: dict | None = None) -> int:
    """GET over HTTPS from a given local address (the loopback network has them all); the status."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=5,
                                             source_address=(address, 0))
    try:
        connection.request("GET", path, headers=headers or {})
        return connection.getresponse().status
    finally:
        connection.close()


def test_behind_the_proxy_each_visitor_address_has_its_own_limit_and_a_forged_header_changes_nothing(tmp_path):
    overrides = {"server": {"secure_cookies": True, "trusted_proxies": ["127.0.0.1"]},
                 "limits": {"requests_per_address": "3/minute"}}
    with proxied(tmp_path, overrides) as (server, nginx):
        assert [get_from("127.0.0.2", nginx.https, "/healthz") for _ in range(3)] == [200] * 3
        assert get_from("127.0.0.2", nginx.https, "/healthz") == 429
        assert get_from("127.0.0.2", nginx.https, "/healthz", {"X-Forwarded-For": "10.1.2.3"}) == 429
        assert get_from("127.0.0.3", nginx.https, "/healthz") == 200  # another visitor, its own count
        # Straight to the server from an address that is no proxy: its header is not believed.
        direct = [http_status_from("127.0.0.4", server.port, {"X-Forwarded-For": f"10.0.0.{i}"}) for i in range(4)]
        assert direct == [200, 200, 200, 429]


def http_status_from(address: str, port: int, headers: dict) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=(address, 0))
    try:
        connection.request("GET", "/healthz", headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()
