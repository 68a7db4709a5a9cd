"""The print workers in a process of their own, beside the server's worker.

Rendering a ticket and talking to printers is pure Python: run as threads of the
server's one worker, each attempt took its turn at the GIL from the thread holding
the write lock, and a slow or dead printer slowed every visit (issue 3). Here the
Outbox runs in a child of the worker, on the same database file:

- the child finds due jobs itself, looking into the outbox five times a second
  (Outbox.start): a visit spends nothing on telling it;
- the child reports each job's progress as one JSON line on its stdout, and the
  worker relays it to the kiosk's and the staff's sockets (notify);
- the child's stdin is a pipe from the worker that carries nothing: the child ends
  when it ends, that is when the worker ends, however it ends (even kill -9), so it
  never outlives the server or prints beside its successor;
- the worker starts it again when it dies;
- it runs at a lower priority (nice +10) than the worker: when the two want the same
  core, a visit goes first and a ticket is rendered a moment later.

`python -m kiosk.printprocess SOURCE` is the child; SOURCE is JSON:
{"config": path, "overrides": {...} or null}, what create_app was given.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
RESTART_DELAYS = (0.5, 1, 2, 5, 10, 30)  # seconds before each restart of a child that keeps dying
STEADY_SECONDS = 60  # a child that ran this long died by accident, not at start: start over quickly
NICENESS = 10  # how much lower the child's CPU priority is than the worker's


class PrintProcess:
    """Supervise the child that sends the print jobs, and relay what it reports to notify(job)."""

    def __init__(self, source: dict, notify: Callable[[dict], None]):
        # default=str: overrides may hold paths (the database's, in tests)
        self.command = [sys.executable, "-m", "kiosk.printprocess", json.dumps(source, default=str)]
        self.notify = notify
        self.process: subprocess.Popen | None = None

    def start(self) -> "PrintProcess":
        """Start the child, and the thread that relays its reports and restarts it. Nothing
        stops it but the worker's end (see the module's docstring)."""
        self._spawn()
        threading.Thread(target=self._supervise, name="print-process", daemon=True).start()
        return self

    def _spawn(self) -> None:
        self.process = subprocess.Popen(self.command, cwd=ROOT, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, close_fds=True)
        log.info("print process %s started", self.process.pid)

    def _supervise(self) -> None:
        failures = 0
        while True:
            started = time.monotonic()
            self._relay(self.process)
            code = self.process.wait()
            failures = 1 if time.monotonic() - started > STEADY_SECONDS else failures + 1
            delay = RESTART_DELAYS[min(failures, len(RESTART_DELAYS)) - 1]
            log.error("print process %s exited with %s; starting it again in %s s", self.process.pid, code, delay)
            time.sleep(delay)
            try:
                self._spawn()
            except OSError:
                log.exception("could not start the print process; trying again")

    def _relay(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            try:
                self.notify(json.loads(line))
            except Exception:  # one bad line or a failed emit must not end the relay
                log.exception("could not relay a print report: %r", line[:200])


# --- the child ---

def main(argv: list[str]) -> int:
    source = json.loads(argv[0])
    reports = os.fdopen(os.dup(1), "w", buffering=1)  # the one channel to the worker
    os.dup2(2, 1)  # anything else printed goes to the log, not into the reports
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the worker; its end ends us
    os.nice(NICENESS)  # admission first: see the module's docstring
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [print %(process)d] %(levelname)s %(message)s")
    logging.getLogger().handlers[0].addFilter(_quiet_escpos)
    outbox = _build_outbox(source, _reporter(reports))
    outbox.start()
    sys.stdin.buffer.read()  # nothing comes: this returns when the worker is gone
    os._exit(0)  # the worker is gone: stop at once, even mid-job (the job stays due)


def _quiet_escpos(record: logging.LogRecord) -> bool:
    """Drop python-escpos's INFO lines: it logs every connection through the root logger
    ("Network printer enabled", "Closing Network connection"), two lines a job that said
    nothing the outbox's own line does not. Its warnings stay."""
    return record.levelno >= logging.WARNING or f"{os.sep}escpos{os.sep}" not in record.pathname


def _reporter(stream) -> Callable[[dict], None]:
    lock = threading.Lock()

    def report(job: dict) -> None:
        line = json.dumps(job, ensure_ascii=False) + "\n"
        try:
            with lock:
                stream.write(line)
        except (BrokenPipeError, ValueError):
            os._exit(0)  # the worker is gone

    return report


def _build_outbox(source: dict, notify: Callable[[dict], None]):
    from queueing import config as configuration
    from queueing.printjobs import PrintJobs
    from queueing.store import Store

    from .outbox import Outbox

    config = configuration.load(Path(source["config"]), source.get("overrides"))
    store = Store(config.server.database)
    jobs = PrintJobs(config, store, _clock())
    return Outbox(config, jobs, notify, jobs.content)


def _clock():
    """The worker's clock: the machine's, or, in a test, the moment ANTRIAN_TEST_CLOCK sets
    (inherited from the worker), running on from here. A job falls due by the clock that
    stamped it: on the machine's, a ticket of a set day ahead would never print."""
    import datetime as dt

    from queueing.model import clock_from, utc_now

    start = os.environ.get("ANTRIAN_TEST_CLOCK")
    return clock_from(dt.datetime.fromisoformat(start)) if start else utc_now


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
