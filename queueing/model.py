"""The queue's rules as pure functions: statuses, allowed moves, numbering, admission."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Callable

from .calendar import (DAYS, MONTHS, UNTIL_FURTHER_NOTICE, Calendar, ModeInForce,  # noqa: F401
                       date_words, reopens_fields, reopens_words)
from .config import Config, Service

WAITING, CALLED, SERVING, DONE = "waiting", "called", "serving", "done"
NO_SHOW, REDIRECTED, EXPIRED = "no_show", "redirected", "expired"
STATUSES = (WAITING, CALLED, SERVING, DONE, NO_SHOW, REDIRECTED, EXPIRED)
ACTIVE = (CALLED, SERVING)  # a counter holds at most one of these

# action -> (statuses it may start from, status it ends in; None keeps the status)
ACTIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "call": ((WAITING,), CALLED),
    "recall": ((CALLED,), CALLED),
    "start": ((CALLED,), SERVING),
    "finish": ((SERVING,), DONE),
    "no_show": ((CALLED,), NO_SHOW),
    # SPEC names called/serving; a waiting ticket may also be moved by a counter
    # serving its service (SPEC "Who may act": verify, transfer), e.g. a wrong pick.
    "transfer": ((WAITING, CALLED, SERVING), WAITING),
    "confirm": ((WAITING, CALLED, SERVING), None),
    "reject": ((WAITING, CALLED, SERVING), REDIRECTED),
    "expire": ((WAITING, CALLED), EXPIRED),
    "requeue": ((NO_SHOW,), WAITING),  # a no-show who came back (QueueService.requeue: today, in time)
}

# the event each action announces on the live channel
EVENTS = {"call": "called", "recall": "recalled", "start": "started", "finish": "finished",
          "no_show": "no_show", "transfer": "transferred", "confirm": "verified",
          "reject": "redirected", "expire": "expired", "requeue": "requeued"}

PRIORITY_KINDS = ("lansia", "disabilitas", "ibu_hamil", "balita")
PAUSE_REASONS = ("istirahat", "ibadah", "rapat", "lainnya")  # SPEC: break, prayer, meeting, other
PAUSE_WORDS = {"istirahat": "Istirahat", "ibadah": "Ibadah", "rapat": "Rapat", "lainnya": "Sedang tidak melayani"}


class QueueError(Exception):
    """A request the queue refuses; status is the HTTP status it maps to."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class BadInput(QueueError):
    status, code = 400, "bad_input"


class NotFound(QueueError):
    status, code = 404, "not_found"


class Forbidden(QueueError):
    status, code = 403, "forbidden"


def known_kiosk(config: Config, kiosk_id: str):
    """Return the kiosk of that id, or refuse the request (400 unknown_kiosk)."""
    kiosk = config.kiosk(kiosk_id)
    if not kiosk:
        raise BadInput(f"Kios {kiosk_id!r} tidak dikenal.", "unknown_kiosk")
    return kiosk


def known_service(config: Config, code: str) -> Service:
    """Return the service of that code, or refuse the request (400 unknown_service)."""
    service = config.service(code)
    if not service:
        raise BadInput(f"Layanan {code!r} tidak dikenal.", "unknown_service")
    return service


class IllegalMove(QueueError):
    status, code = 409, "illegal_move"


STATUS_WORDS = {WAITING: "menunggu", CALLED: "sudah dipanggil", SERVING: "sedang dilayani",
                DONE: "sudah selesai", NO_SHOW: "tidak hadir", REDIRECTED: "dialihkan ke layanan online",
                EXPIRED: "kedaluwarsa"}
ACTION_WORDS = {"call": "dipanggil", "recall": "dipanggil ulang", "start": "mulai dilayani",
                "finish": "diselesaikan", "no_show": "ditandai tidak hadir", "transfer": "dialihkan",
                "confirm": "dikonfirmasi", "reject": "ditolak", "expire": "dikedaluwarsakan",
                "requeue": "diantrekan lagi"}


def next_status(action: str, status: str, number: str = "") -> str:
    """Return the status after action, or raise IllegalMove naming why."""
    sources, target = ACTIONS[action]
    if status not in sources:
        raise IllegalMove(f"Tiket {number} {STATUS_WORDS[status]}, tidak bisa "
                          f"{ACTION_WORDS[action]}.".replace("  ", " "))
    return status if target is None else target


def requeue_until(row, queue) -> dt.datetime:
    """Until when a no-show ticket may be requeued: requeue_minutes after it was marked."""
    return dt.datetime.fromisoformat(row["ended_at"]) + dt.timedelta(minutes=queue.requeue_minutes)


def format_number(prefix: str, seq: int) -> str:
    """Return the ticket number: the prefix and the day's sequence, three digits at least."""
    return f"{prefix}{seq:03d}"


Clock = Callable[[], dt.datetime]  # the service's time: the machine's, or a test's


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def clock_from(start: dt.datetime) -> Clock:
    """A clock that reads ``start`` now and runs on with real time: what a test sets, in a
    server it starts as a process (ANTRIAN_TEST_CLOCK), to be on a given day at a given hour."""
    offset = start - utc_now()
    return lambda: utc_now() + offset


@dataclass(frozen=True)
class Actor:
    """Who asks for a change: a logged-in user, or the system itself."""

    name: str
    role: str  # staff | admin | system
    counters: tuple[int, ...] = ()

    @property
    def is_admin(self) -> bool:
        return self.role in ("admin", "system")


SYSTEM = Actor("system", "system")


@functools.lru_cache(maxsize=16)
def stamp(moment: dt.datetime) -> str:
    """Return a sortable UTC timestamp with microseconds (a change stamps its ticket, its
    event, its visit and its print job with one moment: formatted once)."""
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


def service_day(moment: dt.datetime, tz: dt.tzinfo) -> dt.date:
    """Return the service day of an aware moment: its date in the office time zone."""
    return moment.astimezone(tz).date()


def call_order_key(ticket: dict) -> tuple:
    """Sort key of the call order: priority tickets first, then by queue time (a walk-in's issue
    time, a booked ticket's slot start)."""
    return (0 if ticket["priority"] else 1, ticket["queue_at"], ticket["id"])


@dataclass(frozen=True)
class Decision:
    outcome: str  # ticket | online | postponed | closed | full
    message: str = ""
    detail: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Visit:
    """What a visit's decision reads besides the calendar: when, what, and today's counts."""

    moment: dt.datetime
    service: Service
    reason: str | None = None
    override: str | None = None  # the admin's mode override
    issued_today: int = 0  # tickets of every service issued today
    issued_service: int = 0  # tickets of this service issued today


def decide(config: Config, calendar: Calendar, visit: Visit) -> Decision:
    """Decide a visit's outcome, in SPEC's order: closed, postponed, online, full, ticket."""
    today = calendar.local(visit.moment).date()
    mode = calendar.mode_on(today, visit.override)
    if mode.mode == "closed" or not calendar.within_hours(visit.moment):
        return closed_decision(calendar, visit.moment, visit.override, mode)
    postponed = _postponed(calendar, visit.service, today)
    if postponed:
        return postponed
    if mode.mode == "emergency_only" and not visit.reason:
        return _online_or_closed(config, calendar, visit, mode)
    return _full(config, visit) or Decision("ticket")


def decide_check_in(calendar: Calendar, visit: Visit) -> Decision:
    """A booking's check-in: closed and postponed as for anyone (steps 1 and 2); a booking
    already holds its place within the day's limits and was made for a normal day."""
    today = calendar.local(visit.moment).date()
    mode = calendar.mode_on(today, visit.override)
    if mode.mode == "closed" or not calendar.within_hours(visit.moment):
        return closed_decision(calendar, visit.moment, visit.override, mode)
    return _postponed(calendar, visit.service, today) or Decision("ticket")


def closed_decision(calendar: Calendar, moment: dt.datetime, override: str | None,
                    mode: ModeInForce) -> Decision:
    """Closed now: say why, and when a walk-in without a reason is admitted again."""
    reopens = calendar.reopens(moment, override)
    today = calendar.local(moment).date()
    detail = {"reopens": reopens_fields(reopens)}
    if reopens is None:
        return Decision("closed", UNTIL_FURTHER_NOTICE, detail)
    if reopens.date() != today:
        detail["resumes_on"] = reopens.date().isoformat()
    why = closed_why(calendar, moment, mode)
    return Decision("closed", f"{why} {reopens_words(reopens.date(), reopens.time(), today)}".strip(),
                    detail)


def closed_why(calendar: Calendar, moment: dt.datetime, mode: ModeInForce) -> str:
    """Why the office admits nobody at this moment, in a short sentence ("" before opening:
    the reopening's words say it all)."""
    local = calendar.local(moment)
    if mode.mode == "closed":
        if mode.window is not None:
            return f"Kantor tutup: {mode.window.reference}." if mode.window.reference else "Kantor tutup."
        return "Pelayanan tatap muka sedang ditutup."
    span = calendar.hours_on(local.date())
    if span is None:
        return "Hari ini kantor tutup."
    return "" if local.time() < span[0] else "Pelayanan hari ini sudah ditutup."


def _postponed(calendar: Calendar, service: Service, today: dt.date) -> Decision | None:
    """The service's own flag (until further notice), or a window that postpones it with its end."""
    if service.postponed:
        return Decision("postponed", service.notice or f"Layanan {service.name} sedang ditunda.")
    until = calendar.postponed_until(today, service.code)
    if until is None:
        return None
    window = calendar.postponed_on(today, service.code)
    resumes = calendar.resumes(until)
    because = f" ({window.reference})" if window.reference else ""
    message = service.notice or f"Layanan {service.name} ditunda sampai {date_words(until)}{because}."
    if resumes:
        message += f" Dilayani kembali {date_words(resumes)}."
    return Decision("postponed", message, {"until": until.isoformat(),
                                           "resumes_on": resumes.isoformat() if resumes else None})


def _online_or_closed(config: Config, calendar: Calendar, visit: Visit, mode: ModeInForce) -> Decision:
    url = config.office.online_service_url
    service = visit.service
    if service.online and url:
        return Decision("online", f"Layanan {service.name} dapat diurus secara online.",
                        {"url": url, "steps": ONLINE_STEPS})
    reopens = calendar.reopens(visit.moment, visit.override)
    detail = {"reopens": reopens_fields(reopens)}
    when = ""
    if reopens is not None:
        detail["resumes_on"] = reopens.date().isoformat()
        when = " " + reopens_words(reopens.date(), reopens.time())
    return Decision("closed", f"Saat ini pelayanan tatap muka hanya untuk keperluan darurat.{when}", detail)


def _full(config: Config, visit: Visit) -> Decision | None:
    """The office's day limit first, then the service's own (SPEC order 4)."""
    come_back = "Silakan datang kembali pada hari kerja berikutnya."
    limit = config.admission.daily_limit
    if limit and visit.issued_today >= limit:
        return Decision("full", f"Kuota antrean hari ini ({limit}) sudah habis. {come_back}",
                        {"limit": "office"})
    own = visit.service.daily_limit
    if own and visit.issued_service >= own:
        return Decision("full", f"Kuota layanan {visit.service.name} hari ini ({own}) sudah habis. "
                                f"{come_back}", {"limit": "service", "service": visit.service.code})
    return None


ONLINE_STEPS = (
    "Buka alamat layanan online di ponsel atau komputer.",
    "Isi permohonan dan unggah dokumen persyaratan.",
    "Cetak sendiri dokumen yang terbit di kertas HVS biasa: dokumen sah dengan kode QR/barcode.",
)
