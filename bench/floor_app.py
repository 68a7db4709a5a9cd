"""The floor of the visits benchmark: the production stack around one SQLite numbering insert.

Same Flask, same Flask-SocketIO (threading), same gunicorn gthread worker started from
Python as server.py's run_gunicorn does, but POST /api/visits does nothing except the
day's next number in one BEGIN IMMEDIATE transaction (WAL, synchronous=FULL). Whatever
the real server costs above this is the queue's own work.

Run: python -m bench.floor_app --database /tmp/x/floor.db --port 5001 --threads 200
"""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import sqlite3
import sys
import threading
from pathlib import Path

from flask import Flask, jsonify, request
from flask_socketio import SocketIO

from web import serving

BUSY_TIMEOUT_MS = 15_000
NEXT_NUMBER = ("INSERT INTO day_numbers (day, prefix, last) VALUES (?, ?, 1)"
               " ON CONFLICT (day, prefix) DO UPDATE SET last = last + 1 RETURNING last")
SCHEMA = ("CREATE TABLE IF NOT EXISTS day_numbers (day TEXT NOT NULL, prefix TEXT NOT NULL,"
          " last INTEGER NOT NULL, PRIMARY KEY (day, prefix))")


def connect(path: Path) -> sqlite3.Connection:
    """Open an autocommit connection with the production pragmas."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                           timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def prepare(path: Path) -> None:
    """Create the database file in WAL with the day_numbers table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = connect(path)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(SCHEMA)
    finally:
        conn.close()


class Numbers:
    """The day's numbering counter: one writer at a time, on one connection."""

    def __init__(self, path: Path):
        self.path = path
        # As queueing.store does: threads wait on an in-process lock rather than in SQLite's
        # busy handler, and every write goes through one connection, whose page cache stays
        # valid from one commit to the next. The floor is the minimum done the best way.
        self._write_lock = threading.Lock()
        self._writer: sqlite3.Connection | None = None

    def next(self, day: str, prefix: str) -> int:
        """Return the next number of the day for prefix, committed to disk."""
        with self._write_lock:
            return self.write_next(day, prefix)

    def write_next(self, day: str, prefix: str) -> int:
        """The transaction of next(), for a caller that holds the write lock."""
        if self._writer is None:
            self._writer = connect(self.path)
        conn = self._writer
        conn.execute("BEGIN IMMEDIATE")
        try:
            seq = conn.execute(NEXT_NUMBER, (day, prefix)).fetchone()[0]
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return seq


def create_app(database: Path, async_mode: str = "threading") -> Flask:
    """Build the floor app: Flask, Socket.IO (threading unless told: bench/models.py) and the
    one endpoint."""
    numbers = Numbers(database)
    app = Flask(__name__)
    app.add_url_rule("/healthz", "healthz", lambda: {"ok": True})

    @app.post("/api/visits")
    def visit():
        data = request.get_json(force=True, silent=True) or {}
        seq = numbers.next(dt.date.today().isoformat(), "B")
        return jsonify({"outcome": "ticket", "number": f"B{seq:03d}",
                        "kiosk": data.get("kiosk")}), 201

    socketio = SocketIO()
    socketio.init_app(app, async_mode=async_mode)
    return app


def run_gunicorn(database: Path, host: str, port: int, threads: int) -> None:
    """Serve with the product's own gunicorn runner: the same stack, doing the minimum."""
    serving.serve(lambda: create_app(database), host, port, threads)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, prepare the database and serve."""
    parser = argparse.ArgumentParser(description="Serve the benchmark floor (gunicorn).")
    parser.add_argument("--database", required=True, type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=200)
    args = parser.parse_args(argv)
    prepare(args.database)
    logging.basicConfig(level=logging.INFO)
    run_gunicorn(args.database.resolve(), args.host, args.port, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
