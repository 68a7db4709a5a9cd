"""The print worker: one thread per kiosk printer sends the outbox's due jobs.

The request that issues a ticket only writes the job; this worker sends it, so
a slow or dead printer never holds up the kiosk or the queue.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

from queueing.config import Config
from queueing.printjobs import PrintJobs

from . import printer

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0  # retries fall due without a wake-up; this is how soon they are noticed


class Outbox:
    """Send due print jobs, per kiosk, and report each outcome through notify(job).

    content(job) says what the job puts on paper (QueueService.print_content)."""

    def __init__(self, config: Config, jobs: PrintJobs, notify: Callable[[dict], None],
                 content: Callable[[dict], dict]):
        self.config, self.jobs, self.notify, self.content = config, jobs, notify, content
        self._wakes: dict[str, threading.Event] = {k: threading.Event() for k in self.kiosks()}
        # One kiosk renders at a time. Printers that finish together (all of them, when they
        # share a fault or a network) would otherwise bring twenty threads of pure Python to
        # compete with the requests for the GIL; in turn, a request competes with one.
        self._rendering = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def kiosks(self) -> list[str]:
        return [k.id for k in self.config.kiosks if k.printer.type != "preview"]

    def run_once(self, kiosk: str) -> int:
        """Send every job of this kiosk that is due now; return how many were tried."""
        tried = 0
        for job_id in self.jobs.due(kiosk):
            job = self.jobs.take(job_id)
            if job is not None:
                self.notify(job)
                self.notify(self._send(job))
                tried += 1
        return tried

    def _send(self, job: dict) -> dict:
        config = self.config.kiosk(job["kiosk"]).printer
        try:
            with self._rendering:
                data = printer.RENDERERS[job["kind"]](self.content(job), config)
            paper = printer.send(data, config)
        except printer.PrintFailed as e:
            log.warning("print job %s on %s failed: %s", job["id"], job["kiosk"], e)
            return self.jobs.record(job, str(e), e.paper)
        return self.jobs.record(job, None, paper)

    def wake(self, kiosk: str | None = None) -> None:
        """Tell a kiosk's worker (or all) a job is waiting, so it goes out now, not at the next poll."""
        if kiosk is not None:
            if kiosk in self._wakes:
                self._wakes[kiosk].set()
            return
        for event in self._wakes.values():
            event.set()

    def start(self) -> None:
        """Start one worker thread per kiosk that has a printer."""
        self.jobs.recover()
        for kiosk in self.kiosks():
            thread = threading.Thread(target=self._loop, args=(kiosk,), name=f"print-{kiosk}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        self.wake()

    def _loop(self, kiosk: str) -> None:
        while not self._stop.is_set():
            try:
                self.run_once(kiosk)
            except Exception:  # a locked database or a bug must not end printing for the day
                log.exception("print worker for %s failed; going on", kiosk)
            self._wakes[kiosk].wait(POLL_SECONDS)
            self._wakes[kiosk].clear()
