"""Gunicorn started from Python, as production runs: one worker by default (Socket.IO state lives in
it; [server] workers > 1 share the work through Redis, see web.fanout),
gthread with many threads, in web.worker's form that reads each request before a thread serves it
(slow clients hold no thread). The benchmark floors use it too, so both sides run the same stack.

Each live connection holds a thread for its life, so the pool is sized for every place
web.capacity gives out plus the threads kept for requests. gunicorn stops accepting at
`worker_connections` open connections, live ones included: it is the pool plus IDLE_CONNECTIONS
for kept-alive and still-arriving requests, which hold a socket but no thread.
"""
from __future__ import annotations

import logging
import resource
from typing import Callable

from flask import Flask

IDLE_CONNECTIONS = 1000
SPARE_FILES = 200  # the database, its WAL, logs, the print process's pipes, printers' sockets
log = logging.getLogger(__name__)


def serve(load_app: Callable[[], Flask], host: str, port: int, threads: int, workers: int = 1) -> None:
    """Serve the app that load_app builds (in each worker, after the fork) until stopped. More
    than one worker needs [server] message_queue (web.fanout) and websocket-only pages."""
    from gunicorn.app.base import BaseApplication

    from web.worker import BufferingWorker

    connections = threads + IDLE_CONNECTIONS
    raise_open_files(connections + SPARE_FILES)

    class Server(BaseApplication):
        def load_config(self):
            options = {"bind": f"{host}:{port}", "workers": workers, "worker_class": BufferingWorker,
                       "threads": threads, "worker_connections": connections, "backlog": 2048,
                       "timeout": 60, "graceful_timeout": 5, "keepalive": 5,
                       "accesslog": None, "errorlog": "-", "loglevel": "info"}
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return load_app()

    Server().run()


def raise_open_files(needed: int) -> None:
    """Raise this process's open-file limit to needed where the hard limit allows: a fresh
    Debian login gives 1,024, fewer than the connections the server holds."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < needed:
        log.warning("open files limited to %d (hard limit); %d wanted for the connections the server "
                    "holds: raise LimitNOFILE / ulimit -Hn", target, needed)
