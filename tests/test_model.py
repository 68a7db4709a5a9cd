"""The pure rules: admission table, allowed moves, numbering, call order. No app, no database."""
import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from conftest import CONFIG
from queueing import config as configuration
from queueing import model
from queueing.calendar import Calendar
from queueing.model import IllegalMove

JAKARTA = ZoneInfo("Asia/Jakarta")
MONDAY_9 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=JAKARTA)  # an ordinary working morning
IN_THE_SEED = dt.datetime(2020, 3, 19, 9, 0, tzinfo=JAKARTA)  # Thursday, in the 2020 emergency weeks


@pytest.fixture(scope="module")
def office():
    return configuration.load(CONFIG)  # the shipped file: hours, the seed's window, 2026's holidays


def at(day: str, hhmm: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(hhmm), JAKARTA)


def decide(office, override=None, service="kk", reason=None, issued=0, issued_service=0, moment=MONDAY_9):
    visit = model.Visit(moment, office.service(service), reason, override, issued, issued_service)
    return model.decide(office, Calendar.build(office), visit)


def test_closed_mode_closes_even_a_postponed_service_and_an_emergency(office):
    assert decide(office, "closed", "ktp", moment=IN_THE_SEED).outcome == "closed"
    assert decide(office, "closed", "kk", reason="bpjs").outcome == "closed"


def test_a_service_postponed_by_a_window_answers_with_its_notice_and_the_day_it_resumes(office):
    decision = decide(office, service="ktp", reason="bpjs", moment=IN_THE_SEED)
    assert decision.outcome == "postponed"
    assert "suket" in decision.message.lower()
    assert decision.detail == {"until": "2020-04-07", "resumes_on": "2020-04-08"}
    assert "Rabu, 8 April 2020" in decision.message
    assert decide(office, service="ktp", moment=at("2020-04-08", "09:00")).outcome == "ticket"


def test_emergency_only_without_a_reason_sends_an_online_service_online(office):
    decision = decide(office, service="kk", moment=IN_THE_SEED)
    assert decision.outcome == "online"
    assert decision.detail["url"] == office.office.online_service_url
    assert len(decision.detail["steps"]) == 3


def test_emergency_only_without_a_reason_closes_a_service_that_cannot_go_online_until_walk_ins_return(office):
    decision = decide(office, service="legalisir", moment=IN_THE_SEED)
    assert decision.outcome == "closed"
    assert decision.detail["reopens"] == {"date": "2020-04-08", "time": "07:30"}
    assert decision.detail["resumes_on"] == "2020-04-08"
    assert "Rabu, 8 April 2020 pukul 07.30" in decision.message


def test_emergency_only_with_a_reason_gets_a_ticket(office):
    assert decide(office, service="kk", reason="bpjs", moment=IN_THE_SEED).outcome == "ticket"


def test_daily_limit_reached_is_full_and_counts_emergencies_too(office):
    assert decide(office, issued=599).outcome == "ticket"
    assert decide(office, issued=600).outcome == "full"
    assert decide(office, service="kk", reason="bpjs", issued=600, moment=IN_THE_SEED).outcome == "full"


def test_a_services_own_daily_limit_is_full_naming_the_service_and_the_office_limit_still_holds(office):
    limited = dataclasses.replace(office, services=tuple(
        dataclasses.replace(s, daily_limit=20) if s.code == "kk" else s for s in office.services))
    assert decide(limited, issued_service=19).outcome == "ticket"
    full = decide(limited, issued_service=20)
    assert (full.outcome, full.detail) == ("full", {"limit": "service", "service": "kk"})
    assert "Kartu Keluarga" in full.message and "(20)" in full.message
    assert decide(limited, service="kia", issued_service=20).outcome == "ticket"
    assert decide(limited, issued=600, issued_service=3).detail == {"limit": "office"}


def test_a_daily_limit_of_zero_means_no_limit():
    office = configuration.load(CONFIG, {"admission": {"daily_limit": 0}})
    assert decide(office, issued=10**6).outcome == "ticket"


@pytest.mark.parametrize("moment, words, reopens", [
    (at("2026-03-02", "06:00"), "Pelayanan dibuka hari ini pukul 07.30.", ("2026-03-02", "07:30")),
    (at("2026-03-02", "15:00"), "Pelayanan hari ini sudah ditutup. Pelayanan dibuka kembali Selasa, "
                                "3 Maret 2026 pukul 07.30.", ("2026-03-03", "07:30")),
    (at("2026-03-06", "14:30"), "Pelayanan hari ini sudah ditutup. Pelayanan dibuka kembali Senin, "
                                "9 Maret 2026 pukul 07.30.", ("2026-03-09", "07:30")),
    (at("2026-03-07", "10:00"), "Hari ini kantor tutup. Pelayanan dibuka kembali Senin, "
                                "9 Maret 2026 pukul 07.30.", ("2026-03-09", "07:30")),
    (at("2026-12-24", "10:00"), "Kantor tutup: Cuti Bersama Hari Raya Natal. Pelayanan dibuka kembali "
                                "Senin, 28 Desember 2026 pukul 07.30.", ("2026-12-28", "07:30")),
])
def test_a_closed_answer_says_why_and_when_walk_ins_are_admitted_again(office, moment, words, reopens):
    decision = decide(office, moment=moment)
    assert decision.outcome == "closed"
    assert decision.message == words
    assert decision.detail["reopens"] == {"date": reopens[0], "time": reopens[1]}


def test_an_override_to_closed_names_no_reopening(office):
    decision = decide(office, "closed")
    assert decision.detail["reopens"] is None
    assert "pemberitahuan lebih lanjut" in decision.message


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


def test_call_order_puts_priority_first_then_queue_time():
    tickets = [
        {"id": 1, "priority": 0, "queue_at": "09:00"},
        {"id": 2, "priority": 1, "queue_at": "09:05"},
        {"id": 3, "priority": 0, "queue_at": "08:59"},
        {"id": 4, "priority": 1, "queue_at": "09:01"},
    ]
    assert [t["id"] for t in sorted(tickets, key=model.call_order_key)] == [4, 2, 3, 1]


def test_dates_read_in_indonesian():
    assert model.date_words(dt.date(2020, 4, 8)) == "Rabu, 8 April 2020"
