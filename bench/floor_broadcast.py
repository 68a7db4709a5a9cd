"""The floor of the broadcast benchmark: the production stack around one socketio.emit.

Same Flask, same Flask-SocketIO (threading), same gunicorn gthread worker started from
Python as server.py's run_gunicorn does, but POST /api/emit does nothing except emit one
`queue` event of the server's payload shape ({"version", "event", "ticket": {"number",
"service", "status", "counter"}}) to every client, in the request's thread, as
display/live.py's broadcast() does. No database, no session, no snapshot on connect.
Whatever the real server costs above this is the queue's own work.

Run: python -m bench.floor_broadcast --port 5001 --threads 300
"""
from __future__ import annotations

import argparse
import logging
import sys
import threading

from flask import Flask, jsonify, request
from flask_socketio import SocketIO

from web import serving

MAX_SOCKET_MESSAGE = 16 * 1024  # as display/live.py: clients only send small messages
STATUS = {"called": "called", "recalled": "called", "started": "serving", "finished": "done"}


def create_app(async_mode: str = "threading") -> Flask:
    """Build the floor app: Flask, Socket.IO (threading unless told: bench/models.py) and the
    one endpoint."""
    app = Flask(__name__)
    socketio = SocketIO()
    socketio.init_app(app, async_mode=async_mode, max_http_buffer_size=MAX_SOCKET_MESSAGE)
    app.add_url_rule("/healthz", "healthz", lambda: {"ok": True})
    lock = threading.Lock()
    version = [0]

    @app.post("/api/emit")
    def emit():
        data = request.get_json(force=True, silent=True) or {}
        event = data.get("event") if data.get("event") in STATUS else "called"
        with lock:  # the server's version comes from its one writer at a time too
            version[0] += 1
            payload = {"version": version[0], "event": event,
                       "ticket": {"number": str(data.get("number", "B001")), "service": "kk",
                                  "status": STATUS[event], "counter": 1}}
        socketio.emit("queue", payload)
        return jsonify({"version": payload["version"]})

    return app


def run_gunicorn(host: str, port: int, threads: int) -> None:
    """Serve with the product's own gunicorn runner: the same stack, doing the minimum."""
    serving.serve(lambda: create_app(), host, port, threads)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(description="Serve the broadcast benchmark's floor (gunicorn).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=300)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    run_gunicorn(args.host, args.port, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
