"""Gunicorn started from Python, as production runs: one worker (Socket.IO state lives in it),
gthread with many threads, in web.worker's form that reads each request before a thread serves it
(slow clients hold no thread). The benchmark floors use it too, so both sides run the same stack."""
from __future__ import annotations

from typing import Callable

from flask import Flask


def serve(load_app: Callable[[], Flask], host: str, port: int, threads: int) -> None:
    """Serve the app that load_app builds (in the worker, after the fork) until stopped."""
    from gunicorn.app.base import BaseApplication

    from web.worker import BufferingWorker

    class Server(BaseApplication):
        def load_config(self):
            options = {"bind": f"{host}:{port}", "workers": 1, "worker_class": BufferingWorker,
                       "threads": threads, "timeout": 60, "graceful_timeout": 5, "keepalive": 5,
                       "accesslog": None, "errorlog": "-", "loglevel": "info"}
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return load_app()

    Server().run()
