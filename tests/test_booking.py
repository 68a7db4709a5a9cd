"""Booking ahead as pure rules: codes, slots cut from a day's hours, bookable days, and one fair
queue of booked and walk-in tickets. Fixed dates, no clock, no app."""
import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from conftest import CONFIG
from queueing import booking as rules
from queueing import config as configuration
from queueing import model
from queueing.calendar import Calendar
from queueing.config import Booking, Window
from queueing.model import BadInput

JAKARTA = ZoneInfo("Asia/Jakarta")
OFFICE = configuration.load(CONFIG)  # weekday hours (Friday to 14:00), 2026's holidays
CALENDAR = Calendar.build(OFFICE)
HOURLY = Booking(days_ahead=14, slot_minutes=60, per_slot=10, late_minutes=15)


def starts(day: str, booking: Booking = HOURLY, calendar: Calendar = CALENDAR) -> list[str]:
    return [s.view()["start"] for s in rules.slots_on(calendar, booking, dt.date.fromisoformat(day))]


def test_a_days_slots_run_from_opening_every_slot_minutes():
    assert starts("2026-12-07") == ["07:30", "08:30", "09:30", "10:30", "11:30", "12:30", "13:30", "14:30"]
    assert starts("2026-12-07", Booking(slot_minutes=90)) == ["07:30", "09:00", "10:30", "12:00", "13:30"]


def test_the_last_slot_is_cut_by_closing_time_and_friday_has_fewer():
    monday = rules.slots_on(CALENDAR, HOURLY, dt.date(2026, 12, 7))
    assert monday[-1].view() == {"start": "14:30", "end": "15:00"}
    friday = rules.slots_on(CALENDAR, HOURLY, dt.date(2026, 12, 11))
    assert [s.view() for s in friday[-2:]] == [{"start": "12:30", "end": "13:30"}, {"start": "13:30", "end": "14:00"}]


def test_a_day_without_hours_has_no_slot():
    assert starts("2026-12-12") == []  # Saturday


def test_holidays_weekends_and_emergency_days_are_not_bookable():
    kk = OFFICE.service("kk")
    days = rules.bookable_days(CALENDAR, HOURLY, kk, dt.date(2026, 12, 20))
    assert dt.date(2026, 12, 21) in days  # tomorrow, a Monday
    assert dt.date(2026, 12, 24) not in days and dt.date(2026, 12, 25) not in days  # cuti bersama, Natal
    assert dt.date(2026, 12, 26) not in days  # Saturday
    assert max(days) <= dt.date(2026, 12, 20) + dt.timedelta(days=14)
    emergency = Calendar.build(OFFICE, [Window(dt.date(2026, 12, 28), dt.date(2026, 12, 31), "emergency_only")])
    assert not rules.bookable_on(emergency, kk, dt.date(2026, 12, 28))


def test_a_service_postponed_on_a_day_or_not_bookable_cannot_be_booked_then():
    postponing = Calendar.build(OFFICE, [Window(dt.date(2026, 12, 28), dt.date(2026, 12, 28), postponed=("kk",))])
    assert not rules.bookable_on(postponing, OFFICE.service("kk"), dt.date(2026, 12, 28))
    assert rules.bookable_on(postponing, OFFICE.service("kk"), dt.date(2026, 12, 29))
    closed_to_booking = dataclasses.replace(OFFICE.service("kia"), bookable=False)
    assert not rules.bookable_on(CALENDAR, closed_to_booking, dt.date(2026, 12, 29))


def test_codes_use_only_the_alphabet_and_are_read_in_any_case():
    code = rules.new_code()
    assert len(code) == 6 and set(code) <= set(rules.ALPHABET)
    assert rules.normalize_code(" ab c2d3 ") == "ABC2D3"


@pytest.mark.parametrize("typed", ["ABC2D", "ABC2D34", "ABC0D3", "ABCID3", "ABC-D3", 123456, None])
def test_a_code_of_another_length_or_outside_the_alphabet_is_refused(typed):
    with pytest.raises(BadInput) as refused:
        rules.normalize_code(typed)
    assert refused.value.code == "bad_booking_code"


def test_check_in_closes_at_the_slots_end_plus_late_minutes():
    until = rules.check_in_until(CALENDAR, HOURLY, dt.date(2026, 12, 8), dt.time(9, 30))
    assert until == dt.datetime(2026, 12, 8, 9, 45, tzinfo=JAKARTA)


# --- one fair queue ---

def ticket(id, queue_at: str, priority=0):
    return {"id": id, "priority": priority, "queue_at": f"2026-12-08T{queue_at}:00+07:00"}


def order(*tickets) -> list[int]:
    return [t["id"] for t in sorted(tickets, key=model.call_order_key)]


def test_an_early_booked_arrival_waits_for_its_slots_start():
    walk_in_at_8_10 = ticket(1, "08:10")
    booked_for_8_30 = ticket(2, "08:30")  # checked in at 08:00
    walk_in_at_8_20 = ticket(3, "08:20")
    assert order(booked_for_8_30, walk_in_at_8_10, walk_in_at_8_20) == [1, 3, 2]


def test_a_booked_arrival_late_in_its_slot_goes_ahead_of_walk_ins_who_came_after_the_slot_began():
    walk_in_at_8_40 = ticket(1, "08:40")
    booked_for_8_30 = ticket(2, "08:30")  # checked in at 09:10
    walk_in_at_8_25 = ticket(3, "08:25")
    assert order(walk_in_at_8_40, booked_for_8_30, walk_in_at_8_25) == [3, 2, 1]


def test_priority_still_comes_first():
    booked = ticket(1, "08:30")
    elderly_walk_in = ticket(2, "09:00", priority=1)
    assert order(booked, elderly_walk_in) == [2, 1]
