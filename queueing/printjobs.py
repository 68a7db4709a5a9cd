"""The print outbox: jobs written with their ticket, taken and settled by a worker.

A job is written inside the ticket's own transaction, so a ticket never lacks
its job and a job never lacks its ticket. The worker sends it outside any
transaction and records the outcome; a failed job is retried with backoff a few
times (a ticket printed minutes late helps nobody), then waits for staff.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3

from . import model
from .config import Config, Printer
from .model import Forbidden, IllegalMove, NotFound, stamp
from .store import Store
from .views import QueueViews

RETRY_DELAYS = (2, 5, 10)  # seconds before the 2nd, 3rd and 4th attempt


# A new ticket of a kiosk with a printer gets its job from SQLite, inside the ticket's own
# INSERT: a TEMP trigger on the server's writer connection, which knows this config's
# printers and each one's base URL (for the QR code). A ticket job stores only that URL;
# the rest of the paper is read from the ticket when the job is sent.
PRINT_NEW_TICKETS = (
    "CREATE TEMP TABLE IF NOT EXISTS ticket_printers (kiosk TEXT PRIMARY KEY, base_url TEXT NOT NULL)",
    "CREATE TEMP TRIGGER IF NOT EXISTS print_new_ticket AFTER INSERT ON main.tickets"
    " WHEN NEW.kiosk IN (SELECT kiosk FROM ticket_printers) BEGIN"
    " INSERT INTO print_jobs (ticket_id, kiosk, kind, status, payload, created_at, updated_at, next_attempt_at)"
    " SELECT NEW.id, NEW.kiosk, 'ticket', 'queued', json_object('url', base_url || '/t/' || NEW.token),"
    " NEW.issued_at, NEW.issued_at, NEW.issued_at FROM ticket_printers WHERE kiosk = NEW.kiosk;"
    " END",
)
NUMBER = "(SELECT number FROM tickets WHERE tickets.id = print_jobs.ticket_id) AS number"


def print_new_tickets(conn: sqlite3.Connection, kiosks: list[str]) -> None:
    """Make this connection write a queued job with every new ticket of these kiosks."""
    for statement in PRINT_NEW_TICKETS:
        conn.execute(statement)
    conn.execute("DELETE FROM ticket_printers")
    conn.executemany("INSERT INTO ticket_printers (kiosk, base_url) VALUES (?, '')", [(k,) for k in kiosks])


def set_base_url(conn: sqlite3.Connection, kiosk: str, base_url: str) -> None:
    """Set the address the QR codes of this kiosk's new tickets point to (in the caller's transaction)."""
    conn.execute("UPDATE ticket_printers SET base_url = ? WHERE kiosk = ?", (base_url.rstrip("/"), kiosk))


def enqueue(conn: sqlite3.Connection, now: dt.datetime, kiosk: str, kind: str, payload: dict,
            ticket_id: int | None = None) -> int:
    """Write a queued job in the caller's transaction; return its id."""
    return conn.execute(
        "INSERT INTO print_jobs (ticket_id, kiosk, kind, status, payload, created_at, updated_at,"
        " next_attempt_at) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?)",
        (ticket_id, kiosk, kind, json.dumps(payload), stamp(now), stamp(now), stamp(now))).lastrowid


VIEW_KEYS = ("id", "ticket_id", "kiosk", "kind", "status", "attempts", "last_error", "paper",
             "created_at", "updated_at", "number")


def progress_view(job: dict) -> dict:
    """What the kiosk and the staff hear of a job's progress: job_view's fields it carries."""
    return {key: job[key] for key in VIEW_KEYS if key in job}


def job_view(job: sqlite3.Row) -> dict:
    """A job as staff and the kiosk see it (the row must carry its ticket's number, see NUMBER)."""
    return {key: job[key] for key in VIEW_KEYS}


def printer_address(printer: Printer) -> str:
    return {"network": f"{printer.host}:{printer.port}",
            "usb": f"{printer.vendor_id:04x}:{printer.product_id:04x}",
            "serial": printer.device, "file": printer.path, "cups": printer.name}.get(printer.type, "")


class PrintJobs:
    """Jobs in the store: queuing a reprint or a slip, what is due, claiming one, what it puts
    on paper, recording how it went."""

    def __init__(self, config: Config, store: Store, clock):
        self.config, self.store, self.clock = config, store, clock
        self.views = QueueViews(config, store, clock)

    def reprint(self, ticket_id: int, base_url: str = "") -> dict:
        """Queue a new print job for a ticket on its kiosk's printer; return the job's view.
        Its QR code points at [server].public_url, else base_url (the staff PC's address)."""
        base_url = self.config.server.public_url or base_url
        with self.store.write() as conn:
            row = self.views._ticket(conn, ticket_id)
            if row["status"] not in (model.WAITING, *model.ACTIVE):
                raise IllegalMove(f"Tiket {row['number']} {model.STATUS_WORDS[row['status']]}; "
                                  "tidak perlu dicetak ulang.", "ticket_ended")
            if not self.config.kiosk(row["kiosk"]).printer.prints:
                raise IllegalMove(f"Kios {row['kiosk']} tidak memiliki printer.", "no_printer")
            job_id = enqueue(conn, self.clock(), row["kiosk"], "ticket",
                             {"url": base_url.rstrip("/") + f"/t/{row['token']}"}, row["id"])
            return job_view(conn.execute(f"SELECT *, {NUMBER} FROM print_jobs WHERE id = ?",
                                         (job_id,)).fetchone())

    def slip(self, kiosk: str) -> dict:
        """Queue the online-service slip (URL, QR code, steps) on a kiosk's printer; return
        {"status": "queued", "id"}, or {"status": "preview"} for a kiosk without one."""
        if not model.known_kiosk(self.config, kiosk).printer.prints:
            return {"status": "preview"}
        with self.store.write() as conn:
            job_id = enqueue(conn, self.clock(), kiosk, "slip", {
                "office": self.config.office.name, "url": self.config.office.online_service_url,
                "steps": list(model.ONLINE_STEPS)})
        return {"status": "queued", "id": job_id}

    def content(self, job: dict) -> dict:
        """What a job puts on paper. A ticket is read as it stands when it is printed (how
        many are ahead now); the job adds what was fixed when it was queued: the QR code's
        URL (and, for a job queued by an older version, all of it)."""
        if job["kind"] != "ticket":
            return job["payload"]
        with self.store.read() as conn:
            row = self.views._ticket(conn, job["ticket_id"])
            ahead = self.views._position(conn, row)
        service, reason = self.config.service(row["service"]), self.config.reason(row["reason"] or "")
        return {"office": self.config.office.name, "number": row["number"],
                "service_name": service.name if service else row["service"],
                "priority_kind": row["priority_kind"], "reason_label": reason.label if reason else None,
                "issued_at": row["issued_at"], "ahead": ahead, "url": f"/t/{row['token']}",
                "timezone": self.config.office.timezone, **job["payload"]}

    def due(self, kiosk: str, limit: int = 10) -> list[int]:
        """Return the ids of the kiosk's jobs whose (next) attempt is due, oldest first."""
        with self.store.read() as conn:
            rows = conn.execute(
                "SELECT id FROM print_jobs WHERE kiosk = ? AND status IN ('queued', 'failed')"
                " AND next_attempt_at IS NOT NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?",
                (kiosk, stamp(self.clock()), limit)).fetchall()
        return [r["id"] for r in rows]

    def due_kiosks(self, kiosks: list[str]) -> list[str]:
        """Return which of these kiosks have a job whose (next) attempt is due: one statement,
        two index lookups per kiosk however many jobs the days have left behind."""
        with self.store.read() as conn:
            rows = conn.execute(
                "SELECT kiosk.value AS id FROM json_each(?) AS kiosk WHERE EXISTS (SELECT 1 FROM print_jobs"
                " WHERE print_jobs.kiosk = kiosk.value AND status IN ('queued', 'failed')"
                " AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?)",
                (json.dumps(kiosks), stamp(self.clock()))).fetchall()
        return [r["id"] for r in rows]

    def take(self, job_id: int) -> dict | None:
        """Read a due job for sending: as "printing", this attempt counted, its payload decoded;
        None if it is no longer due. Nothing is written before the outcome (record), so one
        attempt costs one write; a job caught in flight by a crash is still queued or failed,
        and goes out again after the restart."""
        with self.store.read() as conn:
            job = conn.execute(f"SELECT *, {NUMBER} FROM print_jobs WHERE id = ?"
                               " AND status IN ('queued', 'failed')", (job_id,)).fetchone()
        if job is None:
            return None
        return {**job_view(job), "status": "printing", "attempts": job["attempts"] + 1,
                "payload": json.loads(job["payload"])}

    def record(self, job: dict, error: str | None, paper: str = "unknown") -> dict:
        """Settle the attempt of a taken job: printed, or failed with the next try scheduled
        while tries remain; return the job as it now stands. One statement, its own
        transaction (Store.execute). Not durable: a power cut may lose the outcome, and then
        the job is sent again (better twice than never), while no visit waits on the disk for it."""
        attempt, now = job["attempts"], self.clock()
        retry = None
        if error and attempt <= len(RETRY_DELAYS):
            retry = stamp(now + dt.timedelta(seconds=RETRY_DELAYS[attempt - 1]))
        settled = {"status": "failed" if error else "printed", "attempts": attempt, "last_error": error,
                   "paper": paper, "updated_at": stamp(now)}
        self.store.execute(
            "UPDATE print_jobs SET status = :status, attempts = :attempts, last_error = :last_error,"
            " paper = :paper, updated_at = :updated_at, next_attempt_at = :retry WHERE id = :id",
            {**settled, "retry": retry, "id": job["id"]}, durable=False)
        return {**{key: job[key] for key in VIEW_KEYS}, **settled}

    def recover(self) -> int:
        """A job that an older version left marked printing at a crash is failed and retried:
        better twice than never. (This version marks nothing before the outcome.)"""
        with self.store.write() as conn:
            now = stamp(self.clock())
            return conn.execute(
                "UPDATE print_jobs SET status = 'failed', last_error = 'server stopped while printing',"
                " next_attempt_at = ?, updated_at = ? WHERE status = 'printing'", (now, now)).rowcount

    def printers(self) -> list[dict]:
        """Each kiosk's printer: its last job and paper state, and its failed jobs."""
        with self.store.read() as conn:
            return [self._printer_view(conn, kiosk) for kiosk in self.config.kiosks]

    def _printer_view(self, conn, kiosk) -> dict:
        last = conn.execute(f"SELECT *, {NUMBER} FROM print_jobs WHERE kiosk = ? AND status IN ('printed', 'failed')"
                            " ORDER BY updated_at DESC LIMIT 1", (kiosk.id,)).fetchone()
        failed = conn.execute(f"SELECT *, {NUMBER} FROM print_jobs WHERE kiosk = ? AND status = 'failed'"
                              " ORDER BY id", (kiosk.id,)).fetchall()
        return {"kiosk": kiosk.id, "name": kiosk.name, "type": kiosk.printer.type,
                "paper_width": kiosk.printer.paper_width, "address": printer_address(kiosk.printer),
                "paper": last["paper"] if last else "unknown",
                "last_job": job_view(last) if last else None, "failed_jobs": [job_view(j) for j in failed]}

    def retry(self, actor, job_id: int) -> dict:
        """Queue a failed job again, now (admin)."""
        if not actor.is_admin:
            raise Forbidden("Hanya admin yang dapat mengulang pencetakan.")
        with self.store.write() as conn:
            job = conn.execute("SELECT * FROM print_jobs WHERE id = ?", (job_id,)).fetchone()
            if job is None:
                raise NotFound(f"Pekerjaan cetak {job_id} tidak ditemukan.", "job_not_found")
            if job["status"] != "failed":
                raise IllegalMove(f"Pekerjaan cetak {job_id} tidak gagal (status {job['status']}).",
                                  "job_not_failed")
            now = stamp(self.clock())
            row = conn.execute("UPDATE print_jobs SET status = 'queued', next_attempt_at = ?, updated_at = ?"
                               " WHERE id = ? RETURNING *, " + NUMBER, (now, now, job_id)).fetchone()
        return job_view(row)
