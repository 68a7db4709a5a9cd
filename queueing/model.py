"""The queue's rules as pure functions: statuses, allowed moves, numbering, admission."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Callable

from .config import Config, Service, Window

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
}

# the event each action announces on the live channel
EVENTS = {"call": "called", "recall": "recalled", "start": "started", "finish": "finished",
          "no_show": "no_show", "transfer": "transferred", "confirm": "verified",
          "reject": "redirected", "expire": "expired"}

PRIORITY_KINDS = ("lansia", "disabilitas", "ibu_hamil", "balita")


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
                "confirm": "dikonfirmasi", "reject": "ditolak", "expire": "dikedaluwarsakan"}


def next_status(action: str, status: str, number: str = "") -> str:
    """Return the status after action, or raise IllegalMove naming why."""
    sources, target = ACTIONS[action]
    if status not in sources:
        raise IllegalMove(f"Tiket {number} {STATUS_WORDS[status]}, tidak bisa "
                          f"{ACTION_WORDS[action]}.".replace("  ", " "))
    return status if target is None else target


def format_number(prefix: str, seq: int) -> str:
    """Return the ticket number: the prefix and the day's sequence, three digits at least."""
    return f"{prefix}{seq:03d}"


Clock = Callable[[], dt.datetime]  # the service's time: the machine's, or a test's


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


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
    """Sort key of the call order: priority tickets first, then by issue time."""
    return (0 if ticket["priority"] else 1, ticket["issued_at"], ticket["id"])


@dataclass(frozen=True)
class ModeInForce:
    mode: str
    source: str  # override | window | default
    window: Window | None = None


def mode_in_force(config: Config, override: str | None, today: dt.date) -> ModeInForce:
    """Return the admin's override, else the first window containing today, else the default."""
    if override:
        return ModeInForce(override, "override")
    for window in config.admission.windows:
        if window.contains(today):
            return ModeInForce(window.mode, "window", window)
    return ModeInForce(config.admission.mode, "default")


def resume_date(config: Config, mode: ModeInForce, today: dt.date) -> dt.date | None:
    """Return the day face-to-face service resumes, when a window says so."""
    if mode.source != "window":
        return None
    day = mode.window.until + dt.timedelta(days=1)
    for window in config.admission.windows:
        if window.contains(day) and window.mode != "normal":
            return None if window.mode == "closed" else day
    return day


@dataclass(frozen=True)
class Decision:
    outcome: str  # ticket | online | postponed | closed | full
    message: str = ""
    detail: dict = field(default_factory=dict)


DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")


def date_words(day: dt.date) -> str:
    """Return a date as an Indonesian reads it: 'Rabu, 8 April 2020'."""
    return f"{DAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"


def decide(config: Config, mode: ModeInForce, service: Service, reason: str | None,
           today: dt.date, issued_today: int, after_hours: bool = False) -> Decision:
    """Decide a visit's outcome, in SPEC's order: closed, postponed, online, full, ticket."""
    if mode.mode == "closed" or after_hours:
        return _closed(config, mode, today, after_hours)
    if service.postponed:
        return Decision("postponed", service.notice or f"Layanan {service.name} sedang ditunda.")
    if mode.mode == "emergency_only" and not reason:
        return _online_or_closed(config, mode, service, today)
    limit = config.admission.daily_limit
    if limit and issued_today >= limit:
        return Decision("full", f"Kuota antrean hari ini ({limit}) sudah habis. "
                                "Silakan datang kembali pada hari kerja berikutnya.")
    return Decision("ticket")


def _closed(config: Config, mode: ModeInForce, today: dt.date, after_hours: bool) -> Decision:
    if after_hours:
        closes = config.admission.closes_at.strftime("%H.%M")
        return Decision("closed", f"Pelayanan hari ini sudah ditutup pukul {closes}. "
                                  "Silakan datang kembali pada hari kerja berikutnya.")
    resume = resume_date(config, mode, today)
    if resume:
        return Decision("closed", f"Pelayanan tatap muka ditutup. Pelayanan dibuka kembali "
                                  f"{date_words(resume)}.", {"resumes_on": resume.isoformat()})
    return Decision("closed", "Pelayanan tatap muka sedang ditutup. Silakan datang kembali "
                              "pada hari kerja berikutnya.")


def _online_or_closed(config: Config, mode: ModeInForce, service: Service, today: dt.date) -> Decision:
    url = config.office.online_service_url
    if service.online and url:
        return Decision("online", f"Layanan {service.name} dapat diurus secara online.",
                        {"url": url, "steps": ONLINE_STEPS})
    resume = resume_date(config, mode, today)
    when = f" Pelayanan tatap muka dibuka kembali {date_words(resume)}." if resume else ""
    detail = {"resumes_on": resume.isoformat()} if resume else {}
    return Decision("closed", f"Saat ini pelayanan tatap muka hanya untuk keperluan darurat.{when}",
                    detail)


ONLINE_STEPS = (
    "Buka alamat layanan online di ponsel atau komputer.",
    "Isi permohonan dan unggah dokumen persyaratan.",
    "Cetak sendiri dokumen yang terbit di kertas HVS biasa: dokumen sah dengan kode QR/barcode.",
)
