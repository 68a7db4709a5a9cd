"""Notices the office edits without touching config.toml: the display's running text and each
service's notice (e.g. KTP-el postponed, "suket tetap berlaku"), stored with who and when."""
from __future__ import annotations

import json
import sqlite3

from .config import Config
from . import model
from .model import BadInput, Forbidden
from .store import Store

MAX_NOTICE = 500
RUNNING = "notice:running"


def service_key(code: str) -> str:
    return f"notice:service:{code}"


class Notices:
    """Read and change the notices; the config's texts are the defaults."""

    def __init__(self, config: Config, store: Store, clock):
        self.config, self.store, self.clock = config, store, clock

    def current(self, conn: sqlite3.Connection) -> dict:
        """The running text and every service's notice, each with when and by whom it was set."""
        saved = {r["key"]: r for r in conn.execute("SELECT * FROM settings WHERE key LIKE 'notice:%'")}
        return {"running": _notice(saved.get(RUNNING), self.config.office.notice),
                "services": {s.code: _notice(saved.get(service_key(s.code)), s.notice)
                             for s in self.config.services}}

    def service_notice(self, conn: sqlite3.Connection, code: str) -> str:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (service_key(code),)).fetchone()
        return json.loads(row["value"]) if row else self.config.service(code).notice

    def update(self, actor, running: str | None = None, services: dict | None = None) -> dict:
        """Change the running text and/or service notices (admin); return all notices."""
        if not actor.is_admin:
            raise Forbidden("Hanya admin yang dapat mengubah pengumuman.", "admin_only")
        changes = self._changes(running, services or {})
        with self.store.write() as conn:
            now = self.clock().isoformat(timespec="seconds")
            for key, text in changes.items():
                conn.execute("INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)"
                             " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
                             " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                             (key, json.dumps(text), now, actor.name))
            return self.current(conn)

    def _changes(self, running, services: dict) -> dict:
        if running is None and not services:
            raise BadInput("Tidak ada pengumuman yang diubah: kirim 'running' atau 'services'.", "missing_field")
        changes = {}
        if running is not None:
            changes[RUNNING] = _checked("running", running)
        if not isinstance(services, dict):
            raise BadInput("Kolom 'services' harus berupa objek {kode: teks}.", "bad_field")
        for code, text in services.items():
            model.known_service(self.config, code)
            changes[service_key(code)] = _checked(f"services.{code}", text)
        return changes


def _checked(name: str, text) -> str:
    if not isinstance(text, str) or len(text) > MAX_NOTICE:
        raise BadInput(f"Kolom '{name}' harus berupa teks paling banyak {MAX_NOTICE} karakter.", "bad_field")
    return text.strip()


def _notice(row, default: str) -> dict:
    if row is None:
        return {"text": default, "updated_at": None, "updated_by": None}
    return {"text": json.loads(row["value"]), "updated_at": row["updated_at"], "updated_by": row["updated_by"]}
