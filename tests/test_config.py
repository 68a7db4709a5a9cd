"""config.toml: every key checked, unknown keys refused, the message names the key."""
import datetime as dt
import subprocess
import sys
import tomllib

import pytest

from conftest import CONFIG, ROOT
from queueing import config as configuration
from queueing.config import ConfigError


def load_with(**changes):
    return configuration.load(CONFIG, changes)


def raw_config() -> dict:
    with open(CONFIG, "rb") as f:
        return tomllib.load(f)


def with_service(index: int, **changes) -> dict:
    data = raw_config()
    data["services"][index] = {**data["services"][index], **changes}
    return data


def refused(data: dict) -> str:
    with pytest.raises(ConfigError) as e:
        configuration.parse(data)
    return str(e.value)


def test_the_shipped_config_is_a_realistic_office():
    office = configuration.load(CONFIG)
    assert not office.service("ktp").postponed and "suket" in office.service("ktp").notice
    assert {r.code for r in office.reasons} == {"bpjs", "rumah_sakit", "tni_polri"}
    assert len(office.counters) >= 4
    assert office.kiosk("lobby").printer.type == "preview"
    assert len({s.prefix for s in office.services}) == len(office.services) >= 9


def test_the_shipped_config_postpones_ktp_el_only_in_the_seed_weeks():
    seed = configuration.load(CONFIG).admission.windows[0]
    assert (seed.start, seed.until) == (dt.date(2020, 3, 18), dt.date(2020, 4, 7))
    assert (seed.mode, seed.postponed) == ("emergency_only", ("ktp",))
    assert seed.reference == "Surat Edaran Sekda 470/318/105/2020"


def test_the_shipped_config_has_weekday_hours_and_the_2026_holidays_as_closed_windows():
    office = configuration.load(CONFIG)
    assert office.hours.on(dt.date(2026, 12, 7)) == (dt.time(7, 30), dt.time(15))  # Monday
    assert office.hours.on(dt.date(2026, 12, 11)) == (dt.time(7, 30), dt.time(14))  # Friday
    assert office.hours.on(dt.date(2026, 12, 12)) is office.hours.on(dt.date(2026, 12, 13)) is None
    holidays = [w for w in office.admission.windows if w.mode == "closed"]
    days = {w.start + dt.timedelta(days=n) for w in holidays for n in range((w.until - w.start).days + 1)}
    assert len(days) == 25  # 17 national holidays and 8 collective leave days (SKB 1497/2/5 of 2025)
    assert {dt.date(2026, 12, 24), dt.date(2026, 12, 25), dt.date(2026, 8, 17)} <= days
    assert all(w.reference for w in holidays) and all(not w.postponed for w in holidays)


def with_hours(**days):
    data = raw_config()
    data["admission"].pop("closes_at", None)
    data["hours"] = days
    return data


def test_an_hours_string_that_does_not_parse_stops_the_server_naming_the_key():
    assert refused(with_hours(mon="07:30-15:00", fri="07:30-")) == 'hours.fri: "07:30-" is not HH:MM-HH:MM'
    assert refused(with_hours(mon="15:00-07:30")) == "hours.mon: closes before it opens"
    assert refused(with_hours(senin="07:30-15:00")).startswith("hours.senin: unknown weekday")
    assert refused(with_hours(mon=730)).startswith("hours.mon: must be a string")


def test_closes_at_and_hours_together_are_refused():
    data = with_hours(mon="07:30-15:00")
    data["admission"]["closes_at"] = "15:00"
    assert refused(data).startswith("admission.closes_at: not allowed with [hours]")


def test_without_hours_the_office_admits_all_day_and_closes_at_is_still_allowed():
    data = raw_config()
    data.pop("hours", None)
    data["admission"]["closes_at"] = "15:00"
    office = configuration.parse(data)
    assert office.hours is None and office.admission.closes_at == dt.time(15)


def with_window(**window):
    data = raw_config()
    data["admission"]["windows"] = [{"from": dt.date(2026, 12, 24), "until": dt.date(2026, 12, 25),
                                     "reference": "Natal", **window}]
    return data


def test_a_bad_window_stops_the_server_naming_the_key():
    assert refused(with_window(mode="libur")) == \
        "admission.windows[0].mode: must be one of normal, emergency_only, closed"
    assert refused(with_window(mode="closed", until=dt.date(2026, 12, 1))) == \
        "admission.windows[0].until: must not be before from"
    assert refused(with_window(postponed=["ktp", "paspor"])) == \
        "admission.windows[0].postponed[1]: unknown service 'paspor'"
    assert refused(with_window()) == "admission.windows[0]: sets neither mode nor postponed"


def test_a_window_may_postpone_services_without_a_mode():
    office = configuration.parse(with_window(postponed=["ktp"]))
    assert office.admission.windows[0].mode is None
    assert office.admission.windows[0].postponed == ("ktp",)


def test_a_service_may_have_its_own_daily_limit():
    assert configuration.parse(with_service(1, daily_limit=20)).services[1].daily_limit == 20
    assert refused(with_service(1, daily_limit=-1)) == "services[1].daily_limit: must not be negative"


def test_relative_database_path_resolves_against_the_config_folder():
    assert configuration.load(CONFIG).server.database == ROOT / "instance" / "antrian.db"


def test_a_prefix_of_two_letters_is_refused_naming_the_key():
    assert refused(with_service(2, prefix="AB")) == "services[2].prefix: must be one letter A-Z"


def test_an_unknown_key_is_refused_so_a_typo_never_passes():
    data = with_service(1, onlien=True)
    assert refused(data) == "services[1].onlien: unknown key"
    data = raw_config()
    data["admission"]["dialy_limit"] = 5
    assert refused(data) == "admission.dialy_limit: unknown key"


def test_an_unknown_timezone_is_refused():
    data = raw_config()
    data["office"]["timezone"] = "Asia/Tulungagung"
    assert "office.timezone: unknown time zone" in refused(data)


def test_duplicate_codes_prefixes_and_ids_are_refused():
    data = with_service(3, prefix="B")
    assert refused(data) == "services[3].prefix: duplicate prefix 'B'"
    data = with_service(3, code="kk")
    assert refused(data) == "services[3].code: duplicate service code 'kk'"
    data = raw_config()
    data["counters"][1]["id"] = 1
    assert refused(data) == "counters[1].id: duplicate counter id 1"


def test_a_counter_naming_an_unknown_service_is_refused():
    data = raw_config()
    data["counters"][0]["services"] = ["kk", "paspor"]
    assert refused(data) == "counters[0].services[1]: unknown service 'paspor'"


def test_wrong_types_and_values_are_refused():
    data = raw_config()
    data["admission"]["mode"] = "darurat"
    assert refused(data) == "admission.mode: must be one of normal, emergency_only, closed"
    data = raw_config()
    data["admission"]["daily_limit"] = "600"
    assert refused(data) == "admission.daily_limit: must be a whole number"
    data = raw_config()
    data["admission"]["closes_at"] = "3 sore"
    assert "admission.closes_at" in refused(data)
    data = raw_config()
    data["limits"]["visits_per_kiosk"] = "many"
    assert "limits.visits_per_kiosk" in refused(data)
    data = raw_config()
    data["limits"]["logins_per_account"] = "ten a minute"
    assert "limits.logins_per_account" in refused(data)


def test_the_per_account_login_limit_is_on_by_default_and_off_when_empty():
    assert configuration.parse(raw_config()).limits.logins_per_account == "10/minute"
    assert load_with(limits={"logins_per_account": ""}).limits.logins_per_account == ""


def test_the_connection_bounds_are_shipped_on_and_read_as_numbers_or_text():
    shipped = configuration.parse(raw_config())
    assert (shipped.server.sockets, shipped.server.threads) == (1200, 100)
    assert (shipped.limits.sockets_per_address, shipped.limits.requests_per_address) == (20, "600/minute")
    assert load_with(limits={"sockets_per_address": 5}).limits.sockets_per_address == 5
    assert load_with(limits={"sockets_per_address": ""}).limits.sockets_per_address == 0
    data = raw_config()
    data["limits"]["sockets_per_address"] = "twenty"
    assert refused(data) == 'limits.sockets_per_address: must be a whole number like "20" or ""'
    data = raw_config()
    data["server"]["sockets"] = 10
    assert refused(data) == "server.sockets: must be between 20 and 5000"
    data = raw_config()
    data["limits"]["requests_per_address"] = "often"
    assert "limits.requests_per_address" in refused(data)


def test_a_network_printer_needs_a_host():
    data = raw_config()
    data["kiosks"][0]["printer"] = {"type": "network"}
    assert refused(data) == "kiosks[0].printer.host: is required for a network printer"


def test_a_window_ending_before_it_starts_is_refused():
    data = raw_config()
    window = data["admission"]["windows"][0]
    window["until"], window["from"] = window["from"], window["until"]
    assert refused(data) == "admission.windows[0].until: must not be before from"


def test_the_server_stops_with_the_message_and_a_non_zero_exit(tmp_path):
    bad = tmp_path / "config.toml"
    bad.write_text(CONFIG.read_text().replace('prefix = "C"', 'prefix = "cc"'))
    run = subprocess.run([sys.executable, "server.py", "--config", str(bad)], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "services[2].prefix: must be one letter A-Z" in run.stderr


def test_a_file_that_is_not_toml_is_refused_with_its_path(tmp_path):
    bad = tmp_path / "config.toml"
    bad.write_text("[office\nname = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        configuration.load(bad)
