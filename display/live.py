"""The live channel: Socket.IO events in, and the one place that broadcasts changes out."""
from __future__ import annotations

import logging
import queue
import threading
from typing import Callable

from flask import current_app, request
from flask_socketio import SocketIO, emit, join_room, leave_room

from queueing.model import QueueError
from queueing.service import Event, QueueService
from web.auth import current_session

log = logging.getLogger(__name__)

socketio = SocketIO()

MAX_SOCKET_MESSAGE = 16 * 1024  # clients only send sync and watch: small messages


class Sender:
    """One thread that sends every outgoing message, in the order they were handed over.

    The queue service hands its events over inside the write lock, right after COMMIT, so
    versions enter here in order; sending them to hundreds of sockets then happens outside
    the lock, and a burst of screens never holds up the next visitor's ticket.
    """

    def __init__(self):
        self._queue: queue.Queue[Callable[[], None]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def put(self, send: Callable[[], None]) -> None:
        """Queue one send; the thread starts on first use (in the worker, after any fork)."""
        self._queue.put(send)
        if self._thread is None or not self._thread.is_alive():
            with self._start_lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._run, name="socket-sender", daemon=True)
                    self._thread.start()

    def drain(self) -> None:
        """Wait until everything queued so far has been sent (tests, shutdown)."""
        self._queue.join()

    def _run(self) -> None:
        while True:
            send = self._queue.get()
            try:
                send()
            except Exception:  # one failed send must not stop the ones after it
                log.exception("socket send failed")
            finally:
                self._queue.task_done()


sender = Sender()


def queue_service() -> QueueService:
    return current_app.extensions["queue"]


def ticket_room(token: str) -> str:
    return f"ticket:{token}"


def broadcaster(service: QueueService) -> Callable[[Event], None]:
    """Return the one function that sends changes out; the service calls it after each commit."""

    def send(event: Event) -> None:
        """Send the change to every client, and a watched ticket's new state to its watchers."""
        socketio.emit("queue", event.payload())
        if event.token and _has_watchers(ticket_room(event.token)):
            try:
                view = service.ticket_by_token(event.token)
            except QueueError:
                return
            socketio.emit("ticket", _watch_view(view), to=ticket_room(event.token))

    def broadcast(event: Event) -> None:
        sender.put(lambda: send(event))

    return broadcast


def _has_watchers(room: str) -> bool:
    rooms = socketio.server.manager.rooms.get("/", {})
    return bool(rooms.get(room))


def _watch_view(view: dict) -> dict:
    keys = ("number", "service", "service_name", "status", "position", "estimated_wait_minutes",
            "counter", "counter_name",
            "priority", "issued_at", "called_at")
    return {k: view[k] for k in keys}


def kiosk_room(kiosk: str) -> str:
    return f"kiosk:{kiosk}"


STAFF_ROOM = "staff"

# Which sockets joined the staff room under which login, so that logging out takes them out.
_staff_sockets: dict[int, set[str]] = {}
_staff_lock = threading.Lock()


def leave_staff_room(session_id: int) -> None:
    """Take the sockets of a session that ended out of the staff room; they stay connected
    as public screens (the console reconnects after the next login)."""
    with _staff_lock:
        sids = _staff_sockets.pop(session_id, set())
    for sid in sids:
        socketio.server.leave_room(sid, STAFF_ROOM, namespace="/")


def broadcast_print(job: dict) -> None:
    """Send print-job progress (no version: not a queue change) to its kiosk and to staff."""
    view = {k: job[k] for k in ("id", "ticket_id", "kiosk", "kind", "status", "attempts",
                                "last_error", "paper", "number")}
    sender.put(lambda: (socketio.emit("print", view, to=kiosk_room(job["kiosk"])),
                        socketio.emit("print", view, to=STAFF_ROOM)))


def broadcast_notices(notices: dict) -> None:
    """Send changed notices to every screen (not a queue change: no version)."""
    sender.put(lambda: socketio.emit("notices", notices))


@socketio.on("connect")
def on_connect(auth=None):
    """Send the snapshot; a kiosk joins its room, and logged-in staff the staff room."""
    kiosk = auth.get("kiosk") if isinstance(auth, dict) else None
    if isinstance(kiosk, str) and current_app.extensions["config"].kiosk(kiosk):
        join_room(kiosk_room(kiosk))
    session = current_session()
    if session is not None:
        join_room(STAFF_ROOM)
        with _staff_lock:
            _staff_sockets.setdefault(session["session_id"], set()).add(request.sid)
    emit("state", queue_service().snapshot())


@socketio.on("disconnect")
def on_disconnect(*reason):
    with _staff_lock:
        for session_id, sids in list(_staff_sockets.items()):
            sids.discard(request.sid)
            if not sids:
                del _staff_sockets[session_id]



@socketio.on("sync")
def on_sync(*args):  # whatever a client sends along: extra arguments must not raise TypeError
    """Answer a client that saw a gap or reconnected with the whole snapshot."""
    return queue_service().snapshot()


@socketio.on("watch")
def on_watch(data=None, *extra):
    """Join the room of one ticket, found by its token; answer with its state."""
    token = data.get("token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not 0 < len(token) <= 64 or not token.isascii():  # tokens are URL-safe base64
        return {"error": "bad_token", "message": "Token tiket tidak sah."}
    join_room(ticket_room(token))  # first: a change between the read and the join still reaches it
    try:
        view = queue_service().ticket_by_token(token)
    except QueueError as e:
        leave_room(ticket_room(token))
        return {"error": e.code, "message": e.message}
    return {"ticket": _watch_view(view)}


@socketio.on("*")
def on_unknown(event, *args):
    """Refuse any other event: clients cannot change anything over the socket (SPEC, Live updates)."""
    return {"error": "unknown_event",
            "message": "Peristiwa ini tidak dikenal. Perubahan hanya lewat API HTTP."}
