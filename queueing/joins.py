"""Joining the queue from a phone (SPEC "The visitor's phone"): the hall screen shows a code
that changes every rotate_seconds, each accepted for twice that, so only someone who sees the
hall (or its page) can take a number without touching the kiosk.

A code is an HMAC of its period's number under a secret kept in the database: every process
sharing the database shows and accepts the same codes, and nothing is written per code.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets

from .config import Config
from .model import Clock, Forbidden, stamp
from .store import Store

KEY_LENGTH = 12  # base32 characters: 60 bits, never guessed within two minutes
EXPIRED_WORDS = ("Kode antrean ini sudah tidak berlaku. Silakan pindai lagi kode QR di layar aula untuk "
                 "mengambil nomor antrean.")


def key_for(secret: bytes, period: int) -> str:
    """The code shown during one period (a whole number of rotate_seconds since the epoch)."""
    digest = hmac.new(secret, str(period).encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:KEY_LENGTH].lower()


def period_of(moment: dt.datetime, rotate_seconds: int) -> int:
    return int(moment.timestamp()) // rotate_seconds


def accepted(secret: bytes, key: str, moment: dt.datetime, rotate_seconds: int) -> bool:
    """Whether key is this period's code or the last one's: shown at most rotate_seconds ago
    at its period's end, so a code is accepted for 2 × rotate_seconds from when it first shows."""
    if not isinstance(key, str) or len(key) != KEY_LENGTH:
        return False
    now = period_of(moment, rotate_seconds)
    return any(hmac.compare_digest(key.lower(), key_for(secret, period)) for period in (now, now - 1))


class Joins:
    """The join codes of one office's database, on its clock."""

    def __init__(self, config: Config, store: Store, clock: Clock):
        self.config, self.store, self.clock = config, store, clock
        self._secret: bytes | None = None

    @property
    def on(self) -> bool:
        return self.config.join is not None

    def secret(self) -> bytes:
        """The database's join secret, made on first use (and kept: a restart shows the same codes)."""
        if self._secret is None:
            with self.store.read() as conn:
                row = conn.execute("SELECT value FROM settings WHERE key = 'join_secret'").fetchone()
            if row is None:
                with self.store.write() as conn:
                    conn.execute("INSERT OR IGNORE INTO settings (key, value, updated_at, updated_by)"
                                 " VALUES ('join_secret', ?, ?, 'system')",
                                 (secrets.token_hex(32), stamp(self.clock())))
                    row = conn.execute("SELECT value FROM settings WHERE key = 'join_secret'").fetchone()
            self._secret = bytes.fromhex(row["value"])
        return self._secret

    def current(self) -> dict | None:
        """The code to show now, its page and until when it is shown; None when joining is off."""
        if not self.on:
            return None
        rotate = self.config.join.rotate_seconds
        now = self.clock()
        period = period_of(now, rotate)
        key = key_for(self.secret(), period)
        shown_until = dt.datetime.fromtimestamp((period + 1) * rotate, dt.timezone.utc)
        return {"url": f"/join/{key}", "key": key, "changes_at": stamp(shown_until),
                "rotate_seconds": rotate}

    def check(self, key) -> None:
        """Refuse a code that is not this period's or the last one's (403 join_expired), or any
        code while joining is off."""
        if not self.on or not accepted(self.secret(), key, self.clock(), self.config.join.rotate_seconds):
            raise Forbidden(EXPIRED_WORDS, "join_expired")
