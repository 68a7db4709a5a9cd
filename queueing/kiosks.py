"""Enrolled kiosk devices: one-time enrollment codes, long-lived device tokens, revocation.

A kiosk is a device the office enrolls (SPEC, "HTTP API"): a visitor's phone on the office
Wi-Fi must not be able to act as one. Whoever opens a kiosk's one-time enrollment link (made
by the CLI or by an admin) gets a device token, kept by the browser in an HttpOnly cookie;
visits, slips and the kiosk's socket room need it. Only SHA-256 hashes are stored.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time

from .config import Config
from .model import Clock, Forbidden, NotFound, stamp, utc_now
from .store import Store

ENROLLMENT_VALID = dt.timedelta(hours=24)
# How long a device found valid is believed without asking the database again. A revocation
# made in this process takes effect at once; one made by the CLI (another process) within this.
CACHE_SECONDS = 1.0


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class NotEnrolled(Forbidden):
    code = "kiosk_not_enrolled"


class KioskDevices:
    """The kiosks' enrolled devices in the store."""

    def __init__(self, config: Config, store: Store, clock: Clock = utc_now):
        self.config, self.store, self.clock = config, store, clock
        self._valid: dict[tuple[str, str], tuple[int, float]] = {}  # (kiosk, hash) -> (device, until)
        self._lock = threading.Lock()

    def new_enrollment(self, kiosk: str, by: str) -> tuple[str, dt.datetime]:
        """Make a one-time enrollment code for a kiosk, valid for 24 hours."""
        self._known(kiosk)
        code, now = secrets.token_urlsafe(24), self.clock()
        with self.store.write() as conn:
            conn.execute("INSERT INTO kiosk_enrollments (kiosk, code_hash, created_at, created_by, expires_at)"
                         " VALUES (?, ?, ?, ?, ?)",
                         (kiosk, _hash(code), stamp(now), by, stamp(now + ENROLLMENT_VALID)))
        return code, now + ENROLLMENT_VALID

    def enroll(self, kiosk: str, code: str) -> str:
        """Use a one-time code: return a new device token for the kiosk, or raise NotEnrolled."""
        self._known(kiosk)
        now = stamp(self.clock())
        with self.store.write() as conn:
            used = conn.execute(
                "UPDATE kiosk_enrollments SET used_at = ? WHERE code_hash = ? AND kiosk = ?"
                " AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
                (now, _hash(code), kiosk, now)).rowcount
            if not used:
                raise NotEnrolled("Tautan pendaftaran kios ini tidak berlaku: sudah dipakai, dicabut, "
                                  "atau lewat 24 jam. Minta tautan baru kepada admin.")
            return self._add_device(conn, kiosk, f"enrollment link ({now})")

    def enroll_directly(self, kiosk: str, by: str) -> str:
        """Enroll the browser in front of an admin: return a new device token for the kiosk."""
        self._known(kiosk)
        with self.store.write() as conn:
            return self._add_device(conn, kiosk, by)

    def _add_device(self, conn, kiosk: str, by: str) -> str:
        token = secrets.token_urlsafe(32)
        conn.execute("INSERT INTO kiosk_devices (kiosk, token_hash, created_at, created_by) VALUES (?, ?, ?, ?)",
                     (kiosk, _hash(token), stamp(self.clock()), by))
        return token

    def device(self, kiosk: str, token: str | None) -> int | None:
        """Return the id of the live device that token enrolls for kiosk, or None."""
        if not token or len(token) > 128:
            return None
        key, now = (kiosk, _hash(token)), time.monotonic()
        cached = self._valid.get(key)
        if cached and cached[1] > now:
            return cached[0]
        with self.store.read() as conn:
            row = conn.execute("SELECT id FROM kiosk_devices WHERE token_hash = ? AND kiosk = ?"
                               " AND revoked_at IS NULL", key[::-1]).fetchone()
        if row is None:
            self._valid.pop(key, None)
            return None
        with self._lock:
            self._valid[key] = (row["id"], now + CACHE_SECONDS)
        return row["id"]

    def require(self, kiosk: str, token: str | None) -> int:
        """Return the device id, or raise NotEnrolled (403) with what the office must do."""
        device = self.device(kiosk, token)
        if device is None:
            raise NotEnrolled(f"Perangkat ini belum terdaftar sebagai kios {kiosk!r}. Admin dapat "
                              "mendaftarkannya di halaman /admin (bagian Kios).")
        return device

    def revoke(self, kiosk: str, by: str) -> int:
        """End every device of a kiosk and its unused enrollment codes; return the devices ended."""
        self._known(kiosk)
        now = stamp(self.clock())
        with self.store.write() as conn:
            ended = conn.execute("UPDATE kiosk_devices SET revoked_at = ? WHERE kiosk = ? AND revoked_at IS NULL",
                                 (now, kiosk)).rowcount
            conn.execute("UPDATE kiosk_enrollments SET revoked_at = ? WHERE kiosk = ? AND used_at IS NULL"
                         " AND revoked_at IS NULL", (now, kiosk))
        with self._lock:
            self._valid = {k: v for k, v in self._valid.items() if k[0] != kiosk}
        return ended

    def revoked(self, device_ids: list[int]) -> set[int]:
        """Return which of these devices are revoked (the server drops their sockets)."""
        if not device_ids:
            return set()
        marks = ",".join("?" * len(device_ids))
        with self.store.read() as conn:
            rows = conn.execute(f"SELECT id FROM kiosk_devices WHERE revoked_at IS NOT NULL AND id IN ({marks})",
                                device_ids)
            return {r["id"] for r in rows}

    def summary(self) -> list[dict]:
        """Each configured kiosk with its live devices and pending enrollment links."""
        now = stamp(self.clock())
        with self.store.read() as conn:
            devices = {r["kiosk"]: r for r in conn.execute(
                "SELECT kiosk, count(*) AS devices, max(created_at) AS last_enrolled FROM kiosk_devices"
                " WHERE revoked_at IS NULL GROUP BY kiosk")}
            pending = {r["kiosk"]: r["n"] for r in conn.execute(
                "SELECT kiosk, count(*) AS n FROM kiosk_enrollments WHERE used_at IS NULL"
                " AND revoked_at IS NULL AND expires_at > ? GROUP BY kiosk", (now,))}
        return [{"id": k.id, "name": k.name, "printer": k.printer.type,
                 "devices": devices[k.id]["devices"] if k.id in devices else 0,
                 "last_enrolled": devices[k.id]["last_enrolled"] if k.id in devices else None,
                 "pending_links": pending.get(k.id, 0)} for k in self.config.kiosks]

    def _known(self, kiosk: str) -> None:
        if not self.config.kiosk(kiosk):
            raise NotFound(f"Kios {kiosk!r} tidak ada di konfigurasi.", "unknown_kiosk")
