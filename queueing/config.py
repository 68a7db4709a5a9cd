"""Load config.toml into validated, frozen dataclasses.

Every key is checked and unknown keys are refused, so a typo stops the server
with a message naming the key (``services[2].prefix: must be one letter A-Z``)
instead of passing silently.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import limits

MODES = ("normal", "emergency_only", "closed")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PRINTER_TYPES = ("preview", "network", "usb", "serial", "file", "cups")


class ConfigError(ValueError):
    """The config file is invalid; the message names the key."""


_SPAN = re.compile(r"(\d\d):(\d\d)-(\d\d):(\d\d)")

Span = tuple[dt.time, dt.time | None]  # (opens, closes) of one day; closes None: until midnight


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


@dataclass(frozen=True)
class Office:
    name: str
    timezone: str
    online_service_url: str
    notice: str = ""  # the display's running text until an admin edits it

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Server:
    host: str = "0.0.0.0"
    port: int = 5000
    database: Path = Path("instance/antrian.db")
    threads: int = 100  # threads for requests, besides one per live connection (SPEC "Capacity")
    sockets: int = 1200  # live connections of phones and screens at once; staff and kiosks have their own
    secure_cookies: bool = False
    public_url: str = ""
    workers: int = 1  # server processes sharing the database (SPEC "Capacity")
    # reverse proxies (addresses or networks) whose X-Forwarded-For and -Proto are believed
    trusted_proxies: tuple[str, ...] = ()
    message_queue: str = ""  # "redis://HOST:PORT/DB": how the processes reach each other; needed past one


@dataclass(frozen=True)
class Window:
    """Dated rules, both ends included: a mode (a holiday is a closed window), services
    postponed, or both. The config's are read-only; the office adds its own on /admin
    (``source`` "office", with an id, who and when)."""

    start: dt.date
    until: dt.date
    mode: str | None = None
    postponed: tuple[str, ...] = ()
    reference: str = ""
    source: str = "config"
    id: int | None = None
    created_by: str = ""
    created_at: str = ""

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.until


@dataclass(frozen=True)
class Admission:
    mode: str = "normal"
    daily_limit: int = 0
    closes_at: dt.time | None = None
    windows: tuple[Window, ...] = ()


@dataclass(frozen=True)
class Limits:
    visits_per_kiosk: str = "20/minute"
    logins_per_address: str = "10/minute"
    logins_per_account: str = "10/minute"  # failed logins per user name, known or not (issue 16)
    sockets_per_address: int = 20  # live connections of one anonymous address at once; 0 = no bound
    requests_per_address: str = "600/minute"  # anonymous HTTP requests of one address
    bookings_per_address: str = "5/hour"  # bookings made from one address (SPEC "Booking ahead")
    joins_per_address: str = "3/hour"  # phone joins from one address (SPEC "The visitor's phone")


@dataclass(frozen=True)
class Queue:
    """[queue]: how a no-show who comes back is requeued (SPEC "The counter's day")."""

    requeue_minutes: int = 60  # a no-show may be requeued this long after it was marked
    requeue_after: int = 3  # placed after this many waiting tickets of its service


@dataclass(frozen=True)
class Join:
    """[join]: visitors take a number from their phone with the code on the hall screen."""

    rotate_seconds: int = 60  # the code changes this often; each is accepted for twice as long


@dataclass(frozen=True)
class Phone:
    """[phone]: the visitor's phone page."""

    alert_at: int = 3  # the page alerts when this many or fewer are ahead


# The nine elements of the Survei Kepuasan Masyarakat (Permenpan-RB 14/2017), as visitors read them.
SURVEY_ELEMENTS = (
    ("u1", "Persyaratan", "Requirements", "Kesesuaian persyaratan dengan jenis pelayanan",
     "Requirements fit the service"),
    ("u2", "Sistem, mekanisme dan prosedur", "Systems, mechanisms and procedures", "Kemudahan prosedur pelayanan",
     "How easy the procedure was"),
    ("u3", "Waktu penyelesaian", "Completion time", "Kecepatan waktu pelayanan", "How quickly you were served"),
    ("u4", "Biaya/tarif", "Cost/fees", "Kewajaran biaya/tarif pelayanan",
     "Fairness of the cost (civil registry services are free)"),
    ("u5", "Produk spesifikasi jenis pelayanan", "Product specification of the service",
     "Kesesuaian hasil pelayanan dengan yang dijanjikan", "The result matched what was promised"),
    ("u6", "Kompetensi pelaksana", "Staff competence", "Kemampuan petugas dalam melayani", "The staff's competence"),
    ("u7", "Perilaku pelaksana", "Staff conduct", "Kesopanan dan keramahan petugas",
     "The staff's courtesy and friendliness"),
    ("u8", "Penanganan pengaduan, saran dan masukan", "Handling of complaints and suggestions",
     "Penanganan pengaduan, saran dan masukan", "How complaints and suggestions are handled"),
    ("u9", "Sarana dan prasarana", "Facilities and infrastructure", "Kualitas sarana dan prasarana",
     "The quality of the premises and equipment"),
)


@dataclass(frozen=True)
class SurveyElement:
    code: str
    name: str  # the element's name in Permenpan-RB 14/2017 (reports)
    name_en: str
    text: str  # the question as visitors read it
    text_en: str


@dataclass(frozen=True)
class Survey:
    """[survey]: without the table there is no survey."""

    elements: tuple[SurveyElement, ...] = tuple(SurveyElement(*e) for e in SURVEY_ELEMENTS)


@dataclass(frozen=True)
class Booking:
    """[booking]: without the table there is no booking ahead."""

    days_ahead: int = 14  # bookable days: tomorrow up to this many days ahead
    slot_minutes: int = 60  # each open day's admission hours cut into slots from opening
    per_slot: int = 10  # bookings per service per slot
    late_minutes: int = 15  # check-in allowed until the slot's end plus this


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    label_en: str = ""


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    prefix: str
    online: bool = False
    postponed: bool = False
    notice: str = ""
    name_en: str = ""
    description: str = ""
    description_en: str = ""
    daily_limit: int = 0  # tickets of this service per service day; 0 = none
    bookable: bool = True  # can be booked ahead when [booking] is set
    target_wait: int | None = None  # minutes a visitor should wait at most (reports, the console's marks)


@dataclass(frozen=True)
class Counter:
    id: int
    name: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class Printer:
    type: str = "preview"
    host: str = ""
    port: int = 9100
    timeout: float = 3.0
    vendor_id: int = 0
    product_id: int = 0
    device: str = ""
    baudrate: int = 9600
    path: str = ""
    name: str = ""
    profile: str = ""
    paper_width: int = 80

    @property
    def prints(self) -> bool:
        """Whether tickets go to paper; a preview printer only shows them on the kiosk's screen."""
        return self.type != "preview"


@dataclass(frozen=True)
class Kiosk:
    id: str
    name: str = ""
    printer: Printer = field(default_factory=Printer)


@dataclass(frozen=True)
class Config:
    office: Office
    server: Server
    admission: Admission
    limits: Limits
    reasons: tuple[Reason, ...]
    services: tuple[Service, ...]
    counters: tuple[Counter, ...]
    kiosks: tuple[Kiosk, ...]
    hours: Hours | None = None  # None: admits all day, every day (closes_at may still end the day)
    booking: Booking | None = None  # None: no booking ahead
    queue: Queue = field(default_factory=Queue)
    join: Join | None = None  # None: no joining from a phone
    phone: Phone = field(default_factory=Phone)
    survey: Survey | None = None  # None: no survey
    path: Path | None = None

    def __post_init__(self):
        # Lookups by code or id, asked several times per request: built once (codes and ids are unique).
        object.__setattr__(self, "_by_key", {
            "service": {s.code: s for s in self.services}, "reason": {r.code: r for r in self.reasons},
            "counter": {c.id: c for c in self.counters}, "kiosk": {k.id: k for k in self.kiosks}})

    def service(self, code: str) -> Service | None:
        return self._by_key["service"].get(code)

    def reason(self, code: str) -> Reason | None:
        return self._by_key["reason"].get(code)

    def counter(self, counter_id: int) -> Counter | None:
        return self._by_key["counter"].get(counter_id)

    def kiosk(self, kiosk_id: str) -> Kiosk | None:
        return self._by_key["kiosk"].get(kiosk_id)


# --- reading helpers: each takes the table and the key path used in messages ---

class _Table:
    """A TOML table being read; remembers which keys were used."""

    def __init__(self, data: Any, where: str):
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: must be a table")
        self.data, self.where, self.used = data, where, set()

    def key(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name

    def get(self, name: str, kind: type | tuple, default: Any = ...) -> Any:
        self.used.add(name)
        if name not in self.data:
            if default is ...:
                raise ConfigError(f"{self.key(name)}: is required")
            return default
        value = self.data[name]
        if isinstance(value, bool) and kind in (int, float, (int, float)):
            raise ConfigError(f"{self.key(name)}: must be a number, not true/false")
        if not isinstance(value, kind):
            raise ConfigError(f"{self.key(name)}: must be {_kind_name(kind)}")
        return value

    def text(self, name: str, default: Any = ..., allow_empty: bool = True) -> str:
        value = self.get(name, str, default)
        if not allow_empty and not value.strip():
            raise ConfigError(f"{self.key(name)}: must not be empty")
        return value

    def table(self, name: str) -> "_Table":
        self.used.add(name)
        return _Table(self.data.get(name, {}), self.key(name))

    def tables(self, name: str) -> list["_Table"]:
        self.used.add(name)
        items = self.data.get(name, [])
        if not isinstance(items, list):
            raise ConfigError(f"{self.key(name)}: must be a list of tables ([[{name}]])")
        return [_Table(item, f"{self.key(name)}[{i}]") for i, item in enumerate(items)]

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise ConfigError(f"{self.key(unknown[0])}: unknown key")


def _kind_name(kind: type | tuple) -> str:
    names = {str: "a string", int: "a whole number", bool: "true or false",
             float: "a number", list: "a list", dt.date: "a date (YYYY-MM-DD)",
             (int, float): "a number"}
    return names.get(kind, str(kind))


def _one_of(table: _Table, name: str, choices: tuple, default: Any = ...) -> str:
    value = table.text(name, default)
    if value not in choices:
        raise ConfigError(f"{table.key(name)}: must be one of {', '.join(choices)}")
    return value


def _code(table: _Table, name: str) -> str:
    value = table.text(name)
    if not re.fullmatch(r"[a-z0-9_-]{1,32}", value):
        raise ConfigError(f"{table.key(name)}: must be 1-32 lowercase letters, digits, - or _")
    return value


def _positive(table: _Table, name: str, default: Any, kind: type | tuple = int) -> Any:
    value = table.get(name, kind, default)
    if value < 0:
        raise ConfigError(f"{table.key(name)}: must not be negative")
    return value


def _clock_time(table: _Table, name: str) -> dt.time | None:
    value = table.get(name, (str, dt.time), None)
    if value is None or isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{table.key(name)}: must be a time of day like \"15:00\"") from None


def _rate(table: _Table, name: str, default: str) -> str:
    value = table.text(name, default)
    if value:
        try:
            limits.parse(value)
        except ValueError:
            raise ConfigError(f"{table.key(name)}: must be a rate like \"20/minute\" or \"\"") from None
    return value


def _count(table: _Table, name: str, default: int) -> int:
    """A number of things at once, written 20 or "20"; "" or 0 turns the bound off."""
    value = table.get(name, (str, int), default)
    if isinstance(value, str):
        value = value.strip()
        if value and not value.isdigit():
            raise ConfigError(f"{table.key(name)}: must be a whole number like \"20\" or \"\"")
        value = int(value or 0)
    if isinstance(value, bool) or value < 0:
        raise ConfigError(f"{table.key(name)}: must be a whole number like \"20\" or \"\"")
    return value


def _unique(items: list, attr: str, where: str, what: str) -> None:
    seen = set()
    for i, item in enumerate(items):
        value = getattr(item, attr)
        if value in seen:
            raise ConfigError(f"{where}[{i}].{attr}: duplicate {what} {value!r}")
        seen.add(value)


# --- sections ---

def _office(t: _Table) -> Office:
    office = Office(
        name=t.text("name", allow_empty=False),
        timezone=t.text("timezone", "Asia/Jakarta"),
        online_service_url=t.text("online_service_url", ""),
        notice=t.text("notice", ""),
    )
    try:
        ZoneInfo(office.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{t.key('timezone')}: unknown time zone {office.timezone!r}") from None
    if office.online_service_url and not re.match(r"https?://", office.online_service_url):
        raise ConfigError(f"{t.key('online_service_url')}: must start with http:// or https://")
    t.finish()
    return office


def _server(t: _Table, base: Path) -> Server:
    port = t.get("port", int, 5000)
    if not 0 < port < 65536:
        raise ConfigError(f"{t.key('port')}: must be between 1 and 65535")
    threads = t.get("threads", int, 100)
    if not 16 <= threads <= 2000:
        raise ConfigError(f"{t.key('threads')}: must be between 16 and 2000")
    sockets = t.get("sockets", int, 1200)
    if not 20 <= sockets <= 5000:
        raise ConfigError(f"{t.key('sockets')}: must be between 20 and 5000")
    server = Server(
        host=t.text("host", "0.0.0.0", allow_empty=False),
        port=port,
        database=base / t.text("database", "instance/antrian.db", allow_empty=False),
        threads=threads,
        sockets=sockets,
        secure_cookies=t.get("secure_cookies", bool, False),
        public_url=t.text("public_url", ""),
        workers=t.get("workers", int, 1),
        trusted_proxies=_networks(t, "trusted_proxies"),
        message_queue=t.text("message_queue", ""),
    )
    if server.public_url and not re.match(r"https?://", server.public_url):
        raise ConfigError(f"{t.key('public_url')}: must start with http:// or https://")
    if not 1 <= server.workers <= 32:
        raise ConfigError(f"{t.key('workers')}: must be between 1 and 32")
    if server.message_queue and not re.match(r"rediss?://", server.message_queue):
        raise ConfigError(f"{t.key('message_queue')}: must be a Redis URL like \"redis://127.0.0.1:6379/0\"")
    if server.workers > 1 and not server.message_queue:
        raise ConfigError(f"{t.key('message_queue')}: is required when server.workers is more than 1 "
                          "(the processes announce every change to each other through it)")
    t.finish()
    return server


def _networks(t: _Table, name: str) -> tuple[str, ...]:
    """A list of IP addresses or networks ("127.0.0.1", "10.0.0.0/24")."""
    values = t.get(name, list, [])
    for i, value in enumerate(values):
        try:
            if not isinstance(value, str):
                raise TypeError(value)
            ipaddress.ip_network(value, strict=False)
        except (TypeError, ValueError):
            raise ConfigError(f"{t.key(name)}[{i}]: must be an IP address or network like \"127.0.0.1\"") from None
    return tuple(values)


def _window(t: _Table, service_codes: set[str]) -> Window:
    mode = t.get("mode", str, None)
    if mode is not None and mode not in MODES:
        raise ConfigError(f"{t.key('mode')}: must be one of {', '.join(MODES)}")
    postponed = t.get("postponed", list, [])
    for i, code in enumerate(postponed):
        if not isinstance(code, str) or code not in service_codes:
            raise ConfigError(f"{t.key('postponed')}[{i}]: unknown service {code!r}")
    window = Window(start=t.get("from", dt.date), until=t.get("until", dt.date), mode=mode,
                    postponed=tuple(postponed), reference=t.text("reference", ""))
    if isinstance(window.start, dt.datetime) or isinstance(window.until, dt.datetime):
        raise ConfigError(f"{t.key('from')}: must be a date without a time")
    if window.until < window.start:
        raise ConfigError(f"{t.key('until')}: must not be before from")
    if not mode and not postponed:
        raise ConfigError(f"{t.where}: sets neither mode nor postponed")
    t.finish()
    return window


def _admission(t: _Table, service_codes: set[str]) -> Admission:
    admission = Admission(
        mode=_one_of(t, "mode", MODES, "normal"),
        daily_limit=_positive(t, "daily_limit", 0),
        closes_at=_clock_time(t, "closes_at"),
        windows=tuple(_window(w, service_codes) for w in t.tables("windows")),
    )
    t.finish()
    return admission


def _hours(root: _Table, admission: Admission) -> Hours | None:
    """Read [hours]; without it, None (admits all day). closes_at belongs to the file without it."""
    root.used.add("hours")
    if "hours" not in root.data:
        return None
    if admission.closes_at is not None:
        raise ConfigError("admission.closes_at: not allowed with [hours]; each day closes at the end "
                          "of its hours")
    return parse_hours(root.data["hours"])


def _limits(t: _Table) -> Limits:
    result = Limits(
        visits_per_kiosk=_rate(t, "visits_per_kiosk", "20/minute"),
        logins_per_address=_rate(t, "logins_per_address", "10/minute"),
        logins_per_account=_rate(t, "logins_per_account", "10/minute"),
        sockets_per_address=_count(t, "sockets_per_address", 20),
        requests_per_address=_rate(t, "requests_per_address", "600/minute"),
        bookings_per_address=_rate(t, "bookings_per_address", "5/hour"),
        joins_per_address=_rate(t, "joins_per_address", "3/hour"),
    )
    t.finish()
    return result


def _booking(root: _Table, hours: Hours | None) -> Booking | None:
    """Read [booking]; its slots are cut from each day's hours, so it needs [hours]."""
    root.used.add("booking")
    if "booking" not in root.data:
        return None
    t = _Table(root.data["booking"], "booking")
    booking = Booking(days_ahead=t.get("days_ahead", int, 14), slot_minutes=t.get("slot_minutes", int, 60),
                      per_slot=t.get("per_slot", int, 10), late_minutes=_positive(t, "late_minutes", 15))
    for name, low, high in (("days_ahead", 1, 366), ("slot_minutes", 5, 24 * 60), ("per_slot", 1, 10_000)):
        if not low <= getattr(booking, name) <= high:
            raise ConfigError(f"booking.{name}: must be between {low} and {high}")
    if booking.late_minutes > 24 * 60:
        raise ConfigError("booking.late_minutes: must be at most 1440")
    t.finish()
    if hours is None:
        raise ConfigError("booking: needs [hours]; its slots are cut from each day's admission hours")
    return booking


def _reason(t: _Table) -> Reason:
    reason = Reason(code=_code(t, "code"), label=t.text("label", allow_empty=False),
                    label_en=t.text("label_en", ""))
    t.finish()
    return reason


def _service(t: _Table) -> Service:
    prefix = t.text("prefix")
    if not re.fullmatch(r"[A-Z]", prefix):
        raise ConfigError(f"{t.key('prefix')}: must be one letter A-Z")
    service = Service(
        code=_code(t, "code"), name=t.text("name", allow_empty=False), prefix=prefix,
        online=t.get("online", bool, False), postponed=t.get("postponed", bool, False),
        notice=t.text("notice", ""), name_en=t.text("name_en", ""),
        description=t.text("description", ""), description_en=t.text("description_en", ""),
        daily_limit=_positive(t, "daily_limit", 0), bookable=t.get("bookable", bool, True),
        target_wait=_target_wait(t),
    )
    t.finish()
    return service


def _target_wait(t: _Table) -> int | None:
    value = t.get("target_wait", int, None)
    if value is not None and not 1 <= value <= 24 * 60:
        raise ConfigError(f"{t.key('target_wait')}: must be between 1 and 1440 minutes")
    return value


def _queue(t: _Table) -> Queue:
    queue = Queue(requeue_minutes=t.get("requeue_minutes", int, 60), requeue_after=t.get("requeue_after", int, 3))
    for name, low, high in (("requeue_minutes", 0, 24 * 60), ("requeue_after", 0, 1000)):
        if not low <= getattr(queue, name) <= high:
            raise ConfigError(f"queue.{name}: must be between {low} and {high}")
    t.finish()
    return queue


def _join(root: _Table) -> Join | None:
    root.used.add("join")
    if "join" not in root.data:
        return None
    t = _Table(root.data["join"], "join")
    join = Join(rotate_seconds=t.get("rotate_seconds", int, 60))
    if not 10 <= join.rotate_seconds <= 3600:
        raise ConfigError("join.rotate_seconds: must be between 10 and 3600")
    t.finish()
    return join


def _phone(t: _Table) -> Phone:
    phone = Phone(alert_at=t.get("alert_at", int, 3))
    if not 0 <= phone.alert_at <= 100:
        raise ConfigError("phone.alert_at: must be between 0 and 100")
    t.finish()
    return phone


def _survey(root: _Table) -> Survey | None:
    """Read [survey]; [survey.questions] and [survey.questions_en] may reword u1..u9."""
    root.used.add("survey")
    if "survey" not in root.data:
        return None
    t = _Table(root.data["survey"], "survey")
    texts, texts_en = t.table("questions"), t.table("questions_en")
    elements = tuple(SurveyElement(code, name, name_en, texts.text(code, text, allow_empty=False),
                                   texts_en.text(code, text_en, allow_empty=False))
                     for code, name, name_en, text, text_en in SURVEY_ELEMENTS)
    texts.finish()
    texts_en.finish()
    t.finish()
    return Survey(elements)


def _counter(t: _Table, service_codes: set[str]) -> Counter:
    counter_id = t.get("id", int)
    if counter_id < 1:
        raise ConfigError(f"{t.key('id')}: must be 1 or more")
    services = t.get("services", list)
    for i, code in enumerate(services):
        if code not in service_codes:
            raise ConfigError(f"{t.key('services')}[{i}]: unknown service {code!r}")
    if not services:
        raise ConfigError(f"{t.key('services')}: must name at least one service")
    counter = Counter(id=counter_id, name=t.text("name", f"Loket {counter_id}", allow_empty=False),
                      services=tuple(services))
    t.finish()
    return counter


def _printer(t: _Table) -> Printer:
    kind = _one_of(t, "type", PRINTER_TYPES, "preview")
    printer = Printer(
        type=kind, host=t.text("host", ""), port=t.get("port", int, 9100),
        timeout=float(_positive(t, "timeout", 3.0, (int, float))),
        vendor_id=t.get("vendor_id", int, 0), product_id=t.get("product_id", int, 0),
        device=t.text("device", ""), baudrate=t.get("baudrate", int, 9600),
        path=t.text("path", ""), name=t.text("name", ""), profile=t.text("profile", ""),
        paper_width=t.get("paper_width", int, 80),
    )
    needs = {"network": "host", "usb": "vendor_id", "serial": "device", "file": "path", "cups": "name"}
    if kind in needs and not getattr(printer, needs[kind]):
        raise ConfigError(f"{t.key(needs[kind])}: is required for a {kind} printer")
    if printer.paper_width not in (58, 80):
        raise ConfigError(f"{t.key('paper_width')}: must be 58 or 80")
    t.finish()
    return printer


def _kiosk(t: _Table) -> Kiosk:
    kiosk_id = _code(t, "id")
    kiosk = Kiosk(id=kiosk_id, name=t.text("name", kiosk_id), printer=_printer(t.table("printer")))
    t.finish()
    return kiosk


def parse(data: dict, base: Path = Path("."), path: Path | None = None) -> Config:
    """Validate a decoded TOML document and build the frozen Config."""
    root = _Table(data, "")
    services = [_service(s) for s in root.tables("services")]
    _unique(services, "code", "services", "service code")
    _unique(services, "prefix", "services", "prefix")
    reasons = [_reason(r) for r in root.tables("reasons")]
    _unique(reasons, "code", "reasons", "reason code")
    codes = {s.code for s in services}
    counters = [_counter(c, codes) for c in root.tables("counters")]
    _unique(counters, "id", "counters", "counter id")
    kiosks = [_kiosk(k) for k in root.tables("kiosks")]
    _unique(kiosks, "id", "kiosks", "kiosk id")
    admission = _admission(root.table("admission"), codes)
    hours = _hours(root, admission)
    config = Config(
        office=_office(root.table("office")), server=_server(root.table("server"), base),
        admission=admission, limits=_limits(root.table("limits")),
        reasons=tuple(reasons), services=tuple(services), counters=tuple(counters),
        kiosks=tuple(kiosks), hours=hours, booking=_booking(root, hours), queue=_queue(root.table("queue")),
        join=_join(root), phone=_phone(root.table("phone")), survey=_survey(root), path=path,
    )
    root.finish()
    for name, items in (("services", services), ("counters", counters), ("kiosks", kiosks)):
        if not items:
            raise ConfigError(f"{name}: at least one is required")
    return config


def load(path: str | Path, overrides: dict | None = None) -> Config:
    """Read and validate a config file; overrides are merged over its tables."""
    path = Path(path).resolve()
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML ({e})") from None
    return parse(merge(data, overrides or {}), base=path.parent, path=path)


def merge(base: dict, overrides: dict) -> dict:
    """Merge overrides into a copy of base: tables merge, None removes, everything else replaces."""
    merged = dict(base)
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged
