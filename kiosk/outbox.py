"""The print worker: one thread per kiosk printer sends the outbox's due jobs.

The request that issues a ticket only writes the job; this worker sends it, so
a slow or dead printer never holds up the kiosk or the queue. It runs in the print
process (kiosk/printprocess.py), where a watcher thread looks into the outbox a few
times a second and wakes the threads of the kiosks that have a job due: nothing
in the server tells it of a new job, so a visit spends nothing on it.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

from queueing.config import Config
from queueing.printjobs import PrintJobs

from . import printer

log = logging.getLogger(__name__)
WATCH_SECONDS = 0.2  # how soon a new job, a retry that fell due or an admin's retry is noticed


class Outbox:
    """Send due print jobs, per kiosk, and report each outcome through notify(job).

    content(job) says what the job puts on paper (PrintJobs.content)."""

    def __init__(self, config: Config, jobs: PrintJobs, notify: Callable[[dict], None],
                 content: Callable[[dict], dict]):
        self.config, self.jobs, self.notify, self.content = config, jobs, notify, content
        self._wakes: dict[str, threading.Event] = {k: threading.Event() for k in self.kiosks()}
        # One kiosk renders at a time. Printers that finish together (all of them, when they
        # share a fault or a network) would otherwise make twenty threads of pure Python render
        # at once: a burst of CPU on a machine whose cores the print process shares with the
        # server's worker.
        self._rendering = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def kiosks(self) -> list[str]:
        return [k.id for k in self.config.kiosks if k.printer.prints]

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
            log.warning("print job %s (%s) on %s failed: %s", job["id"], _what(job), job["kiosk"], e)
            return self.jobs.record(job, str(e), e.paper)
        log.info("print job %s (%s) on %s printed", job["id"], _what(job), job["kiosk"])
        return self.jobs.record(job, None, paper)

    def wake(self, kiosk: str | None = None) -> None:
        """Tell a kiosk's worker (or all) that a job is due."""
        for name in [kiosk] if kiosk is not None else list(self._wakes):
            if name in self._wakes:
                self._wakes[name].set()

    def start(self, watch_every: float = WATCH_SECONDS) -> None:
        """Start one worker thread per kiosk that has a printer, and the watcher that wakes them."""
        self.jobs.recover()
        loops = [(self._loop, (kiosk,), f"print-{kiosk}") for kiosk in self.kiosks()]
        for target, args, name in [*loops, (self._watch, (watch_every,), "print-watcher")]:
            thread = threading.Thread(target=target, args=args, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        self.wake()

    def _watch(self, every: float) -> None:
        kiosks = self.kiosks()
        while not self._stop.wait(every):
            try:
                for kiosk in self.jobs.due_kiosks(kiosks):
                    self.wake(kiosk)
            except Exception:  # a locked database or a bug must not end printing for the day
                log.exception("print watcher failed; going on")

    def _loop(self, kiosk: str) -> None:
        wake = self._wakes[kiosk]
        while not self._stop.is_set():
            wake.wait()
            wake.clear()
            try:
                self.run_once(kiosk)
            except Exception:  # a locked database or a bug must not end printing for the day
                log.exception("print worker for %s failed; going on", kiosk)


def _what(job: dict) -> str:
    """What a log line calls the job's paper: its ticket's number, or "slip"."""
    return job["number"] or job["kind"]
