"""The event log: each change appends a row (its rowid is the new version) and is announced,
in version order, once its transaction has committed; what other processes appended (the
CLI's close-day) is announced when the server looks (announce_new)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from typing import Callable

from .model import stamp
from .store import Store


@dataclass(frozen=True)
class Event:
    """One change, as broadcast on the live channel."""

    version: int
    event: str
    ticket: dict | None = None
    token: str | None = None
    kiosk: str | None = None
    priority: bool = False  # the ticket's: an issued priority ticket moves others back
    counter: int | None = None  # paused and resumed name their counter (SPEC "Live updates")
    elsewhere: bool = False  # another process made the change (the CLI, or another server worker)

    def payload(self) -> dict:
        payload = {"version": self.version, "event": self.event, "ticket": self.ticket}
        if self.counter is not None:
            payload["counter"] = self.counter
        return payload


@dataclass(frozen=True)
class Result:
    """What an operation answers the client: the body and its HTTP status. What it changed
    goes out through the event log (EventLog.publish), once its transaction commits."""

    body: dict
    status: int = 200
    replayed: bool = False  # the answer to a request_id seen before (rate limits count it once)


def ticket_event(version: int, event: str, row, kiosk: str | None = None) -> Event:
    """The event of a change to the ticket row, as the live channel carries it."""
    ticket = {"number": row["number"], "service": row["service"], "status": row["status"],
              "counter": row["counter_id"]}
    return Event(version, event, ticket, row["token"], kiosk, bool(row["priority"]))


class EventLog:
    """The events table of one store, and where its events are announced."""

    def __init__(self, store: Store, announced: int, publish: Callable[[Event], None] | None = None):
        self.store = store
        self.announced = announced  # the newest version announced so far
        self.publish = publish or (lambda event: None)

    def append(self, conn: sqlite3.Connection, now: dt.datetime, day: dt.date, event: str, row=None,
               counter_id: int | None = None, actor: str | None = None, data: dict | None = None) -> Event:
        """Append a change (of the ticket row, if any) inside the caller's transaction, and
        announce it once that commits; return it."""
        version = conn.execute(
            "INSERT INTO events (at, day, event, ticket_id, counter_id, actor, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (stamp(now), day.isoformat(), event, row["id"] if row else None, counter_id, actor,
             json.dumps(data or {}))).lastrowid
        return self.announce(ticket_event(version, event, row) if row else Event(version, event, counter=counter_id))

    def announce(self, event: Event) -> Event:
        """Announce event once its transaction commits, in version order (see Store.write)."""
        self.store.after_commit(lambda: self._announced(event))
        return event

    def _announced(self, event: Event) -> None:
        self.announced = max(self.announced, event.version)
        self.publish(event)

    def announce_new(self, version: int) -> int:
        """Announce, in order, the events up to version that this process did not write;
        return how many."""
        if version <= self.announced:
            return 0
        with self.store.write() as conn:  # the write lock keeps announcements in version order
            return self.catch_up(conn)

    def catch_up(self, conn: sqlite3.Connection) -> int:
        """Announce now, in order, the events other processes committed since the last one
        announced here; return how many. Called holding the write lock (nothing of this
        process is being announced meanwhile), e.g. as each transaction begins when several
        server processes share the database: their changes then go out before this one's."""
        rows = conn.execute(
            "SELECT e.version, e.event, e.counter_id AS event_counter, t.* FROM events e"
            " LEFT JOIN tickets t ON t.id = e.ticket_id"
            " WHERE e.version > ? ORDER BY e.version", (self.announced,)).fetchall()
        for row in rows:
            event = (ticket_event(row["version"], row["event"], row, row["kiosk"])
                     if row["id"] is not None else Event(row["version"], row["event"], counter=row["event_counter"]))
            self._announced(dataclasses.replace(event, elsewhere=True))
        return len(rows)
