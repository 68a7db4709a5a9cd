"""The soak's clients: kiosks, counter staff, hall screens and phones, as the pages behave.

Each kind runs in its own forked processes (workers.py) as a "crew" that the parent starts,
asks and stops with commands. Every HTTP answer is counted by status; a connection that
fails (the server was killed) is counted apart and retried, as a kiosk or a counter PC
would: a kiosk sends the same request_id again until it gets its answer.

Screens keep the public queue state the way static/js/live.js does: the snapshot (`state` on
connect, or the answer to `sync`), then each `queue` event once and in version order; an
event after a gap is held and `sync` asked for. Handlers run in each client's reader thread
(listeners._InlineClient), so events are applied in the order they arrive. A phone also
`watch`es one ticket, and asks again when a `queue` event names its ticket, as the phone
page does.
"""
from __future__ import annotations

import collections
import random
import threading
import time
from dataclasses import dataclass, field

import requests

from bench.listeners import _InlineClient

HTTP_TIMEOUT = 15.0       # one request; the server answers in milliseconds when it is up
RETRY_PAUSE = 0.2         # after a failed connection (a killed server), before trying again
GIVE_UP = 120.0           # a kiosk stops retrying one visit after this long
SAMPLES = 5               # error texts kept per kind of error
QUEUE_CAP = 25            # a kiosk rests while its last visit had more tickets ahead than this
REST = 1.0                # seconds a kiosk rests then
EMPTY_PAUSE = (0.2, 0.5)  # a counter whose queue is empty looks again after this long
THINK = (0.02, 0.12)      # a counter's pause between two actions, in seconds
PRIORITIES = (True, "lansia", "disabilitas", "ibu_hamil", "balita")
REASONS = ("bpjs", "rumah_sakit", "tni_polri")
FINAL = {"done", "no_show", "redirected", "expired"}


@dataclass
class HttpTally:
    """What one kind of client saw over HTTP."""

    requests: int = 0
    statuses: collections.Counter = field(default_factory=collections.Counter)
    connection_errors: int = 0
    abandoned: int = 0
    reconnects: int = 0                                      # keep-alive connections found closed
    failures: collections.Counter = field(default_factory=collections.Counter)  # kinds of connection error
    server_errors: list[str] = field(default_factory=list)   # samples of 5xx answers
    odd: list[str] = field(default_factory=list)             # samples of other surprises

    def answer(self, method: str, path: str, status: int, text: str) -> None:
        self.requests += 1
        self.statuses[status] += 1
        if status >= 500 and len(self.server_errors) < SAMPLES:
            self.server_errors.append(f"{method} {path}: {status} {text[:300]}")

    def note(self, text: str) -> None:
        if len(self.odd) < SAMPLES:
            self.odd.append(text)

    def as_dict(self) -> dict:
        return {"requests": self.requests, "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "server_errors": sum(v for k, v in self.statuses.items() if k >= 500),
                "connection_errors": self.connection_errors, "abandoned": self.abandoned,
                "reconnects": self.reconnects, "connection_error_kinds": dict(self.failures.most_common(8)),
                "server_error_samples": self.server_errors, "odd_samples": self.odd}


def merge_tallies(tallies: list[dict]) -> dict:
    """Add up HttpTally.as_dict() results."""
    total = {"requests": 0, "statuses": collections.Counter(), "server_errors": 0, "connection_errors": 0,
             "abandoned": 0, "reconnects": 0, "connection_error_kinds": collections.Counter(),
             "server_error_samples": [], "odd_samples": []}
    for t in tallies:
        for key in ("requests", "server_errors", "connection_errors", "abandoned", "reconnects"):
            total[key] += t[key]
        total["connection_error_kinds"].update(t["connection_error_kinds"])
        total["statuses"].update({k: v for k, v in t["statuses"].items()})
        total["server_error_samples"] += t["server_error_samples"][:SAMPLES]
        total["odd_samples"] += t["odd_samples"][:SAMPLES]
    total["statuses"] = dict(sorted(total["statuses"].items()))
    total["connection_error_kinds"] = dict(total["connection_error_kinds"].most_common(8))
    return total


class Http:
    """One client's keep-alive session; answers are counted, lost connections too."""

    def __init__(self, url: str, tally: HttpTally, lock: threading.Lock, cookies: dict | None = None):
        self.url, self.tally, self.lock = url, tally, lock
        self.session = requests.Session()
        self.session.cookies.update(cookies or {})

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict] | None:
        """Send; return (status, JSON body), or None when no answer came."""
        for attempt in range(2):
            try:
                response = self.session.request(method, self.url + path, json=body, timeout=HTTP_TIMEOUT)
                break
            except requests.ConnectionError as e:
                self.session.close()  # a connection to a dead server is of no more use
                if attempt == 0 and _aborted(e):
                    # The server closed an idle keep-alive connection as this request went out
                    # (gunicorn's keepalive is 5 s): nothing was read, a browser sends again.
                    with self.lock:
                        self.tally.reconnects += 1
                    continue
                self._failed(e)
                return None
            except requests.RequestException as e:
                self.session.close()
                self._failed(e)
                return None
        with self.lock:
            self.tally.answer(method, path, response.status_code, response.text)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, {}

    def _failed(self, error: Exception) -> None:
        with self.lock:
            self.tally.connection_errors += 1
            self.tally.failures[_kind(error)] += 1

    def close(self) -> None:
        self.session.close()


def _aborted(error: requests.ConnectionError) -> bool:
    """Whether the connection broke after it was open (not refused: the server is there)."""
    text = str(error)
    return "Connection aborted" in text or "RemoteDisconnected" in text


def _kind(error: Exception) -> str:
    """A short name for a connection error, to count them by kind."""
    text = str(error)
    if "refused" in text:
        return "refused"
    if isinstance(error, requests.Timeout):
        return "timeout"
    if isinstance(error, requests.ConnectionError) and _aborted(error):
        return "closed by the server"
    return f"{type(error).__name__}: {text[-100:]}"


# --- kiosks ---

class KioskCrew:
    """Kiosks sending visits at a bounded rate, each from its own thread."""

    def __init__(self, index: int = 0):
        self.tally, self.lock, self.stop = HttpTally(), threading.Lock(), threading.Event()
        self.threads: list[threading.Thread] = []
        self.acknowledged: dict[str, dict] = {}   # "kiosk/request_id" -> the 201's ticket
        self.outcomes: collections.Counter = collections.Counter()
        self.tokens: collections.deque = collections.deque(maxlen=200)

    def __call__(self, command: dict):
        op = command["op"]
        if op == "start":
            self.stop.clear()
            self.threads = [threading.Thread(target=self._kiosk, args=(command, kiosk), daemon=True)
                            for kiosk in command["kiosks"]]
            for thread in self.threads:
                thread.start()
            return {}
        if op == "tokens":
            with self.lock:
                return list(self.tokens)[-command["count"]:]
        if op == "progress":
            with self.lock:
                return {"acknowledged": len(self.acknowledged), "requests": self.tally.requests,
                        "connection_errors": self.tally.connection_errors}
        if op == "stop":
            self.stop.set()
            for thread in self.threads:
                thread.join(GIVE_UP + HTTP_TIMEOUT)
            with self.lock:
                return {"tally": self.tally.as_dict(), "acknowledged": dict(self.acknowledged),
                        "outcomes": dict(self.outcomes),
                        "stuck_threads": sum(t.is_alive() for t in self.threads)}
        return {"error": f"unknown op {op!r}"}

    def _kiosk(self, command: dict, kiosk: str) -> None:
        rng = random.Random(f"{command['seed']}-{kiosk}")
        http = Http(command["url"], self.tally, self.lock, command.get("cookies"))  # an enrolled kiosk
        interval = 1 / command["rate"]
        next_at = time.monotonic() + rng.uniform(0, interval)
        n = 0
        while not self.stop.is_set():
            self.stop.wait(max(0.0, next_at - time.monotonic()))
            if self.stop.is_set():
                break
            n += 1
            body = visit_body(rng, kiosk, f"{command['tag']}-{kiosk}-{n}", command["services"])
            answer = self._send(http, body)
            next_at = max(next_at + rng.uniform(0.5, 1.5) * interval, time.monotonic())
            # A retried request_id answers with the ticket as it stands: called, it has no position.
            if answer and ((answer.get("ticket") or {}).get("position") or 0) > QUEUE_CAP:
                next_at += REST  # the counters are behind: let them catch up
        http.close()

    def _send(self, http: Http, body: dict) -> dict | None:
        """Send one visit until it is answered (the same request_id each time)."""
        deadline = time.monotonic() + GIVE_UP
        while time.monotonic() < deadline:
            answered = http.request("POST", "/api/visits", body)
            if answered is None:
                time.sleep(RETRY_PAUSE)
                continue
            status, data = answered
            self._record(body, status, data)
            return data
        with self.lock:
            self.tally.abandoned += 1
        return None

    def _record(self, body: dict, status: int, data: dict) -> None:
        with self.lock:
            self.outcomes[data.get("outcome", f"http {status}")] += 1
            if status == 201:
                ticket = data["ticket"]
                key = f"{body['kiosk']}/{body['request_id']}"
                known = self.acknowledged.get(key)
                if known and known["id"] != ticket["id"]:
                    self.tally.note(f"{key} answered with ticket {known['id']} and then {ticket['id']}")
                self.acknowledged[key] = {k: ticket[k] for k in ("id", "number", "day", "service")}
                self.tokens.append(ticket["token"])
            elif status not in (200, 429):
                self.tally.note(f"visit {body}: {status} {data}")

    def close(self) -> None:
        self.stop.set()


def visit_body(rng: random.Random, kiosk: str, request_id: str, services: list[str]) -> dict:
    """A visitor's choice: mostly a served service, sometimes a postponed one, a claimed
    emergency or a priority (UU 25/2009 Pasal 29)."""
    body = {"kiosk": kiosk, "service": rng.choice(services), "request_id": request_id}
    if rng.random() < 0.1:
        body["reason"] = rng.choice(REASONS)
    if rng.random() < 0.1:
        body["priority"] = rng.choice(PRIORITIES)
    return body


# --- counter staff ---

class CounterCrew:
    """Counter staff, one thread per counter, working through the queue."""

    def __init__(self, index: int = 0):
        self.tally, self.lock, self.stop = HttpTally(), threading.Lock(), threading.Event()
        self.threads: list[threading.Thread] = []
        self.moves: collections.Counter = collections.Counter()

    def __call__(self, command: dict):
        op = command["op"]
        if op == "start":
            self.stop.clear()
            self.threads = [threading.Thread(target=self._counter, args=(command, staff), daemon=True)
                            for staff in command["staff"]]
            for thread in self.threads:
                thread.start()
            return {}
        if op == "progress":
            with self.lock:
                return {"moves": dict(self.moves), "requests": self.tally.requests}
        if op == "stop":
            self.stop.set()
            for thread in self.threads:
                thread.join(HTTP_TIMEOUT * 3)
            with self.lock:
                return {"tally": self.tally.as_dict(), "moves": dict(self.moves),
                        "stuck_threads": sum(t.is_alive() for t in self.threads)}
        return {"error": f"unknown op {op!r}"}

    def _counter(self, command: dict, staff: dict) -> None:
        rng = random.Random(f"{command['seed']}-{staff['counter']}")
        http = Http(command["url"], self.tally, self.lock)
        desk = Desk(http, staff, command["services"], rng, self)
        try:
            desk.login()
            while not self.stop.is_set():
                desk.step()
        finally:
            http.close()

    def count(self, move: str) -> None:
        with self.lock:
            self.moves[move] += 1

    def close(self) -> None:
        self.stop.set()


class Desk:
    """One counter's console: the ticket in hand and what to do with it next."""

    def __init__(self, http: Http, staff: dict, services: list[str], rng: random.Random, crew: CounterCrew):
        self.http, self.staff, self.services, self.rng, self.crew = http, staff, services, rng, crew
        self.counter = staff["counter"]
        self.ticket: dict | None = None

    def login(self) -> None:
        body = {"username": self.staff["username"], "password": self.staff["password"]}
        while not self.crew.stop.is_set():
            answered = self.http.request("POST", "/api/login", body)
            if answered and answered[0] == 200:
                self.http.session.headers["X-CSRFToken"] = answered[1]["csrf_token"]
                return
            time.sleep(RETRY_PAUSE if answered is None else 1.0)

    def step(self) -> None:
        """Do one thing: call the next ticket, or move the one in hand along."""
        self.crew.stop.wait(self.rng.uniform(*THINK))
        if self.ticket is None:
            self._act("call-next", f"/api/counters/{self.counter}/call-next")
            return
        ticket, roll = self.ticket, self.rng.random()
        path = f"/api/tickets/{ticket['id']}"
        if ticket["status"] == "called":
            if ticket.get("emergency") == "claimed":
                self._act("verify", path + "/verify", {"emergency": roll < 0.8})
            elif roll < 0.08:
                self._act("recall", path + "/recall")
            elif roll < 0.13:
                self._act("no-show", path + "/no-show")
            elif roll < 0.17:
                self._act("transfer", path + "/transfer", {"service": self._elsewhere(ticket)})
            else:
                self._act("start", path + "/start")
        elif ticket["status"] == "serving":
            if roll < 0.03:
                self._act("transfer", path + "/transfer", {"service": self._elsewhere(ticket)})
            else:
                self._act("finish", path + "/finish")
        else:
            self.ticket = None

    def _elsewhere(self, ticket: dict) -> str:
        return self.rng.choice([s for s in self.services if s != ticket["service"]])

    def _act(self, move: str, path: str, body: dict | None = None) -> None:
        answered = self.http.request("POST", path, body or {})
        if answered is None:
            self.crew.stop.wait(RETRY_PAUSE)
            self._reload()
            return
        status, data = answered
        self.crew.count(f"{move} {status}")
        if status == 200:
            ticket = data.get("ticket")
            self.ticket = ticket if ticket and ticket["status"] in ("called", "serving") \
                and ticket.get("counter") == self.counter else None
        elif status == 404 and move == "call-next":
            self.crew.stop.wait(self.rng.uniform(*EMPTY_PAUSE))
        else:  # 409 (someone was first, or a retry after a restart) or worse: look again
            self._reload()

    def _reload(self) -> None:
        """Read the desk: which ticket this counter holds now."""
        while not self.crew.stop.is_set():
            answered = self.http.request("GET", f"/api/counters/{self.counter}")
            if answered is None:
                self.crew.stop.wait(RETRY_PAUSE)
                continue
            status, data = answered
            self.ticket = data.get("ticket") if status == 200 else None
            return


# --- hall screens and phones ---

class _PatientClient(_InlineClient):
    """A client that, reconnecting, waits as long as a browser would for the server's answer.

    python-socketio's reconnection calls connect() with its default wait_timeout of 1 s: a
    server slow to answer the namespace for a second (just restarted, a hundred screens at
    once) would be dropped and tried again a second later. socket.io-client waits 20 s.
    """

    def connect(self, *args, wait_timeout=10, **kwargs):
        return super().connect(*args, wait_timeout=wait_timeout, **kwargs)


class Screen:
    """A hall screen (or a phone's page): the public state kept current over Socket.IO."""

    def __init__(self, number: int):
        self.number = number
        self.lock = threading.Lock()
        self.version: int | None = None
        self.counters: dict[int, tuple | None] = {}
        self.waiting: dict[str, str] = {}      # ticket number -> service
        self.syncing = False
        self.held: list[dict] = []
        self.snapshots: list[tuple[float, int, str]] = []  # (monotonic time, version, how)
        self.events = self.gaps = self.connects = self.disconnects = 0
        self.token: str | None = None          # a phone's watched ticket
        self.watched: dict | None = None       # its last known view
        # The hall page's schedule (display/static/hall.js: 0.5 s, then at most 1 s, jitter 25%;
        # socket.io-client caps after the jitter, python-socketio before it: hence 0.875 +- 0.125).
        self.client = _PatientClient(reconnection=True, reconnection_attempts=0, reconnection_delay=0.5,
                                     reconnection_delay_max=0.875, randomization_factor=0.125)
        self.client.on("connect", self._on_connect)
        self.client.on("disconnect", self._on_disconnect)
        self.client.on("state", lambda snapshot: self._take(snapshot, "state"))
        self.client.on("queue", self._receive)
        self.client.on("ticket", self._on_ticket)

    # The state, as live.js keeps it.

    def _take(self, snapshot: dict, how: str) -> None:
        with self.lock:
            self.version = snapshot["version"]
            self.counters = {c["id"]: _held(c["ticket"]) for c in snapshot["counters"]}
            self.waiting = {w["number"]: w["service"] for w in snapshot["waiting"]}
            self.snapshots.append((time.monotonic(), snapshot["version"], how))
            later = sorted((e for e in self.held if e["version"] > self.version), key=lambda e: e["version"])
            self.held = []
        for event in later:
            self._receive(event)

    def _receive(self, event: dict) -> None:
        with self.lock:
            self.events += 1
            if self.syncing or self.version is None:
                self.held.append(event)
                return
            if event["version"] <= self.version:
                return  # already part of the snapshot
            if event["version"] > self.version + 1:
                self.gaps += 1
                self.held.append(event)
                ask = True
            else:
                self.version = event["version"]
                self._apply(event)
                ask = False
        if ask:
            self.sync()
        self._rewatch(event)

    def _apply(self, event: dict) -> None:
        """Apply one change, from the ticket's new state that the event carries."""
        ticket = event.get("ticket")
        if not ticket:
            return  # a mode switch: nothing the screen keeps here
        number = ticket["number"]
        self.waiting.pop(number, None)
        for counter, held in self.counters.items():
            if held and held[0] == number:
                self.counters[counter] = None
        if ticket["status"] == "waiting":
            self.waiting[number] = ticket["service"]
        elif ticket["status"] in ("called", "serving"):
            self.counters[ticket["counter"]] = (number, ticket["status"])

    def sync(self) -> None:
        with self.lock:
            if self.syncing or not self._live():
                return
            self.syncing = True
        try:
            self.client.emit("sync", {}, callback=self._synced)
        except Exception:  # the connection went away: the next connect brings a snapshot
            with self.lock:
                self.syncing = False

    def _synced(self, snapshot=None) -> None:
        with self.lock:
            self.syncing = False
        if isinstance(snapshot, dict) and isinstance(snapshot.get("version"), int):
            self._take(snapshot, "sync")

    def _on_connect(self) -> None:
        with self.lock:
            self.connects += 1
            self.syncing = False
        # No sync, as static/js/live.js: the server sends `state` on every connect.
        self.watch()     # a restarted server has forgotten who watches what

    def _on_disconnect(self, *reason) -> None:
        with self.lock:
            self.disconnects += 1
            self.syncing = False

    def _live(self) -> bool:
        # The namespace is there as soon as the connect handler runs (`connected` comes later).
        return "/" in self.client.namespaces

    # A phone's ticket.

    def watch(self, token: str | None = None) -> None:
        if token:
            self.token = token
        if not self.token or not self._live():
            return
        token = self.token
        try:
            self.client.emit("watch", {"token": token}, callback=lambda answer=None: self._watched(token, answer))
        except Exception:  # disconnected meanwhile: _on_connect watches again
            pass

    def _watched(self, token: str, answer=None) -> None:
        if token == self.token and isinstance(answer, dict) and isinstance(answer.get("ticket"), dict):
            self._on_ticket(answer["ticket"], first=True)

    def _on_ticket(self, view: dict, first: bool = False) -> None:
        with self.lock:
            # This client watched other tickets before (a phone page watches one): their late
            # updates are not about the ticket it watches now.
            if not first and (self.watched or {}).get("number") != view.get("number"):
                return
            self.watched = {"number": view.get("number"), "status": view.get("status"),
                            "counter": view.get("counter")}

    def _rewatch(self, event: dict) -> None:
        ticket = event.get("ticket") or {}
        watched = self.watched
        if self.token and watched and ticket.get("number") == watched["number"]:
            self.watch()

    # Reports.

    def connect(self, url: str) -> None:
        self.client.connect(url, transports=["websocket"], wait_timeout=10)

    def state(self) -> dict:
        with self.lock:
            return {"version": self.version,
                    "counters": {str(k): list(v) if v else None for k, v in sorted(self.counters.items())},
                    "waiting": dict(sorted(self.waiting.items()))}

    def resynced(self, since: float) -> float | None:
        """When the first snapshot after since (time.monotonic()) arrived, or None."""
        with self.lock:
            return next((at for at, _, _ in self.snapshots if at >= since), None)

    def report(self, full: bool = False) -> dict:
        with self.lock:
            report = {"number": self.number, "version": self.version, "connected": self.client.connected,
                      "snapshots": list(self.snapshots), "events": self.events, "gaps": self.gaps,
                      "connects": self.connects, "disconnects": self.disconnects,
                      "token": self.token, "watched": self.watched}
        if full:
            report["state"] = self.state()
        return report

    def close(self) -> None:
        try:
            self.client.disconnect()
        except Exception:  # already gone: nothing to close
            pass


def _held(ticket: dict | None) -> tuple | None:
    return (ticket["number"], ticket["status"]) if ticket else None


class Crowd:
    """A process's screens and phones."""

    def __init__(self, index: int = 0):
        self.screens: list[Screen] = []

    def __call__(self, command: dict):
        op = command["op"]
        if op == "connect":
            return self._connect(command)
        if op == "watch":
            phones = [s for s in self.screens if s.number in command["phones"]]
            for phone, token in zip(phones, command["tokens"]):
                phone.watch(token)
            return {"watching": min(len(phones), len(command["tokens"]))}
        if op == "report":
            return [s.report(command.get("full", False)) for s in self.screens]
        if op == "resynced":
            return [s.resynced(command["since"]) for s in self.screens]
        if op == "close":
            self.close()
            return {}
        return {"error": f"unknown op {op!r}"}

    def _connect(self, command: dict) -> dict:
        failed = []
        for number in command["numbers"]:
            screen = Screen(number)
            try:
                screen.connect(command["url"])
            except Exception as e:  # counted: the soak fails on any screen that never connected
                failed.append(f"screen {number}: {type(e).__name__}: {e}")
                screen.close()
                continue
            self.screens.append(screen)
        return {"connected": len(self.screens), "failed": failed}

    def close(self) -> None:
        for screen in self.screens:
            screen.close()
        self.screens = []
