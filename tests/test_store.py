"""The write transaction, and group commit: visits queued for the write lock share one commit."""
from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from queueing import store as storage
from queueing.store import Store


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "antrian.db")
    with store.write() as conn:
        conn.execute("CREATE TABLE notes (text TEXT NOT NULL)")
        conn.execute("CREATE TABLE parents (id INTEGER PRIMARY KEY)")
        conn.execute("CREATE TABLE children (parent INTEGER REFERENCES parents (id)"
                     " DEFERRABLE INITIALLY DEFERRED)")
    yield store
    store.close()


def committed_notes(store) -> list[str]:
    """What another connection sees: only what has been committed."""
    with sqlite3.connect(store.path) as conn:
        return sorted(row[0] for row in conn.execute("SELECT text FROM notes"))


class Writers:
    """One change holds the write lock until the others have queued behind it, so that
    they find its transaction open; each change records what it saw when it returned."""

    def __init__(self, store):
        self.store = store
        self.statements: list[str] = []
        self.announced: list[str] = []
        self.seen_on_return: dict[str, list[str]] = {}
        self.errors: dict[str, BaseException] = {}
        self._entered = threading.Event()
        self._release = threading.Event()
        self._threads: list[threading.Thread] = []

    def first(self, text: str, batch: bool = True) -> None:
        def hold(conn):
            conn.set_trace_callback(self.statements.append)
            self._entered.set()
            assert self._release.wait(10)
        self._start(text, batch, hold)
        assert self._entered.wait(10)

    def then(self, text: str, batch: bool = True, before=None) -> None:
        queued = self.store.queued
        self._start(text, batch, before)
        deadline = time.monotonic() + 10
        while self.store.queued <= queued:
            assert time.monotonic() < deadline, "the writer never queued for the lock"
            time.sleep(0.001)

    def finish(self) -> None:
        self._release.set()
        for thread in self._threads:
            thread.join(10)
            assert not thread.is_alive()

    def commits(self) -> int:
        return self.statements.count("COMMIT")

    def _start(self, text, batch, before) -> None:
        def run():
            try:
                with self.store.write(batch=batch) as conn:
                    conn.execute("INSERT INTO notes (text) VALUES (?)", (text,))
                    self.store.after_commit(lambda: self.announced.append(text))
                    if before:
                        before(conn)
                self.seen_on_return[text] = committed_notes(self.store)
            except BaseException as error:  # noqa: BLE001 - the test asserts on it
                self.errors[text] = error
        thread = threading.Thread(target=run)
        self._threads.append(thread)
        thread.start()


def test_changes_queued_behind_an_open_one_share_its_commit_and_each_returns_once_it_is_done(store):
    writers = Writers(store)
    writers.first("a")
    writers.then("b")
    writers.then("c")
    writers.finish()

    assert writers.errors == {}
    assert committed_notes(store) == ["a", "b", "c"]
    assert writers.commits() == 1
    savepoints = [s for s in writers.statements if s.startswith("SAVEPOINT")]
    assert savepoints == ["SAVEPOINT change1", "SAVEPOINT change2"]
    for text in "abc":  # none returned before its change could be read by anyone
        assert text in writers.seen_on_return[text]
    assert writers.announced[0] == "a" and sorted(writers.announced) == ["a", "b", "c"]


def test_a_change_that_raises_in_a_shared_transaction_undoes_only_its_own_writes(store):
    def fail(conn):
        raise ValueError("no")
    writers = Writers(store)
    writers.first("a")
    writers.then("b", before=fail)
    writers.then("c")
    writers.finish()

    assert isinstance(writers.errors.pop("b"), ValueError)
    assert writers.errors == {}
    assert committed_notes(store) == ["a", "c"]
    assert sorted(writers.announced) == ["a", "c"]
    assert writers.commits() == 1


def test_when_the_shared_commit_fails_every_change_in_it_raises_and_none_is_kept(store):
    def orphan(conn):  # a deferred foreign key fails only at COMMIT
        conn.execute("INSERT INTO children (parent) VALUES (99)")
    writers = Writers(store)
    writers.first("a")
    writers.then("b", before=orphan)
    writers.then("c")
    writers.finish()

    assert sorted(writers.errors) == ["a", "b", "c"]
    assert all(isinstance(e, sqlite3.OperationalError) for e in writers.errors.values())
    assert "could not be committed" in str(writers.errors["a"])
    assert committed_notes(store) == []
    assert writers.announced == []
    with store.write(batch=True) as conn:  # and the store goes on
        conn.execute("INSERT INTO notes (text) VALUES ('d')")
    assert committed_notes(store) == ["d"]


def test_when_sqlite_rolls_back_the_whole_shared_transaction_every_change_in_it_raises(store):
    def roll_back_everything(conn):  # OR ROLLBACK ends the whole transaction, not the statement
        conn.execute("INSERT INTO parents (id) VALUES (1)")
        conn.execute("INSERT OR ROLLBACK INTO parents (id) VALUES (1)")
    writers = Writers(store)
    writers.first("a")
    writers.then("b", before=roll_back_everything)
    writers.finish()

    assert isinstance(writers.errors["b"], sqlite3.IntegrityError)
    assert "could not be committed" in str(writers.errors["a"])
    assert committed_notes(store) == []
    with store.write(batch=True) as conn:  # the next change announces only itself
        conn.execute("INSERT INTO notes (text) VALUES ('c')")
        store.after_commit(lambda: writers.announced.append("c"))
    assert writers.announced == ["c"]
    assert committed_notes(store) == ["c"]


def test_a_change_that_does_not_share_commits_the_open_batch_first_and_then_its_own_alone(store):
    writers = Writers(store)
    writers.first("a")
    writers.then("b", batch=False)
    writers.finish()

    assert writers.errors == {}
    assert writers.announced == ["a", "b"]
    assert writers.commits() == 2
    assert "SAVEPOINT change1" not in writers.statements


def test_no_more_than_batch_most_changes_share_one_commit(store, monkeypatch):
    monkeypatch.setattr(storage, "BATCH_MOST", 2)
    writers = Writers(store)
    writers.first("a")
    for text in "bcd":
        writers.then(text)
    writers.finish()

    assert writers.errors == {}
    assert committed_notes(store) == ["a", "b", "c", "d"]
    assert writers.commits() == 2


def test_a_change_alone_commits_at_once_as_before(store):
    statements = []
    with store.write(batch=True) as conn:
        conn.set_trace_callback(statements.append)
        conn.execute("INSERT INTO notes (text) VALUES ('a')")
    assert committed_notes(store) == ["a"]
    assert statements[-1] == "COMMIT"


def test_a_visits_one_read_finds_every_part_by_an_index_however_long_the_queue(tmp_path):
    """The queue may hold hundreds of waiting tickets at a busy hour: no part of the read a
    visit makes inside the write lock may scan a growing table (only the office's handful of
    windows is counted whole)."""
    from queueing.service import BEFORE_VISIT
    store = Store(tmp_path / "plan.db")
    try:
        with store.read() as conn:
            plan = [row[3] for row in conn.execute(
                "EXPLAIN QUERY PLAN " + BEFORE_VISIT,
                {"kiosk": "lobby", "request_id": "r", "day": "2026-12-07", "service": "kk", "now": "t",
                 "prefix": "B", "priority": 0})]
    finally:
        store.close()
    scans = [step for step in plan if step.startswith("SCAN") and step not in ("SCAN windows", "SCAN CONSTANT ROW")]
    assert scans == [], plan
    # A range on priority leaves queue_at unused: the count would walk every waiting ticket.
    tickets = [step for step in plan if step.startswith("SEARCH tickets")]
    assert tickets and all("priority=?" in step and "queue_at>?" in step for step in tickets), tickets
