"""How the booking pages and the calendar file say a booking's day and time, in Indonesian
(as queueing.calendar says it) and in English."""
from __future__ import annotations

import datetime as dt

from queueing.calendar import date_words
from queueing.config import Booking, Config

DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
# Indonesia's three zones by their offset from UTC, as the office writes a time: "08.30 WIB".
ZONES = {7: "WIB", 8: "WITA", 9: "WIT"}


def date_words_en(day: dt.date) -> str:
    """A date as an English reader reads it: 'Tuesday, 8 December 2026'."""
    return f"{DAYS_EN[day.weekday()]}, {day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def clock_words(hhmm: str) -> str:
    """"08:30" as the office writes a time: "08.30"."""
    return hhmm.replace(":", ".")


def zone_name(config: Config, day: dt.date) -> str:
    """WIB, WITA or WIT for the office's zone on that day; "" for a zone outside Indonesia's."""
    offset = dt.datetime.combine(day, dt.time(12), config.office.tz).utcoffset()
    return ZONES.get(offset // dt.timedelta(hours=1), "") if offset is not None else ""


def check_in_until(rules: Booking | None, end: str) -> str:
    """The last check-in time for a slot ending at "HH:MM" ("09.45"); "" without [booking]."""
    if rules is None:
        return ""
    last = dt.datetime.combine(dt.date.min, dt.time.fromisoformat(end)) + dt.timedelta(minutes=rules.late_minutes)
    return clock_words(last.strftime("%H:%M")) if last.date() == dt.date.min else ""


def when(config: Config, booking: dict) -> dict:
    """A booking's day and times in words for its pages: both languages' dates, the slot, the zone."""
    day = dt.date.fromisoformat(booking["date"])
    return {"date_id": date_words(day), "date_en": date_words_en(day),
            "start": clock_words(booking["start"]), "end": clock_words(booking["end"]),
            "zone": zone_name(config, day), "until": check_in_until(config.booking, booking["end"])}


def services(config: Config) -> list[dict]:
    """The services as the booking page offers them, each with whether and why not it can be booked."""
    return [{"code": s.code, "name": s.name, "name_en": s.name_en or s.name, "description": s.description,
             "description_en": s.description_en or s.description, "bookable": s.bookable,
             "postponed": s.postponed} for s in config.services]
