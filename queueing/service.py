"""The queue's operations: the model's rules applied to the store, one transaction each.

Every change writes the ticket and appends an event (its rowid is the new version), which
the event log announces once the transaction commits; a command returns only its answer.
Nothing here imports Flask, Socket.IO or a printer.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets
import sqlite3
from typing import Callable

from . import booking as booking_rules
from . import model, printjobs
from .config import MODES, Config
from .model import SYSTEM, Actor, BadInput, Clock, Forbidden, IllegalMove, NotFound, stamp, utc_now
from .store import Store
from .events import Event, EventLog, Result, ticket_event
from .views import CALL_ORDER, QueueViews, override
from .windows import REVISION_SQL, from_row, parse_window, window_view

# The columns a visit writes of a new ticket (see _issue).
NEW_TICKET = ("day", "prefix", "seq", "number", "service", "first_service", "kiosk", "reason",
              "emergency", "priority", "priority_kind", "status", "token", "issued_at", "queue_at",
              "booking_id", "source", "issued_by")
INSERT_TICKET = (f"INSERT INTO tickets ({', '.join(NEW_TICKET)})"
                 f" VALUES ({', '.join(':' + column for column in NEW_TICKET)})")


MICROSECOND = dt.timedelta(microseconds=1)  # queue times are stamped to the microsecond


def _window_number(window_id: str) -> int:
    """An office window's id as sent in a path: ASCII digits, within SQLite's integers; else -1
    (no such window)."""
    text = str(window_id)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 15 else -1


# What a visit reads, in one statement (QueueService._read_before_visit).
BEFORE_VISIT = (
    "SELECT (SELECT id FROM visits WHERE kiosk = :kiosk AND request_id = :request_id) AS seen,"
    " (SELECT value FROM settings WHERE key = 'mode_override') AS override,"
    f" ({REVISION_SQL}) AS windows,"
    " (SELECT coalesce(sum(last), 0) FROM day_numbers WHERE day = :day) AS issued,"
    " (SELECT count(*) FROM bookings WHERE day = :day AND status = 'booked') AS booked,"
    " (SELECT count(*) FROM bookings WHERE day = :day AND status = 'booked' AND service = :service)"
    "  AS service_booked,"
    " (SELECT coalesce(max(last), 0) FROM day_numbers WHERE day = :day AND prefix = :prefix) AS last,"
    " (SELECT coalesce(sum(waiting), 0) FROM queue_counts WHERE day = :day AND service = :service"
    "  AND priority >= :priority) AS ahead,"
    # one index range per priority (a range on priority would walk the whole queue)
    " (SELECT count(*) FROM tickets WHERE day = :day AND status = 'waiting' AND service = :service"
    "  AND priority = 1 AND queue_at > :now)"
    " + (SELECT count(*) FROM tickets WHERE day = :day AND status = 'waiting' AND service = :service"
    "  AND priority = 0 AND :priority = 0 AND queue_at > :now) AS later,"
    " (SELECT coalesce(max(version), 0) FROM events) AS version,"
    " (SELECT coalesce(max(id), 0) FROM print_jobs) AS last_job,"
    " (SELECT coalesce(max(done), 0) FROM service_times WHERE day = :day AND service = :service) AS done,"
    " (SELECT coalesce(max(seconds), 0) FROM service_times WHERE day = :day AND service = :service)"
    "  AS seconds"
)

STAFF_DESK = "loket"  # the kiosk column of a ticket checked in by staff without a kiosk: nothing prints
PHONE = "ponsel"  # the kiosk column of a ticket a visitor took from their phone: nothing prints
CHECK_IN_WORDS = {
    "checked_in": "Kode booking ini sudah dipakai untuk mengambil nomor antrean.",
    "cancelled": "Booking ini sudah dibatalkan. Silakan ambil nomor antrean biasa.",
    "missed": "Waktu check-in booking ini sudah lewat. Silakan ambil nomor antrean biasa.",
}


@dataclasses.dataclass(frozen=True)
class Issuer:
    """Where a new ticket comes from: the kiosk whose printer prints it (STAFF_DESK: none), how
    it came (walk_in, booked, desk, phone), and the staff member who issued it at a desk."""

    kiosk: str
    source: str
    by: str | None = None

    @property
    def claim(self) -> str:
        """A reason given with the ticket: a visitor's claim, or confirmed by the staff who gave it."""
        return "confirmed" if self.source == "desk" else "claimed"


def _check_priority(priority: str | None) -> None:
    if priority is not None and priority not in (*model.PRIORITY_KINDS, "ya"):
        raise BadInput(f"Jenis prioritas {priority!r} tidak dikenal.", "unknown_priority")


def _refused(status: int, code: str, message: str, extra: dict | None = None) -> Result:
    return Result({"error": code, "message": message, **(extra or {})}, status)


class QueueService(QueueViews):
    """The queue of one office: the commands that change it (its reads are QueueViews')."""

    def __init__(self, config: Config, store: Store, clock: Clock = utc_now,
                 publish: Callable[[Event], None] | None = None):
        super().__init__(config, store, clock)
        self.log = EventLog(store, self.version(), publish)
        self.printing_kiosks = frozenset(k.id for k in config.kiosks if k.printer.prints)
        self._base_urls: dict[str, str] = {}  # what ticket_printers holds; read and set under the write lock
        store.prepare_writer(self._print_new_tickets)

    def _print_new_tickets(self, conn: sqlite3.Connection) -> None:
        printjobs.print_new_tickets(conn, sorted(self.printing_kiosks))
        self._base_urls = {kiosk: "" for kiosk in self.printing_kiosks}

    def visit(self, kiosk: str, service: str, reason: str | None, priority: str | None,
              request_id: str, base_url: str = "") -> Result:
        """Admit one walk-in at a kiosk: decide the outcome and, for a ticket, issue it."""
        self._check_visit(kiosk, service, reason, priority)
        return self._visit(kiosk, Issuer(kiosk, "walk_in"), service, reason, priority, request_id, base_url)

    def desk_visit(self, actor: Actor, kiosk: str | None, service: str, reason: str | None, priority: str | None,
                   request_id: str, base_url: str = "") -> Result:
        """Admit a visitor at a staffed desk: the kiosk's rules and answers; the reason staff give
        is confirmed at once, the ticket prints on the kiosk named (if any) and records who
        issued it. Each staff member's request_ids are their own."""
        self._check_visit(kiosk, service, reason, priority, kiosk_optional=True)
        return self._visit(f"{STAFF_DESK}:{actor.name}", Issuer(kiosk or STAFF_DESK, "desk", actor.name),
                           service, reason, priority, request_id, base_url)

    def phone_visit(self, address: str, service: str, reason: str | None, priority: str | None,
                    request_id: str) -> Result:
        """Admit a visitor who joined from their own phone (the hall's join code, checked by the
        caller): the kiosk's rules and answers, nothing printed. request_ids are the address's own."""
        self._check_visit(None, service, reason, priority, kiosk_optional=True)
        return self._visit(f"{PHONE}:{address}", Issuer(PHONE, "phone"), service, reason, priority, request_id)

    def phone_visit_seen(self, address: str, request_id: str) -> bool:
        """Whether this phone address sent this request_id before (its answer is then replayed)."""
        with self.store.read() as conn:
            return conn.execute("SELECT 1 FROM visits WHERE kiosk = ? AND request_id = ?",
                                (f"{PHONE}:{address}", request_id)).fetchone() is not None

    def _visit(self, kiosk: str, issuer: Issuer, service: str, reason: str | None, priority: str | None,
               request_id: str, base_url: str = "") -> Result:
        """Decide a visit's outcome and, for a ticket, issue it; kiosk keys the visits row
        (a request_id answers the same again from the same kiosk, desk or phone address).

        Inside the write lock a visit makes one SELECT (all the decision and the ticket
        need), then for a ticket one INSERT (whose triggers log its event and write its print
        job), and last the visits row: each statement lets another thread run before the
        lock holder gets its turn back, so fewer statements, more visits.
        """
        request = {"service": service, "reason": reason, "priority_kind": priority}
        # Drawn before the lock: os.urandom lets other threads run, and the lock holder
        # would wait for its turn back while every other writer waits for it.
        token = secrets.token_urlsafe(16)
        # Visits queued behind this one share its commit (group commit, see Store.write).
        with self.store.write(batch=True) as conn:
            now = self.clock()
            today = self.today(now)
            before = self._read_before_visit(conn, kiosk, request_id, now, service, priority)
            if before["seen"] is not None:
                return self._replay(conn, before["seen"], request)
            calendar = self.calendars.current(conn, before["windows"])
            # Bookings not yet checked in hold their places in the day's limits.
            decision = model.decide(self.config, calendar, model.Visit(
                now, self._with_notice(conn, service, calendar, today), reason, override(before["override"]),
                before["issued"] + before["booked"], before["last"] + before["service_booked"]))
            if decision.outcome == "ticket":
                result, stored = self._issue(conn, now, issuer, service, reason, priority, base_url, before,
                                             token)
            else:
                result = Result({"outcome": decision.outcome, "message": decision.message,
                                 **decision.detail, **self._online_extras(decision)})
                stored = result.body
            conn.execute(
                "INSERT INTO visits (kiosk, request_id, day, at, service, reason, priority_kind,"
                " outcome, ticket_id, status_code, response) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (kiosk, request_id, today.isoformat(), stamp(now), service, reason, priority,
                 decision.outcome, result.body.get("ticket", {}).get("id"), result.status,
                 json.dumps(stored)))
        return result

    def _read_before_visit(self, conn, kiosk: str, request_id: str, now: dt.datetime, code: str,
                           priority: str | None) -> sqlite3.Row:
        """Read in one statement all a visit needs: whether its request_id was seen, the mode
        override, the windows' revision, the day's count and the prefix's last number (the
        service's count: prefixes are one per service), how many wait ahead of a new ticket
        (all who rank with or above it, less booked ones whose slot has not begun), the
        newest version and print job, and the service's finished tickets today (for the
        estimated wait). Every part is an index lookup (tests/test_store.py reads the plan)."""
        return conn.execute(
            BEFORE_VISIT,
            {"kiosk": kiosk, "request_id": request_id, "day": self.today(now).isoformat(), "service": code,
             "now": stamp(now),
             "prefix": self.config.service(code).prefix, "priority": int(bool(priority))}).fetchone()

    def _with_notice(self, conn, code: str, calendar, today: dt.date):
        """The service, with the notice the office has set for it (read only when postponed)."""
        service = self.config.service(code)
        if not service.postponed and not calendar.postponed_on(today, code):
            return service
        return dataclasses.replace(service, notice=self.notices.service_notice(conn, code))

    def _check_visit(self, kiosk: str | None, service: str, reason: str | None, priority: str | None,
                     kiosk_optional: bool = False):
        if kiosk is not None or not kiosk_optional:
            model.known_kiosk(self.config, kiosk)
        model.known_service(self.config, service)
        if reason is not None and not self.config.reason(reason):
            raise BadInput(f"Alasan darurat {reason!r} tidak dikenal.", "unknown_reason")
        _check_priority(priority)

    def _replay(self, conn, visit_id: int, request: dict) -> Result:
        """Answer a request_id seen before: the same outcome, and a ticket as it stands now."""
        visit = conn.execute("SELECT * FROM visits WHERE id = ?", (visit_id,)).fetchone()
        if {k: visit[k] for k in request} != request:
            raise IllegalMove("request_id ini sudah dipakai untuk kunjungan lain.",
                              "request_id_reused")
        body = json.loads(visit["response"])
        if visit["ticket_id"] is not None:
            body["ticket"] = self._ticket_view(conn, self._ticket(conn, visit["ticket_id"]))
        return Result(body, status=visit["status_code"], replayed=True)

    def _online_extras(self, decision: model.Decision) -> dict:
        if decision.outcome != "online":
            return {}
        return {"url": decision.detail["url"], "steps": list(decision.detail["steps"]),
                "qr": "/qr/online.svg"}

    def _issue(self, conn, now, issuer: Issuer, service_code, reason, priority, base_url, before, token,
               booked: sqlite3.Row | None = None) -> Result:
        """Write the ticket with the prefix's next number. Its INSERT does the rest through
        triggers: day_numbers and queue_counts move on, the "issued" event is logged and, for
        a kiosk with a printer, the print job is written. A booked ticket queues from its
        slot's start; a reason staff gave at a desk is confirmed."""
        kiosk = issuer.kiosk
        service = self.config.service(service_code)
        printing = kiosk in self.printing_kiosks
        base_url = self._qr_base_url(base_url)
        if printing and self._base_urls.get(kiosk) != base_url:
            self._set_base_url(conn, kiosk, base_url)
        seq = before["last"] + 1
        row = {"day": self.today(now).isoformat(), "prefix": service.prefix, "seq": seq,
               "number": model.format_number(service.prefix, seq), "service": service.code,
               "first_service": service.code, "kiosk": kiosk, "reason": reason,
               "emergency": (issuer.claim if reason else None), "priority": int(bool(priority)),
               "priority_kind": priority, "status": model.WAITING, "token": token,
               "issued_at": stamp(now), "queue_at": stamp(now), "booking_id": None,
               "source": issuer.source, "issued_by": issuer.by}
        if booked is not None:
            start = booking_rules.slot_moment(self.calendars.current(conn), dt.date.fromisoformat(booked["day"]),
                                              dt.time.fromisoformat(booked["start"]))
            row.update(queue_at=stamp(start), booking_id=booked["id"])
        # No RETURNING: every other column of a new ticket is known (null, or 0 for the
        # counts), and each row read back costs the lock holder one more turn at the GIL.
        row["id"] = conn.execute(INSERT_TICKET, row).lastrowid
        row.update(counter_id=None, called_at=None, started_at=None, ended_at=None, recalls=0, transfers=0,
                   requeues=0)
        # The ticket's INSERT logged its event (m006): its rowid is the next version.
        self.log.announce(ticket_event(before["version"] + 1, "issued", row, kiosk))
        # Everyone waiting in the service who ranks with or above it, and whose queue time has
        # come, was there before it; a booked ticket's place is counted.
        ahead = before["ahead"] - before["later"] if booked is None else None
        ticket = self._ticket_view(conn, row, ahead, (before["done"], before["seconds"]))
        # The trigger's job took the next rowid: nobody else writes while we hold the lock.
        job = {"status": "queued", "id": before["last_job"] + 1} if printing else {"status": "preview"}
        body = {"outcome": "ticket", "ticket": ticket, "print": job}
        # A replay rebuilds the ticket from its row: only the rest of the answer is stored.
        return Result(body, 201), {"outcome": "ticket", "print": job}

    def check_in(self, code: str, kiosk: str | None, priority: str | None, request_id: str | None,
                 base_url: str = "") -> Result:
        """Turn a booking into a ticket of its service, queued from its slot's start: at an
        enrolled kiosk (with a request_id, replayed like a visit) or by staff (no kiosk
        needed). On its day only, from opening until the slot's end plus late_minutes; a
        booking found too late becomes missed. Closed and postponed answer as for anyone."""
        code = booking_rules.normalize_code(code)
        if kiosk is not None:
            model.known_kiosk(self.config, kiosk)
        _check_priority(priority)
        token = secrets.token_urlsafe(16)
        with self.store.write() as conn:
            now = self.clock()
            if request_id is not None:
                seen = conn.execute("SELECT id FROM visits WHERE kiosk = ? AND request_id = ?",
                                    (kiosk, request_id)).fetchone()
                if seen is not None:
                    return self._replay_check_in(conn, seen["id"], code)
            booked = conn.execute("SELECT * FROM bookings WHERE code = ?", (code,)).fetchone()
            refusal = self._check_in_refusal(conn, now, booked)
            if refusal is not None:
                return refusal
            service = booked["service"]
            before = self._read_before_visit(conn, kiosk or "", request_id or "", now, service, priority)
            calendar = self.calendars.current(conn, before["windows"])
            decision = model.decide_check_in(calendar, model.Visit(
                now, self._with_notice(conn, service, calendar, self.today(now)), None,
                override(before["override"])))
            if decision.outcome == "ticket":
                result, stored = self._issue(conn, now, Issuer(kiosk or STAFF_DESK, "booked"), service, None,
                                             priority, base_url,
                                             before, token, booked)
                conn.execute("UPDATE bookings SET status = 'checked_in', ended_at = ?, ticket_id = ? WHERE id = ?",
                             (stamp(now), result.body["ticket"]["id"], booked["id"]))
                result.body["ticket"]["booked"] = True
            else:
                result = Result({"outcome": decision.outcome, "message": decision.message, **decision.detail})
                stored = result.body
            if request_id is not None:
                conn.execute(
                    "INSERT INTO visits (kiosk, request_id, day, at, service, reason, priority_kind,"
                    " outcome, ticket_id, status_code, response) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (kiosk, request_id, self.today(now).isoformat(), stamp(now), service, None, priority,
                     decision.outcome, result.body.get("ticket", {}).get("id"), result.status, json.dumps(stored)))
            return result

    def _check_in_refusal(self, conn, now, booked) -> Result | None:
        """Why this booking cannot be checked in now, as a 404 or 409 answer; None when it can.
        A booking past its check-in time is marked missed here (and the answer says so)."""
        if booked is None:
            return _refused(404, "booking_not_found", "Kode booking tidak ditemukan. Periksa kembali kode Anda.")
        status = booked["status"]
        if status != booking_rules.BOOKED:
            return _refused(409, {"checked_in": "booking_used"}.get(status, f"booking_{status}"),
                            CHECK_IN_WORDS[status])
        day = dt.date.fromisoformat(booked["day"])
        if day != self.today(now):
            return _refused(409, "booking_not_today",
                            f"Booking ini untuk {model.date_words(day)} pukul {booked['start']}. "
                            "Silakan datang pada hari itu.", {"date": day.isoformat()})
        calendar, rules = self.calendars.current(conn), self.config.booking
        if rules is not None and now >= booking_rules.check_in_until(calendar, rules, day,
                                                                    dt.time.fromisoformat(booked["end"])):
            conn.execute("UPDATE bookings SET status = 'missed', ended_at = ? WHERE id = ?",
                         (stamp(now), booked["id"]))
            return _refused(409, "booking_missed", CHECK_IN_WORDS["missed"])
        return None

    def _replay_check_in(self, conn, visit_id: int, code: str) -> Result:
        visit = conn.execute("SELECT * FROM visits WHERE id = ?", (visit_id,)).fetchone()
        ticket = self._ticket(conn, visit["ticket_id"]) if visit["ticket_id"] is not None else None
        booked = conn.execute("SELECT code FROM bookings WHERE id = ?",
                              (ticket["booking_id"],)).fetchone() if ticket and ticket["booking_id"] else None
        if booked is None or booked["code"] != code:
            raise IllegalMove("request_id ini sudah dipakai untuk kunjungan lain.", "request_id_reused")
        body = json.loads(visit["response"])
        body["ticket"] = {**self._ticket_view(conn, ticket), "booked": True}
        return Result(body, status=visit["status_code"])

    def _qr_base_url(self, base_url: str) -> str:
        """Where a printed QR code points: [server].public_url when set, else the address the
        request came to (the kiosk's, or the staff PC's for a reprint)."""
        return self.config.server.public_url or base_url

    def _set_base_url(self, conn, kiosk: str, base_url: str) -> None:
        """Point this kiosk's printed QR codes at base_url (it changes once per kiosk and start)."""
        printjobs.set_base_url(conn, kiosk, base_url)
        self.store.after_commit(lambda: self._base_urls.__setitem__(kiosk, base_url))

    def call_next(self, actor: Actor, counter_id: int) -> Result:
        """Call the first waiting ticket in call order among the counter's services."""
        counter = self._counter(actor, counter_id)
        with self.store.write() as conn:
            now = self.clock()
            self._check_counter_free(conn, counter)
            self._check_not_paused(conn, counter)
            row = self._first_waiting(conn, counter.services, self.today(now))
            if row is None:
                raise NotFound(f"Tidak ada antrean untuk {counter.name}.", "queue_empty")
            return self._call(conn, now, actor, counter, row)

    def call(self, actor: Actor, counter_id: int, ticket_id: int) -> Result:
        """Call one chosen waiting ticket to the counter."""
        counter = self._counter(actor, counter_id)
        with self.store.write() as conn:
            now = self.clock()
            row = self._ticket(conn, ticket_id)
            if row["service"] not in counter.services:
                raise IllegalMove(f"{counter.name} tidak melayani "
                                  f"{self.config.service(row['service']).name}.", "wrong_counter")
            model.next_status("call", row["status"], row["number"])
            self._check_counter_free(conn, counter)
            self._check_not_paused(conn, counter)
            return self._call(conn, now, actor, counter, row)

    def _call(self, conn, now, actor: Actor, counter, row) -> Result:
        conn.execute("UPDATE tickets SET status = 'called', counter_id = ?, called_at = ?"
                     " WHERE id = ?", (counter.id, stamp(now), row["id"]))
        return self._result_with_event(conn, now, actor, "called", row["id"], counter.id)

    def recall(self, actor: Actor, ticket_id: int) -> Result:
        return self._act(actor, ticket_id, "recall", "recalls = recalls + 1")

    def start(self, actor: Actor, ticket_id: int) -> Result:
        return self._act(actor, ticket_id, "start", "started_at = :now")

    def finish(self, actor: Actor, ticket_id: int) -> Result:
        return self._act(actor, ticket_id, "finish", "ended_at = :now")

    def no_show(self, actor: Actor, ticket_id: int) -> Result:
        return self._act(actor, ticket_id, "no_show", "ended_at = :now")

    def requeue(self, actor: Actor, ticket_id: int) -> Result:
        """Put a no-show who came back into the queue again, after the next requeue_after
        waiting tickets of its service: today's no-shows only, within requeue_minutes."""
        with self.store.write() as conn:
            now = self.clock()
            row = self._ticket(conn, ticket_id)
            self._check_serves(actor, row)
            if row["status"] != model.NO_SHOW:
                raise IllegalMove(f"Tiket {row['number']} {model.STATUS_WORDS[row['status']]}: hanya tiket "
                                  "yang tidak hadir yang dapat diantrekan lagi.", "not_no_show")
            if row["day"] != self.today(now).isoformat():
                raise IllegalMove(f"Tiket {row['number']} dari hari lain. Silakan ambil nomor antrean baru.",
                                  "not_today")
            if now > model.requeue_until(row, self.config.queue):
                raise IllegalMove(f"Tiket {row['number']} ditandai tidak hadir lebih dari "
                                  f"{self.config.queue.requeue_minutes} menit yang lalu. Silakan ambil nomor "
                                  "antrean baru.", "requeue_too_late")
            queue_at = self._requeue_place(conn, row, now)
            conn.execute("UPDATE tickets SET status = 'waiting', queue_at = ?, counter_id = NULL, called_at = NULL,"
                         " started_at = NULL, ended_at = NULL, requeues = requeues + 1 WHERE id = ?",
                         (stamp(queue_at), row["id"]))
            return self._result_with_event(conn, now, actor, "requeued", row["id"], row["counter_id"])

    def _requeue_place(self, conn, row, now: dt.datetime) -> dt.datetime:
        """The queue time that puts a requeued ticket after the next requeue_after tickets due
        now in its service (never among a higher priority, never behind a lower one)."""
        due = conn.execute(f"SELECT priority, queue_at FROM tickets WHERE day = ? AND status = 'waiting'"
                           f" AND service = ? AND queue_at <= ? ORDER BY {CALL_ORDER}",
                           (row["day"], row["service"], stamp(now))).fetchall()
        ranks = [r["priority"] for r in due]
        higher = sum(1 for p in ranks if p > row["priority"])
        place = min(max(self.config.queue.requeue_after, higher), higher + ranks.count(row["priority"]))
        times = [dt.datetime.fromisoformat(r["queue_at"]) for r in due]
        if place == 0:
            return min(now, times[0] - MICROSECOND) if times else now
        if place == len(times):  # behind everyone: as if it arrived now, leaving room before it
            return max(now, times[-1] + MICROSECOND)
        if times[place] - times[place - 1] > 2 * MICROSECOND:
            # halfway to the next one: a second ticket requeued behind the same one goes before the first
            return times[place - 1] + (times[place] - times[place - 1]) // 2
        return times[place - 1] + MICROSECOND

    def _check_serves(self, actor: Actor, row) -> None:
        """Admins, and staff of a counter that serves the ticket's service."""
        if actor.is_admin or any(row["service"] in counter.services for c in actor.counters
                                 if (counter := self.config.counter(c))):
            return
        raise Forbidden(f"Anda tidak berwenang menangani tiket {row['number']}.", "not_your_ticket")

    def transfer(self, actor: Actor, ticket_id: int, service_code: str) -> Result:
        """Send a ticket to another service's queue, keeping its number and its place."""
        target = model.known_service(self.config, service_code)
        with self.store.write() as conn:
            row = self._ticket(conn, ticket_id)
            self._check_may_act(actor, row)  # who asks comes first: a stranger learns nothing
            if row["service"] == service_code:
                raise IllegalMove(f"Tiket {row['number']} sudah di layanan {target.name}.",
                                  "same_service")
            return self._apply_action(conn, actor, row, "transfer",
                               "service = :service, counter_id = NULL, transfers = transfers + 1,"
                               " called_at = NULL, started_at = NULL", service=service_code)

    def verify(self, actor: Actor, ticket_id: int, emergency: bool) -> Result:
        """Confirm a claimed emergency, or reject it: the ticket then ends redirected."""
        with self.store.write() as conn:
            row = self._ticket(conn, ticket_id)
            self._check_may_act(actor, row)
            if row["emergency"] != "claimed":
                raise IllegalMove(f"Tiket {row['number']} tidak memiliki klaim darurat yang "
                                  "menunggu konfirmasi.", "no_claim")
            if emergency:
                return self._apply_action(conn, actor, row, "confirm", "emergency = 'confirmed'")
            result = self._apply_action(conn, actor, row, "reject",
                                 "emergency = 'rejected', ended_at = :now")
            online = {"url": self.config.office.online_service_url, "steps": list(model.ONLINE_STEPS),
                      "qr": "/qr/online.svg"}
            return Result({**result.body, "online": online})

    def _act(self, actor: Actor, ticket_id: int, action: str, sets: str) -> Result:
        """Apply a counter's action (model.ACTIONS) to one ticket, in a transaction of its own."""
        with self.store.write() as conn:
            return self._apply_action(conn, actor, self._ticket(conn, ticket_id), action, sets)

    def _apply_action(self, conn, actor: Actor, row, action: str, sets: str, **params) -> Result:
        """Check who may act and whether the move is allowed, then write it."""
        self._check_may_act(actor, row)
        status = model.next_status(action, row["status"], row["number"])
        now = self.clock()
        conn.execute(f"UPDATE tickets SET status = :status, {sets} WHERE id = :id",
                     {"status": status, "id": row["id"], "now": stamp(now), **params})
        return self._result_with_event(conn, now, actor, model.EVENTS[action], row["id"], row["counter_id"])

    def _result_with_event(self, conn, now, actor: Actor, event: str, ticket_id: int, counter_id) -> Result:
        """Log the change as event and answer with the ticket as it now stands."""
        row = self._ticket(conn, ticket_id)
        self.log.append(conn, now, self.today(now), event, row, counter_id, actor.name)
        return Result({"ticket": self._ticket_view(conn, row)})

    def expire_day(self) -> Result:
        """Expire waiting and called tickets of past days, and today's after closing time."""
        with self.store.write() as conn:
            now = self.clock()
            today = self.today(now)
            over = self.calendars.current(conn).day_is_over(now)
            last_open = today if over else today - dt.timedelta(days=1)
            # the day's close ends its pauses (a counter paused at closing is not paused tomorrow)
            self._end_pauses(conn, now, SYSTEM.name, before_day=(last_open + dt.timedelta(days=1)).isoformat())
            rows = conn.execute("SELECT * FROM tickets WHERE status IN ('waiting', 'called')"
                                " AND day <= ? ORDER BY id", (last_open.isoformat(),)).fetchall()
            for row in rows:
                conn.execute("UPDATE tickets SET status = 'expired', ended_at = ? WHERE id = ?",
                             (stamp(now), row["id"]))
                self.log.append(conn, now, today, "expired", row, row["counter_id"], SYSTEM.name)
            return Result({"expired": len(rows)})

    def set_mode(self, actor: Actor, mode: str | None) -> Result:
        """Set the admin's override of the admission mode, or clear it with None."""
        if not actor.is_admin:
            raise Forbidden("Hanya admin yang dapat mengubah mode pelayanan.")
        if mode is not None and mode not in MODES:
            raise BadInput("Mode harus normal, emergency_only, closed, atau null.", "bad_mode")
        with self.store.write() as conn:
            now = self.clock()
            conn.execute("INSERT INTO settings (key, value, updated_at, updated_by)"
                         " VALUES ('mode_override', ?, ?, ?) ON CONFLICT (key) DO UPDATE SET"
                         " value = excluded.value, updated_at = excluded.updated_at,"
                         " updated_by = excluded.updated_by",
                         (json.dumps(mode), stamp(now), actor.name))
            self.log.append(conn, now, self.today(now), "mode", actor=actor.name, data={"mode": mode})
            return Result(self._mode_view(self.mode(conn, self.today(now))))

    def add_window(self, actor: Actor, data: dict) -> Result:
        """Add an office window (a holiday, an emergency-only period, a postponement), logged
        with who and when, and announced as a ``mode`` change."""
        if not actor.is_admin:
            raise Forbidden("Hanya admin yang dapat mengatur kalender pelayanan.")
        window = parse_window(self.config, data)
        with self.store.write() as conn:
            now = self.clock()
            window_id = conn.execute(
                "INSERT INTO windows (start, until, mode, postponed, reference, created_at, created_by)"
                " VALUES (?,?,?,?,?,?,?)", (window.start.isoformat(), window.until.isoformat(), window.mode,
                                            json.dumps(list(window.postponed)), window.reference,
                                            stamp(now), actor.name)).lastrowid
            window = dataclasses.replace(window, id=window_id, created_by=actor.name, created_at=stamp(now))
            self._log_calendar_change(conn, now, actor, "added", window)
            return Result(window_view(window), 201)

    def delete_window(self, actor: Actor, window_id: str) -> Result:
        """Delete one of the office's windows (the config's are read-only: 409)."""
        if not actor.is_admin:
            raise Forbidden("Hanya admin yang dapat mengatur kalender pelayanan.")
        if str(window_id).startswith("config-"):
            raise IllegalMove("Periode ini berasal dari berkas konfigurasi dan tidak dapat dihapus "
                              "di sini.", "config_window")
        with self.store.write() as conn:
            now = self.clock()
            row = conn.execute("SELECT * FROM windows WHERE id = ? AND deleted_at IS NULL",
                               (_window_number(window_id),)).fetchone()
            if row is None:
                raise NotFound("Periode tidak ditemukan.", "window_not_found")
            conn.execute("UPDATE windows SET deleted_at = ?, deleted_by = ? WHERE id = ?",
                         (stamp(now), actor.name, row["id"]))
            self._log_calendar_change(conn, now, actor, "deleted", from_row(row))
            return Result({}, 204)

    def _log_calendar_change(self, conn, now, actor: Actor, action: str, window) -> None:
        today = self.today(now)
        mode = self.calendars.current(conn).mode_on(today, self.override(conn))
        self.log.append(conn, now, today, "mode", actor=actor.name,
                        data={"mode": mode.mode, "window": {"action": action, **window_view(window)}})

    def mark_calendar(self) -> bool:
        """Announce, as a ``mode`` change, what the clock alone changed: the office opening or
        closing, or a new day's mode. Screens then re-read the snapshot. The first call on
        a database only records the state. Returns whether a change was announced."""
        with self.store.read() as conn:
            state = self._calendar_state(conn)
            if self._stored_calendar_state(conn) == state:
                return False
        with self.store.write() as conn:
            now = self.clock()
            state, stored = self._calendar_state(conn, now), self._stored_calendar_state(conn)
            if stored == state:
                return False
            conn.execute("INSERT INTO settings (key, value, updated_at, updated_by)"
                         " VALUES ('calendar_state', ?, ?, 'system') ON CONFLICT (key) DO UPDATE SET"
                         " value = excluded.value, updated_at = excluded.updated_at",
                         (json.dumps(state), stamp(now)))
            if stored is None:
                return False
            self.log.append(conn, now, self.today(now), "mode", actor=SYSTEM.name,
                            data={"mode": state["mode"], "open": state["open"], "admitting": state["admitting"]})
            return True

    def _calendar_state(self, conn, now: dt.datetime | None = None) -> dict:
        now = now or self.clock()
        calendar, chosen = self.calendars.current(conn), self.override(conn)
        today = calendar.local(now).date()
        return {"day": today.isoformat(), "mode": calendar.mode_on(today, chosen).mode,
                "open": calendar.admits_walk_ins(now, chosen), "admitting": calendar.is_open(now, chosen)}

    def _stored_calendar_state(self, conn) -> dict | None:
        row = conn.execute("SELECT value FROM settings WHERE key = 'calendar_state'").fetchone()
        return json.loads(row["value"]) if row else None

    def pause(self, actor: Actor, counter_id: int, reason) -> Result:
        """Pause a counter (break, prayer, meeting, other): refused while it holds a ticket or
        is paused already; a paused counter calls nobody until resumed."""
        counter = self._counter(actor, counter_id)
        if reason not in model.PAUSE_REASONS:
            raise BadInput(f"Alasan jeda harus salah satu dari: {', '.join(model.PAUSE_REASONS)}.", "bad_reason")
        with self.store.write() as conn:
            now = self.clock()
            self._check_counter_free(conn, counter)
            if self._pause_of(conn, counter.id) is not None:
                raise IllegalMove(f"{counter.name} sudah dijeda.", "already_paused")
            conn.execute("INSERT INTO counter_pauses (counter_id, day, reason, started_at, started_by)"
                         " VALUES (?,?,?,?,?)", (counter.id, self.today(now).isoformat(), reason, stamp(now),
                                                 actor.name))
            self.log.append(conn, now, self.today(now), "paused", counter_id=counter.id, actor=actor.name,
                            data={"reason": reason})
            return Result({"counter": counter.id, "paused": self._pause_view(self._pause_of(conn, counter.id))})

    def resume(self, actor: Actor, counter_id: int) -> Result:
        """End a counter's pause; refused when it is not paused."""
        counter = self._counter(actor, counter_id)
        with self.store.write() as conn:
            now = self.clock()
            if self._pause_of(conn, counter.id) is None:
                raise IllegalMove(f"{counter.name} tidak sedang dijeda.", "not_paused")
            self._end_pauses(conn, now, actor.name, counter.id)
            return Result({"counter": counter.id, "paused": None})

    def end_pauses(self, actor: Actor) -> int:
        """End the pauses of the actor's counters (a logout): a console left paused pauses nobody."""
        with self.store.write() as conn:
            now = self.clock()
            return sum(self._end_pauses(conn, now, actor.name, c) for c in actor.counters)

    def _end_pauses(self, conn, now, by: str, counter_id: int | None = None, before_day: str | None = None) -> int:
        """End open pauses (of one counter, or of days before before_day), each announced as resumed."""
        rows = conn.execute("SELECT * FROM counter_pauses WHERE ended_at IS NULL"
                            " AND (:counter IS NULL OR counter_id = :counter) AND (:day IS NULL OR day < :day)",
                            {"counter": counter_id, "day": before_day}).fetchall()
        for row in rows:
            conn.execute("UPDATE counter_pauses SET ended_at = ?, ended_by = ? WHERE id = ?",
                         (stamp(now), by, row["id"]))
            self.log.append(conn, now, self.today(now), "resumed", counter_id=row["counter_id"], actor=by)
        return len(rows)

    def _check_counter_free(self, conn, counter) -> None:
        held = conn.execute("SELECT number FROM tickets WHERE counter_id = ? AND status IN"
                            " ('called', 'serving')", (counter.id,)).fetchone()
        if held:
            raise IllegalMove(f"{counter.name} masih menangani tiket {held['number']}. "
                              "Selesaikan atau tandai tidak hadir dulu.", "counter_busy")

    def _check_not_paused(self, conn, counter) -> None:
        if self._pause_of(conn, counter.id) is not None:
            raise IllegalMove(f"{counter.name} sedang dijeda. Lanjutkan dulu untuk memanggil.", "counter_paused")

    def _check_may_act(self, actor: Actor, row) -> None:
        """Admins; staff at the counter holding it; for a waiting ticket, its service's staff."""
        if actor.is_admin or row["counter_id"] in actor.counters:
            return
        if row["status"] == model.WAITING and any(
                row["service"] in self.config.counter(c).services
                for c in actor.counters if self.config.counter(c)):
            return
        raise Forbidden(f"Anda tidak berwenang menangani tiket {row['number']}.", "not_your_ticket")

    @property
    def publish(self) -> Callable[[Event], None]:
        """Where announced events go (the live channel's publisher, in a running server)."""
        return self.log.publish

    @publish.setter
    def publish(self, publish: Callable[[Event], None]) -> None:
        self.log.publish = publish

    def publish_new(self) -> int:
        """Announce, in order, the changes another process made (the CLI's close-day);
        return how many. The server calls it every few seconds."""
        return self.log.announce_new(self.version())
