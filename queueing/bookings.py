"""Bookings on the store: the slots and places left, booking, cancelling, missed bookings, and
what the supervisor sees of a day's bookings. The check-in, which issues a ticket, is the
queue service's (service.py). No personal data: the code and the token are all there is.
"""
from __future__ import annotations

import datetime as dt
import secrets
import sqlite3

from . import booking as rules
from .booking import BOOKED, CANCELLED, CHECKED_IN, MISSED, Slot
from .calendar import date_words
from .config import Config
from .model import BadInput, Clock, IllegalMove, NotFound, known_service, service_day, stamp
from .store import Store
from .windows import OfficeCalendar

CODE_TRIES = 20  # codes drawn before giving up on a free one (a billion codes: never reached)


class BookingsOff(NotFound):
    code = "booking_off"


class Bookings:
    """The office's bookings ahead, on its store and clock, by its calendar."""

    def __init__(self, config: Config, store: Store, clock: Clock, calendars: OfficeCalendar):
        self.config, self.store, self.clock, self.calendars = config, store, clock, calendars

    @property
    def rules(self):
        if self.config.booking is None:
            raise BookingsOff("Booking antrean tidak dibuka di kantor ini.")
        return self.config.booking

    def today(self, now: dt.datetime | None = None) -> dt.date:
        return service_day(now or self.clock(), self.config.office.tz)

    # --- reading ---

    def slots(self, service_code: str) -> dict:
        """The bookable days of a service with each slot's places left; the days in range that
        cannot be booked, each with why (for the page to show rather than hide)."""
        booking, service = self.rules, known_service(self.config, service_code)
        with self.store.read() as conn:
            calendar, today = self.calendars.current(conn), self.today()
            days, unavailable = [], []
            for offset in range(1, booking.days_ahead + 1):
                day = today + dt.timedelta(days=offset)
                if rules.bookable_on(calendar, service, day):
                    days.append({"date": day.isoformat(), "slots": self._slots_left(conn, calendar, service, day)})
                else:
                    unavailable.append({"date": day.isoformat(), "reason": self._why_not(calendar, service, day)})
            return {"service": service.code, "days": days, "unavailable": unavailable}

    def _slots_left(self, conn, calendar, service, day: dt.date) -> list[dict]:
        taken = dict(conn.execute(
            "SELECT start, count(*) FROM bookings WHERE day = ? AND service = ? AND status IN ('booked', 'checked_in')"
            " GROUP BY start", (day.isoformat(), service.code)).fetchall())
        room = self._day_room(conn, service, day)
        return [{**slot.view(), "left": max(0, min(self.rules.per_slot - taken.get(slot.view()["start"], 0), room))}
                for slot in rules.slots_on(calendar, self.rules, day)]

    def _day_room(self, conn, service, day: dt.date) -> int:
        """Places the day's limits leave for one more booking (office and service; 10^9 without)."""
        row = conn.execute(
            "SELECT (SELECT count(*) FROM tickets WHERE day = :day) AS tickets,"
            " (SELECT count(*) FROM bookings WHERE day = :day AND status = 'booked') AS booked,"
            " (SELECT count(*) FROM tickets WHERE day = :day AND first_service = :service) AS service_tickets,"
            " (SELECT count(*) FROM bookings WHERE day = :day AND status = 'booked' AND service = :service)"
            "  AS service_booked", {"day": day.isoformat(), "service": service.code}).fetchone()
        room = 10**9
        if self.config.admission.daily_limit:
            room = min(room, self.config.admission.daily_limit - row["tickets"] - row["booked"])
        if service.daily_limit:
            room = min(room, service.daily_limit - row["service_tickets"] - row["service_booked"])
        return max(0, room)

    def _why_not(self, calendar, service, day: dt.date) -> str:
        mode = calendar.mode_on(day)
        if calendar.hours_on(day) is None:
            return "Kantor tutup"
        if mode.mode == "closed":
            return f"Kantor tutup: {mode.window.reference}" if mode.window and mode.window.reference else "Kantor tutup"
        if mode.mode == "emergency_only":
            return "Hanya untuk keperluan darurat"
        if not service.bookable:
            return "Layanan ini tidak dapat dibooking"
        return "Layanan ditunda"

    def get(self, token: str) -> dict:
        with self.store.read() as conn:
            return self._view(conn, self._by(conn, "token", token))

    def _by(self, conn, column: str, value: str) -> sqlite3.Row:
        row = conn.execute(f"SELECT * FROM bookings WHERE {column} = ?", (value,)).fetchone()
        if row is None:
            raise NotFound("Kode booking tidak ditemukan. Periksa kembali kode Anda.", "booking_not_found")
        return row

    def _view(self, conn, row) -> dict:
        service = self.config.service(row["service"])
        view = {"code": row["code"], "token": row["token"], "service": row["service"],
                "service_name": service.name if service else row["service"], "date": row["day"],
                "start": row["start"], "end": row["end"], "status": row["status"],
                "status_url": f"/b/{row['token']}"}
        if row["ticket_id"] is not None:
            ticket = conn.execute("SELECT number, token FROM tickets WHERE id = ?", (row["ticket_id"],)).fetchone()
            view["ticket"] = {"number": ticket["number"], "status_url": f"/t/{ticket['token']}"}
        return view

    def day_summary(self, day: dt.date) -> dict:
        """A day's bookings by slot and service: booked, arrived (checked in), missed, cancelled."""
        _ = self.rules  # refuses when booking is off
        with self.store.read() as conn:
            rows = conn.execute("SELECT start, service, status, count(*) AS n FROM bookings WHERE day = ?"
                                " GROUP BY start, service, status ORDER BY start", (day.isoformat(),)).fetchall()
        slots: dict[str, dict] = {}
        for row in rows:
            counts = slots.setdefault(row["start"], {}).setdefault(
                row["service"], {BOOKED: 0, CHECKED_IN: 0, MISSED: 0, CANCELLED: 0})
            counts[row["status"]] = row["n"]
        return {"date": day.isoformat(),
                "slots": [{"start": start, "services": services} for start, services in sorted(slots.items())]}

    # --- changing ---

    def book(self, service_code: str, date: str, start: str, request_id: str) -> tuple[dict, int]:
        """Book one place: 201 and the booking; the same request_id again, the same answer."""
        service, day = known_service(self.config, service_code), _date(date)
        _ = self.rules  # refuses when booking is off
        token, code = secrets.token_urlsafe(16), None
        with self.store.write() as conn:
            seen = conn.execute("SELECT * FROM bookings WHERE request_id = ?", (request_id,)).fetchone()
            if seen is not None:
                if (seen["service"], seen["day"], seen["start"]) != (service.code, day.isoformat(), start):
                    raise IllegalMove("request_id ini sudah dipakai untuk booking lain.", "request_id_reused")
                return {"booking": self._view(conn, seen)}, 201
            now, calendar = self.clock(), self.calendars.current(conn)
            slot = self._check_bookable(conn, calendar, service, day, start)
            for _ in range(CODE_TRIES):
                code = rules.new_code()
                if conn.execute("SELECT 1 FROM bookings WHERE code = ?", (code,)).fetchone() is None:
                    break
            conn.execute("INSERT INTO bookings (code, token, service, day, start, end, status, request_id, created_at)"
                         " VALUES (?,?,?,?,?,?,'booked',?,?)",
                         (code, token, service.code, day.isoformat(), start, slot.end.strftime("%H:%M"),
                          request_id, stamp(now)))
            return {"booking": self._view(conn, self._by(conn, "token", token))}, 201

    def _check_bookable(self, conn, calendar, service, day: dt.date, start: str) -> Slot:
        today = self.today()
        if not today < day <= today + dt.timedelta(days=self.rules.days_ahead) \
                or not rules.bookable_on(calendar, service, day):
            raise BadInput(f"{date_words(day)} tidak dapat dibooking untuk {service.name}. Pilih hari lain.",
                           "not_bookable")
        slot = rules.find_slot(calendar, self.rules, day, start)
        if slot is None:
            raise BadInput(f"Tidak ada sesi yang dimulai pukul {start} pada {date_words(day)}.", "not_bookable")
        left = next(s["left"] for s in self._slots_left(conn, calendar, service, day) if s["start"] == start)
        if left <= 0:
            raise IllegalMove(f"Sesi pukul {start} pada {date_words(day)} sudah penuh. Pilih sesi lain.",
                              "slot_full")
        return slot

    def cancel(self, token: str) -> dict:
        """Cancel a booking still booked; its place is free again."""
        with self.store.write() as conn:
            row = self._by(conn, "token", token)
            if row["status"] != BOOKED:
                raise IllegalMove(f"Booking ini {STATUS_WORDS[row['status']]}: tidak dapat dibatalkan.",
                                  f"booking_{row['status']}" if row["status"] != CHECKED_IN else "booking_used")
            conn.execute("UPDATE bookings SET status = 'cancelled', ended_at = ? WHERE id = ?",
                         (stamp(self.clock()), row["id"]))
            return self._view(conn, self._by(conn, "id", row["id"]))

    def mark_missed(self) -> int:
        """Mark missed every booking still booked after its slot's end plus late_minutes."""
        if self.config.booking is None:
            return 0
        with self.store.write() as conn:
            now, calendar = self.clock(), self.calendars.current(conn)
            today = self.today(now)
            rows = conn.execute("SELECT id, day, end FROM bookings WHERE status = 'booked' AND day <= ?",
                                (today.isoformat(),)).fetchall()
            late = [r["id"] for r in rows if now >= rules.check_in_until(
                calendar, self.rules, dt.date.fromisoformat(r["day"]), dt.time.fromisoformat(r["end"]))]
            conn.executemany("UPDATE bookings SET status = 'missed', ended_at = ? WHERE id = ?",
                             [(stamp(now), booking_id) for booking_id in late])
            return len(late)


STATUS_WORDS = {BOOKED: "masih berlaku", CHECKED_IN: "sudah dipakai untuk mengambil nomor antrean",
                CANCELLED: "sudah dibatalkan", MISSED: "sudah lewat waktunya"}


def _date(text) -> dt.date:
    if not isinstance(text, str):
        raise BadInput("Tanggal harus berformat YYYY-MM-DD.", "bad_date")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadInput("Tanggal harus berformat YYYY-MM-DD.", "bad_date") from None

