"""The office's calendar: weekday hours, dated windows, and when walk-ins are admitted again.

Pure functions of a date or an aware moment and the calendar's parts (no Flask, no
database, no clock of its own): the caller passes the moment it means, and the windows
it knows (the config's and the office's own, see windows.py).

A walk-in without a reason is admitted at a moment when the office is open (within that
weekday's hours, or at any time without ``[hours]``) and the mode in force that day is
``normal`` (SPEC "Admission policy"). Hours run from opening, included, to closing,
excluded: at closing time waiting and called tickets expire, so nobody is let in then.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from .config import WEEKDAYS, Config, Hours, Span, Window, parse_hours  # noqa: F401 (the calendar's parts)

SEARCH_DAYS = 400  # reopens() looks this far ahead, then gives up (more than a year of windows)
UNTIL_FURTHER_NOTICE = "Pelayanan tatap muka ditutup sampai ada pemberitahuan lebih lanjut."
# Which of several windows containing a day sets its mode: the most restrictive, so a holiday
# the office adds inside an emergency-only period closes that day, and an emergency-only
# period never opens a holiday. Windows of equal weight keep their order (config's first).
RESTRICTIVENESS = {"closed": 0, "emergency_only": 1, "normal": 2}

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")


def date_words(day: dt.date) -> str:
    """Return a date as an Indonesian reads it: 'Rabu, 8 April 2020'."""
    return f"{DAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class ModeInForce:
    mode: str
    source: str  # override | window | default
    window: Window | None = None



def _sets_mode(window) -> str | None:
    return window.mode or None  # a postponement-only window leaves the mode alone


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
    windows: tuple[Window, ...]
    default_mode: str
    tz: ZoneInfo

    @classmethod
    def build(cls, config: Config, office_windows=()) -> "Calendar":
        """The office's calendar from its config and the windows it added; the windows are
        kept in the order that decides a day's mode (RESTRICTIVENESS). Without [hours] a
        ``closes_at`` makes every day's hours run from midnight to it."""
        hours, closes = config.hours, config.admission.closes_at
        if hours is None and closes is not None:  # "00:00": the day is over from its start
            hours = Hours(((dt.time(0), closes) if closes > dt.time(0) else None,) * 7)
        windows = sorted((*config.admission.windows, *office_windows),
                         key=lambda w: RESTRICTIVENESS.get(_sets_mode(w), 3))
        return cls(hours, tuple(windows), config.admission.mode, config.office.tz)

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
            if service_code in window.postponed and _contains(window, day):
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

    def closing(self, moment: dt.datetime) -> dt.datetime | None:
        """Return when the moment's office day closes (its hours' end), or None (open till midnight)."""
        local = self.local(moment)
        span = self.hours_on(local.date())
        if span is None or span[1] is None:
            return None
        return dt.datetime.combine(local.date(), span[1], self.tz)

    def day_is_over(self, moment: dt.datetime) -> bool:
        """Whether the moment's office day has closed: at or after its closing time, or a day
        without hours (tickets still waiting then expire)."""
        local = self.local(moment)
        span = self.hours_on(local.date())
        return span is None or (span[1] is not None and local.time() >= span[1])

    def serves_on(self, day: dt.date) -> bool:
        """Whether the office serves anyone that day: it has hours and no closed window."""
        return self.hours_on(day) is not None and self.mode_on(day).mode != "closed"

    def postponed_until(self, day: dt.date, service_code: str) -> dt.date | None:
        """Return the last day of the service's postponement by windows that contains day
        (windows that follow on from each other count as one), or None when none does."""
        window = self.postponed_on(day, service_code)
        last = None
        while window is not None:
            last = window.until
            window = self.postponed_on(last + dt.timedelta(days=1), service_code)
        return last

    def resumes(self, after: dt.date) -> dt.date | None:
        """Return the first day after ``after`` on which the office serves anyone, or None."""
        for offset in range(1, SEARCH_DAYS + 1):
            day = after + dt.timedelta(days=offset)
            if self.serves_on(day):
                return day
        return None

    def closed_days(self, today: dt.date, days: int) -> list[tuple[dt.date, Window]]:
        """Return the days within ``days`` after today that a closed window shuts although
        their weekday has hours (a holiday on a Sunday closes nothing), with the window."""
        found = []
        for offset in range(1, days + 1):
            day = today + dt.timedelta(days=offset)
            mode = self.mode_on(day)
            if mode.mode == "closed" and mode.window is not None and self.hours_on(day) is not None:
                found.append((day, mode.window))
        return found

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
