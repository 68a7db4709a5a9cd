"""A booking as an iCalendar file (RFC 5545), made by hand: one VEVENT the visitor's calendar
app imports from "Simpan ke kalender". Times are in UTC (the "Z" form), which every calendar
shows in its own zone without the file needing a VTIMEZONE."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LINE_OCTETS = 75  # RFC 5545 3.1: longer content lines are folded


def calendar_file(booking: dict, office: str, tz: ZoneInfo, status_url: str, now: dt.datetime) -> str:
    """The booking's calendar file: CRLF line endings, long lines folded."""
    day = dt.date.fromisoformat(booking["date"])
    start, end = (dt.datetime.combine(day, dt.time.fromisoformat(booking[k]), tz) for k in ("start", "end"))
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Antrian//Booking antrean//ID", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", "BEGIN:VEVENT",
        f"UID:booking-{booking['code']}-{booking['date']}@antrian",
        f"DTSTAMP:{utc(now)}", f"DTSTART:{utc(start)}", f"DTEND:{utc(end)}",
        f"SUMMARY:{escape(summary(booking, office))}",
        f"DESCRIPTION:{escape(description(booking, status_url))}",
        f"LOCATION:{escape(office)}", f"URL:{status_url}",
        f"STATUS:{'CANCELLED' if booking['status'] == 'cancelled' else 'CONFIRMED'}",
        "END:VEVENT", "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)


def summary(booking: dict, office: str) -> str:
    return f"Antrean {booking['service_name']} — {office}"


def description(booking: dict, status_url: str) -> str:
    return (f"Kode booking: {booking['code']}\n"
            "Tunjukkan kode ini di kios untuk mengambil nomor antrean.\n"
            f"Status booking: {status_url}")


def utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newline escaped."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def fold(line: str) -> str:
    """Fold a content line into lines of at most 75 octets, never inside a UTF-8 character."""
    parts, current, size, limit = [], "", 0, LINE_OCTETS
    for char in line:
        octets = len(char.encode())
        if size + octets > limit:
            parts.append(current)
            current, size, limit = "", 0, LINE_OCTETS - 1  # a continuation starts with a space
        current += char
        size += octets
    return "\r\n ".join(parts + [current])
