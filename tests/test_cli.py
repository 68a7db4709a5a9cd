"""Staff accounts from the command line, against the same database as a running server."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import CONFIG, PASSWORD, ROOT


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(CONFIG.read_text().replace('database = "instance/antrian.db"',
                                               'database = "data/antrian.db"'))
    return path


def flask(config_file, *args, password=None):
    env = {**os.environ, "KIOSK_CONFIG": str(config_file)}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "server", *args], cwd=ROOT, env=env,
                          input=f"{password}\n" if password is not None else "", capture_output=True,
                          text=True, timeout=60)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url, body, headers=None):
    request = urllib.request.Request(url, json.dumps(body).encode(),
                                     {"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_users_add_reads_the_password_from_stdin_and_hashes_it(config_file, tmp_path):
    run = flask(config_file, "users", "add", "siti", "--role", "staff", "--counter", "1", "--counter", "2",
                password=PASSWORD)
    assert run.returncode == 0, run.stderr
    listed = flask(config_file, "users", "list").stdout
    assert "siti\tstaff\t[1, 2]" in listed
    db = (tmp_path / "data" / "antrian.db").read_bytes()
    assert PASSWORD.encode() not in db


def test_users_add_refuses_bad_input_with_a_message(config_file):
    assert "at least one --counter" in flask(config_file, "users", "add", "x", "--role", "staff",
                                             password=PASSWORD).stderr
    assert "Counter 9" in flask(config_file, "users", "add", "x", "--role", "staff", "--counter", "9",
                                password=PASSWORD).stderr
    assert "at least 8" in flask(config_file, "users", "add", "x", "--role", "admin", password="short").stderr
    flask(config_file, "users", "add", "x", "--role", "admin", password=PASSWORD)
    again = flask(config_file, "users", "add", "x", "--role", "admin", password=PASSWORD)
    assert again.returncode != 0 and "already exists" in again.stderr


def test_an_account_added_while_the_server_runs_can_log_in_and_be_disabled(config_file):
    port = free_port()
    server = subprocess.Popen([sys.executable, "server.py", "--config", str(config_file), "--port", str(port),
                               "--host", "127.0.0.1"], cwd=ROOT, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        assert flask(config_file, "users", "add", "ani", "--role", "admin", password=PASSWORD).returncode == 0
        status, body = post(f"http://127.0.0.1:{port}/api/login", {"username": "ani", "password": PASSWORD})
        assert status == 200 and body["role"] == "admin"
        assert flask(config_file, "users", "set-password", "ani", password="kata-sandi-baru").returncode == 0
        assert post(f"http://127.0.0.1:{port}/api/login", {"username": "ani", "password": PASSWORD})[0] == 401
        assert flask(config_file, "users", "disable", "ani").returncode == 0
        status, _ = post(f"http://127.0.0.1:{port}/api/login", {"username": "ani", "password": "kata-sandi-baru"})
        assert status == 401
    finally:
        os.killpg(server.pid, 9)
        server.wait(10)


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer in {seconds} s")


def closing_config(server, tmp_path):
    """A copy of the server's config whose day is over whatever the hour (closes_at 00:00), for close-day."""
    import tomllib

    import tomli_w
    closing = tomllib.loads(server.config.read_text())
    closing["admission"]["closes_at"] = "00:00"
    (tmp_path / "closing").mkdir()
    path = tmp_path / "closing" / "config.toml"
    path.write_text(tomli_w.dumps(closing))
    return path


def test_close_day_from_the_command_line_counts_what_it_expired_and_the_screens_hear_it(live_server, tmp_path):
    import socketio
    server = live_server()
    numbers = [post(f"{server.url}/api/visits", {"kiosk": "lobby", "service": "kk", "request_id": f"r{i}"},
                    server.kiosk_headers())[1]
               ["ticket"]["number"] for i in range(2)]
    heard, states = [], []
    screen = socketio.Client()
    screen.on("queue", heard.append)
    screen.on("state", states.append)
    screen.connect(server.url, transports=["websocket"])
    try:
        run = flask(closing_config(server, tmp_path), "close-day")
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip() == "Expired 2 tickets"
        deadline = time.monotonic() + 10
        while len(heard) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [(e["event"], e["ticket"]["number"]) for e in heard] == [("expired", n) for n in numbers]
        assert [e["version"] for e in heard] == [states[0]["version"] + 1, states[0]["version"] + 2]
    finally:
        screen.disconnect()


# --- an account disabled, or its password changed, from the command line closes its sockets ---

class Console:
    """A counter console against a live server: logged in, its socket connected with the cookie,
    keeping the print news it hears (staff only) and whether the server closed it."""

    def __init__(self, server, name: str, cookie: str | None = None):
        import requests
        import socketio
        if cookie is None:
            answer = requests.post(f"{server.url}/api/login", json={"username": name, "password": PASSWORD},
                                   timeout=10)
            assert answer.status_code == 200, answer.text
            cookie = answer.cookies["antrian_session"]
        self.cookie, self.printed, self.closed = cookie, [], False
        self.socket = socketio.Client(reconnection=False)
        self.socket.on("print", lambda job: self.printed.append((job["number"], job["status"])))
        self.socket.on("disconnect", lambda *reason: setattr(self, "closed", True))
        self.socket.connect(server.url, headers={"Cookie": f"antrian_session={cookie}"},
                            transports=["websocket"], wait_timeout=5)

    def close(self) -> None:
        if self.socket.connected:
            self.socket.disconnect()


def printed_visit(server, *consoles: Console) -> str:
    """A visit at the printing kiosk; its number, once each console heard it printed."""
    number = post(f"{server.url}/api/visits", {"kiosk": "lobby", "service": "kk",
                                               "request_id": f"r{time.monotonic_ns()}"},
                  server.kiosk_headers())[1]["ticket"]["number"]
    wait_until(lambda: all((number, "printed") in c.printed for c in consoles), f"{number} heard printed")
    return number


def wait_until(predicate, what: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.fixture
def printer():
    from bench.fakeprinter import FakePrinter
    device = FakePrinter("ok")
    yield device
    device.stop()


@pytest.mark.parametrize("command", [("users", "disable", "siti"), ("users", "set-password", "siti")])
def test_a_console_socket_is_closed_within_seconds_when_the_cli_disables_its_account_or_changes_its_password(
        live_server, printer, command):
    server = live_server({"kiosks": [{"id": "lobby", "name": "Lobi", "printer": {
        "type": "network", "host": "127.0.0.1", "port": printer.port, "timeout": 1}}]})
    for name in ("siti", "budi"):
        assert flask(server.config, "users", "add", name, "--role", "staff", "--counter", "1",
                     password=PASSWORD).returncode == 0
    siti, budi = Console(server, "siti"), Console(server, "budi")
    try:
        printed_visit(server, siti, budi)  # both consoles are in the staff room
        run = flask(server.config, *command, password="kata-sandi-baru")
        assert run.returncode == 0, run.stderr
        started = time.monotonic()
        wait_until(lambda: siti.closed, "the server to close siti's socket", seconds=5)
        assert time.monotonic() - started < 5 and not siti.socket.connected
        # The console's old cookie opens only a public screen now; budi's console is untouched.
        again = Console(server, "siti", cookie=siti.cookie)
        heard_before = list(siti.printed)
        number = printed_visit(server, budi)
        time.sleep(0.5)  # what would reach siti comes with what reached budi
        assert siti.printed == heard_before and again.printed == []
        assert budi.socket.connected and not budi.closed and (number, "printed") in budi.printed
        again.close()
    finally:
        siti.close()
        budi.close()
