"""The office's calendar: hours, dated windows, reopening. Pure: fixed dates, no clock, no app."""
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CONFIG
from queueing import config as configuration
from queueing.calendar import (SEARCH_DAYS, UNTIL_FURTHER_NOTICE, Calendar, parse_hours, reopens_fields,
                               reopens_words)
from queueing.config import ConfigError

JAKARTA = ZoneInfo("Asia/Jakarta")
UTC = dt.timezone.utc
OFFICE_HOURS = {"mon": "07:30-15:00", "tue": "07:30-15:00", "wed": "07:30-15:00",
                "thu": "07:30-15:00", "fri": "07:30-14:00", "sat": ""}  # sun absent: closed


@dataclass(frozen=True)
class Window:
    """A window as the calendar reads it (config's, once it may postpone services)."""

    start: dt.date
    until: dt.date
    mode: str | None = None
    postponed: tuple[str, ...] = ()
    reference: str = ""


def calendar(*windows, hours=OFFICE_HOURS, mode="normal", tz=JAKARTA):
    return Calendar(None if hours is None else parse_hours(hours), windows, mode, tz)


def at(day: str, time: str, tz=JAKARTA) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(time), tz)


def closed(start: str, until: str | None = None, reference: str = "") -> Window:
    return Window(dt.date.fromisoformat(start), dt.date.fromisoformat(until or start), "closed",
                  reference=reference)


# --- hours ---

def test_hours_give_each_weekday_its_opening_and_closing_and_none_when_closed():
    hours = parse_hours(OFFICE_HOURS)
    assert hours.on(dt.date(2026, 12, 7)) == (dt.time(7, 30), dt.time(15))  # Monday
    assert hours.on(dt.date(2026, 12, 11)) == (dt.time(7, 30), dt.time(14))  # Friday
    assert hours.on(dt.date(2026, 12, 12)) is None  # Saturday, ""
    assert hours.on(dt.date(2026, 12, 13)) is None  # Sunday, absent


@pytest.mark.parametrize("value", ["07:30-", "7:30-15:00", "07.30-15.00", "25:00-26:00",
                                   "07:60-15:00", "07:30 to 15:00", "open"])
def test_an_hours_string_that_does_not_parse_is_refused_naming_the_key(value):
    with pytest.raises(ConfigError) as error:
        parse_hours({"mon": "07:30-15:00", "fri": value})
    assert str(error.value) == f'hours.fri: "{value}" is not HH:MM-HH:MM'


def test_an_hours_value_that_is_not_a_string_is_refused_naming_the_key():
    with pytest.raises(ConfigError, match=r"^hours\.tue: must be a string"):
        parse_hours({"tue": 730})


@pytest.mark.parametrize("value", ["15:00-07:30", "07:30-07:30"])
def test_closing_not_after_opening_is_refused_naming_the_key(value):
    with pytest.raises(ConfigError) as error:
        parse_hours({"mon": value})
    assert str(error.value) == "hours.mon: closes before it opens"


def test_an_unknown_weekday_key_is_refused_naming_the_key_and_the_known_ones():
    with pytest.raises(ConfigError) as error:
        parse_hours({"mon": "07:30-15:00", "holiday": ""})
    assert str(error.value) == "hours.holiday: unknown weekday; use mon tue wed thu fri sat sun"


def test_the_key_prefix_names_where_the_hours_come_from():
    with pytest.raises(ConfigError, match=r'^office\.hours\.sat: "x" is not'):
        parse_hours({"sat": "x"}, key_prefix="office.hours")


# --- open or not ---

def test_opening_time_is_open_and_the_closing_instant_is_closed():
    office = calendar()
    assert not office.is_open(at("2026-12-07", "07:29:59"))
    assert office.is_open(at("2026-12-07", "07:30"))
    assert office.is_open(at("2026-12-07", "14:59:59.999999"))
    assert not office.is_open(at("2026-12-07", "15:00"))  # waiting tickets expire at closing


def test_a_closed_window_day_is_not_open_even_within_hours():
    office = calendar(closed("2026-12-25", reference="Hari Raya Natal"))
    assert not office.is_open(at("2026-12-25", "09:00"))
    assert office.mode_on(dt.date(2026, 12, 25)).window.reference == "Hari Raya Natal"


def test_an_emergency_only_day_is_open_but_does_not_admit_walk_ins():
    office = calendar(Window(dt.date(2026, 12, 7), dt.date(2026, 12, 11), "emergency_only"))
    assert office.is_open(at("2026-12-08", "09:00"))
    assert not office.admits_walk_ins(at("2026-12-08", "09:00"))


def test_a_naive_moment_is_refused_rather_than_read_in_the_machines_zone():
    with pytest.raises(ValueError):
        calendar().is_open(dt.datetime(2026, 12, 7, 9))


# --- mode in force ---

def test_mode_is_the_override_then_the_first_window_setting_one_then_the_default():
    postpones = Window(dt.date(2026, 12, 1), dt.date(2026, 12, 31), postponed=("ktp",))
    emergency = Window(dt.date(2026, 12, 1), dt.date(2026, 12, 31), "emergency_only", reference="SE")
    office = calendar(postpones, emergency, closed("2026-12-25"))
    christmas, january = dt.date(2026, 12, 25), dt.date(2027, 1, 4)
    assert office.mode_on(christmas, "normal").mode == "normal"
    assert office.mode_on(christmas, "normal").source == "override"
    assert (office.mode_on(christmas).mode, office.mode_on(christmas).window) == ("emergency_only", emergency)
    assert (office.mode_on(january).mode, office.mode_on(january).source) == ("normal", "default")


def test_a_postponing_window_names_itself_only_for_its_services_and_days():
    window = Window(dt.date(2020, 3, 18), dt.date(2020, 4, 7), postponed=("ktp",), reference="SE 470")
    office = calendar(window)
    assert office.postponed_on(dt.date(2020, 4, 7), "ktp") is window
    assert office.postponed_on(dt.date(2020, 4, 8), "ktp") is None
    assert office.postponed_on(dt.date(2020, 3, 20), "kk") is None


# --- reopening ---

def test_friday_after_closing_reopens_on_monday_at_opening():
    assert calendar().reopens(at("2026-12-04", "14:00")) == at("2026-12-07", "07:30")


def test_a_holiday_on_a_monday_reopens_on_tuesday():
    office = calendar(closed("2026-08-17", reference="Hari Kemerdekaan"))
    assert office.reopens(at("2026-08-14", "16:00")) == at("2026-08-18", "07:30")
    assert office.reopens(at("2026-08-17", "09:00")) == at("2026-08-18", "07:30")


def test_collective_leave_joined_to_christmas_and_the_weekend_reopens_on_the_monday_after():
    office = calendar(closed("2026-12-24", reference="Cuti Bersama Hari Raya Natal"),
                      closed("2026-12-25", reference="Hari Raya Natal"))
    assert office.reopens(at("2026-12-23", "15:00")) == at("2026-12-28", "07:30")
    assert office.reopens(at("2026-12-26", "10:00")) == at("2026-12-28", "07:30")


def test_an_emergency_only_window_ending_on_a_friday_reopens_walk_ins_the_next_monday():
    office = calendar(Window(dt.date(2026, 12, 7), dt.date(2026, 12, 11), "emergency_only"))
    assert office.reopens(at("2026-12-09", "10:00")) == at("2026-12-14", "07:30")


def test_before_opening_reopens_the_same_day_at_opening():
    assert calendar().reopens(at("2026-12-07", "06:00")) == at("2026-12-07", "07:30")


def test_while_walk_ins_are_admitted_there_is_no_reopening():
    assert calendar().reopens(at("2026-12-07", "07:30")) is None


def test_without_hours_the_office_is_always_open_and_reopens_after_a_closed_window_at_midnight():
    office = calendar(hours=None)
    assert office.is_open(at("2026-12-13", "03:00"))  # a Sunday night
    assert office.reopens(at("2026-12-13", "03:00")) is None
    holiday = calendar(closed("2026-12-25"), hours=None)
    assert holiday.reopens(at("2026-12-25", "12:00")) == at("2026-12-26", "00:00")


def test_without_hours_a_closed_default_mode_names_no_reopening():
    assert calendar(hours=None, mode="closed").reopens(at("2026-12-07", "09:00")) is None


def test_an_override_to_closed_holds_until_cleared_so_no_reopening_is_named():
    office = calendar()
    assert not office.is_open(at("2026-12-07", "09:00"), "closed")
    assert office.reopens(at("2026-12-07", "09:00"), "closed") is None
    assert office.reopens(at("2026-12-07", "09:00"), "emergency_only") is None
    assert UNTIL_FURTHER_NOTICE == "Pelayanan tatap muka ditutup sampai ada pemberitahuan lebih lanjut."


def test_an_override_to_normal_opens_a_closed_window_day_within_hours():
    office = calendar(closed("2026-12-25"))
    assert office.admits_walk_ins(at("2026-12-25", "09:00"), "normal")
    assert office.reopens(at("2026-12-24", "16:00"), "normal") == at("2026-12-25", "07:30")


def test_reopening_is_searched_for_a_bounded_number_of_days():
    first = dt.date(2026, 12, 7)
    last = (first + dt.timedelta(days=SEARCH_DAYS - 1)).isoformat()
    within = calendar(closed(first.isoformat(), last), hours=None)
    assert within.reopens(at("2026-12-07", "09:00")) == dt.datetime.combine(
        first + dt.timedelta(days=SEARCH_DAYS), dt.time(0), JAKARTA)
    past = (first + dt.timedelta(days=SEARCH_DAYS)).isoformat()
    assert calendar(closed(first.isoformat(), past), hours=None).reopens(at("2026-12-07", "09:00")) is None


# --- the office's time zone at midnight ---

def test_in_jakarta_a_utc_sunday_evening_is_already_monday_morning_before_opening():
    moment = dt.datetime(2026, 12, 6, 23, 45, tzinfo=UTC)  # Monday 06:45 WIB
    assert calendar().reopens(moment) == at("2026-12-07", "07:30")


def test_in_jakarta_the_office_day_turns_at_office_midnight_not_utc_midnight():
    office = calendar(closed("2026-12-05"), hours=None)  # a closed Saturday, otherwise always open
    assert office.is_open(dt.datetime(2026, 12, 4, 16, 59, tzinfo=UTC))  # Friday 23:59 WIB
    assert not office.is_open(dt.datetime(2026, 12, 4, 17, 0, tzinfo=UTC))  # Saturday 00:00 WIB
    assert office.reopens(dt.datetime(2026, 12, 4, 17, 0, tzinfo=UTC)) == at("2026-12-06", "00:00")


def test_in_new_york_just_after_utc_midnight_is_still_the_previous_office_day():
    zone = ZoneInfo("America/New_York")
    office = calendar(closed("2026-12-08"), hours=None, tz=zone)  # the Tuesday is closed
    assert office.is_open(dt.datetime(2026, 12, 8, 0, 5, tzinfo=UTC))  # Monday 19:05 EST
    assert not office.is_open(dt.datetime(2026, 12, 8, 5, 0, tzinfo=UTC))  # Tuesday 00:00 EST
    assert office.reopens(dt.datetime(2026, 12, 8, 5, 0, tzinfo=UTC)) == at("2026-12-09", "00:00", zone)


def test_in_makassar_a_utc_friday_afternoon_is_already_closed_at_office_time():
    zone = ZoneInfo("Asia/Makassar")  # UTC+8: Friday 06:00 UTC is 14:00 WITA, closing time
    office = calendar(tz=zone)
    assert office.is_open(dt.datetime(2026, 12, 4, 5, 59, tzinfo=UTC))
    assert office.reopens(dt.datetime(2026, 12, 4, 6, 0, tzinfo=UTC)) == at("2026-12-07", "07:30", zone)


# --- the words ---

def test_the_reopening_sentence_names_the_day_the_date_and_the_time_with_a_dot():
    assert reopens_words(dt.date(2026, 12, 7), dt.time(7, 30)) == (
        "Pelayanan dibuka kembali Senin, 7 Desember 2026 pukul 07.30.")


def test_the_reopening_sentence_on_the_same_day_says_today():
    day = dt.date(2026, 12, 7)
    assert reopens_words(day, dt.time(7, 30), today=day) == "Pelayanan dibuka hari ini pukul 07.30."


def test_the_reopens_fields_are_the_office_date_and_time():
    assert reopens_fields(at("2026-12-07", "07:30")) == {"date": "2026-12-07", "time": "07:30"}
    assert reopens_fields(None) is None


# --- any calendar, any instant ---

BASE = dt.date(2026, 12, 1)
MODES = st.sampled_from(["closed", "emergency_only", "normal", None])
ZONES = st.sampled_from([JAKARTA, ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura")])


@st.composite
def day_hours(draw):
    if draw(st.integers(0, 3)) == 0:
        return ""
    opens = draw(st.integers(0, 23 * 60 + 58))
    closes = draw(st.integers(opens + 1, 23 * 60 + 59))
    return f"{opens // 60:02d}:{opens % 60:02d}-{closes // 60:02d}:{closes % 60:02d}"


@st.composite
def windows(draw):
    start = BASE + dt.timedelta(days=draw(st.integers(0, 35)))
    until = start + dt.timedelta(days=draw(st.integers(0, 10)))
    return Window(start, until, draw(MODES), draw(st.sampled_from([(), ("ktp",)])))


HOURS = st.none() | st.fixed_dictionaries({}, optional={day: day_hours() for day in
                                                         ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})
# weighted towards calendars that do reopen: most days open, mostly no override
DEFAULTS = st.sampled_from(["normal"] * 4 + ["emergency_only", "closed"])
OVERRIDES = st.sampled_from([None] * 6 + ["normal", "emergency_only", "closed"])
INSTANTS = st.datetimes(dt.datetime(2026, 11, 25), dt.datetime(2027, 1, 20), timezones=st.just(UTC))


def admits(office, moment, override):
    """Walk-ins admitted, judged by is_open and mode_on only."""
    day = moment.astimezone(office.tz).date()
    return office.is_open(moment, override) and office.mode_on(day, override).mode == "normal"


def candidates(office, moment, last_day):
    """The instant itself, and each day's opening from its day to last_day: where admission can start."""
    yield moment
    day = moment.astimezone(office.tz).date()
    while day <= last_day:
        span = office.hours_on(day)
        if span:
            opening = dt.datetime.combine(day, span[0], office.tz)
            if opening >= moment:
                yield opening
        day += dt.timedelta(days=1)


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(hours=HOURS, rules=st.lists(windows(), max_size=5), default=DEFAULTS, override=OVERRIDES,
       tz=ZONES, moment=INSTANTS)
def test_reopens_is_the_first_open_normal_moment_at_or_after_the_instant(hours, rules, default,
                                                                          override, tz, moment):
    office = Calendar(None if hours is None else parse_hours(hours), tuple(rules), default, tz)
    answer = office.reopens(moment, override)
    bound = moment.astimezone(tz).date() + dt.timedelta(days=SEARCH_DAYS)
    if answer is None:
        earliest = next((c for c in candidates(office, moment, bound) if admits(office, c, override)), None)
        assert earliest is None or earliest == moment
        return
    assert answer >= moment and admits(office, answer, override)
    assert answer.tzinfo is tz
    earlier = [c for c in candidates(office, moment, answer.date()) if c < answer]
    assert not any(admits(office, c, override) for c in earlier)


# --- the calendar built from a config and the office's windows ---

def office_config(**changes):
    return configuration.load(CONFIG, changes)


def office_window(start: str, until: str, mode=None, postponed=(), reference=""):
    return Window(dt.date.fromisoformat(start), dt.date.fromisoformat(until), mode, tuple(postponed), reference)


def test_a_window_added_live_joins_the_configs_and_the_most_restrictive_mode_wins():
    config = office_config()  # the shipped file: 2020's emergency weeks
    day = dt.date(2020, 3, 19)
    assert Calendar.build(config).mode_on(day).mode == "emergency_only"
    built = Calendar.build(config, [office_window("2020-03-19", "2020-03-19", "closed", reference="Banjir")])
    assert built.mode_on(day).mode == "closed" and built.mode_on(day).window.reference == "Banjir"
    assert built.mode_on(dt.date(2020, 3, 20)).mode == "emergency_only"
    opened = Calendar.build(config, [office_window("2020-03-19", "2020-03-19", "normal")])
    assert opened.mode_on(day).mode == "emergency_only"  # a normal window never opens a restricted day
    office_christmas = Calendar.build(config, [office_window("2026-12-21", "2026-12-31", "emergency_only")])
    assert office_christmas.mode_on(dt.date(2026, 12, 25)).mode == "closed"  # the config's holiday holds


def test_without_hours_closes_at_makes_every_day_close_then():
    config = office_config(hours=None, admission={"closes_at": "15:00"})
    built = Calendar.build(config)
    assert built.within_hours(at("2026-12-13", "14:59")) and not built.within_hours(at("2026-12-13", "15:00"))
    assert built.reopens(at("2026-12-13", "15:00")) == at("2026-12-14", "00:00")


def test_the_day_is_over_at_its_closing_time_or_when_it_has_no_hours():
    cal = calendar()
    assert not cal.day_is_over(at("2026-12-11", "13:59")) and cal.day_is_over(at("2026-12-11", "14:00"))
    assert cal.day_is_over(at("2026-12-12", "09:00"))  # Saturday: no hours
    assert not calendar(hours=None).day_is_over(at("2026-12-12", "23:59"))


def test_a_postponement_spanning_joined_windows_ends_on_the_last_and_service_resumes_on_the_next_open_day():
    cal = calendar(Window(dt.date(2026, 12, 1), dt.date(2026, 12, 10), postponed=("ktp",)),
                   Window(dt.date(2026, 12, 11), dt.date(2026, 12, 18), postponed=("ktp", "kk")),
                   closed("2026-12-21"))
    assert cal.postponed_until(dt.date(2026, 12, 3), "ktp") == dt.date(2026, 12, 18)
    assert cal.postponed_until(dt.date(2026, 12, 3), "kk") is None
    assert cal.resumes(dt.date(2026, 12, 18)) == dt.date(2026, 12, 22)  # past the weekend and the holiday


def test_closed_days_ahead_are_the_closed_windows_working_days():
    cal = calendar(closed("2026-12-24", reference="Cuti Bersama"), closed("2026-12-25", "2026-12-27", "Natal"))
    found = [(day.isoformat(), window.reference) for day, window in cal.closed_days(dt.date(2026, 12, 21), 7)]
    assert found == [("2026-12-24", "Cuti Bersama"), ("2026-12-25", "Natal")]  # the weekend has no hours
    assert cal.closed_days(dt.date(2026, 12, 7), 7) == []
