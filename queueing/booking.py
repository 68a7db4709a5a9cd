"""Booking ahead as pure functions: codes, slots cut from a day's hours, bookable days.

No database and no clock: callers pass the calendar, the day and the moment they mean
(SPEC "Booking ahead"). The store side is bookings.py.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from .calendar import Calendar
from .config import Booking, Service
from .model import BadInput

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed on a keypad
CODE_LENGTH = 6
BOOKED, CHECKED_IN, CANCELLED, MISSED = "booked", "checked_in", "cancelled", "missed"
HOLDING = (BOOKED, CHECKED_IN)  # statuses that hold a place in their slot


@dataclass(frozen=True)
class Slot:
    start: dt.time
    end: dt.time

    def view(self) -> dict:
        return {"start": self.start.strftime("%H:%M"), "end": self.end.strftime("%H:%M")}


def new_code() -> str:
    """A booking code: 6 characters of ALPHABET (32^6, about a billion)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text) -> str:
    """Read a code as typed, in any case and with spaces; refuse one that cannot be a code."""
    if not isinstance(text, str):
        raise BadInput("Kode booking harus berupa teks.", "bad_booking_code")
    code = "".join(text.split()).upper()
    if len(code) != CODE_LENGTH:
        raise BadInput(f"Kode booking terdiri dari {CODE_LENGTH} karakter.", "bad_booking_code")
    if any(c not in ALPHABET for c in code):
        raise BadInput("Kode booking hanya memakai huruf dan angka pada tiket booking (tanpa 0, 1, I, L, O).",
                       "bad_booking_code")
    return code


def slots_on(calendar: Calendar, booking: Booking, day: dt.date) -> list[Slot]:
    """The day's slots: its hours cut every slot_minutes from opening; the last ends at closing."""
    span = calendar.hours_on(day)
    if span is None or span[1] is None:
        return []
    opens, closes = (dt.datetime.combine(day, t) for t in span)
    step = dt.timedelta(minutes=booking.slot_minutes)
    slots, start = [], opens
    while start < closes:
        slots.append(Slot(start.time(), min(start + step, closes).time()))
        start += step
    return slots


def find_slot(calendar: Calendar, booking: Booking, day: dt.date, start: str) -> Slot | None:
    """The day's slot starting at "HH:MM", or None."""
    return next((s for s in slots_on(calendar, booking, day) if s.start.strftime("%H:%M") == start), None)


def bookable_on(calendar: Calendar, service: Service, day: dt.date) -> bool:
    """Open that day (hours, no closed window), its calendar mode normal, the service bookable
    and not postponed (by its flag or a window). The admin's override is undated: not asked."""
    return (service.bookable and not service.postponed and calendar.serves_on(day)
            and calendar.mode_on(day).mode == "normal" and calendar.postponed_on(day, service.code) is None)


def bookable_days(calendar: Calendar, booking: Booking, service: Service, today: dt.date) -> list[dt.date]:
    """Tomorrow up to days_ahead days ahead, the days on which the service can be booked."""
    days = (today + dt.timedelta(days=n) for n in range(1, booking.days_ahead + 1))
    return [day for day in days if bookable_on(calendar, service, day)]


def slot_moment(calendar: Calendar, day: dt.date, time: dt.time) -> dt.datetime:
    """An aware moment of the office day at that time."""
    return dt.datetime.combine(day, time, calendar.tz)


def check_in_until(calendar: Calendar, booking: Booking, day: dt.date, end: dt.time) -> dt.datetime:
    """The last moment a booking of the slot ending at ``end`` may be checked in."""
    return slot_moment(calendar, day, end) + dt.timedelta(minutes=booking.late_minutes)
