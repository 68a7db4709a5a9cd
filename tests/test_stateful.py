"""A Hypothesis state machine drives random visits, counter actions, pauses and requeues, and checks
the invariants after every step."""
import itertools
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from conftest import CONFIG, FakeClock, office_time, overrides_for
from queueing import config as configuration
from queueing.model import ACTIVE, PAUSE_REASONS, QueueError
from queueing.model import Actor
from queueing.service import QueueService
from queueing.store import Store

SERVICES = ["kk", "kia", "pindah", "akta_lahir", "legalisir", "ktp"]
COUNTERS = [1, 2, 3, 4]
ADMIN = Actor("kepala", "admin", tuple(COUNTERS))


class QueueMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.dir = tempfile.TemporaryDirectory()
        config = configuration.load(CONFIG, overrides_for(Path(self.dir.name) / "q.db"))
        self.clock = FakeClock(office_time("2026-03-02", "08:00"))
        self.store = Store(config.server.database)
        self.service = QueueService(config, self.store, self.clock)
        self.heard = []
        self.service.publish = self.heard.append
        self.ids = itertools.count()
        self.version = 0

    def teardown(self):
        self.store.close()
        self.dir.cleanup()

    def _changed(self, result):
        for event in self.heard:
            assert event.version == self.version + 1, "versions rise by exactly one"
            self.version = event.version
        self.heard.clear()

    def _try(self, operation, *args):
        try:
            result = operation(*args)
        except QueueError:
            assert not self.heard, "a refused operation announces nothing"
            return None
        self._changed(result)
        return result

    @rule(service=st.sampled_from(SERVICES), reason=st.sampled_from([None, "bpjs", "rumah_sakit"]),
          priority=st.sampled_from([None, None, "lansia", "balita"]))
    def visit(self, service, reason, priority):
        result = self.service.visit("lobby", service, reason, priority, f"r{next(self.ids)}")
        self._changed(result)
        if result.body["outcome"] == "ticket":
            ticket = result.body["ticket"]
            assert ticket["position"] == self.service.ticket(ticket["id"])["position"]

    @rule(counter=st.sampled_from(COUNTERS))
    def call_next(self, counter):
        expected = self._expected_next(counter)
        result = self._try(self.service.call_next, ADMIN, counter)
        if result is None:
            return
        ticket = result.body["ticket"]
        assert ticket["id"] == expected, "call order is priority, then issue time"

    @rule(data=st.data(), action=st.sampled_from(["recall", "start", "finish", "no_show"]))
    def act(self, data, action):
        ticket_id = data.draw(st.integers(1, max(1, self._count())))
        self._try(getattr(self.service, action), ADMIN, ticket_id)

    @rule(data=st.data(), service=st.sampled_from(SERVICES))
    def transfer(self, data, service):
        ticket_id = data.draw(st.integers(1, max(1, self._count())))
        self._try(self.service.transfer, ADMIN, ticket_id, service)

    @rule(data=st.data(), emergency=st.booleans())
    def verify(self, data, emergency):
        ticket_id = data.draw(st.integers(1, max(1, self._count())))
        self._try(self.service.verify, ADMIN, ticket_id, emergency)

    @rule(counter=st.sampled_from(COUNTERS), reason=st.sampled_from(PAUSE_REASONS))
    def pause(self, counter, reason):
        holds = self._rows("SELECT 1 FROM tickets WHERE counter_id = ? AND status IN ('called','serving')", counter)
        result = self._try(self.service.pause, ADMIN, counter, reason)
        assert result is None or not holds, "a counter holding a ticket is never paused"

    @rule(counter=st.sampled_from(COUNTERS))
    def resume(self, counter):
        self._try(self.service.resume, ADMIN, counter)

    @rule(counter=st.sampled_from(COUNTERS))
    def call_and_miss(self, counter):
        """A visitor who is not there when called (the requeue rule then has no-shows to pick)."""
        service = self.service.config.counter(counter).services[0]
        self._changed(self.service.visit("lobby", service, None, None, f"r{next(self.ids)}"))
        called = self._try(self.service.call_next, ADMIN, counter)
        if called is not None:
            self._try(self.service.no_show, ADMIN, called.body["ticket"]["id"])

    @rule(data=st.data())
    def requeue(self, data):
        missed = [r["id"] for r in self._rows("SELECT id FROM tickets WHERE status = 'no_show'")]
        ticket_id = data.draw(st.sampled_from(missed) if missed else st.integers(1, max(1, self._count())))
        expected = self._expected_requeue_position(ticket_id)
        result = self._try(self.service.requeue, ADMIN, ticket_id)
        if result is not None:
            assert result.body["ticket"]["position"] == expected, "placed after requeue_after tickets of its rank"

    @rule(minutes=st.integers(1, 120))
    def time_passes(self, minutes):
        self.clock.advance(minutes=minutes)
        self._changed(self.service.expire_day())

    # --- invariants, checked after every step ---

    def _rows(self, sql, *args):
        with sqlite3.connect(self.store.path) as conn:
            conn.row_factory = sqlite3.Row
            return conn.execute(sql, args).fetchall()

    def _count(self):
        return self._rows("SELECT count(*) AS n FROM tickets")[0]["n"]

    def _expected_next(self, counter):
        services = self.service.config.counter(counter).services
        if self._rows("SELECT 1 FROM tickets WHERE counter_id = ? AND status IN ('called','serving')", counter):
            return None
        day = self.service.today().isoformat()
        waiting = [r for r in self._rows("SELECT * FROM tickets WHERE status = 'waiting' AND day = ?", day)
                   if r["service"] in services]
        waiting.sort(key=lambda r: (-r["priority"], r["queue_at"], r["id"]))
        return waiting[0]["id"] if waiting else None

    def _expected_requeue_position(self, ticket_id):
        """Where a requeued ticket should land: after requeue_after waiting tickets of its service,
        but behind every higher priority and ahead of every lower one."""
        [row] = self._rows("SELECT * FROM tickets WHERE id = ?", ticket_id) or [None]
        if row is None:
            return None
        ranks = [r["priority"] for r in self._rows("SELECT priority FROM tickets WHERE status = 'waiting'"
                                                   " AND day = ? AND service = ?", row["day"], row["service"])]
        higher, same = sum(1 for p in ranks if p > row["priority"]), ranks.count(row["priority"])
        return min(max(self.service.config.queue.requeue_after, higher), higher + same)

    @invariant()
    def numbers_are_unique_and_without_gaps(self):
        for row in self._rows("SELECT day, prefix, count(*) AS n, max(seq) AS top,"
                              " count(DISTINCT seq) AS distinct_seqs FROM tickets GROUP BY day, prefix"):
            assert row["n"] == row["top"] == row["distinct_seqs"]

    @invariant()
    def a_counter_holds_at_most_one_ticket(self):
        rows = self._rows("SELECT counter_id, count(*) AS n FROM tickets WHERE status IN ('called', 'serving')"
                          " GROUP BY counter_id")
        assert all(r["n"] == 1 and r["counter_id"] is not None for r in rows)

    @invariant()
    def every_ticket_is_in_exactly_one_known_status(self):
        statuses = {r["status"] for r in self._rows("SELECT status FROM tickets")}
        assert statuses <= {"waiting", "called", "serving", "done", "no_show", "redirected", "expired"}
        held = self._rows("SELECT * FROM tickets WHERE status IN (?, ?) AND counter_id IS NULL", *ACTIVE)
        assert held == []

    @invariant()
    def the_kept_waiting_counts_match_the_tickets(self):
        counted = {tuple(r)[:3]: r["n"] for r in self._rows(
            "SELECT day, service, priority, count(*) AS n FROM tickets WHERE status = 'waiting'"
            " GROUP BY day, service, priority")}
        kept = {tuple(r)[:3]: r["waiting"] for r in self._rows("SELECT * FROM queue_counts WHERE waiting > 0")}
        assert kept == counted
        assert not self._rows("SELECT * FROM queue_counts WHERE waiting < 0")

    @invariant()
    def a_paused_counter_never_holds_a_called_ticket(self):
        assert not self._rows("SELECT * FROM counter_pauses p JOIN tickets t ON t.counter_id = p.counter_id"
                              " WHERE p.ended_at IS NULL AND t.status IN ('called', 'serving')")
        assert {c["id"] for c in self.service.snapshot()["counters"] if c["paused"]} == {
            r["counter_id"] for r in self._rows("SELECT counter_id FROM counter_pauses WHERE ended_at IS NULL")}

    @invariant()
    def every_position_is_the_call_order(self):
        day = self.service.today().isoformat()
        waiting = self._rows("SELECT * FROM tickets WHERE status = 'waiting' AND day = ?", day)
        for service in SERVICES:
            mine = sorted((r for r in waiting if r["service"] == service),
                          key=lambda r: (-r["priority"], r["queue_at"], r["id"]))
            for place, row in enumerate(mine):
                assert self.service.ticket(row["id"])["position"] == place

    @invariant()
    def versions_are_consecutive_from_one(self):
        versions = [r["version"] for r in self._rows("SELECT version FROM events ORDER BY version")]
        assert versions == list(range(1, len(versions) + 1))
        assert self.service.snapshot()["version"] == self.version == len(versions)


QueueMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
test_random_visits_and_counter_actions_keep_every_invariant = QueueMachine.TestCase
