"""The live channel (Socket.IO): who is connected as what, and the one way out.

In: a socket connects as a screen (hall display, kiosk, console: it is sent the snapshot and
every `queue` event), or as a phone (`?watch=<token>`: it is sent only its ticket's view when
that changes); kiosks and staff also join their rooms for print news. Clients change nothing
here (`sync` and `watch` only read).

Out: publisher() builds the one function everything said goes through: the queue service's
versioned events after each commit, and web.channel's messages from the pages and the print
process (notices, print progress, a session ended, kiosks revoked). Sends leave through
Sender, outside the write lock, in the order they were handed over.
"""
from __future__ import annotations

import collections
import logging
import os
import threading
import time
from typing import Callable

from flask import current_app, has_request_context, request
from flask_socketio import SocketIO, emit, join_room, leave_room
from werkzeug.wsgi import ClosingIterator

from queueing import printjobs
from queueing.kiosks import KioskDevices
from queueing.model import QueueError
from queueing.events import Event
from queueing.service import QueueService
from queueing.views import phone_view
from web.auth import current_session
from web.channel import KiosksRevoked, NoticesChanged, PrintProgress, SessionEnded
from web.devices import enrolled_device
from web.extensions import queue_service

log = logging.getLogger(__name__)

socketio = SocketIO()

MAX_SOCKET_MESSAGE = 16 * 1024  # clients only send sync and watch: small messages


class Sender:
    """Sends every outgoing message once, in the order they were handed over.

    The queue service hands its events over inside the write lock, right after COMMIT, so
    versions enter here in order. They leave outside the lock, so a burst of screens never
    holds up the next visitor's ticket: a request that made a change sends what is waiting
    once its own answer has gone out (flush, on the response's close), and a thread of this
    class sends what other threads hand over (print outcomes, the expiry loop) or what a
    request left behind. Whoever sends takes every waiting message, in order, under one lock,
    so the request threads that share the work need no hand-off to another thread.
    """

    STRAY_SECONDS = 0.5  # how soon the thread sends a message nobody flushed

    def __init__(self):
        self._pending: collections.deque[Callable[[], None]] = collections.deque()
        self._sending = threading.Lock()
        self._wake = threading.Event()
        self._thread_pid: int | None = None  # the process whose thread runs
        self._start_lock = threading.Lock()

    def put(self, send: Callable[[], None], by_request: bool = False) -> None:
        """Queue one send. by_request: the current request sends it once its answer is out
        (send_after_answers); otherwise the thread is woken to send it now. The queue
        service calls this inside the write lock, so it does no more than append."""
        self._pending.append(send)
        self._ensure_thread()
        if not by_request:
            self._wake.set()

    def waiting(self) -> bool:
        return bool(self._pending)

    def flush(self) -> None:
        """Send everything waiting, unless another thread is at it (it sends ours too)."""
        while self._pending:
            if not self._sending.acquire(blocking=False):
                return  # the holder looks at the queue again after letting go
            try:
                while self._pending:
                    send = self._pending.popleft()
                    try:
                        send()
                    except Exception:  # one failed send must not stop the ones after it
                        log.exception("socket send failed")
            finally:
                self._sending.release()

    def drain(self, timeout: float = 10.0) -> None:
        """Wait until everything queued so far has been sent (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.flush()
            if not self._pending and not self._sending.locked():
                return
            time.sleep(0.001)

    def _ensure_thread(self) -> None:
        """Start the thread on first use in this process (in the worker, after any fork)."""
        if self._thread_pid == os.getpid():
            return
        with self._start_lock:
            if self._thread_pid != os.getpid():
                threading.Thread(target=self._run, name="socket-sender", daemon=True).start()
                self._thread_pid = os.getpid()

    def _run(self) -> None:
        while True:
            self._wake.wait(self.STRAY_SECONDS)
            self._wake.clear()
            self.flush()


def send_after_answers(wsgi_app):
    """Wrap a WSGI app: a request that leaves messages waiting sends them, in its own
    thread, when the server closes its response (once the answer is out)."""
    def app(environ, start_response):
        body = wsgi_app(environ, start_response)
        return ClosingIterator(body, sender.flush) if sender.waiting() else body

    return app


sender = Sender()


def ticket_room(token: str) -> str:
    return f"ticket:{token}"


SCREENS_ROOM = "screens"  # every socket but the phones': where `queue` and `notices` go


class Watchers:
    """The tickets that sockets watch (a phone page's, or any socket's after `watch`), with the
    view each was last sent. A change is sent to the watchers of the tickets it can move, and
    only where their view changed: a phone hears about its own ticket, never the whole hall's
    traffic, and a thousand phones cost the hall display nothing."""

    # Changes that move no other ticket (nor does an issued ticket without priority, which
    # joins the back): the rest can change positions or estimates in their service.
    OWN_ONLY = frozenset({"started", "recalled", "no_show", "expired", "verified"})

    def __init__(self):
        self._lock = threading.Lock()
        self._views: dict[str, dict | None] = {}  # token -> the view last sent (None: being read)
        self._tokens: dict[str, set[str]] = {}  # socket id -> the tokens it watches

    def add(self, sid: str, token: str) -> None:
        with self._lock:
            self._tokens.setdefault(sid, set()).add(token)
            self._views.setdefault(token, None)

    def seen(self, token: str, view: dict) -> None:
        """The view a watcher was just given, unless a change already sent a later one."""
        with self._lock:
            if token in self._views and self._views[token] is None:
                self._views[token] = view

    def remove(self, sid: str, token: str | None = None) -> None:
        """Stop sid watching token, or every token it watches."""
        with self._lock:
            tokens = self._tokens.get(sid, set())
            for gone in [token] if token is not None else list(tokens):
                tokens.discard(gone)
                if not any(gone in others for others in self._tokens.values()):
                    self._views.pop(gone, None)
            if not tokens:
                self._tokens.pop(sid, None)

    def affected(self, event: Event) -> list[str]:
        """The watched tokens whose view event may change."""
        with self._lock:
            if event.ticket is None or event.event == "transferred":  # mode, pause; two services
                return list(self._views)
            if event.event in self.OWN_ONLY or (event.event == "issued" and not event.priority):
                return [event.token] if event.token in self._views else []
            service = event.ticket["service"]
            return [token for token, view in self._views.items()
                    if view is None or view["service"] == service or token == event.token]

    def changed(self, views: dict[str, dict], always: str | None = None) -> list[tuple[str, dict]]:
        """Keep the views that differ from those last sent (and always's), as now sent."""
        out = []
        with self._lock:
            for token, view in views.items():
                if token in self._views and (self._views[token] != view or token == always):
                    self._views[token] = view
                    out.append((token, view))
        return out


watchers = Watchers()


def kiosk_room(kiosk: str) -> str:
    return f"kiosk:{kiosk}"


STAFF_ROOM = "staff"

# Which sockets joined the staff room under which login, so that logging out takes them out
# and a session ended elsewhere (the CLI) closes them.
_staff_sockets: dict[int, set[str]] = {}
_staff_lock = threading.Lock()


def leave_staff_room(session_id: int) -> None:
    """Take the sockets of a session that ended out of the staff room; they stay connected
    as public screens (the console reconnects after the next login)."""
    with _staff_lock:
        sids = _staff_sockets.pop(session_id, set())
    for sid in sids:
        socketio.server.leave_room(sid, STAFF_ROOM, namespace="/")


def drop_ended_staff_sockets(live_session_ids: Callable[[list[int]], set[int]]) -> None:
    """Disconnect the staff sockets whose session is no longer live: the account was disabled
    or its password changed (usually by the CLI, another process), or the session expired.
    Unlike logging out, which leaves a console's sockets connected as public screens, these
    are closed: their user may no longer be trusted with what the staff room hears."""
    with _staff_lock:
        session_ids = list(_staff_sockets)
    if not session_ids:
        return
    live = live_session_ids(session_ids)
    with _staff_lock:
        ended = [sid for session_id in session_ids if session_id not in live
                 for sid in _staff_sockets.pop(session_id, set())]
    for sid in ended:
        try:
            socketio.server.disconnect(sid, namespace="/")
        except Exception:  # one that fails must not spare the others (they are no longer listed)
            log.exception("closing the socket of an ended session failed")


# Which sockets joined a kiosk's room as which enrolled device, so that revoking drops them.
_kiosk_sockets: dict[int, set[str]] = {}


def drop_revoked_kiosks(kiosk_devices: KioskDevices) -> int:
    """Disconnect the sockets of kiosk devices revoked since they connected (by an admin here,
    or by the CLI in another process); return how many. The background loop calls this."""
    with _staff_lock:
        tracked = list(_kiosk_sockets)
    revoked = kiosk_devices.revoked(tracked)
    with _staff_lock:
        sids = [sid for device in revoked for sid in _kiosk_sockets.pop(device, ())]
    for sid in sids:
        socketio.server.disconnect(sid, namespace="/")
    return len(sids)


def publisher(service: QueueService, kiosk_devices: KioskDevices, doorbell=None) -> Callable[[object], None]:
    """Return the one function everything said on the live channel goes through: the queue's
    versioned events (the service calls it after each commit) and web.channel's messages.
    doorbell: with several server processes, web.fanout.Doorbell."""

    def send_event(event: Event) -> None:
        """Send the change to every screen, and to each watched ticket's watchers its new view.
        Only this process's sockets: with several processes each announces every version to
        its own (web.fanout), and rings the others' doorbell for the changes it made."""
        socketio.emit("queue", event.payload(), to=SCREENS_ROOM, ignore_queue=True)
        if doorbell is not None and not event.elsewhere:
            doorbell.ring(event.version)
        tokens = watchers.affected(event)
        if not tokens:
            return
        views = {token: phone_view(view) for token, view in service.tickets_by_tokens(tokens).items()}
        for token, view in watchers.changed(views, always=event.token):
            if token == event.token:  # what happened, e.g. a recall, which changes nothing in the view
                view = {**view, "event": event.event}
            socketio.emit("ticket", view, to=ticket_room(token), ignore_queue=True)

    def send_print(job: dict) -> None:
        """Print-job progress (not a queue change: no version) to its kiosk and to staff."""
        view = printjobs.progress_view(job)
        socketio.emit("print", view, to=kiosk_room(job["kiosk"]))
        socketio.emit("print", view, to=STAFF_ROOM)

    def publish(message) -> None:
        if isinstance(message, Event):
            sender.put(lambda: send_event(message), by_request=has_request_context())
        elif isinstance(message, PrintProgress):
            sender.put(lambda: send_print(message.job))
        elif isinstance(message, NoticesChanged):  # not a queue change either: no version
            sender.put(lambda: socketio.emit("notices", message.notices, to=SCREENS_ROOM))
        elif isinstance(message, SessionEnded):
            leave_staff_room(message.session_id)
        elif isinstance(message, KiosksRevoked):
            drop_revoked_kiosks(kiosk_devices)
        else:
            raise TypeError(f"not a live-channel message: {message!r}")

    return publish


@socketio.on("connect")
def on_connect(auth=None):
    """A phone page (`?watch=<token>`) hears only its ticket: it is sent the ticket's view now
    and after each change of it. Every other socket is a screen: it is sent the snapshot and
    every change. An enrolled kiosk joins its room, and logged-in staff the staff room.
    A socket that names a kiosk without that kiosk's device cookie is refused: print news
    is for the kiosk itself (SPEC, kiosk enrollment)."""
    token = request.args.get("watch")
    if token is not None:
        answer = _start_watching(token)
        if "error" in answer:
            raise ConnectionRefusedError(answer)
        emit("ticket", answer["ticket"])
        return
    kiosk = auth.get("kiosk") if isinstance(auth, dict) else None
    if kiosk is not None:
        known = isinstance(kiosk, str) and current_app.extensions["config"].kiosk(kiosk)
        device = enrolled_device(kiosk) if known else None
        if device is None:
            raise ConnectionRefusedError({
                "error": "kiosk_not_enrolled",
                "message": "Perangkat ini belum terdaftar sebagai kios. Admin dapat mendaftarkannya di /admin."})
        join_room(kiosk_room(kiosk))
        with _staff_lock:
            _kiosk_sockets.setdefault(device, set()).add(request.sid)
    session = current_session()
    if session is not None:
        join_room(STAFF_ROOM)
        with _staff_lock:
            _staff_sockets.setdefault(session["session_id"], set()).add(request.sid)
    join_room(SCREENS_ROOM)
    emit("state", queue_service().snapshot())


@socketio.on("disconnect")
def on_disconnect(*reason):
    watchers.remove(request.sid)
    with _staff_lock:
        for sockets in (_staff_sockets, _kiosk_sockets):
            for key, sids in list(sockets.items()):
                sids.discard(request.sid)
                if not sids:
                    del sockets[key]


@socketio.on("sync")
def on_sync(*args):  # whatever a client sends along: extra arguments must not raise TypeError
    """Answer a client that saw a gap or reconnected with the whole snapshot."""
    return queue_service().snapshot()


@socketio.on("watch")
def on_watch(data=None, *extra):
    """Watch one ticket, found by its token; answer with its state."""
    return _start_watching(data.get("token") if isinstance(data, dict) else None)


def _start_watching(token) -> dict:
    """Join the ticket's room and list this socket among its watchers; return its view."""
    if not isinstance(token, str) or not 0 < len(token) <= 64 or not token.isascii():  # tokens are URL-safe base64
        return {"error": "bad_token", "message": "Token tiket tidak sah."}
    # First: a change between the read and the join still reaches it.
    join_room(ticket_room(token))
    watchers.add(request.sid, token)
    try:
        view = phone_view(queue_service().ticket_by_token(token))
    except QueueError as e:
        leave_room(ticket_room(token))
        watchers.remove(request.sid, token)
        return {"error": e.code, "message": e.message}
    watchers.seen(token, view)
    return {"ticket": view}


@socketio.on("*")
def on_unknown(event, *args):
    """Refuse any other event: clients cannot change anything over the socket (SPEC, Live updates)."""
    return {"error": "unknown_event",
            "message": "Peristiwa ini tidak dikenal. Perubahan hanya lewat API HTTP."}
