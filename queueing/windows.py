"""Dated windows: the config's (read-only) and the ones an office adds on /admin.

A window sets a mode for its days (a holiday is a ``closed`` window), postpones services,
or both. The office's windows live in the ``windows`` table; the calendar is built from
both lists and rebuilt only when the table changes (a revision read with the visit).
"""
from __future__ import annotations

import datetime as dt
import json
import threading

from .calendar import Calendar
from .config import MODES, Config, Window
from .model import BadInput

REFERENCE_MOST = 200  # characters of a window's reference (shown on the kiosk and the display)
# Read with every visit: changes whenever a window is added or deleted.
REVISION_SQL = "SELECT count(*) || '.' || count(deleted_at) FROM windows"


def window_view(window: Window, index: int | None = None) -> dict:
    """A window as the API gives it: a config window's id is "config-N" and it cannot be deleted."""
    view = {"id": window.id if window.source == "office" else f"config-{index}",
            "source": window.source, "from": window.start.isoformat(), "until": window.until.isoformat(),
            "mode": window.mode, "postponed": list(window.postponed), "reference": window.reference}
    if window.source == "office":
        view.update(created_by=window.created_by, created_at=window.created_at)
    return view


def from_row(row) -> Window:
    return Window(start=dt.date.fromisoformat(row["start"]), until=dt.date.fromisoformat(row["until"]),
                  mode=row["mode"], postponed=tuple(json.loads(row["postponed"])),
                  reference=row["reference"], source="office", id=row["id"],
                  created_by=row["created_by"], created_at=row["created_at"])


def parse_window(config: Config, data: dict) -> Window:
    """Check a window sent to POST /api/windows; refuse it with a sentence staff understand."""
    start, until = _date(data, "from"), _date(data, "until")
    if until < start:
        raise BadInput("Tanggal 'until' tidak boleh sebelum tanggal 'from'.", "bad_window")
    mode = data.get("mode")
    if mode is not None and mode not in MODES:
        raise BadInput("Mode harus normal, emergency_only, atau closed.", "bad_mode")
    postponed = data.get("postponed") or []
    if not isinstance(postponed, list) or not all(isinstance(code, str) for code in postponed):
        raise BadInput("'postponed' harus berupa daftar kode layanan.", "bad_window")
    for code in postponed:
        if not config.service(code):
            raise BadInput(f"Layanan {code!r} tidak dikenal.", "unknown_service")
    if not mode and not postponed:
        raise BadInput("Isi mode, layanan yang ditunda, atau keduanya.", "bad_window")
    reference = data.get("reference")
    if not isinstance(reference, str) or not reference.strip():
        raise BadInput("Isi keterangan: nama hari libur atau nomor surat.", "missing_field")
    if len(reference) > REFERENCE_MOST:
        raise BadInput(f"Keterangan paling banyak {REFERENCE_MOST} karakter.", "too_long")
    return Window(start=start, until=until, mode=mode, postponed=tuple(dict.fromkeys(postponed)),
                  reference=reference.strip(), source="office")


def _date(data: dict, key: str) -> dt.date:
    value = data.get(key)
    if not isinstance(value, str):
        raise BadInput(f"Kolom '{key}' wajib diisi dengan tanggal (YYYY-MM-DD).", "missing_field")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"'{key}' harus tanggal berformat YYYY-MM-DD.", "bad_date") from None


class OfficeCalendar:
    """The calendar in force: the config's windows and the office's, rebuilt when they change.

    Readers pass the revision they read (REVISION_SQL) in the same transaction as the rest of
    their reads, so another process's change is seen at the next visit without a re-read of
    the windows each time.
    """

    def __init__(self, config: Config):
        self.config = config
        self._lock = threading.Lock()
        self._revision: str | None = None
        self._calendar = Calendar.build(config)
        self._office: tuple[Window, ...] = ()

    def current(self, conn, revision: str | None = None) -> Calendar:
        """Return the calendar as of this transaction."""
        if revision is None:
            revision = conn.execute(REVISION_SQL).fetchone()[0]
        with self._lock:
            if revision != self._revision:
                self._office = tuple(from_row(row) for row in conn.execute(
                    "SELECT * FROM windows WHERE deleted_at IS NULL ORDER BY id"))
                self._calendar = Calendar.build(self.config, self._office)
                self._revision = revision
            return self._calendar

    def office_windows(self, conn) -> tuple[Window, ...]:
        self.current(conn)
        return self._office

    def views(self, conn) -> list[dict]:
        """Every window, the config's first (read-only), then the office's in the order added."""
        return [*(window_view(w, i) for i, w in enumerate(self.config.admission.windows)),
                *(window_view(w) for w in self.office_windows(conn))]
