"""Staff accounts and server-side sessions: hashed passwords, revocable logins."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

from .config import Config
from .model import Actor, BadInput, Clock, NotFound, stamp, utc_now
from .store import Store

ROLES = ("staff", "admin")
SESSION_IDLE = dt.timedelta(hours=12)  # a counter PC left open all day stays logged in
MIN_PASSWORD = 8


@functools.cache
def _dummy_hash() -> str:
    """Return a hash of no one's password, made like every account's (the same method and cost)."""
    return generate_password_hash(secrets.token_urlsafe(32))


def _hash_token(token: str) -> str:
    # Only a hash is stored: a copy of the database does not hold live session cookies.
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """Users and their sessions in the store."""

    def __init__(self, config: Config, store: Store, clock: Clock = utc_now):
        self.config, self.store, self.clock = config, store, clock

    # --- users (the CLI) ---

    def add_user(self, username: str, password: str, role: str, counters: list[int]) -> dict:
        """Create an account; staff must name at least one configured counter."""
        self._check_user(username, password, role, counters)
        with self.store.write() as conn:
            if conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
                raise BadInput(f"User {username!r} already exists.", "user_exists")
            conn.execute("INSERT INTO users (username, password_hash, role, counters, created_at)"
                         " VALUES (?, ?, ?, ?, ?)",
                         (username, generate_password_hash(password), role,
                          json.dumps(sorted(set(counters))), stamp(self.clock())))
        return self.user(username)

    def _check_user(self, username: str, password: str, role: str, counters: list[int]) -> None:
        if not username or len(username) > 64 or not username.replace("_", "").replace(".", "").isalnum():
            raise BadInput("Username must be 1-64 letters, digits, '.' or '_'.", "bad_username")
        self._check_password(password)
        if role not in ROLES:
            raise BadInput("Role must be staff or admin.", "bad_role")
        for counter_id in counters:
            if not self.config.counter(counter_id):
                raise BadInput(f"Counter {counter_id} is not in the config.", "unknown_counter")
        if role == "staff" and not counters:
            raise BadInput("A staff account needs at least one --counter.", "no_counter")

    def _check_password(self, password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise BadInput(f"Password must have at least {MIN_PASSWORD} characters.", "weak_password")

    def user(self, username: str) -> dict:
        with self.store.read() as conn:
            row = conn.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
        if row is None:
            raise NotFound(f"No user {username!r}.", "user_not_found")
        return _user_view(row)

    def users(self) -> list[dict]:
        with self.store.read() as conn:
            return [_user_view(r) for r in conn.execute("SELECT * FROM users ORDER BY username")]

    def set_disabled(self, username: str, disabled: bool = True) -> None:
        """Disable (or enable) an account; disabling also ends its sessions."""
        self.user(username)
        with self.store.write() as conn:
            conn.execute("UPDATE users SET disabled = ? WHERE username = ?", (int(disabled), username))
            if disabled:
                self._end_sessions(conn, username)

    def set_password(self, username: str, password: str) -> None:
        """Change a password and end the account's open sessions."""
        self.user(username)
        self._check_password(password)
        with self.store.write() as conn:
            conn.execute("UPDATE users SET password_hash = ? WHERE username = ?",
                         (generate_password_hash(password), username))
            self._end_sessions(conn, username)

    def _end_sessions(self, conn, username: str) -> None:
        conn.execute("UPDATE sessions SET ended_at = ? WHERE ended_at IS NULL AND user_id ="
                     " (SELECT id FROM users WHERE username = ?)", (stamp(self.clock()), username))

    # --- sessions (the API) ---

    def login(self, username: str, password: str) -> tuple[str, dict] | None:
        """Check a password; return a new session token and the session, or None."""
        with self.store.read() as conn:
            row = conn.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
        # An unknown or disabled name still pays for one hash check, so that its answer takes as
        # long as a wrong password's: the timing does not tell which names exist (issue 16).
        usable = row is not None and not row["disabled"]
        matches = check_password_hash(row["password_hash"] if usable else _dummy_hash(), password)
        if not (usable and matches):
            return None
        token, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), stamp(self.clock())
        with self.store.write() as conn:
            conn.execute("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen)"
                         " VALUES (?, ?, ?, ?, ?)", (_hash_token(token), row["id"], csrf, now, now))
        return token, self.session(token)

    def session(self, token: str | None) -> dict | None:
        """Return the live session for a cookie's token, or None; refreshes its idle timer."""
        if not token:
            return None
        with self.store.read() as conn:
            row = conn.execute(
                "SELECT s.id AS session_id, s.csrf_token, s.last_seen, u.* FROM sessions s"
                " JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.ended_at IS NULL"
                " AND u.disabled = 0", (_hash_token(token),)).fetchone()
        now = self.clock()
        if row is None or dt.datetime.fromisoformat(row["last_seen"]) + SESSION_IDLE < now:
            return None
        if now - dt.datetime.fromisoformat(row["last_seen"]) > dt.timedelta(minutes=5):
            self._touch(row["session_id"], now)
        return {**_user_view(row), "session_id": row["session_id"], "csrf_token": row["csrf_token"]}

    def live_session_ids(self, session_ids) -> set[int]:
        """Return which of these sessions are still live: not ended, not idle too long, the
        account enabled (a server asks this of its staff sockets' sessions)."""
        with self.store.read() as conn:
            rows = conn.execute(
                "SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id"
                " WHERE s.id IN (SELECT value FROM json_each(?)) AND s.ended_at IS NULL"
                " AND u.disabled = 0 AND s.last_seen >= ?",
                (json.dumps(list(session_ids)), stamp(self.clock() - SESSION_IDLE))).fetchall()
        return {row["id"] for row in rows}

    def _touch(self, session_id: int, now: dt.datetime) -> None:
        with self.store.write() as conn:
            conn.execute("UPDATE sessions SET last_seen = ? WHERE id = ?", (stamp(now), session_id))

    def logout(self, token: str) -> None:
        """End the session on the server: the cookie stops working everywhere."""
        with self.store.write() as conn:
            conn.execute("UPDATE sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
                         (stamp(self.clock()), _hash_token(token)))


def _user_view(row) -> dict:
    return {"user": row["username"], "role": row["role"], "counters": json.loads(row["counters"]),
            "disabled": bool(row["disabled"])}


def actor_of(session: dict, config: Config) -> Actor:
    """Return the Actor a session acts as; an admin acts at every counter."""
    counters = [c.id for c in config.counters] if session["role"] == "admin" else session["counters"]
    return Actor(session["user"], session["role"], tuple(counters))
