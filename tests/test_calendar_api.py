"""The calendar through the HTTP API: hours, closed windows, postponements, per-service limits,
the office's own windows (/api/windows) and the mode events they send. Every moment is the
test clock's, in office time (WIB), whatever the machine's date and zone."""
import csv
import datetime as dt
import io
import sqlite3
import tomllib

import pytest

import server
from conftest import CONFIG, FakeClock, Staff, add_user, enroll, office_time, overrides_for, visit

HOURS = {"mon": "07:30-15:00", "tue": "07:30-15:00", "wed": "07:30-15:00", "thu": "07:30-15:00",
         "fri": "07:30-14:00"}
CHRISTMAS = [{"mode": "closed", "from": "2026-12-24", "until": "2026-12-24",
              "reference": "Cuti Bersama Hari Raya Natal"},
             {"mode": "closed", "from": "2026-12-25", "until": "2026-12-25", "reference": "Hari Raya Natal"}]


def toml_window(window: dict) -> dict:
    return {**window, "from": dt.date.fromisoformat(window["from"]),
            "until": dt.date.fromisoformat(window["until"])}


@pytest.fixture
def overrides(database):
    """The office's week: weekday hours, Christmas closed, and KTP-el postponed (conftest)."""
    return overrides_for(database, hours=HOURS, admission={"windows": list(map(toml_window, CHRISTMAS))})


@pytest.fixture
def clock():
    return FakeClock(office_time("2026-12-07", "09:00"))  # a Monday in December; staff log in then


def rows(app, sql, *args):
    with sqlite3.connect(app.extensions["config"].server.database) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, args)]


def test_a_visit_before_opening_is_closed_and_opens_today(client, clock):
    clock.set(office_time("2026-12-07", "06:45"))  # Monday
    answer = visit(client).json
    assert answer["outcome"] == "closed"
    assert answer["reopens"] == {"date": "2026-12-07", "time": "07:30"}
    assert answer["message"] == "Pelayanan dibuka hari ini pukul 07.30."
    assert rows(client.application, "SELECT outcome FROM visits") == [{"outcome": "closed"}]
    assert rows(client.application, "SELECT * FROM tickets") == []


def test_a_visit_during_hours_gets_a_ticket(client, clock):
    clock.set(office_time("2026-12-07", "07:30"))
    assert visit(client).status_code == 201


def test_a_visit_after_friday_closing_reopens_on_monday(client, clock):
    clock.set(office_time("2026-12-11", "14:00"))  # Friday closes at 14:00
    answer = visit(client).json
    assert (answer["outcome"], answer["reopens"]) == ("closed", {"date": "2026-12-14", "time": "07:30"})
    assert answer["message"] == ("Pelayanan hari ini sudah ditutup. Pelayanan dibuka kembali "
                                 "Senin, 14 Desember 2026 pukul 07.30.")


def test_a_visit_on_a_weekend_reopens_on_monday(client, clock):
    clock.set(office_time("2026-12-13", "10:00"))  # Sunday
    answer = visit(client, reason="bpjs").json  # an emergency too: the office is shut
    assert (answer["outcome"], answer["reopens"]) == ("closed", {"date": "2026-12-14", "time": "07:30"})


def test_a_visit_on_a_holiday_names_it_and_skips_the_joined_days(client, clock):
    clock.set(office_time("2026-12-24", "09:00"))  # cuti bersama, then Christmas, then the weekend
    answer = visit(client).json
    assert answer["outcome"] == "closed"
    assert answer["reopens"] == {"date": "2026-12-28", "time": "07:30"}
    assert answer["message"].startswith("Kantor tutup: Cuti Bersama Hari Raya Natal.")


def test_the_state_says_whether_walk_ins_are_admitted_and_when_again(client, clock):
    clock.set(office_time("2026-12-07", "10:00"))
    state = client.get("/api/state").json
    assert (state["open"], state["reopens"]) == (True, None)
    assert state["calendar"]["hours"] == {"opens": "07:30", "closes": "15:00"}
    clock.set(office_time("2026-12-07", "15:00"))
    state = client.get("/api/state").json
    assert (state["open"], state["reopens"]) == (False, {"date": "2026-12-08", "time": "07:30"})
    assert state["calendar"]["admitting"] is False
    assert "Selasa, 8 Desember 2026 pukul 07.30" in state["calendar"]["message"]


def test_the_state_announces_closed_days_a_few_days_ahead(client, clock):
    clock.set(office_time("2026-12-21", "10:00"))
    ahead = client.get("/api/state").json["calendar"]["closed_ahead"]
    assert [d["date"] for d in ahead["days"]] == ["2026-12-24", "2026-12-25"]
    assert ahead["message"] == ("Kantor tutup Kamis, 24 Desember 2026 (Cuti Bersama Hari Raya Natal) "
                                "dan Jumat, 25 Desember 2026 (Hari Raya Natal).")
    clock.set(office_time("2026-12-07", "10:00"))
    assert client.get("/api/state").json["calendar"]["closed_ahead"] is None


def test_tickets_expire_at_each_weekdays_closing_time(app, client, clock):
    service = app.extensions["queue"]
    clock.set(office_time("2026-12-10", "14:30"))  # Thursday: open until 15:00
    visit(client)
    assert service.expire_day().body["expired"] == 0
    clock.set(office_time("2026-12-10", "15:00"))
    assert service.expire_day().body["expired"] == 1
    clock.set(office_time("2026-12-11", "13:59"))  # Friday: until 14:00
    visit(client)
    assert service.expire_day().body["expired"] == 0
    clock.set(office_time("2026-12-11", "14:00"))
    assert service.expire_day().body["expired"] == 1


def test_a_service_postponed_by_a_window_names_the_day_it_resumes(client, clock, admin):
    admin.post("/api/windows", json={"from": "2026-12-07", "until": "2026-12-23", "postponed": ["kia"],
                                     "reference": "Blangko KIA habis"})
    answer = visit(client, "kia").json
    assert answer["outcome"] == "postponed"
    assert (answer["until"], answer["resumes_on"]) == ("2026-12-23", "2026-12-28")  # past Christmas
    assert "Senin, 28 Desember 2026" in answer["message"]
    assert visit(client, "kk").status_code == 201


def test_a_services_own_daily_limit_makes_it_full_naming_it(database, clock):
    with open(CONFIG, "rb") as f:
        services = [{**s, "daily_limit": 2} if s["code"] == "kk" else s for s in tomllib.load(f)["services"]]
    app = server.create_app(CONFIG, overrides_for(database, services=services), clock=clock)
    client = enroll(app, app.test_client())
    try:
        assert [visit(client, "kk").status_code for _ in range(2)] == [201, 201]
        full = visit(client, "kk").json
        assert (full["outcome"], full["limit"], full["service"]) == ("full", "service", "kk")
        assert "Kartu Keluarga" in full["message"]
        assert visit(client, "kia").status_code == 201
    finally:
        app.extensions["store"].close()


# --- the office's own windows ---

def test_windows_list_the_configs_read_only_and_the_offices_own(admin, clock):
    listed = admin.get("/api/windows").json["windows"]
    assert [w["source"] for w in listed] == ["config"] * 2
    assert listed[1] == {"id": "config-1", "source": "config", "from": "2026-12-25", "until": "2026-12-25",
                         "mode": "closed", "postponed": [], "reference": "Hari Raya Natal"}
    added = admin.post("/api/windows", json={"from": "2026-12-31", "until": "2026-12-31", "mode": "closed",
                                             "reference": "Rapat akhir tahun"})
    assert added.status_code == 201
    window = added.json["window"]
    assert (window["source"], window["created_by"]) == ("office", "kepala")
    assert admin.get("/api/windows").json["windows"][-1] == window


def test_a_holiday_added_live_closes_the_kiosk_and_is_announced_as_a_mode_event(app, client, admin, clock,
                                                                                 socket_client):
    screen = socket_client()
    screen.get_received()
    response = admin.post("/api/windows", json={"from": "2026-12-07", "until": "2026-12-07", "mode": "closed",
                                                "reference": "Hari Berkabung"})
    assert response.status_code == 201
    answer = visit(client).json
    assert answer["outcome"] == "closed" and answer["message"].startswith("Kantor tutup: Hari Berkabung.")
    assert answer["reopens"] == {"date": "2026-12-08", "time": "07:30"}
    events = [m["args"][0] for m in screen.get_received() if m["name"] == "queue"]
    assert [(e["event"], e["ticket"]) for e in events] == [("mode", None)]
    logged = rows(app, "SELECT actor, data FROM events WHERE event = 'mode'")
    assert logged[0]["actor"] == "kepala" and '"Hari Berkabung"' in logged[0]["data"]
    window_id = response.json["window"]["id"]
    assert admin.client.delete(f"/api/windows/{window_id}", headers={"X-CSRFToken": admin.csrf}).status_code == 204
    assert visit(client).status_code == 201
    assert rows(app, "SELECT deleted_by FROM windows") == [{"deleted_by": "kepala"}]


def test_an_office_closed_day_inside_an_emergency_period_closes_that_day(client, admin, clock):
    admin.post("/api/windows", json={"from": "2026-12-07", "until": "2026-12-18", "mode": "emergency_only",
                                     "reference": "SE 470/1/2026"})
    assert visit(client, "kk").json["outcome"] == "online"
    admin.post("/api/windows", json={"from": "2026-12-07", "until": "2026-12-07", "mode": "closed",
                                     "reference": "Pemadaman listrik"})
    assert visit(client, "kk", reason="bpjs").json["outcome"] == "closed"
    closed = visit(client, "legalisir").json
    assert closed["reopens"] == {"date": "2026-12-21", "time": "07:30"}  # the first normal day


def test_a_config_window_cannot_be_deleted(admin):
    response = admin.client.delete("/api/windows/config-0", headers={"X-CSRFToken": admin.csrf})
    assert (response.status_code, response.json["error"]) == (409, "config_window")
    missing = admin.client.delete("/api/windows/999", headers={"X-CSRFToken": admin.csrf})
    assert missing.status_code == 404


@pytest.mark.parametrize("body, code", [
    ({"from": "2026-12-10", "until": "2026-12-09", "mode": "closed", "reference": "x"}, "bad_window"),
    ({"from": "2026-12-10", "until": "2026-12-10", "mode": "libur", "reference": "x"}, "bad_mode"),
    ({"from": "2026-12-10", "until": "2026-12-10", "postponed": ["paspor"], "reference": "x"}, "unknown_service"),
    ({"from": "2026-12-10", "until": "2026-12-10", "reference": "x"}, "bad_window"),
    ({"from": "2026-12-10", "until": "2026-12-10", "mode": "closed"}, "missing_field"),
    ({"from": "10/12/2026", "until": "2026-12-10", "mode": "closed", "reference": "x"}, "bad_date"),
    ({"until": "2026-12-10", "mode": "closed", "reference": "x"}, "missing_field"),
    ({"from": "2026-12-10", "until": "2026-12-10", "postponed": "ktp", "reference": "x"}, "bad_window"),
    ({"from": "2026-12-10", "until": "2026-12-10", "mode": "closed", "reference": "x" * 201}, "too_long"),
])
def test_a_bad_window_is_a_400_with_a_sentence_and_nothing_is_saved(app, admin, body, code):
    response = admin.post("/api/windows", json=body)
    assert (response.status_code, response.json["error"]) == (400, code)
    assert response.json["message"].endswith(".")
    assert rows(app, "SELECT * FROM windows") == []
    assert rows(app, "SELECT * FROM events WHERE event = 'mode'") == []


def test_windows_need_an_admin_with_a_csrf_token(app, staff):
    body = {"from": "2026-12-31", "until": "2026-12-31", "mode": "closed", "reference": "x"}
    assert app.test_client().get("/api/windows").status_code == 401
    assert app.test_client().post("/api/windows", json=body).status_code == 401
    assert staff.post("/api/windows", json=body).status_code == 403
    add_user(app, "kepala", "admin", ())
    admin = Staff(app, "kepala")
    assert admin.client.post("/api/windows", json=body).status_code == 403  # no X-CSRFToken
    assert admin.client.delete("/api/windows/1").status_code == 403
    assert rows(app, "SELECT * FROM windows") == []


def test_the_clock_opening_and_closing_the_office_is_announced_once(app, clock, socket_client):
    service = app.extensions["queue"]
    clock.set(office_time("2026-12-07", "07:00"))
    assert service.mark_calendar() is False  # the first look only records the state
    screen = socket_client()
    screen.get_received()
    clock.set(office_time("2026-12-07", "07:30"))
    assert service.mark_calendar() is True
    assert service.mark_calendar() is False
    clock.set(office_time("2026-12-07", "15:00"))
    assert service.mark_calendar() is True
    events = [m["args"][0]["event"] for m in screen.get_received() if m["name"] == "queue"]
    assert events == ["mode", "mode"]
    assert rows(app, "SELECT count(*) AS n FROM events WHERE event = 'mode' AND actor = 'system'") == [{"n": 2}]


# --- reports ---

def test_the_daily_report_marks_a_closed_day_and_its_reason(admin):
    christmas = admin.get("/api/reports/daily?date=2026-12-25").json["calendar"]
    assert christmas == {"state": "closed", "reason": "Hari Raya Natal", "hours": {"opens": "07:30", "closes": "14:00"}}
    sunday = admin.get("/api/reports/daily?date=2026-12-27").json["calendar"]
    assert sunday == {"state": "closed", "reason": "Tidak ada jam layanan", "hours": None}
    monday = admin.get("/api/reports/daily?date=2026-12-07").json["calendar"]
    assert monday == {"state": "open", "reason": None, "hours": {"opens": "07:30", "closes": "15:00"}}
    csv_rows = admin.get("/api/reports/daily.csv?date=2026-12-25").get_data(as_text=True).splitlines()
    assert "calendar,state,closed" in csv_rows and "calendar,reason,Hari Raya Natal" in csv_rows


def test_the_range_export_gives_each_days_state(admin):
    admin.post("/api/windows", json={"from": "2026-12-21", "until": "2026-12-22", "mode": "emergency_only",
                                     "reference": "SE 470/9/2026"})
    text = admin.get("/api/reports/range.csv?from=2026-12-21&until=2026-12-27").get_data(as_text=True)
    states = [(row["date"], row["state"], row["reason"]) for row in csv.DictReader(io.StringIO(text))]
    assert states == [("2026-12-21", "emergency_only", "SE 470/9/2026"),
                      ("2026-12-22", "emergency_only", "SE 470/9/2026"),
                      ("2026-12-23", "open", ""),
                      ("2026-12-24", "closed", "Cuti Bersama Hari Raya Natal"),
                      ("2026-12-25", "closed", "Hari Raya Natal"),
                      ("2026-12-26", "closed", "Tidak ada jam layanan"),
                      ("2026-12-27", "closed", "Tidak ada jam layanan")]


@pytest.mark.parametrize("window_id", ["²", "１", "99999999999999999999999", "-1", "1.0"])
def test_a_window_id_that_is_not_a_plain_number_is_not_found(admin, window_id):
    response = admin.client.delete(f"/api/windows/{window_id}", headers={"X-CSRFToken": admin.csrf})
    assert (response.status_code, response.json["error"]) == (404, "window_not_found")
