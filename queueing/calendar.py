"""The office's calendar: weekday hours, dated windows, and when walk-ins are admitted again.

Pure functions of a date or an aware moment and the calendar's parts (no Flask, no
database, no clock of its own): the caller passes the moment it means. Issue 18; the
admission decision, the config loader, the API and the pages are wired to it next.

A walk-in without a reason is admitted at a moment when the office is open (within that
weekday's hours, or at any time without ``[hours]``) and the mode in force that day is
``normal`` (SPEC "Admission policy"). Hours run from opening, included, to closing,
excluded: at closing time waiting and called tickets expire, so nobody is let in then.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from .config import ConfigError
from .model import ModeInForce, date_words

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SEARCH_DAYS = 400  # reopens() looks this far ahead, then gives up (more than a year of windows)
UNTIL_FURTHER_NOTICE = "Pelayanan tatap muka ditutup sampai ada pemberitahuan lebih lanjut."

_SPAN = re.compile(r"(\d\d):(\d\d)-(\d\d):(\d\d)")

Span = tuple[dt.time, dt.time | None]  # (opens, closes) of one day; closes None: until midnight


class DatedWindow(Protocol):
    """What the calendar reads of a window: config.Window now; mode and postponed optional."""

    start: dt.date
    until: dt.date


@dataclass(frozen=True)
class Hours:
    """Admission hours per weekday, Monday first; None is a closed day."""

    days: tuple[Span | None, ...]  # parse_hours always sets both ends

    def on(self, day: dt.date) -> Span | None:
        """Return that date's (opens, closes), or None when the office is closed that weekday."""
        return self.days[day.weekday()]


def parse_hours(table: dict, key_prefix: str = "hours") -> Hours:
    """Read ``mon`` … ``sun`` = "HH:MM-HH:MM" or "" (closed); an absent day is closed."""
    if not isinstance(table, dict):
        raise ConfigError(f"{key_prefix}: must be a table")
    for key in table:
        if key not in WEEKDAYS:
            raise ConfigError(f"{key_prefix}.{key}: unknown weekday; use {' '.join(WEEKDAYS)}")
    return Hours(tuple(_span(table.get(day, ""), f"{key_prefix}.{day}") for day in WEEKDAYS))


def _span(value, key: str) -> Span | None:
    if not isinstance(value, str):
        raise ConfigError(f'{key}: must be a string like "07:30-15:00", or "" when closed')
    if not value.strip():
        return None
    match = _SPAN.fullmatch(value.strip())
    if not match:
        raise _not_a_span(key, value)
    hour, minute, end_hour, end_minute = map(int, match.groups())
    try:
        opens, closes = dt.time(hour, minute), dt.time(end_hour, end_minute)
    except ValueError:  # a time like 25:00
        raise _not_a_span(key, value) from None
    if closes <= opens:
        raise ConfigError(f"{key}: closes before it opens")
    return opens, closes


def _not_a_span(key: str, value: str) -> ConfigError:
    return ConfigError(f'{key}: "{value}" is not HH:MM-HH:MM')


def _sets_mode(window) -> str | None:
    return getattr(window, "mode", None) or None  # a postponement-only window leaves the mode alone


def _contains(window, day: dt.date) -> bool:
    return window.start <= day <= window.until


@dataclass(frozen=True)
class Calendar:
    """Hours (None: admits all day, every day), dated windows, the default mode, the office zone.

    The admin's override has no end date: an override to a mode other than ``normal``
    holds until it is cleared, so no reopening can be named (``reopens`` gives None and
    callers say "until further notice"); an override to ``normal`` opens every day within
    hours, closed windows included, as SPEC's order (override first) says.
    """

    hours: Hours | None
    windows: tuple[DatedWindow, ...]
    default_mode: str
    tz: ZoneInfo

    def local(self, moment: dt.datetime) -> dt.datetime:
        """Return an aware moment in office time; a naive one is refused (whose clock would it be?)."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("the calendar needs an aware moment")
        return moment.astimezone(self.tz)

    def hours_on(self, day: dt.date) -> Span | None:
        """Return the day's (opens, closes) by weekday; (00:00, None) without hours: all day."""
        if self.hours is None:
            return dt.time(0), None
        return self.hours.on(day)

    def mode_on(self, day: dt.date, override: str | None = None) -> ModeInForce:
        """Return the override, else the first window containing day that sets a mode, else the default."""
        if override:
            return ModeInForce(override, "override")
        for window in self.windows:
            if _sets_mode(window) and _contains(window, day):
                return ModeInForce(window.mode, "window", window)
        return ModeInForce(self.default_mode, "default")

    def postponed_on(self, day: dt.date, service_code: str):
        """Return the first window containing day that postpones the service, or None."""
        for window in self.windows:
            if service_code in getattr(window, "postponed", ()) and _contains(window, day):
                return window
        return None

    def within_hours(self, moment: dt.datetime) -> bool:
        """Whether an aware moment falls in its office day's hours (opening included, closing not)."""
        local = self.local(moment)
        span = self.hours_on(local.date())
        if span is None:
            return False
        opens, closes = span
        return opens <= local.time() and (closes is None or local.time() < closes)

    def is_open(self, moment: dt.datetime, override: str | None = None) -> bool:
        """Whether the office admits anyone at all: within hours, and the day's mode is not closed."""
        day = self.local(moment).date()
        return self.within_hours(moment) and self.mode_on(day, override).mode != "closed"

    def admits_walk_ins(self, moment: dt.datetime, override: str | None = None) -> bool:
        """Whether a walk-in without a reason gets a ticket: open, and the mode is normal."""
        day = self.local(moment).date()
        return self.within_hours(moment) and self.mode_on(day, override).mode == "normal"

    def reopens(self, moment: dt.datetime, override: str | None = None) -> dt.datetime | None:
        """Return the first moment at or after this one that admits walk-ins, in office time.

        None when walk-ins are admitted now, when an override other than normal holds (no
        end can be named), or when none comes within SEARCH_DAYS: callers ask
        ``admits_walk_ins`` first to tell "open" from "until further notice".
        """
        if (override and override != "normal") or self.admits_walk_ins(moment, override):
            return None
        local = self.local(moment)
        for offset in range(SEARCH_DAYS + 1):
            day = local.date() + dt.timedelta(days=offset)
            opens = self._opens(day, override)
            # on the moment's own day only an opening still ahead counts (it is not open now)
            if opens is not None and (offset or local.time() < opens):
                return dt.datetime.combine(day, opens, self.tz)
        return None

    def _opens(self, day: dt.date, override: str | None) -> dt.time | None:
        """Return the day's opening time when that day is a normal one with hours, else None."""
        span = self.hours_on(day)
        if span is None or self.mode_on(day, override).mode != "normal":
            return None
        return span[0]


def reopens_words(day: dt.date, time: dt.time, today: dt.date | None = None) -> str:
    """Say when service reopens: "Pelayanan dibuka kembali Senin, 7 Desember 2026 pukul 07.30."

    On the same office day (before opening) the date is left out: "Pelayanan dibuka hari
    ini pukul 07.30." A visitor standing at the kiosk knows what day it is.
    """
    clock = time.strftime("%H.%M")
    if day == today:
        return f"Pelayanan dibuka hari ini pukul {clock}."
    return f"Pelayanan dibuka kembali {date_words(day)} pukul {clock}."


def reopens_fields(moment: dt.datetime | None) -> dict | None:
    """Return SPEC's ``reopens`` shape, {"date": "YYYY-MM-DD", "time": "HH:MM"}, or None."""
    if moment is None:
        return None
    return {"date": moment.date().isoformat(), "time": moment.strftime("%H:%M")}
