"""A fake ESC/POS network printer: a TCP listener on 127.0.0.1 that receives real jobs.

Behaviours: "ok" stores what it receives and answers status queries with paper
present; "paper_out" answers that the paper has ended; "silent" accepts and never
reads; "close_mid_job" hangs up partway through a job; "slow" takes a while per
job. A stopped printer refuses connections (its port is closed).
"""
from __future__ import annotations

import socket
import threading
import time

STATUS_QUERY = b"\x10\x04\x04"  # DLE EOT 4: paper sensor status
PAPER_OK, PAPER_OUT = b"\x12", b"\x72"
CUT = b"\x1dV"


class FakePrinter:
    def __init__(self, behaviour: str = "ok", delay: float = 0.0, port: int = 0):
        self.behaviour, self.delay = behaviour, delay
        self.jobs: list[bytes] = []  # everything received on one connection, status queries removed
        self.connections = 0
        self._server = socket.create_server(("127.0.0.1", port))
        self.port = self._server.getsockname()[1]
        self._server.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            if self.behaviour == "silent":
                self._stop.wait(30)
                return
            received = self._talk(conn)
            if received:
                self.jobs.append(received.replace(STATUS_QUERY, b""))

    def _talk(self, conn: socket.socket) -> bytes:
        conn.settimeout(5)
        buffer = b""
        while not self._stop.is_set():
            try:
                chunk = conn.recv(4096)
            except OSError:
                break
            if not chunk:
                break
            before = buffer.count(STATUS_QUERY)
            buffer += chunk
            if self.behaviour == "close_mid_job" and len(buffer) > 40:
                return b""  # hang up partway: nothing printed
            for _ in range(buffer.count(STATUS_QUERY) - before):
                if self.delay and CUT in buffer:
                    time.sleep(self.delay)
                conn.sendall(PAPER_OUT if self.behaviour == "paper_out" else PAPER_OK)
        return buffer if CUT in buffer else b""

    def printed(self, timeout: float = 10, count: int = 1) -> list[bytes]:
        """Wait until at least count jobs have arrived (a job is filed once the sender hangs
        up, a moment after it has recorded the outcome); return all jobs."""
        deadline = time.monotonic() + timeout
        while len(self.jobs) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.jobs

    def stop(self) -> None:
        self._stop.set()
        self._server.close()
        self._thread.join(2)
