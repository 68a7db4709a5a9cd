"""How many live connections the server holds, and who may open the next one (SPEC "Capacity").

Every live connection (a websocket, or an Engine.IO long-polling session) holds a server thread
for most of its life, so the server keeps apart three budgets, and a fixed number of threads
for everything else (`[server] threads`), which no connection ever takes:

- trusted: staff consoles and enrolled kiosks (a live session or device cookie), TRUSTED of them;
- phones: visitors' phone pages, which connect with `?watch=<token>`, at most
  `[server] sockets` less a twelfth (1,100 of the default 1,200);
- screens: anything else (the hall display), with the phones at most `[server] sockets`, so a
  hall full of phones leaves a twelfth (100) for the screens.

An anonymous address (phones and screens) holds at most `[limits] sockets_per_address`.
The check is made at the Engine.IO handshake, before a session exists: a refused client costs
one short JSON answer (503 "capacity" or 429 "too_many_connections", with Retry-After), which
the phone page reads as its cue to ask `/api/tickets/<token>` every 15 s instead.

A place is taken at the handshake and handed to the Engine.IO session it opens (its `connect`),
then given back when the session ends (its `disconnect`), or when the handshake ends without a
session. prune() drops what a lost `disconnect` would leave behind. No Flask here: a WSGI
wrapper and a counter.
"""
from __future__ import annotations

import collections
import json
import logging
import threading
import time
from typing import Callable
from urllib.parse import parse_qs

log = logging.getLogger(__name__)

TRUSTED, PHONE, SCREEN = "trusted", "phone", "screen"
TRUSTED_SOCKETS = 100  # counters and kiosks of even a large office, with a tab or two to spare
SCREENS_SHARE = 12  # one place in 12 phones never take: hall displays, a display reloading
RETRY_SECONDS = 15  # the phone page's polling period
REFUSAL_LOG_SECONDS = 60  # a full server says so in the log once a minute, not per refusal

FULL_MESSAGE = ("Server sedang melayani banyak koneksi. Halaman ini tetap diperbarui tiap "
                f"{RETRY_SECONDS} detik.")
PER_ADDRESS_MESSAGE = ("Terlalu banyak koneksi dari alamat ini. Halaman ini tetap diperbarui tiap "
                       f"{RETRY_SECONDS} detik.")


class SocketCapacity:
    """The places for live connections: taken, handed to a session, given back."""

    def __init__(self, sockets: int, per_address: int, trusted: int = TRUSTED_SOCKETS):
        self.caps = {TRUSTED: trusted, PHONE: sockets - sockets // SCREENS_SHARE}
        self.anonymous_cap = sockets
        self.per_address = per_address
        self._lock = threading.Lock()
        self._held: dict[object, tuple[str, str]] = {}  # a handshake's key or a session id -> (kind, address)
        self._kinds: collections.Counter = collections.Counter()
        self._addresses: collections.Counter = collections.Counter()  # anonymous places per address
        self._logged_at = 0.0

    def take(self, kind: str, address: str) -> tuple[object | None, dict | None]:
        """Take a place for a handshake: (its key, None), or (None, the refusal) when none is left."""
        with self._lock:
            refusal = self._refusal(kind, address)
            if refusal is not None:
                self._log_refusal(kind, address, refusal)
                return None, refusal
            key = object()
            self._hold(key, kind, address)
            return key, None

    def hand_over(self, key: object, sid: str) -> None:
        """The handshake opened session sid: the place is now the session's."""
        with self._lock:
            if key in self._held:
                self._held[sid] = self._held.pop(key)

    def give_back(self, key: object) -> None:
        """A handshake key or a session id gives its place back (twice is harmless)."""
        with self._lock:
            held = self._held.pop(key, None)
            if held is not None:
                kind, address = held
                self._kinds[kind] -= 1
                if kind != TRUSTED:
                    self._addresses[address] -= 1
                    if not self._addresses[address]:
                        del self._addresses[address]

    def prune(self, live_sids: set[str]) -> int:
        """Give back the places of sessions that ended unseen; return how many."""
        with self._lock:
            gone = [k for k in self._held if isinstance(k, str) and k not in live_sids]
        for sid in gone:
            self.give_back(sid)
        return len(gone)

    def counts(self) -> dict:
        with self._lock:
            return {TRUSTED: self._kinds[TRUSTED], PHONE: self._kinds[PHONE], SCREEN: self._kinds[SCREEN]}

    def _refusal(self, kind: str, address: str) -> dict | None:
        if kind == TRUSTED:
            full = self._kinds[TRUSTED] >= self.caps[TRUSTED]
        else:
            if self.per_address and self._addresses[address] >= self.per_address:
                return {"status": 429, "error": "too_many_connections", "message": PER_ADDRESS_MESSAGE}
            anonymous = self._kinds[PHONE] + self._kinds[SCREEN]
            full = anonymous >= self.anonymous_cap or (kind == PHONE and self._kinds[PHONE] >= self.caps[PHONE])
        return {"status": 503, "error": "capacity", "message": FULL_MESSAGE} if full else None

    def _hold(self, key: object, kind: str, address: str) -> None:
        self._held[key] = (kind, address)
        self._kinds[kind] += 1
        if kind != TRUSTED:
            self._addresses[address] += 1

    def _log_refusal(self, kind: str, address: str, refusal: dict) -> None:
        now = time.monotonic()
        if now - self._logged_at >= REFUSAL_LOG_SECONDS:
            self._logged_at = now
            log.warning("refused a live connection (%s, %s from %s); open: %s", refusal["error"], kind,
                        address, dict(self._kinds))


class CapacityGate:
    """WSGI wrapper around the Socket.IO endpoint: every new Engine.IO session takes a place."""

    ENVIRON_KEY = "antrian.socket_place"

    def __init__(self, wsgi_app, capacity: SocketCapacity, is_trusted: Callable[[dict], bool],
                 path: str = "/socket.io/"):
        self.wsgi_app, self.capacity, self.is_trusted, self.path = wsgi_app, capacity, is_trusted, path

    def __call__(self, environ, start_response):
        if not environ.get("PATH_INFO", "").startswith(self.path) or environ.get("REQUEST_METHOD") != "GET":
            return self.wsgi_app(environ, start_response)
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if "sid" in query:  # a request of a session that holds its place already
            return self.wsgi_app(environ, start_response)
        kind = TRUSTED if self.is_trusted(environ) else PHONE if "watch" in query else SCREEN
        key, refusal = self.capacity.take(kind, environ.get("REMOTE_ADDR", ""))
        if refusal is not None:
            return _refuse(refusal, start_response)
        environ[self.ENVIRON_KEY] = key
        try:
            return self.wsgi_app(environ, start_response)
        finally:  # without a session (a bad handshake), or a websocket whose life ended here
            self.capacity.give_back(key)

    def watch_sessions(self, eio_server) -> None:
        """Hand places to the Engine.IO sessions of eio_server and take them back as they end
        (wrapping its connect and disconnect handlers, which python-socketio set)."""
        connect, disconnect = eio_server.handlers["connect"], eio_server.handlers["disconnect"]

        def on_connect(sid, environ):
            key = environ.get(self.ENVIRON_KEY)
            if key is not None:
                self.capacity.hand_over(key, sid)
            return connect(sid, environ)

        def on_disconnect(sid, *reason):
            self.capacity.give_back(sid)
            return disconnect(sid, *reason)

        eio_server.on("connect", on_connect)
        eio_server.on("disconnect", on_disconnect)


def _refuse(refusal: dict, start_response):
    body = json.dumps({"error": refusal["error"], "message": refusal["message"],
                       "retry_after": RETRY_SECONDS}, ensure_ascii=False).encode()
    status = "429 Too Many Requests" if refusal["status"] == 429 else "503 Service Unavailable"
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                            ("Retry-After", str(RETRY_SECONDS)), ("Cache-Control", "no-store")])
    return [body]
