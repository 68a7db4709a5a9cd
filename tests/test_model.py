"""The pure rules: admission table, allowed moves, numbering, call order. No app, no database."""
import datetime as dt

import pytest

from conftest import CONFIG
from queueing import config as configuration
from queueing import model
from queueing.model import IllegalMove

DAY = dt.date(2026, 3, 2)


@pytest.fixture(scope="module")
def office():
    return configuration.load(CONFIG)


def decide(office, mode="normal", service="kk", reason=None, issued=0, after_hours=False, source="default"):
    chosen = model.ModeInForce(mode, source)
    return model.decide(office, chosen, office.service(service), reason, DAY, issued, after_hours)


def test_closed_mode_closes_even_a_postponed_service_and_an_emergency(office):
    assert decide(office, "closed", "ktp").outcome == "closed"
    assert decide(office, "closed", "kk", reason="bpjs").outcome == "closed"


def test_postponed_service_answers_with_its_notice_before_anything_else(office):
    decision = decide(office, "emergency_only", "ktp", reason="bpjs")
    assert decision.outcome == "postponed"
    assert "suket" in decision.message.lower()


def test_emergency_only_without_a_reason_sends_an_online_service_online(office):
    decision = decide(office, "emergency_only", "kk")
    assert decision.outcome == "online"
    assert decision.detail["url"] == office.office.online_service_url
    assert len(decision.detail["steps"]) == 3


def test_emergency_only_without_a_reason_closes_a_service_that_cannot_go_online(office):
    assert decide(office, "emergency_only", "legalisir").outcome == "closed"


def test_emergency_only_with_a_reason_gets_a_ticket(office):
    assert decide(office, "emergency_only", "kk", reason="bpjs").outcome == "ticket"


def test_daily_limit_reached_is_full_and_counts_emergencies_too(office):
    assert decide(office, issued=599).outcome == "ticket"
    assert decide(office, issued=600).outcome == "full"
    assert decide(office, "emergency_only", reason="bpjs", issued=600).outcome == "full"


def test_a_daily_limit_of_zero_means_no_limit():
    office = configuration.load(CONFIG, {"admission": {"daily_limit": 0}})
    chosen = model.ModeInForce("normal", "default")
    assert model.decide(office, chosen, office.service("kk"), None, DAY, 10**6).outcome == "ticket"


def test_after_closing_time_a_walk_in_is_told_to_come_back(office):
    decision = decide(office, after_hours=True)
    assert decision.outcome == "closed"
    assert "15.00" in decision.message


def test_mode_in_force_is_override_then_window_then_default(office):
    windowed = configuration.load(CONFIG)  # has the 2020 emergency window
    in_window = dt.date(2020, 3, 19)
    assert model.mode_in_force(windowed, None, in_window).mode == "emergency_only"
    assert model.mode_in_force(windowed, None, in_window).window.reference.startswith("Surat Edaran")
    assert model.mode_in_force(windowed, "normal", in_window).source == "override"
    assert model.mode_in_force(windowed, None, dt.date(2020, 4, 8)).mode == "normal"
    assert model.mode_in_force(windowed, None, dt.date(2020, 4, 7)).mode == "emergency_only"


def test_closed_in_a_window_names_the_day_service_resumes(office):
    chosen = model.mode_in_force(office, None, dt.date(2020, 3, 19))
    decision = model.decide(office, chosen, office.service("legalisir"), None, dt.date(2020, 3, 19), 0)
    assert decision.outcome == "closed"
    assert decision.detail["resumes_on"] == "2020-04-08"
    assert "8 April 2020" in decision.message


@pytest.mark.parametrize("action, start, end", [
    ("call", "waiting", "called"), ("recall", "called", "called"), ("start", "called", "serving"),
    ("finish", "serving", "done"), ("no_show", "called", "no_show"),
    ("transfer", "called", "waiting"), ("transfer", "serving", "waiting"),
    ("reject", "waiting", "redirected"), ("reject", "serving", "redirected"),
    ("confirm", "called", "called"), ("expire", "waiting", "expired"), ("expire", "called", "expired"),
])
def test_allowed_moves_reach_their_status(action, start, end):
    assert model.next_status(action, start, "B001") == end


@pytest.mark.parametrize("action, start", [
    ("call", "called"), ("recall", "waiting"), ("start", "waiting"), ("finish", "called"),
    ("no_show", "serving"), ("no_show", "waiting"), ("transfer", "done"), ("reject", "done"),
    ("expire", "serving"), ("call", "done"), ("finish", "done"), ("start", "expired"),
])
def test_other_moves_are_illegal(action, start):
    with pytest.raises(IllegalMove) as refused:
        model.next_status(action, start, "B001")
    assert refused.value.status == 409
    assert "B001" in refused.value.message


def test_every_status_has_words_and_every_action_an_event():
    assert set(model.STATUS_WORDS) == set(model.STATUSES)
    assert set(model.EVENTS) == set(model.ACTIONS)


def test_numbers_are_the_prefix_and_three_digits():
    assert model.format_number("A", 1) == "A001"
    assert model.format_number("B", 42) == "B042"
    assert model.format_number("C", 999) == "C999"
    assert model.format_number("C", 1000) == "C1000"


def test_the_service_day_is_the_date_in_office_time():
    tz = dt.timezone(dt.timedelta(hours=7))
    late = dt.datetime(2026, 3, 2, 16, 59, tzinfo=dt.timezone.utc)  # 23:59 WIB
    early = dt.datetime(2026, 3, 2, 17, 1, tzinfo=dt.timezone.utc)  # 00:01 WIB next day
    assert model.service_day(late, tz) == dt.date(2026, 3, 2)
    assert model.service_day(early, tz) == dt.date(2026, 3, 3)


def test_call_order_puts_priority_first_then_issue_time():
    tickets = [
        {"id": 1, "priority": 0, "issued_at": "09:00"},
        {"id": 2, "priority": 1, "issued_at": "09:05"},
        {"id": 3, "priority": 0, "issued_at": "08:59"},
        {"id": 4, "priority": 1, "issued_at": "09:01"},
    ]
    assert [t["id"] for t in sorted(tickets, key=model.call_order_key)] == [4, 2, 3, 1]


def test_dates_read_in_indonesian():
    assert model.date_words(dt.date(2020, 4, 8)) == "Rabu, 8 April 2020"
