"""gunicorn's gthread worker, made safe against slow and silent clients (SPEC "Capacity", issue 16).

Stock gthread hands every new connection to a pool thread, which waits up to 5 s for its first
bytes and then reads the request head, and the application reads the body, with no deadline:
200 clients that send half a request and stop held all 200 threads, and every page, for as long
as they liked. Here the worker's event loop reads each request, head and body, without blocking
and without a thread; a thread gets the request only once it is complete. So slow clients hold
a socket and a buffer each, never a thread, however large or small the pool is.

- The head must be complete HEAD_SECONDS after its first byte and the body BODY_SECONDS after
  the head, or the client is answered 408 and the connection closed. These are totals, not
  per-read timeouts: a client trickling a byte a second is cut as surely as a silent one.
  A connection that sends nothing is closed after `keepalive` seconds, like an idle kept-alive
  one (which gunicorn already keeps in its event loop, threadless).
- A body over MAX_BUFFERED is refused (413) before it is read, a chunked one (411): the
  application accepts neither (server.MAX_BODY and display.live.MAX_SOCKET_MESSAGE are 16 KB,
  and no client of ours sends chunked bodies), and either would need a thread to read it.
  A client that waits for "100 Continue" before its body gets it from the event loop.
- Closing after an answer lingers in the event loop. Stock gthread lingers (up to 2 s, for the
  client's FIN) in its main thread, so each client that did not hang up stalled the whole loop.
- gunicorn's own error answers (a malformed request line, too long a header) come in the
  application's JSON shape instead of gunicorn's HTML page.

Once a request is complete, all is gunicorn's: a Socket.IO long poll or a websocket holds its
thread for as long as it lives, and none of these deadlines applies to it. Plain HTTP only:
TLS, where there is any, ends in front of gunicorn.
"""
from __future__ import annotations

import contextlib
import json
import selectors
import socket
import time
from functools import partial
from http import HTTPStatus

from gunicorn.workers.gthread import ThreadWorker

from web.errors import HTTP_CODES, HTTP_MESSAGES

# A kiosk or a counter PC on the LAN sends its head in one packet and a 16 KB body in a dozen;
# a phone on a poor mobile link may lose a packet twice (retransmitted after 1 s, then 2 s more).
# Five seconds covers that and keeps a held socket short.
HEAD_SECONDS = 5.0
BODY_SECONDS = 5.0
LINGER_SECONDS = 2.0  # how long a closing connection may take to hang up (gunicorn's own figure)
SWEEP_SECONDS = 0.5  # a deadline is kept to within this (and the event loop's 1 s turn)
MAX_BUFFERED = 64 * 1024  # per head and per body: four times the largest body the app accepts
_CHUNKED = -1


class BufferingWorker(ThreadWorker):
    """gthread whose event loop reads whole requests, with deadlines, before a thread serves them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.incoming: dict = {}  # connection -> _Incoming: still sending its request
        self.lingering: dict = {}  # connection -> the time it is closed, answered or not
        self.swept = 0.0  # when murder_pending last looked through them

    @classmethod
    def check_config(cls, cfg, log):
        super().check_config(cfg, log)
        if cfg.is_ssl:  # the event loop reads requests off the raw socket
            raise RuntimeError("BufferingWorker serves plain HTTP: end TLS in front of gunicorn")

    def enqueue_req(self, conn):
        """Read the connection's next request in the event loop (gunicorn calls this for a new
        connection, a kept-alive one that became readable, and one with a pipelined request)."""
        leftover = conn.parser.unreader.take_buffered() if conn.parser else b""
        conn.sock.setblocking(False)
        self.incoming[conn] = _Incoming(leftover, HEAD_SECONDS if leftover else self.cfg.keepalive)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_incoming, conn))
        self._on_incoming(conn)  # a kept-alive connection's request is usually there already

    def _on_incoming(self, conn, _sock=None):
        incoming = self.incoming[conn]
        try:
            data = conn.sock.recv(MAX_BUFFERED)
        except BlockingIOError:
            if not incoming.data:
                return
            data = b""  # only the leftover of a pipelined request, looked at below
        except OSError:
            return self._close(conn)
        else:
            if not data:
                return self._close(conn)  # hung up before completing a request
            if not incoming.data:
                incoming.deadline = time.monotonic() + HEAD_SECONDS  # its first byte
        incoming.data += data
        status = incoming.advance()
        if status:
            self._refuse(conn, status)
        elif incoming.complete():
            self._dispatch(conn, incoming)
        elif incoming.expects_continue:
            # The client waits for this before it sends the body (handle_request then keeps
            # gunicorn from sending it a second time).
            incoming.expects_continue = False
            with contextlib.suppress(OSError):
                conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _dispatch(self, conn, incoming):
        """Hand a complete request to a thread, with its bytes ready in gunicorn's parser."""
        del self.incoming[conn]
        self.poller.unregister(conn.sock)
        conn.init()  # creates the parser of a new connection (no I/O: plain HTTP)
        conn.parser.unreader.unread(bytes(incoming.data))
        super().enqueue_req(conn)

    def _refuse(self, conn, status: int):
        """Answer a request that will not be served, then close the connection."""
        self.incoming.pop(conn, None)
        self.poller.unregister(conn.sock)
        try:
            conn.sock.send(error_response(status))  # a few hundred bytes: the send buffer takes them
        except OSError:
            pass
        self._linger(conn)

    def handle_request(self, req, conn):
        # The body is read whole before a thread gets the request: no client waits for a
        # "100 Continue" any more, and one that did got it from the event loop.
        req._expected_100_continue = False
        return super().handle_request(req, conn)

    def finish_request(self, conn, fs):
        if fs.cancelled() or fs.exception() is not None or fs.result():
            return super().finish_request(conn, fs)
        if _upgraded(conn):
            # A websocket's reader thread (simple-websocket) may still be blocked on the socket,
            # and close it later: registered in the poller, its descriptor could be reused under
            # us. Shutting it down (both ways) wakes that thread and tells the client at once.
            with contextlib.suppress(OSError):
                conn.sock.shutdown(socket.SHUT_RDWR)
            self.nr_conns -= 1
            return conn.close()
        self._linger(conn)  # gunicorn's graceful close would wait for the client in this thread

    def _linger(self, conn):
        """Close gracefully without waiting: send FIN, then discard what the client still sends
        until it hangs up or LINGER_SECONDS pass, so that it reads our answer instead of a reset."""
        try:
            conn.sock.setblocking(False)
            conn.sock.shutdown(socket.SHUT_WR)
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_lingering, conn))
        except (OSError, ValueError):  # already closed (a websocket that ended) or reset
            return self._close(conn)
        self.lingering[conn] = time.monotonic() + LINGER_SECONDS

    def _on_lingering(self, conn, _sock=None):
        try:
            if conn.sock.recv(MAX_BUFFERED):
                return
        except BlockingIOError:
            return
        except OSError:
            pass
        self._close(conn)

    def _close(self, conn):
        """Forget a connection we hold in the event loop, and close it."""
        self.incoming.pop(conn, None)
        self.lingering.pop(conn, None)
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self):
        """Also cut the connections past their deadline (the event loop calls this after every
        turn, at least once a second; looking through them all is done twice a second at most)."""
        super().murder_pending()
        now = time.monotonic()
        if now < self.swept + SWEEP_SECONDS:
            return
        self.swept = now
        for conn, incoming in list(self.incoming.items()):
            if incoming.deadline <= now:
                if incoming.data:
                    self._refuse(conn, 408)
                else:
                    self._close(conn)  # silent since connecting or since its last answer
        for conn, deadline in list(self.lingering.items()):
            if deadline <= now:
                self._close(conn)

    def handle_error(self, req, client, addr, exc):
        """Answer as gunicorn decides (status, log line), in the app's JSON instead of HTML."""
        super().handle_error(req, _JsonErrors(client), addr, exc)


class _Incoming:
    """What a connection has sent of its next request, and until when it may send the rest."""

    __slots__ = ("data", "deadline", "size", "expects_continue")

    def __init__(self, data: bytes, seconds: float):
        self.data = bytearray(data)
        self.deadline = time.monotonic() + seconds
        self.size = None  # head plus body, once the head is complete
        self.expects_continue = False  # until the head is read: "Expect: 100-continue", HTTP/1.1

    def advance(self) -> int | None:
        """Take note of a complete head; return the status to refuse the request with, if any."""
        if self.size is not None:
            return None
        # Empty lines before a request line may be ignored (RFC 9112 2.2): drop them here, so that
        # they cannot pass for a complete head and send a thread to wait for the real one.
        del self.data[:len(self.data) - len(self.data.lstrip(b"\r\n"))]
        end = self.data.find(b"\r\n\r\n")
        if end < 0:
            return 431 if len(self.data) > MAX_BUFFERED else None
        length = body_length(bytes(self.data[:end]))
        if length == _CHUNKED:
            return 411
        if length > MAX_BUFFERED:
            return 413
        self.size = end + 4 + length
        if length:
            self.deadline = time.monotonic() + BODY_SECONDS
            head = bytes(self.data[:end]).lower()
            self.expects_continue = b"\r\nexpect: 100-continue" in head and b" http/1.1\r\n" in head
        return None

    def complete(self) -> bool:
        return self.size is not None and len(self.data) >= self.size


def _upgraded(conn) -> bool:
    """Whether the connection's last request asked to switch protocols (a websocket)."""
    request = conn.parser.mesg if conn.parser else None
    return request is not None and any(name == "UPGRADE" for name, _ in request.headers)


def body_length(head: bytes) -> int:
    """The body's length as the head declares it; 0 when it declares none or a malformed one
    (gunicorn's parser then refuses the request itself), _CHUNKED for a chunked body."""
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip()
        if name == b"transfer-encoding":
            return _CHUNKED
        if name == b"content-length" and value.isdigit():
            length = int(value)
    return length


def error_response(status: int) -> bytes:
    """A complete HTTP answer, "Connection: close", with the app's JSON error body."""
    body = json.dumps({"error": HTTP_CODES.get(status, "http_error"),
                       "message": HTTP_MESSAGES.get(status, "Terjadi kesalahan.")},
                      ensure_ascii=False).encode()
    head = (f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


class _JsonErrors:
    """The client socket as gunicorn's handle_error sees it: its HTML error page is replaced,
    on the way out, by the JSON answer for the same status."""

    def __init__(self, sock):
        self._sock = sock

    def __getattr__(self, name):
        return getattr(self._sock, name)

    def sendall(self, page: bytes):
        self._sock.sendall(error_response(int(page.split(b" ", 2)[1])))
