"""A Hypothesis state machine mixes bookings, cancellations, check-ins, walk-ins, calls and the
clock, and checks after every step: no slot over its places, never two tickets for one
booking, and every waiting ticket's position is its place in the call order."""
import datetime as dt
import itertools
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from conftest import CONFIG, FakeClock, office_time, overrides_for
from queueing import config as configuration
from queueing.bookings import Bookings
from queueing.model import Actor, QueueError, call_order_key
from queueing.service import QueueService
from queueing.store import Store

HOURS = {day: "07:30-15:00" for day in ("mon", "tue", "wed", "thu", "fri")}
PER_SLOT = 2
SERVICES = ["kk", "kia", "akta_lahir"]
STARTS = ["07:30", "08:30", "09:30", "10:30"]
ADMIN = Actor("kepala", "admin", (1, 2, 3))


class BookingMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.dir = tempfile.TemporaryDirectory()
        config = configuration.load(CONFIG, overrides_for(
            Path(self.dir.name) / "q.db", hours=HOURS,
            booking={"days_ahead": 3, "slot_minutes": 60, "per_slot": PER_SLOT, "late_minutes": 15}))
        self.clock = FakeClock(office_time("2026-12-07", "07:00"))  # Monday, before opening
        self.store = Store(config.server.database)
        self.queue = QueueService(config, self.store, self.clock)
        self.bookings = Bookings(config, self.store, self.clock, self.queue.calendars)
        self.ids = itertools.count()
        self.codes, self.tokens = [], []

    def teardown(self):
        self.store.close()
        self.dir.cleanup()

    @rule(service=st.sampled_from(SERVICES), days=st.sampled_from([1, 1, 2]), start=st.sampled_from(STARTS))
    def book(self, service, days, start):
        day = (self.queue.today() + dt.timedelta(days=days)).isoformat()
        try:
            body, _ = self.bookings.book(service, day, start, f"b{next(self.ids)}")
        except QueueError:
            return
        self.codes.append(body["booking"]["code"])
        self.tokens.append(body["booking"]["token"])

    @rule(data=st.data())
    def cancel(self, data):
        if self.tokens:
            try:
                self.bookings.cancel(data.draw(st.sampled_from(self.tokens)))
            except QueueError:
                pass

    @rule(data=st.data(), priority=st.sampled_from([None, None, "lansia"]))
    def check_in_todays_code(self, data, priority):
        """A code booked for today: the kiosk's usual case."""
        today = [r["code"] for r in self._rows("SELECT code FROM bookings WHERE day = ? AND status = 'booked'"
                                               " ORDER BY id", self.queue.today().isoformat())]
        if today:
            self.queue.check_in(data.draw(st.sampled_from(today)), "lobby", priority, f"c{next(self.ids)}")

    @rule(data=st.data())
    def check_in_any_code(self, data):
        if self.codes:
            self.queue.check_in(data.draw(st.sampled_from(self.codes)), "lobby", None, f"c{next(self.ids)}")

    @rule(service=st.sampled_from(SERVICES), priority=st.sampled_from([None, None, "balita"]))
    def walk_in(self, service, priority):
        self.queue.visit("lobby", service, None, priority, f"w{next(self.ids)}")

    @rule(counter=st.sampled_from([1, 3]))
    def call_and_finish(self, counter):
        try:
            ticket = self.queue.call_next(ADMIN, counter).body["ticket"]
        except QueueError:
            return
        self.queue.start(ADMIN, ticket["id"])
        self.queue.finish(ADMIN, ticket["id"])

    @rule(minutes=st.sampled_from([5, 20, 45]))
    def time_passes(self, minutes):
        self.clock.advance(minutes=minutes)
        self.bookings.mark_missed()
        self.queue.expire_day()

    @rule(data=st.data(), at=st.sampled_from(["07:20", "07:40", "08:00", "09:10"]))
    def a_booked_day_comes(self, data, at):
        """Move the clock on to a booked day's morning (never back), where check-ins happen."""
        days = [r["day"] for r in self._rows("SELECT DISTINCT day FROM bookings WHERE day > ? ORDER BY day",
                                             self.queue.today().isoformat())]
        if days:
            moment = office_time(days[0], at)
            if moment > self.clock.now:
                self.clock.set(moment)
                self.bookings.mark_missed()
                self.queue.expire_day()

    # --- invariants ---

    def _rows(self, sql, *args):
        with sqlite3.connect(self.store.path) as conn:
            conn.row_factory = sqlite3.Row
            return conn.execute(sql, args).fetchall()

    @invariant()
    def no_slot_holds_more_than_its_places(self):
        rows = self._rows("SELECT count(*) AS n FROM bookings WHERE status IN ('booked', 'checked_in')"
                          " GROUP BY day, service, start")
        assert all(r["n"] <= PER_SLOT for r in rows)

    @invariant()
    def a_booking_has_at_most_one_ticket_and_a_checked_in_one_has_its_own(self):
        assert all(r["n"] == 1 for r in self._rows(
            "SELECT count(*) AS n FROM tickets WHERE booking_id IS NOT NULL GROUP BY booking_id"))
        for booking in self._rows("SELECT * FROM bookings WHERE status = 'checked_in'"):
            ticket = self._rows("SELECT booking_id, day FROM tickets WHERE id = ?", booking["ticket_id"])[0]
            assert (ticket["booking_id"], ticket["day"]) == (booking["id"], booking["day"])
        assert not self._rows("SELECT * FROM bookings WHERE status != 'checked_in' AND ticket_id IS NOT NULL")

    @invariant()
    def every_waiting_position_is_its_place_in_the_call_order(self):
        day = self.queue.today().isoformat()
        for service in SERVICES:
            waiting = sorted(self._rows("SELECT id, priority, queue_at FROM tickets WHERE day = ?"
                                        " AND status = 'waiting' AND service = ?", day, service),
                             key=call_order_key)
            assert [self.queue.ticket(r["id"])["position"] for r in waiting] == list(range(len(waiting)))


BookingMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=50, deadline=None)
test_random_bookings_check_ins_and_walk_ins_keep_every_invariant = BookingMachine.TestCase
