"""Cheap idle Socket.IO clients for bench/models.py: raw Engine.IO v4 over websocket, asyncio.

A python-socketio client costs a process a few threads and ~0.2 ms of CPU per message; 2,000
of them would load this 2-core machine more than the server they measure. These clients do
only what a phone page's socket does on the wire, from one asyncio loop per process:

- `GET /socket.io/?EIO=4&transport=websocket` with an Upgrade, read the `0{...}` open packet,
  send `40` (connect to the default namespace; client frames are masked), read `40{...}`;
- answer every server ping `2` with `3` (Engine.IO v4: the server pings);
- stamp `time.time()` on every `42["queue",{...,"version":V}]` frame as it is read, and keep
  every `42["ticket",{...}]` (a phone's, connected with `watch=<token>` in its query) as
  (time, number, status, position).

Each client may have its own query (`watch=<token>` makes it a phone) and its own source
address (any of 127.0.0.0/8 on Linux), to act as many visitors' phones.

One process holds ~500 clients. It is driven over a multiprocessing pipe by the bench
(`Pool`): connect N, clear or report the arrivals, count refusals and drops, close.
"""
from __future__ import annotations

import asyncio
import base64
import json
import multiprocessing
import os
import struct
import time

PATH = "/socket.io/?EIO=4&transport=websocket"


def _frame(text: str) -> bytes:
    """A masked, final text frame (client to server)."""
    data = text.encode()
    mask = os.urandom(4)
    head = bytes([0x81])
    n = len(data)
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", n)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
    return head + mask + masked


async def _read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    b0, b1 = await reader.readexactly(2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", await reader.readexactly(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", await reader.readexactly(8))[0]
    if b1 & 0x80:  # a server never masks, but be tolerant
        mask = await reader.readexactly(4)
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(await reader.readexactly(n)))
    else:
        data = await reader.readexactly(n)
    return b0 & 0x0F, data


class Clients:
    """The clients of one process and what they saw."""

    def __init__(self):
        self.tasks: list[asyncio.Task] = []
        self.writers: list[asyncio.StreamWriter] = []
        self.connected = 0
        self.refused: dict[str, int] = {}
        self.dropped = 0
        self.arrivals: dict[str, list[float]] = {}  # "port:version" -> arrival times
        self.tickets: list[tuple[float, str, str, int | None]] = []  # (time, number, status, position)
        self.queries: list[str] = []  # the queries of the clients that connected

    async def one(self, host: str, port: int, ready: asyncio.Future, query: str = "",
                  source: str | None = None) -> None:
        writer = None
        try:
            local = (source, 0) if source else None
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port, local_addr=local), 30)
            key = base64.b64encode(os.urandom(16)).decode()
            path = f"{PATH}&{query}" if query else PATH
            writer.write((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                          f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                          "Sec-WebSocket-Version: 13\r\n\r\n").encode())
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
            status = head.split(b" ", 2)[1].decode()
            if status != "101":
                raise ConnectionRefusedError(f"HTTP {status}")
            _, data = await asyncio.wait_for(_read_frame(reader), 60)
            if not data.startswith(b"0{"):
                raise ConnectionError("no open packet")
            writer.write(_frame("40"))
            while True:  # what the server's connect handler emits may come before its "40"
                _, data = await asyncio.wait_for(_read_frame(reader), 60)
                if data.startswith(b"44"):  # the application refused the namespace connect
                    raise ConnectionRefusedError(f"refused: {json.loads(data[2:]).get('message')}")
                if data.startswith(b"40"):
                    break
                if not data.startswith(b"42"):
                    raise ConnectionError(f"no namespace connect: {data[:40]!r}")
                self._take(data, time.time(), port)
        except Exception as exc:  # noqa: BLE001 - counted, by kind
            name = str(exc) if isinstance(exc, (ConnectionRefusedError, ConnectionError)) else type(exc).__name__
            self.refused[name] = self.refused.get(name, 0) + 1
            if writer is not None:
                writer.close()
            ready.set_result(False)
            return
        self.connected += 1
        self.queries.append(query)
        self.writers.append(writer)
        ready.set_result(True)
        try:
            while True:
                opcode, data = await _read_frame(reader)
                now = time.time()
                if opcode == 8:
                    break
                if opcode == 9:
                    writer.write(bytes([0x8A, 0x80]) + os.urandom(4))  # empty masked pong
                    continue
                if data == b"2":
                    writer.write(_frame("3"))
                else:
                    self._take(data, now, port)
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        except asyncio.CancelledError:
            writer.close()
            raise
        self.connected -= 1
        self.dropped += 1
        writer.close()

    def _take(self, data: bytes, now: float, port: int) -> None:
        """Keep what a message says: a queue event's arrival, or a phone's ticket view."""
        if data.startswith(b'42["queue"'):
            version = json.loads(data[2:])[1]["version"]
            self.arrivals.setdefault(f"{port}:{version}", []).append(now)
        elif data.startswith(b'42["ticket"'):
            view = json.loads(data[2:])[1]
            self.tickets.append((now, view["number"], view["status"], view["position"]))

    async def connect(self, host: str, port: int, count: int, parallel: int = 25,
                      queries: list[str] | None = None, sources: list[str] | None = None) -> dict:
        """Open count clients, parallel handshakes at a time; return when all settled.
        Client i sends queries[i] and connects from sources[i % len(sources)] when given."""
        before = self.connected
        loop = asyncio.get_running_loop()
        pending: list[asyncio.Future] = []
        for i in range(count):
            ready = loop.create_future()
            query = queries[i] if queries else ""
            source = sources[i % len(sources)] if sources else None
            self.tasks.append(asyncio.create_task(self.one(host, port, ready, query, source)))
            pending.append(ready)
            if len(pending) >= parallel:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
        return {"connected": self.connected - before, "refused": dict(self.refused)}


def _serve(conn) -> None:
    async def main():
        clients = Clients()
        loop = asyncio.get_running_loop()
        inbox: asyncio.Queue = asyncio.Queue()
        loop.add_reader(conn.fileno(), lambda: inbox.put_nowait(conn.recv()))
        while True:
            command, args = await inbox.get()
            if command == "connect":
                conn.send(await clients.connect(*args))
            elif command == "clear":
                clients.arrivals, clients.tickets = {}, []
                conn.send(True)
            elif command == "report":
                conn.send({"arrivals": clients.arrivals, "tickets": clients.tickets, "queries": clients.queries,
                           "connected": clients.connected,
                           "dropped": clients.dropped, "refused": dict(clients.refused)})
            elif command == "close":
                for task in clients.tasks:
                    task.cancel()
                await asyncio.gather(*clients.tasks, return_exceptions=True)
                conn.send(True)
                return
    asyncio.run(main())


class Pool:
    """Client processes, each holding up to per_process sockets to one server."""

    def __init__(self):
        self.procs: list[tuple[multiprocessing.Process, object]] = []
        self.by_port: dict[int, list] = {}

    def connect(self, host: str, port: int, count: int, per_process: int = 500,
                queries: list[str] | None = None, sources: list[str] | None = None) -> dict:
        """Start processes for count clients to host:port and connect them (in parallel);
        queries and sources as in Clients.connect."""
        ctx = multiprocessing.get_context("fork")
        mine = []
        left = count
        while left > 0:
            n = min(per_process, left)
            left -= n
            here, there = ctx.Pipe()
            proc = ctx.Process(target=_serve, args=(there,), daemon=True)
            proc.start()
            self.procs.append((proc, here))
            mine.append(here)
            done = count - left - n  # clients before this process's
            turn = done % len(sources) if sources else 0
            here.send(("connect", (host, port, n, 25, queries[done:done + n] if queries else None,
                                   sources[turn:] + sources[:turn] if sources else None)))
        self.by_port.setdefault(port, []).extend(mine)
        total = {"connected": 0, "refused": {}}
        for conn in mine:
            got = conn.recv()
            total["connected"] += got["connected"]
            for k, v in got["refused"].items():
                total["refused"][k] = total["refused"].get(k, 0) + v
        return total

    def clear(self) -> None:
        for _, conn in self.procs:
            conn.send(("clear", None))
        for _, conn in self.procs:
            conn.recv()

    def report(self, port: int | None = None) -> dict:
        """Merge the reports of the processes (of one server's port, or all)."""
        conns = self.by_port.get(port, []) if port is not None else [c for _, c in self.procs]
        merged = {"arrivals": {}, "tickets": [], "queries": [], "connected": 0, "dropped": 0}
        for conn in conns:
            conn.send(("report", None))
        for conn in conns:
            got = conn.recv()
            for key, times in got["arrivals"].items():
                merged["arrivals"].setdefault(key, []).extend(times)
            merged["tickets"].extend(got["tickets"])
            merged["queries"].extend(got["queries"])
            merged["connected"] += got["connected"]
            merged["dropped"] += got["dropped"]
        return merged

    def close(self, port: int | None = None) -> None:
        """Close the clients of one server (or all) and end their processes."""
        conns = self.by_port.pop(port, []) if port is not None else [c for _, c in self.procs]
        for conn in conns:
            try:
                conn.send(("close", None))
            except OSError:
                pass
        keep = []
        for proc, conn in self.procs:
            if conn in conns:
                try:
                    if conn.poll(20):
                        conn.recv()
                except (OSError, EOFError):
                    pass
                proc.join(5)
                if proc.is_alive():
                    proc.kill()
                    proc.join()
            else:
                keep.append((proc, conn))
        self.procs = keep
        if port is None:
            self.by_port.clear()
