"""Serve a bench floor under one concurrency model, for bench/models.py.

    python -m bench.models_serve --model gthread|gevent|gevent-tpool --app visits|broadcast
        --port P [--database D] [--threads 1300] [--socket-cap 1200] [--stack-kb 0]

The floors (floor_app.py: a visit is one durable SQLite insert; floor_broadcast.py: a POST
emits one `queue` payload to every client) under gunicorn with web/serving.py's options
(one worker, timeout 60, keepalive 5), changing only what the model changes:

- `gthread`: the shipped model. Flask-SocketIO async_mode "threading" (python-engineio +
  simple-websocket); each websocket holds one of `--threads` for its life, and one of
  `--worker-connections` (2,000 here; gunicorn's default 1,000 stops all accepting at 1,000
  sockets). `--socket-cap`
  refuses websockets past that many with 503 and a JSON reason, so that the rest of the
  threads are a reserve that sockets never take. `--stack-kb` sets threading.stack_size().
- `gevent`: gunicorn's gevent worker (worker_connections 10,000) and async_mode "gevent"
  (python-engineio's gevent driver; without gevent-websocket it runs simple-websocket with
  gevent's Greenlet, Event and selector). The standard library is monkey-patched here, first,
  before anything imports threading or socket. SQLite runs in the hub: an fsync blocks it.
- `gevent-tpool`: the same, but each visit's write runs in gevent's native thread pool
  (hub.threadpool), the write lock taken in the greenlet: how a gevent product would have to
  write to SQLite so that an fsync does not stop every other connection.
"""
import sys

if __name__ == "__main__" and any(a.startswith("gevent") for a in sys.argv):
    from gevent import monkey  # must come before every other import

    monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402

from bench import floor_app, floor_broadcast  # noqa: E402


class SocketCap:
    """WSGI middleware: at most cap websockets at once; past it 503 with a readable reason."""

    def __init__(self, app, cap: int):
        self.app, self.cap, self.live = app, cap, 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("HTTP_UPGRADE", "").lower() != "websocket":
            return self.app(environ, start_response)
        with self.lock:
            if self.live >= self.cap:
                full = True
            else:
                full = False
                self.live += 1
        if full:
            body = json.dumps({"error": "capacity", "retry_after": 15}).encode()
            start_response("503 Service Unavailable", [("Content-Type", "application/json"),
                                                       ("Content-Length", str(len(body))),
                                                       ("Retry-After", "15")])
            return [body]
        try:
            return self.app(environ, start_response)  # returns when the websocket closes
        finally:
            with self.lock:
                self.live -= 1


class PooledNumbers(floor_app.Numbers):
    """floor_app.Numbers whose SQLite work runs in gevent's native thread pool (the fsync
    outside the hub), its write lock still taken in the calling greenlet."""

    def next(self, day: str, prefix: str) -> int:
        import gevent
        with self._write_lock:
            return gevent.get_hub().threadpool.apply(self.write_next, (day, prefix))


def build(args):
    mode = "threading" if args.model == "gthread" else "gevent"
    if args.app == "visits":
        if args.model == "gevent-tpool":
            floor_app.Numbers = PooledNumbers  # create_app builds its Numbers from the module
        app = floor_app.create_app(args.database, async_mode=mode)
    else:
        app = floor_broadcast.create_app(async_mode=mode)
    if args.socket_cap:
        app.wsgi_app = SocketCap(app.wsgi_app, args.socket_cap)
    return app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("gthread", "gevent", "gevent-tpool"), required=True)
    parser.add_argument("--app", choices=("visits", "broadcast"), required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", type=Path)
    parser.add_argument("--threads", type=int, default=1300)
    parser.add_argument("--socket-cap", type=int, default=0)
    parser.add_argument("--stack-kb", type=int, default=0)
    parser.add_argument("--worker-connections", type=int, default=2000)
    args = parser.parse_args()
    if args.stack_kb:
        threading.stack_size(args.stack_kb * 1024)
    if args.app == "visits":
        floor_app.prepare(args.database)
        args.database = args.database.resolve()

    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            options = {"bind": f"{args.host}:{args.port}", "workers": 1, "timeout": 60,
                       "graceful_timeout": 5, "keepalive": 5, "accesslog": None,
                       "errorlog": "-", "loglevel": "warning", "backlog": 4096}
            if args.model == "gthread":
                # gthread accepts only while it holds fewer than worker_connections connections
                # (default 1,000), websockets included: at 1,000 sockets it stops accepting.
                options.update(worker_class="gthread", threads=args.threads,
                               worker_connections=args.worker_connections)
            else:
                options.update(worker_class="gevent", worker_connections=10_000)
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return build(args)

    Server().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
