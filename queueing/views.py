"""The queue as people read it: the hall's snapshot, a ticket as its visitor sees it, a counter's
desk, the admission mode and its history. Reads only, each in one read transaction; the
commands that change the queue are in service.py, which builds on this class.
"""
from __future__ import annotations

import collections
import datetime as dt
import json
import sqlite3

from . import model
from .config import Config
from .model import Actor, Clock, Forbidden, NotFound, utc_now
from .joins import Joins
from .notices import Notices
from .store import Store
from .windows import OfficeCalendar

ANNOUNCE_DAYS = 7  # closed days within this many days ahead are announced in the hall's running text

MIN_HISTORY = 3  # finished tickets of a service today before its waiting time is estimated
# Who is called first (model.call_order_key in Python): priority, then queue time (a walk-in's
# issue time, a booked ticket's slot start), then the order tickets were written.
CALL_ORDER = "priority DESC, queue_at, id"


# A ticket as its visitor's phone shows it (its page, /api/tickets/<token>, its live updates).
PHONE_FIELDS = ("number", "service", "service_name", "status", "position", "estimated_wait_minutes",
                "counter", "counter_name", "priority", "issued_at", "called_at", "status_url", "requeue_until",
                "requeueable")


def phone_view(view: dict) -> dict:
    """The fields of a ticket's view that its visitor's phone is given."""
    return {key: view[key] for key in PHONE_FIELDS}


class QueueViews:
    """What the queue of one office looks like now, from its store and clock."""

    def __init__(self, config: Config, store: Store, clock: Clock = utc_now):
        self.store, self.clock = store, clock
        self.notices = Notices(config, store, clock)
        self.config = config

    @property
    def config(self) -> Config:
        return self._config

    @config.setter
    def config(self, config: Config) -> None:
        """Use this config from now on: the calendar and the join codes are rebuilt from it."""
        self._config = config
        self.calendars = OfficeCalendar(config)
        self.joins = Joins(config, self.store, self.clock)

    def today(self, now: dt.datetime | None = None) -> dt.date:
        return model.service_day(now or self.clock(), self.config.office.tz)

    def override(self, conn: sqlite3.Connection) -> str | None:
        row = conn.execute("SELECT value FROM settings WHERE key = 'mode_override'").fetchone()
        return override(row["value"] if row else None)

    def mode(self, conn: sqlite3.Connection, today: dt.date) -> model.ModeInForce:
        return self.calendars.current(conn).mode_on(today, self.override(conn))

    def admission(self) -> dict:
        """The mode in force and why, every window, and the last changes with who and when."""
        with self.store.read() as conn:
            today = self.today()
            history = conn.execute("SELECT at, actor, data FROM events WHERE event = 'mode'"
                                   " AND actor != 'system' ORDER BY version DESC LIMIT 20").fetchall()
            return {"mode": self._mode_view(self.mode(conn, today)), "default": self.config.admission.mode,
                    "windows": self.calendars.views(conn),
                    "history": [{"at": h["at"], "by": h["actor"], **json.loads(h["data"])} for h in history]}

    def windows(self) -> list[dict]:
        """Every dated window: the config's (read-only), then the office's own."""
        with self.store.read() as conn:
            return self.calendars.views(conn)

    def calendar_view(self, conn, now: dt.datetime | None = None) -> dict:
        """The calendar as kiosks and the hall show it now: whether walk-ins are admitted
        (``open``) and when again (``reopens``), whether anyone is (``admitting``: emergencies
        on an emergency-only day), the day's hours, why it is closed, the closed days ahead
        and the services postponed today."""
        now = now or self.clock()
        calendar, chosen = self.calendars.current(conn), self.override(conn)
        today = calendar.local(now).date()
        mode = calendar.mode_on(today, chosen)
        admits = calendar.admits_walk_ins(now, chosen)
        admitting = calendar.is_open(now, chosen)
        span = calendar.hours_on(today)
        closed = None if admitting else model.closed_decision(calendar, now, chosen, mode)
        return {"open": admits,
                "reopens": None if admits else model.reopens_fields(calendar.reopens(now, chosen)),
                "admitting": admitting,
                "hours": {"opens": span[0].strftime("%H:%M"),
                          "closes": span[1].strftime("%H:%M") if span[1] else None} if span else None,
                "message": closed.message if closed else None,
                "closed_ahead": self._closed_ahead(calendar, today),
                "postponed": self._postponed_today(calendar, today)}

    def _closed_ahead(self, calendar, today: dt.date) -> dict | None:
        """The closed windows' working days within ANNOUNCE_DAYS, and the sentence announcing them."""
        days = [{"date": day.isoformat(), "reference": window.reference}
                for day, window in calendar.closed_days(today, ANNOUNCE_DAYS)]
        if not days:
            return None
        said = " dan ".join(f"{model.date_words(dt.date.fromisoformat(d['date']))}"
                            + (f" ({d['reference']})" if d["reference"] else "") for d in days)
        return {"days": days, "message": f"Kantor tutup {said}."}

    def _postponed_today(self, calendar, today: dt.date) -> list[dict]:
        """Services postponed today, by their flag (no end) or by a window (with its last day)."""
        found = []
        for service in self.config.services:
            until = None if service.postponed else calendar.postponed_until(today, service.code)
            if service.postponed or until:
                window = calendar.postponed_on(today, service.code)
                found.append({"service": service.code, "name": service.name,
                              "until": until.isoformat() if until else None,
                              "reference": window.reference if window else ""})
        return found

    def find_ticket(self, number: str, day: dt.date | None = None) -> dict:
        """Find a ticket by its number on a service day (today by default), for a reprint."""
        with self.store.read() as conn:
            row = conn.execute("SELECT * FROM tickets WHERE day = ? AND number = ?",
                               ((day or self.today()).isoformat(), number.strip().upper())).fetchone()
            if row is None:
                raise NotFound(f"Tiket {number} tidak ditemukan pada hari itu.", "ticket_not_found")
            return private(self._ticket_view(conn, row))

    def snapshot(self) -> dict:
        """Return the public state: version, day, mode, services, counters, waiting, recent calls."""
        with self.store.read() as conn:
            return self._snapshot(conn)

    def _snapshot(self, conn) -> dict:
        today = self.today()
        day = today.isoformat()
        waiting = self._waiting(conn, day)
        mode = self.mode(conn, today)
        calendar = self.calendar_view(conn)
        active = {r["counter_id"]: r for r in conn.execute(
            "SELECT * FROM tickets WHERE status IN ('called', 'serving') AND day = ?", (day,))}
        paused = {r["counter_id"]: r for r in conn.execute("SELECT * FROM counter_pauses WHERE ended_at IS NULL")}
        return {
            "version": self._version(conn), "day": day,
            "mode": mode.mode, "mode_info": self._mode_view(mode),
            "open": calendar.pop("open"), "reopens": calendar.pop("reopens"), "calendar": calendar,
            "services": self._services_now(waiting),
            "counters": [{"id": c.id, "name": c.name, "services": list(c.services),
                          "ticket": public(active[c.id]) if c.id in active else None,
                          "paused": self._pause_view(paused.get(c.id))}
                         for c in self.config.counters],
            "waiting": [public(w) for w in waiting],
            "recent_calls": self._recent_calls(conn, day),
            "notices": self.notices.current(conn),
            "join": self.joins.current(),
        }

    def _services_now(self, waiting) -> list[dict]:
        """Each service with how many wait, how long the longest has waited, and whether that
        is past its target_wait."""
        now = self.clock()
        rows = []
        for service in self.config.services:
            mine = [w for w in waiting if w["service"] == service.code]
            waited = max((waited_seconds(w, now) for w in mine), default=None)
            rows.append({"code": service.code, "name": service.name, "prefix": service.prefix,
                         "waiting": len(mine), "target_wait": service.target_wait,
                         "longest_wait": None if waited is None else int(waited // 60),
                         "over_target": over_target(service, waited)})
        return rows

    def version(self) -> int:
        with self.store.connection() as conn:
            return self._version(conn)

    def ticket_by_token(self, token: str) -> dict:
        """Return the visitor's view of one ticket, found by its unguessable token."""
        with self.store.read() as conn:
            row = conn.execute("SELECT * FROM tickets WHERE token = ?", (token,)).fetchone()
            if row is None:
                raise NotFound("Tiket tidak ditemukan.", "ticket_not_found")
            return self._ticket_view(conn, row)

    def tickets_by_tokens(self, tokens) -> dict[str, dict]:
        """Return the visitor's view of each ticket found by token, read at one moment: what
        the phones watching them are sent after a change. Positions come from one read of
        today's waiting list, not two counts per ticket."""
        tokens = list(tokens)
        with self.store.read() as conn:
            rows = [row for start in range(0, len(tokens), 500) for row in conn.execute(
                f"SELECT * FROM tickets WHERE token IN ({','.join('?' * len(tokens[start:start + 500]))})",
                tokens[start:start + 500])]
            day = self.today().isoformat()
            positions, ahead = {}, collections.Counter()
            for waiting in self._waiting(conn, day):
                positions[waiting["id"]] = ahead[waiting["service"]]
                ahead[waiting["service"]] += 1
            histories = {service: self._service_times(conn, day, service)
                         for service in {row["service"] for row in rows}}
            return {row["token"]: self._ticket_view(
                        conn, row, positions.get(row["id"]),
                        histories[row["service"]] if row["day"] == day else None)
                    for row in rows}

    def ticket(self, ticket_id: int) -> dict:
        with self.store.read() as conn:
            return self._ticket_view(conn, self._ticket(conn, ticket_id))

    def counter_desk(self, actor: Actor, counter_id: int) -> dict:
        """What a counter's console shows: the ticket in hand, the queue of its services, today's tally."""
        counter = self._counter(actor, counter_id)
        with self.store.read() as conn:
            day = self.today().isoformat()
            held = conn.execute("SELECT * FROM tickets WHERE counter_id = ? AND status IN"
                                " ('called', 'serving')", (counter.id,)).fetchone()
            now = self.clock()
            waiting = [{**self._ticket_view(conn, r, position=i), **self._waited(r, now)} for i, r in enumerate(
                r for r in self._waiting(conn, day) if r["service"] in counter.services)]
            return {"counter": {"id": counter.id, "name": counter.name, "services": list(counter.services)},
                    "ticket": self._ticket_view(conn, held) if held else None,
                    "paused": self._pause_view(self._pause_of(conn, counter.id)),
                    "waiting": [private(w) for w in waiting],
                    "no_shows": self._no_shows(conn, counter, day),
                    "today": {**self._counter_today(conn, counter.id, day),
                              "paused_seconds": self._paused_seconds(conn, counter.id, day, now)}}

    def _waited(self, row, now: dt.datetime) -> dict:
        """How long a waiting ticket has waited, in whole minutes, and whether past its service's target."""
        waited = waited_seconds(row, now)
        return {"waited_minutes": int(waited // 60),
                "over_target": over_target(self.config.service(row["service"]), waited)}

    def _no_shows(self, conn, counter, day: str) -> list[dict]:
        """Today's no-shows of the counter's services, the latest first, each with until when it may be requeued."""
        marks = ",".join("?" * len(counter.services))
        rows = conn.execute(f"SELECT * FROM tickets WHERE day = ? AND status = 'no_show' AND service IN ({marks})"
                            " ORDER BY ended_at DESC LIMIT 20", (day, *counter.services)).fetchall()
        return [private(self._ticket_view(conn, row)) for row in rows]

    def _paused_seconds(self, conn, counter_id: int, day: str, now: dt.datetime) -> float:
        """The counter's paused time on day, an open pause counted until now."""
        rows = conn.execute("SELECT started_at, ended_at FROM counter_pauses WHERE counter_id = ? AND day = ?",
                            (counter_id, day)).fetchall()
        return round(sum(pause_seconds(r, now) for r in rows), 1)

    def _counter_today(self, conn, counter_id: int, day: str) -> dict:
        row = conn.execute(
            "SELECT sum(status = 'done') AS served, sum(status = 'no_show') AS no_show,"
            " avg(CASE WHEN status = 'done' THEN (julianday(ended_at) - julianday(started_at)) * 86400 END)"
            " AS mean FROM tickets WHERE day = ? AND counter_id = ?", (day, counter_id)).fetchone()
        mean = row["mean"]
        return {"served": row["served"] or 0, "no_show": row["no_show"] or 0,
                "mean_service_seconds": round(mean, 1) if mean is not None else None}

    def _pause_of(self, conn, counter_id: int):
        return conn.execute("SELECT * FROM counter_pauses WHERE counter_id = ? AND ended_at IS NULL",
                            (counter_id,)).fetchone()

    @staticmethod
    def _pause_view(row) -> dict | None:
        """A counter's pause as screens show it: why, in words, and since when."""
        if row is None:
            return None
        return {"reason": row["reason"], "words": model.PAUSE_WORDS[row["reason"]], "since": row["started_at"],
                "by": row["started_by"]}

    def _counter(self, actor: Actor, counter_id: int):
        counter = self.config.counter(counter_id)
        if counter is None:
            raise NotFound(f"Loket {counter_id} tidak ada.", "counter_not_found")
        if not actor.is_admin and counter_id not in actor.counters:
            raise Forbidden(f"Anda tidak bertugas di {counter.name}.", "not_your_counter")
        return counter

    def _first_waiting(self, conn, services, today: dt.date):
        marks = ",".join("?" * len(services))
        return conn.execute(
            f"SELECT * FROM tickets WHERE day = ? AND status = 'waiting' AND service IN ({marks})"
            f" ORDER BY {CALL_ORDER} LIMIT 1",
            (today.isoformat(), *services)).fetchone()

    def _waiting(self, conn, day: str) -> list:
        return conn.execute("SELECT * FROM tickets WHERE day = ? AND status = 'waiting'"
                            f" ORDER BY {CALL_ORDER}", (day,)).fetchall()

    def _ticket(self, conn, ticket_id: int):
        row = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        if row is None:
            raise NotFound(f"Tiket {ticket_id} tidak ditemukan.", "ticket_not_found")
        return row

    def _position(self, conn, row) -> int | None:
        """Count the waiting tickets ahead of this one in its service's call order."""
        if row["status"] != model.WAITING:
            return None
        # Two index range counts (tickets_queue), rather than one OR the planner scans.
        return conn.execute(
            "SELECT (SELECT count(*) FROM tickets WHERE day = :day AND status = 'waiting'"
            "  AND service = :service AND priority > :priority)"
            " + (SELECT count(*) FROM tickets WHERE day = :day AND status = 'waiting'"
            "  AND service = :service AND priority = :priority AND queue_at <= :at"
            "  AND (queue_at < :at OR id < :id))",
            {"day": row["day"], "service": row["service"], "priority": row["priority"],
             "at": row["queue_at"], "id": row["id"]}).fetchone()[0]

    def _estimated_wait(self, conn, row, position: int | None,
                        history: tuple[int, float] | None = None) -> int | None:
        """Minutes until the call, from today's service times at the counters serving it.

        None without history (fewer than three tickets finished today in this service),
        so a visitor is never shown a guess made of nothing. history is (finished tickets,
        their total seconds) when the caller has read it already.
        """
        if position is None:
            return None
        done, seconds = history or self._service_times(conn, row["day"], row["service"])
        if done < MIN_HISTORY:
            return None
        counters = sum(1 for c in self.config.counters if row["service"] in c.services) or 1
        return max(1, round((position + 1) * seconds / done / counters / 60))

    def _service_times(self, conn, day: str, service: str) -> tuple[int, float]:
        found = conn.execute("SELECT done, seconds FROM service_times WHERE day = ? AND service = ?",
                             (day, service)).fetchone()
        return (found["done"], found["seconds"]) if found else (0, 0.0)

    def _ticket_view(self, conn, row, position: int | None = None,
                     history: tuple[int, float] | None = None) -> dict:
        service = self.config.service(row["service"])
        counter = self.config.counter(row["counter_id"]) if row["counter_id"] else None
        position = self._position(conn, row) if position is None else position
        wait = self._estimated_wait(conn, row, position, history)
        reason = self.config.reason(row["reason"]) if row["reason"] else None
        return {
            "id": row["id"], "number": row["number"], "service": row["service"],
            "service_name": service.name if service else row["service"],
            "status": row["status"], "token": row["token"],
            "position": position, "estimated_wait_minutes": wait,
            "status_url": f"/t/{row['token']}", "qr": f"/t/{row['token']}/qr.svg",
            "priority": bool(row["priority"]), "priority_kind": row["priority_kind"],
            "reason": row["reason"], "reason_label": reason.label if reason else None,
            "emergency": row["emergency"], "day": row["day"], "kiosk": row["kiosk"],
            "counter": row["counter_id"], "counter_name": counter.name if counter else None,
            "issued_at": row["issued_at"], "called_at": row["called_at"],
            "started_at": row["started_at"], "ended_at": row["ended_at"],
            "booked": row["booking_id"] is not None, "queue_at": row["queue_at"],
            "source": row["source"], "issued_by": row["issued_by"],
            **self._requeue_view(row),
        }

    def _requeue_view(self, row) -> dict:
        """Until when a no-show of today may be requeued, and whether it still may (None for any other ticket)."""
        if row["status"] != model.NO_SHOW or row["ended_at"] is None:
            return {"requeue_until": None, "requeueable": None}
        now = self.clock()
        if row["day"] != self.today(now).isoformat():
            return {"requeue_until": None, "requeueable": False}
        until = model.requeue_until(row, self.config.queue)
        return {"requeue_until": model.stamp(until), "requeueable": now <= until}

    def _version(self, conn) -> int:
        return conn.execute("SELECT coalesce(max(version), 0) FROM events").fetchone()[0]

    def _recent_calls(self, conn, day: str) -> list[dict]:
        rows = conn.execute(
            "SELECT t.number, t.service, e.counter_id, e.at, e.event FROM events e"
            " JOIN tickets t ON t.id = e.ticket_id WHERE e.day = ? AND e.event IN"
            " ('called', 'recalled') ORDER BY e.version DESC LIMIT 10", (day,)).fetchall()
        return [{"number": r["number"], "service": r["service"], "counter": r["counter_id"],
                 "called_at": r["at"], "recall": r["event"] == "recalled"} for r in rows]

    def _mode_view(self, mode: model.ModeInForce) -> dict:
        view = {"mode": mode.mode, "source": mode.source}
        if mode.window:
            view.update({"from": mode.window.start.isoformat(),
                         "until": mode.window.until.isoformat(),
                         "reference": mode.window.reference, "window_source": mode.window.source})
        return view



def waited_seconds(row, now: dt.datetime) -> float:
    """How long a waiting ticket has waited since its queue time (a booked one not yet due: 0)."""
    return max(0.0, (now - dt.datetime.fromisoformat(row["queue_at"])).total_seconds())


def over_target(service, waited: float | None) -> bool:
    """Whether a wait of that many seconds is past the service's target_wait (never without one)."""
    return bool(service and service.target_wait and waited is not None and waited > service.target_wait * 60)


def pause_seconds(row, now: dt.datetime) -> float:
    """How long a pause lasted; one still open, until now."""
    end = dt.datetime.fromisoformat(row["ended_at"]) if row["ended_at"] else now
    return max(0.0, (end - dt.datetime.fromisoformat(row["started_at"])).total_seconds())


def override(stored: str | None) -> str | None:
    """The admin's mode override as kept in settings (JSON; null when cleared)."""
    return json.loads(stored) if stored else None


def public(row) -> dict:
    """A ticket as anyone may see it: no token, no reason."""
    return {"id": row["id"], "number": row["number"], "service": row["service"],
            "status": row["status"], "priority": bool(row["priority"]),
            "emergency": row["emergency"] is not None, "counter": row["counter_id"],
            "issued_at": row["issued_at"], "called_at": row["called_at"],
            "booked": row["booking_id"] is not None}


def private(view: dict) -> dict:
    """A ticket as staff see it in a queue: without the visitor's token."""
    return {k: v for k, v in view.items() if k not in ("token", "status_url", "qr")}
