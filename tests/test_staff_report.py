"""The daily report's staff figures, paused time and waiting targets (issue 20) on a seeded day
whose every moment the test sets, against values worked out by hand."""
import csv
import io

import pytest

from conftest import Staff, add_user, office_time, visit

DAY = "2026-03-02"  # the clock fixture's Monday


@pytest.fixture
def seeded_day(app, client, clock):
    """Two staff at two counters through one morning (WIB):

    09:00 B001 B002 B003 (Kartu Keluarga) and C001 (KIA) issued
    09:00 siti calls B001, 09:01 starts, 09:06 finishes               (300 s)
    09:06 siti calls B002, 09:08 marks it a no-show
    09:10 siti pauses (istirahat) until 09:25                          (900 s)
    09:10 budi calls B003, 09:12 starts, 09:22 finishes                (600 s)
    09:31 siti calls C001 (waited 31 min: past KIA's 30), 09:31 starts, 09:34 finishes (180 s)
    09:40 budi pauses (ibadah); the report is read at 10:00            (1,200 s so far)
    """
    add_user(app, "siti", "staff", (1,))
    add_user(app, "budi", "staff", (2,))
    add_user(app, "kepala", "admin", ())
    siti, budi = Staff(app, "siti"), Staff(app, "budi")

    def at(hhmm):
        clock.set(office_time(DAY, hhmm))

    at("09:00")
    tickets = {t["number"]: t for t in (visit(client, s).json["ticket"] for s in ("kk", "kk", "kk", "kia"))}
    siti.post("/api/counters/1/call", json={"ticket_id": tickets["B001"]["id"]})
    at("09:01")
    siti.post(f"/api/tickets/{tickets['B001']['id']}/start")
    at("09:06")
    siti.post(f"/api/tickets/{tickets['B001']['id']}/finish")
    siti.post("/api/counters/1/call", json={"ticket_id": tickets["B002"]["id"]})
    at("09:08")
    siti.post(f"/api/tickets/{tickets['B002']['id']}/no-show")
    at("09:10")
    assert siti.post("/api/counters/1/pause", json={"reason": "istirahat"}).status_code == 200
    budi.post("/api/counters/2/call", json={"ticket_id": tickets["B003"]["id"]})
    at("09:12")
    budi.post(f"/api/tickets/{tickets['B003']['id']}/start")
    at("09:22")
    budi.post(f"/api/tickets/{tickets['B003']['id']}/finish")
    at("09:25")
    siti.post("/api/counters/1/resume")
    at("09:31")
    siti.post("/api/counters/1/call", json={"ticket_id": tickets["C001"]["id"]})
    siti.post(f"/api/tickets/{tickets['C001']['id']}/start")
    at("09:34")
    siti.post(f"/api/tickets/{tickets['C001']['id']}/finish")
    at("09:40")
    assert budi.post("/api/counters/2/pause", json={"reason": "ibadah"}).status_code == 200
    at("10:00")
    return Staff(app, "kepala")


def near(value):
    return pytest.approx(value, abs=0.1)  # each clock reading adds a millisecond


def test_the_staff_rows_give_each_persons_counters_served_no_shows_service_time_and_pauses(seeded_day):
    report = seeded_day.get(f"/api/reports/daily?date={DAY}").json
    assert report["staff"] == [
        {"user": "budi", "counters": [2], "served": 1, "no_show": 0, "mean_service_seconds": near(600),
         "paused_seconds": near(1200)},
        {"user": "siti", "counters": [1], "served": 2, "no_show": 1, "mean_service_seconds": near(240),
         "paused_seconds": near(900)},
    ]


def test_each_counter_row_gives_its_paused_time_an_open_pause_counted_until_now(seeded_day):
    counters = {c["id"]: c for c in seeded_day.get(f"/api/reports/daily?date={DAY}").json["counters"]}
    assert (counters[1]["served"], counters[1]["no_show"], counters[1]["paused_seconds"]) == (2, 1, near(900))
    assert (counters[2]["served"], counters[2]["paused_seconds"]) == (1, near(1200))
    assert counters[3]["paused_seconds"] == 0


def test_the_targets_give_the_share_of_tickets_called_within_each_services_target_wait(seeded_day):
    targets = {t["service"]: t for t in seeded_day.get(f"/api/reports/daily?date={DAY}").json["targets"]}
    assert targets["kk"] == {"service": "kk", "target_wait": 30, "called": 3, "within": 3, "share": 1.0}
    assert targets["kia"] == {"service": "kia", "target_wait": 30, "called": 1, "within": 0, "share": 0.0}
    assert targets["legalisir"] == {"service": "legalisir", "target_wait": 15, "called": 0, "within": 0,
                                    "share": None}


def test_the_csv_carries_the_staff_pauses_and_targets_as_the_json_does(seeded_day):
    report = seeded_day.get(f"/api/reports/daily?date={DAY}").json
    rows = list(csv.reader(io.StringIO(seeded_day.get(f"/api/reports/daily.csv?date={DAY}").get_data(as_text=True))))
    found = {(section, key): value for section, key, value in rows[1:]}
    siti = next(s for s in report["staff"] if s["user"] == "siti")
    assert found[("staff.siti", "served")] == "2" and found[("staff.siti", "no_show")] == "1"
    assert found[("staff.siti", "counters")] == "1"
    assert float(found[("staff.siti", "paused_seconds")]) == siti["paused_seconds"]
    assert float(found[("counter.2", "paused_seconds")]) == near(1200)
    assert (found[("target.kk", "share")], found[("target.legalisir", "share")]) == ("1.0", "")


def test_a_day_without_pauses_or_calls_reports_empty_staff_and_no_share(client, app):
    add_user(app, "kepala", "admin", ())
    report = Staff(app, "kepala").get("/api/reports/daily").json
    assert report["staff"] == []
    assert all(t["called"] == 0 and t["share"] is None for t in report["targets"])
    assert all(c["paused_seconds"] == 0 for c in report["counters"])
