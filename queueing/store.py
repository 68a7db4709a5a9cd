"""SQLite storage through sqlite-utils: migrations, a connection pool, one transaction per change.

SQLite runs in WAL with synchronous=FULL, so a ticket once acknowledged survives
a crash or a power cut (SPEC, "Running"). Visits that queue for the write lock while
another is written share its transaction, each in a savepoint of its own (group
commit; see Store.write): one commit, one wait on the disk, for all of them.
"""
from __future__ import annotations

import contextlib
import logging
import queue
import sqlite3
import threading
from pathlib import Path
from typing import Callable, Iterator

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

BUSY_TIMEOUT_MS = 15_000
# A change writes about a dozen pages to the WAL, so SQLite's default checkpoint (every
# 1,000 pages) would stall every 80th commit on copying pages and an fsync of the database
# file. Every 10,000 pages (about 40 MB of WAL) the stall comes ten times rarer; and in a
# running server a thread copies the WAL into the database every second beside the writer
# (Store.start_checkpoints), so the commit that reaches 10,000 pages finds little left to
# copy and only lets the WAL start again from its beginning.
WAL_AUTOCHECKPOINT_PAGES = 10_000
CHECKPOINT_SECONDS = 1.0
# At most this many changes share one commit, so the first of them waits for the disk
# behind at most this many others (a visit's block takes about 0.1-0.3 ms).
BATCH_MOST = 16
log = logging.getLogger(__name__)

migrations = Migrations("antrian")


def run_script(db: Database, script: str, separator: str) -> None:
    """Run each statement of a migration's SQL, split where separator says (a trigger's body
    holds semicolons of its own, so those scripts separate statements with a "--" line)."""
    for statement in script.split(separator):
        if statement.strip():
            db.execute(statement)


@migrations()
def m001_initial(db: Database) -> None:
    run_script(db, INITIAL_SCHEMA, ";\n")


INITIAL_SCHEMA = """
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    day TEXT NOT NULL,
    prefix TEXT NOT NULL,
    seq INTEGER NOT NULL,
    number TEXT NOT NULL,
    service TEXT NOT NULL,
    first_service TEXT NOT NULL,
    kiosk TEXT NOT NULL,
    reason TEXT,
    emergency TEXT CHECK (emergency IN ('claimed', 'confirmed', 'rejected')),
    priority INTEGER NOT NULL DEFAULT 0,
    priority_kind TEXT,
    status TEXT NOT NULL CHECK (status IN
        ('waiting', 'called', 'serving', 'done', 'no_show', 'redirected', 'expired')),
    counter_id INTEGER,
    token TEXT NOT NULL UNIQUE,
    issued_at TEXT NOT NULL,
    called_at TEXT,
    started_at TEXT,
    ended_at TEXT,
    recalls INTEGER NOT NULL DEFAULT 0,
    transfers INTEGER NOT NULL DEFAULT 0,
    UNIQUE (day, prefix, seq)
);
CREATE UNIQUE INDEX tickets_one_active_per_counter
    ON tickets (counter_id) WHERE status IN ('called', 'serving');
CREATE INDEX tickets_queue ON tickets (day, status, service, priority, issued_at);
CREATE TABLE day_numbers (
    day TEXT NOT NULL,
    prefix TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (day, prefix)
);
CREATE TABLE events (
    version INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    day TEXT NOT NULL,
    event TEXT NOT NULL,
    ticket_id INTEGER REFERENCES tickets (id),
    counter_id INTEGER,
    actor TEXT,
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_calls ON events (day, event);
CREATE TABLE visits (
    id INTEGER PRIMARY KEY,
    kiosk TEXT NOT NULL,
    request_id TEXT NOT NULL,
    day TEXT NOT NULL,
    at TEXT NOT NULL,
    service TEXT NOT NULL,
    reason TEXT,
    priority_kind TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('ticket', 'online', 'postponed', 'closed', 'full')),
    ticket_id INTEGER REFERENCES tickets (id),
    status_code INTEGER NOT NULL,
    response TEXT NOT NULL,
    UNIQUE (kiosk, request_id)
);
CREATE INDEX visits_day ON visits (day);
CREATE TABLE print_jobs (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER REFERENCES tickets (id),
    kiosk TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('ticket', 'slip')),
    status TEXT NOT NULL CHECK (status IN ('queued', 'printing', 'printed', 'failed')),
    payload TEXT NOT NULL DEFAULT '{}',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    paper TEXT CHECK (paper IN ('ok', 'low', 'out', 'unknown')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    next_attempt_at TEXT
);
CREATE INDEX print_jobs_due ON print_jobs (status, next_attempt_at);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('staff', 'admin')),
    counters TEXT NOT NULL DEFAULT '[]',
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    ended_at TEXT
);
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT,
    updated_at TEXT NOT NULL,
    updated_by TEXT
)
"""


@migrations()
def m002_queue_counts(db: Database) -> None:
    """Keep the number waiting per (day, service, priority) up to date with triggers.

    A new ticket's position and the waiting counts then cost one lookup instead of
    a count over the whole queue.
    """
    run_script(db, QUEUE_COUNTS, ";\n--\n")


QUEUE_COUNTS = """
CREATE TABLE queue_counts (
    day TEXT NOT NULL,
    service TEXT NOT NULL,
    priority INTEGER NOT NULL,
    waiting INTEGER NOT NULL,
    PRIMARY KEY (day, service, priority)
);
--
INSERT INTO queue_counts (day, service, priority, waiting)
    SELECT day, service, priority, count(*) FROM tickets WHERE status = 'waiting'
    GROUP BY day, service, priority;
--
CREATE TRIGGER queue_counts_issue AFTER INSERT ON tickets WHEN NEW.status = 'waiting' BEGIN
    INSERT INTO queue_counts VALUES (NEW.day, NEW.service, NEW.priority, 1)
        ON CONFLICT (day, service, priority) DO UPDATE SET waiting = waiting + 1;
END;
--
CREATE TRIGGER queue_counts_leave AFTER UPDATE OF status, service ON tickets
WHEN OLD.status = 'waiting' BEGIN
    UPDATE queue_counts SET waiting = waiting - 1
        WHERE day = OLD.day AND service = OLD.service AND priority = OLD.priority;
END;
--
CREATE TRIGGER queue_counts_join AFTER UPDATE OF status, service ON tickets
WHEN NEW.status = 'waiting' BEGIN
    INSERT INTO queue_counts VALUES (NEW.day, NEW.service, NEW.priority, 1)
        ON CONFLICT (day, service, priority) DO UPDATE SET waiting = waiting + 1;
END
"""


@migrations()
def m003_print_jobs_by_kiosk(db: Database) -> None:
    """Each kiosk's worker asks for its own due jobs: index them by kiosk first."""
    db.execute("DROP INDEX IF EXISTS print_jobs_due")
    db.execute("CREATE INDEX print_jobs_due ON print_jobs (kiosk, status, next_attempt_at)")


@migrations()
def m004_recent_calls(db: Database) -> None:
    """Every snapshot lists the day's last ten calls: an index in that order, of calls only,
    so a screen's snapshot costs the same at the day's first call and its thousandth."""
    db.execute("CREATE INDEX events_recent_calls ON events (day, version)"
               " WHERE event IN ('called', 'recalled')")


@migrations()
def m005_counters_kept_by_triggers(db: Database) -> None:
    """Let SQLite keep the day's numbering and each service's finished-ticket times itself.

    A visit then reads the last number and the estimate's history in the one SELECT it
    already makes, and writes its ticket in one INSERT: fewer statements inside the write
    lock, each of which would hand the lock holder's turn to another thread.
    """
    run_script(db, TRIGGER_COUNTERS, ";\n--\n")


TRIGGER_COUNTERS = """
CREATE TRIGGER day_numbers_issue AFTER INSERT ON tickets BEGIN
    INSERT INTO day_numbers (day, prefix, last) VALUES (NEW.day, NEW.prefix, NEW.seq)
        ON CONFLICT (day, prefix) DO UPDATE SET last = max(last, excluded.last);
END;
--
CREATE TABLE service_times (
    day TEXT NOT NULL,
    service TEXT NOT NULL,
    done INTEGER NOT NULL,
    seconds REAL NOT NULL,
    PRIMARY KEY (day, service)
);
--
INSERT INTO service_times (day, service, done, seconds)
    SELECT day, service, count(*), sum((julianday(ended_at) - julianday(started_at)) * 86400)
    FROM tickets WHERE status = 'done' AND started_at IS NOT NULL AND ended_at IS NOT NULL
    GROUP BY day, service;
--
CREATE TRIGGER service_times_done AFTER UPDATE OF status ON tickets
WHEN NEW.status = 'done' AND OLD.status <> 'done'
    AND NEW.started_at IS NOT NULL AND NEW.ended_at IS NOT NULL BEGIN
    INSERT INTO service_times VALUES (NEW.day, NEW.service, 1,
        (julianday(NEW.ended_at) - julianday(NEW.started_at)) * 86400)
        ON CONFLICT (day, service) DO UPDATE SET done = done + 1, seconds = seconds + excluded.seconds;
END
"""


@migrations()
def m006_issued_event_by_trigger(db: Database) -> None:
    """Log a new ticket's "issued" event inside the ticket's INSERT.

    A visit then writes its ticket, the ticket's event and (for a kiosk with a printer,
    see printjobs) its print job in one statement: each statement inside the write lock
    lets other threads run before the lock holder gets its turn back. The version is the
    event's rowid, which the visit knows beforehand: the newest version plus one.
    """
    db.execute("CREATE TRIGGER events_issued AFTER INSERT ON tickets BEGIN"
               " INSERT INTO events (at, day, event, ticket_id) VALUES (NEW.issued_at, NEW.day, 'issued', NEW.id);"
               " END")



@migrations()
def m007_kiosk_devices(db: Database) -> None:
    """Enrolled kiosk devices and their one-time enrollment codes (SPEC: kiosks are devices
    the office enrolls). Only hashes are kept, as for sessions: a copy of the database holds
    no working device cookie or enrollment link."""
    run_script(db, KIOSK_DEVICES, ";\n")


KIOSK_DEVICES = """
CREATE TABLE kiosk_enrollments (
    id INTEGER PRIMARY KEY,
    kiosk TEXT NOT NULL,
    code_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    revoked_at TEXT
);
CREATE TABLE kiosk_devices (
    id INTEGER PRIMARY KEY,
    kiosk TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX kiosk_devices_kiosk ON kiosk_devices (kiosk)
"""


@migrations()
def m008_office_windows(db: Database) -> None:
    """The windows an office adds on /admin (holidays, emergency-only periods, postponements);
    the config's stay in the file. A deleted window keeps its row, marked, for the record."""
    run_script(db, OFFICE_WINDOWS, ";\n")


OFFICE_WINDOWS = """
CREATE TABLE windows (
    id INTEGER PRIMARY KEY,
    start TEXT NOT NULL,
    until TEXT NOT NULL,
    mode TEXT,
    postponed TEXT NOT NULL DEFAULT '[]',
    reference TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    deleted_at TEXT,
    deleted_by TEXT
)
"""


@migrations()
def m009_bookings(db: Database) -> None:
    """Booking ahead: a booking holds a place in a slot until it is checked in (its ticket then
    queues from the slot's start: tickets.queue_at), cancelled or missed. Walk-ins queue from
    their issue time, so queue_at is issued_at for every ticket written before bookings."""
    run_script(db, BOOKINGS, ";\n")


BOOKINGS = """
CREATE TABLE bookings (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    token TEXT NOT NULL UNIQUE,
    service TEXT NOT NULL,
    day TEXT NOT NULL,
    start TEXT NOT NULL,
    end TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('booked', 'checked_in', 'cancelled', 'missed')),
    request_id TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    ended_at TEXT,
    ticket_id INTEGER
);
CREATE INDEX bookings_slot ON bookings (day, service, start, status);
CREATE INDEX bookings_held ON bookings (day, status, service);
ALTER TABLE tickets ADD COLUMN queue_at TEXT;
ALTER TABLE tickets ADD COLUMN booking_id INTEGER;
UPDATE tickets SET queue_at = issued_at;
DROP INDEX tickets_queue;
CREATE INDEX tickets_queue ON tickets (day, status, service, priority, queue_at)
"""


@migrations()
def m010_counter_pauses(db: Database) -> None:
    """A counter's pauses (break, prayer, meeting, other): one open row per paused counter."""
    run_script(db, COUNTER_PAUSES, ";\n")


COUNTER_PAUSES = """
CREATE TABLE counter_pauses (
    id INTEGER PRIMARY KEY,
    counter_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    reason TEXT NOT NULL,
    started_at TEXT NOT NULL,
    started_by TEXT NOT NULL,
    ended_at TEXT,
    ended_by TEXT
);
CREATE UNIQUE INDEX counter_pauses_open ON counter_pauses (counter_id) WHERE ended_at IS NULL
"""


@migrations()
def m011_ticket_source(db: Database) -> None:
    """How each ticket came (a walk-in at a kiosk, a booking checked in, a ticket staff issued
    at a desk, a phone's join) and who issued a desk ticket; how often a no-show was requeued."""
    run_script(db, TICKET_SOURCE, ";\n")


TICKET_SOURCE = """
ALTER TABLE tickets ADD COLUMN source TEXT NOT NULL DEFAULT 'walk_in';
ALTER TABLE tickets ADD COLUMN issued_by TEXT;
ALTER TABLE tickets ADD COLUMN requeues INTEGER NOT NULL DEFAULT 0;
UPDATE tickets SET source = 'booked' WHERE booking_id IS NOT NULL
"""


@migrations()
def m012_survey(db: Database) -> None:
    """The satisfaction survey's answers (SKM): the day, service and counter they are about and
    nothing that leads back to a ticket or a visitor; a ticket only records that it was answered."""
    run_script(db, SURVEY, ";\n")


SURVEY = """
CREATE TABLE survey_answers (
    id INTEGER PRIMARY KEY,
    day TEXT NOT NULL,
    service TEXT NOT NULL,
    counter_id INTEGER,
""" + "".join(f"    u{i} INTEGER NOT NULL CHECK (u{i} BETWEEN 1 AND 4),\n" for i in range(1, 10)) + """
    comment TEXT CHECK (length(comment) <= 500)
);
CREATE INDEX survey_answers_day ON survey_answers (day);
ALTER TABLE tickets ADD COLUMN surveyed INTEGER NOT NULL DEFAULT 0
"""


def connect(path: Path) -> sqlite3.Connection:
    """Open a connection in autocommit mode, so that transactions are ours to begin."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                           timeout=BUSY_TIMEOUT_MS / 1000)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


class Batch:
    """Blocks of write(batch=True) sharing one transaction: how many so far, and its commit."""

    def __init__(self):
        self.changes = 0  # the blocks that wrote into it so far
        self.committed = threading.Event()
        self.error: Exception | str | None = None


class Store:
    """The database file: a small pool of connections and the write transaction."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        # One writer at a time inside this process: threads queue here instead of
        # spinning in SQLite's busy handler; other processes still meet BEGIN IMMEDIATE.
        self._write_lock = threading.Lock()
        # and one connection for all of them, whose page cache stays valid from one change to
        # the next: a connection whose last transaction is older than another's commit must
        # drop its whole cache and read every page a visit touches again.
        self._writer: sqlite3.Connection | None = None
        self._writer_setups: list[Callable[[sqlite3.Connection], None]] = []
        self._after_commit: list = []  # touched only by the thread holding the write lock
        self._waiting_writers: list = []  # an item per thread queued for the write lock in write()
        self._batch: Batch | None = None  # the open shared transaction, see write(batch=True)
        # called with each new transaction, holding the file's write lock (several processes: catch up)
        self.on_begin: Callable[[sqlite3.Connection], None] | None = None
        self._checkpoints_stop = threading.Event()
        self.last_checkpoint: tuple[int, int, int] | None = None  # (busy, WAL frames, copied)
        self.migrate()

    def migrate(self) -> None:
        """Switch to WAL and apply pending migrations, under the write lock of the file."""
        conn = connect(self.path)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            try:
                migrations.apply(Database(conn))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        finally:
            conn.close()

    @contextlib.contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """Lend a pooled connection for the length of the block."""
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = connect(self.path)
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._idle.put(conn)

    @contextlib.contextmanager
    def write(self, batch: bool = False) -> Iterator[sqlite3.Connection]:
        """Run the block as one BEGIN IMMEDIATE transaction: all of it or none of it.

        Callbacks registered with after_commit() run once it has committed, still
        holding the write lock, so changes are announced in the order they were made.

        batch=True (group commit): if other threads are queued for the write lock when
        the block ends, its transaction stays open for them, and the blocks that ask for it
        too join it, each in a savepoint of its own, so that a block that raises undoes
        only its own writes. The last of them (or the BATCH_MOST-th) commits for all. Each
        block returns only once that commit is done; if the commit fails, each raises.
        A block that does not ask to share commits an open batch first, and runs alone.
        """
        self._waiting_writers.append(None)
        self._write_lock.acquire()
        self._waiting_writers.pop()
        shared = None
        try:
            conn = self._writer or self._open_writer()
            if not batch:
                self._end_batch()
            shared = self._batch
            if shared is None:
                conn.execute("BEGIN IMMEDIATE")
                if self.on_begin is not None:
                    self._begun(conn)
            else:
                conn.execute(f"SAVEPOINT change{shared.changes}")
            mark = len(self._after_commit)
            try:
                yield conn
            except BaseException:
                self._undo(conn, shared, mark)
                raise
            if not batch:
                self._commit(conn)
                return
            if shared is None:
                shared = self._batch = Batch()
            shared.changes += 1
        finally:
            if self._batch is not None and (not self._waiting_writers or self._batch.changes >= BATCH_MOST):
                self._end_batch()
            self._write_lock.release()
        shared.committed.wait()
        if shared.error is not None:
            raise sqlite3.OperationalError(f"the change could not be committed: {shared.error}")

    def _begun(self, conn: sqlite3.Connection) -> None:
        """Run on_begin; its failure must not cost the change (it is retried at the next one)."""
        try:
            self.on_begin(conn)
        except Exception:
            log.exception("the work at the start of a transaction failed")

    @property
    def queued(self) -> int:
        """How many threads wait for the write lock in write() now."""
        return len(self._waiting_writers)

    def _undo(self, conn: sqlite3.Connection, shared: Batch | None, mark: int) -> None:
        """Roll back the block that raised: its whole transaction, or only its savepoint
        in a batch (whose other changes stand)."""
        del self._after_commit[mark:]
        if shared is None:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            return
        shared.changes += 1
        if conn.in_transaction:
            conn.execute(f"ROLLBACK TO change{shared.changes - 1}")
            return
        # SQLite rolled back the whole transaction itself (a full disk, say): the batch is lost
        self._after_commit.clear()
        self._batch = None
        shared.error = "the shared transaction was rolled back"
        shared.committed.set()

    def _commit(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("COMMIT")
        except BaseException:
            self._after_commit.clear()
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # the change is committed: a failed announcement must not undo the answer
                log.exception("after-commit callback failed")

    def _end_batch(self) -> None:
        """Commit the open batch, if any (under the write lock), and wake its blocks' threads,
        with the error if it failed."""
        shared, self._batch = self._batch, None
        if shared is None:
            return
        shared.error = "interrupted"
        try:
            self._commit(self._writer)
            shared.error = None
        except Exception as error:
            shared.error = error
        finally:
            shared.committed.set()

    def execute(self, sql: str, params=(), durable: bool = True) -> int:
        """Run one statement as a transaction of its own and return how many rows it changed.

        SQLite holds the file's write lock only inside the one call that runs it: no Python
        runs under that lock, so a second process that writes (the print process, with a
        thread per printer) never keeps it while one of its threads waits for its turn to
        run, and the server's visits never wait on that.

        durable=False commits without waiting for the disk (synchronous=NORMAL): a power cut
        may lose the change, but never corrupts the file, and the next durable commit takes
        it to the disk too. Only for what may be done again: a print attempt's outcome.
        """
        with self._write_lock:
            conn = self._writer or self._open_writer()
            self._end_batch()
            if not durable:
                conn.execute("PRAGMA synchronous = NORMAL")
            try:
                return conn.execute(sql, params).rowcount  # autocommit: committed when it returns
            finally:
                if not durable:
                    conn.execute("PRAGMA synchronous = FULL")

    def prepare_writer(self, setup: Callable[[sqlite3.Connection], None]) -> None:
        """Run setup (e.g. TEMP triggers of this process) on the writer connection: now if it is
        open, and each time it is opened."""
        with self._write_lock:
            self._writer_setups.append(setup)
            self._end_batch()
            if self._writer is not None:
                setup(self._writer)

    def _open_writer(self) -> sqlite3.Connection:
        conn = connect(self.path)
        for setup in self._writer_setups:
            setup(conn)
        self._writer = conn
        return conn

    def after_commit(self, callback) -> None:
        """Run callback when the current write transaction commits (never if it rolls back)."""
        self._after_commit.append(callback)

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Run the block in one read transaction, so that it sees one consistent state."""
        with self.connection() as conn:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")

    def database(self) -> Database:
        """Return a sqlite-utils Database on a fresh connection (CLI, reports, tests)."""
        return Database(connect(self.path))

    def start_checkpoints(self, every: float = CHECKPOINT_SECONDS) -> threading.Thread:
        """Copy committed pages from the WAL into the database file every few seconds, on a
        connection and thread of its own: a PASSIVE checkpoint waits for no reader or writer,
        and no visit waits for it (SQLite's own checkpoint runs inside a commit)."""
        def loop():
            conn = connect(self.path)
            try:
                while not self._checkpoints_stop.wait(every):
                    try:
                        self.last_checkpoint = tuple(conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())
                    except sqlite3.Error:  # a busy or failing disk: the commits' own checkpoint remains
                        log.exception("WAL checkpoint failed; trying again")
            finally:
                conn.close()

        thread = threading.Thread(target=loop, name="wal-checkpoint", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """Stop the checkpoints; close the writer's and the idle connections."""
        self._checkpoints_stop.set()
        with self._write_lock:
            self._end_batch()
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return
