"""Booking ahead through the HTTP API: slots, booking, cancelling, check-in at the kiosk and by
staff, missed bookings, the day's limits and one fair queue. Every moment is the test clock's
(office time, WIB), whatever the machine's date and zone."""
import datetime as dt
import sqlite3
import threading

import pytest

import server
from conftest import CONFIG, FakeClock, Staff, add_user, enroll, office_time, overrides_for, visit

HOURS = {"mon": "07:30-15:00", "tue": "07:30-15:00", "wed": "07:30-15:00", "thu": "07:30-15:00",
         "fri": "07:30-14:00"}
CHRISTMAS = {"mode": "closed", "from": dt.date(2026, 12, 24), "until": dt.date(2026, 12, 25),
             "reference": "Hari Raya Natal"}
_ids = iter(range(1, 10**9))


@pytest.fixture
def clock():
    return FakeClock(office_time("2026-12-07", "09:00"))  # Monday


@pytest.fixture
def overrides(database):
    return overrides_for(database, hours=HOURS, admission={"windows": [CHRISTMAS]},
                         booking={"days_ahead": 14, "slot_minutes": 60, "per_slot": 3, "late_minutes": 15})


def book(client, service="kk", date="2026-12-08", start="08:30", request_id=None):
    return client.post("/api/bookings", json={"service": service, "date": date, "start": start,
                                              "request_id": request_id or f"b{next(_ids)}"})


def check_in(client, code, **extra):
    return client.post("/api/visits", json={"kiosk": "lobby", "booking": code,
                                            "request_id": f"c{next(_ids)}", **extra})


def rows(app, sql, *args):
    with sqlite3.connect(app.extensions["config"].server.database) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, args)]


# --- slots ---

def test_slots_are_cut_from_each_days_hours_from_tomorrow_and_closed_days_say_why(client):
    answer = client.get("/api/booking/slots?service=kk").json
    days = {d["date"]: d["slots"] for d in answer["days"]}
    assert min(days) == "2026-12-08" and max(days) == "2026-12-21"
    tuesday = days["2026-12-08"]
    assert [s["start"] for s in tuesday] == ["07:30", "08:30", "09:30", "10:30", "11:30", "12:30", "13:30", "14:30"]
    assert tuesday[-1] == {"start": "14:30", "end": "15:00", "left": 3}  # cut by closing time
    assert days["2026-12-11"][-1] == {"start": "13:30", "end": "14:00", "left": 3}  # Friday closes at 14:00
    unavailable = {d["date"]: d["reason"] for d in answer["unavailable"]}
    assert unavailable["2026-12-12"] == "Kantor tutup"  # Saturday
    assert "2026-12-24" not in days  # beyond 14 days anyway


def test_a_holiday_is_not_bookable_and_names_itself(client, clock):
    clock.set(office_time("2026-12-21", "09:00"))
    answer = client.get("/api/booking/slots?service=kk").json
    assert "2026-12-24" not in {d["date"] for d in answer["days"]}
    assert {"date": "2026-12-24", "reason": "Kantor tutup: Hari Raya Natal"} in answer["unavailable"]


def test_a_postponed_or_unbookable_service_has_no_bookable_day(client):
    assert client.get("/api/booking/slots?service=ktp").json["days"] == []  # postponed by its flag
    assert client.get("/api/booking/slots?service=paspor").status_code == 400


# --- booking ---

def test_a_booking_gets_a_code_a_token_and_its_slot(app, client):
    response = book(client)
    assert response.status_code == 201
    booking = response.json["booking"]
    assert len(booking["code"]) == 6 and set(booking["code"]) <= set("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")
    assert (booking["date"], booking["start"], booking["end"], booking["status"]) == \
        ("2026-12-08", "08:30", "09:30", "booked")
    assert booking["status_url"] == f"/b/{booking['token']}"
    assert client.get(f"/api/bookings/{booking['token']}").json["booking"] == booking
    slot = next(s for d in client.get("/api/booking/slots?service=kk").json["days"] if d["date"] == "2026-12-08"
                for s in d["slots"] if s["start"] == "08:30")
    assert slot["left"] == 2


def test_the_same_request_id_gets_the_same_booking_and_another_body_is_refused(app, client):
    first = book(client, request_id="once")
    again = book(client, request_id="once")
    assert (again.status_code, again.json) == (201, first.json)
    other = book(client, start="09:30", request_id="once")
    assert (other.status_code, other.json["error"]) == (409, "request_id_reused")
    assert len(rows(app, "SELECT * FROM bookings")) == 1


def test_a_full_slot_is_409_and_nothing_is_written(app, client):
    assert [book(client).status_code for _ in range(3)] == [201, 201, 201]
    full = book(client)
    assert (full.status_code, full.json["error"]) == (409, "slot_full")
    assert "penuh" in full.json["message"]
    assert len(rows(app, "SELECT * FROM bookings")) == 3


@pytest.mark.parametrize("body, status, code", [
    ({"date": "2026-12-07"}, 400, "not_bookable"),  # today: bookable only from tomorrow
    ({"date": "2026-12-12"}, 400, "not_bookable"),  # Saturday
    ({"date": "2026-12-22"}, 400, "not_bookable"),  # beyond 14 days
    ({"start": "08:00"}, 400, "not_bookable"),  # not a slot's start
    ({"service": "ktp"}, 400, "not_bookable"),  # postponed
    ({"service": "paspor"}, 400, "unknown_service"),
    ({"date": "8/12/2026"}, 400, "bad_date"),
])
def test_a_booking_that_cannot_be_made_is_refused_with_a_sentence_and_nothing_written(app, client, body,
                                                                                      status, code):
    response = book(client, **body)
    assert (response.status_code, response.json["error"]) == (status, code)
    assert response.json["message"].endswith(".")
    assert rows(app, "SELECT * FROM bookings") == []


def test_fifty_visitors_racing_for_the_last_three_places_get_exactly_three(app):
    answers, start = [], threading.Barrier(50)

    def racer(n):
        client = app.test_client()
        start.wait()
        answers.append(book(client, request_id=f"race-{n}").status_code)

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [201] * 3 + [409] * 47
    assert len(rows(app, "SELECT * FROM bookings WHERE day = '2026-12-08' AND start = '08:30'")) == 3


def test_a_cancelled_booking_frees_its_place_and_cannot_be_cancelled_twice(app, client):
    tokens = [book(client).json["booking"]["token"] for _ in range(3)]
    cancelled = client.post(f"/api/bookings/{tokens[0]}/cancel")
    assert (cancelled.status_code, cancelled.json["booking"]["status"]) == (200, "cancelled")
    again = client.post(f"/api/bookings/{tokens[0]}/cancel")
    assert (again.status_code, again.json["error"]) == (409, "booking_cancelled")
    assert book(client).status_code == 201
    assert client.get("/api/bookings/no-such-token").status_code == 404


def test_the_per_address_limit_refuses_a_sixth_booking_within_the_hour(database, clock):
    app = server.create_app(CONFIG, overrides_for(database, hours=HOURS, booking={"per_slot": 50},
                                                  limits={"bookings_per_address": "5/hour"}), clock=clock)
    client = app.test_client()
    try:
        assert [book(client).status_code for _ in range(5)] == [201] * 5
        refused = book(client)
        assert refused.status_code == 429 and "Retry-After" in refused.headers
    finally:
        app.extensions["store"].close()


def test_without_booking_in_the_config_its_routes_say_so(database, clock):
    app = server.create_app(CONFIG, overrides_for(database, hours=HOURS), clock=clock)
    client = app.test_client()
    try:
        response = client.get("/api/booking/slots?service=kk")
        assert (response.status_code, response.json["error"]) == (404, "booking_off")
        assert book(client).json["error"] == "booking_off"
    finally:
        app.extensions["store"].close()


# --- check-in ---

def test_a_booking_checked_in_at_the_kiosk_queues_from_its_slots_start(app, client, clock):
    code = book(client).json["booking"]["code"]  # Tuesday 08:30-09:30
    clock.set(office_time("2026-12-08", "08:00"))
    early = visit(client, "kk").json["ticket"]  # a walk-in at 08:00 queues before the slot
    clock.set(office_time("2026-12-08", "08:10"))
    answer = check_in(client, code.lower())  # typed in any case
    assert answer.status_code == 201
    ticket = answer.json["ticket"]
    assert ticket["booked"] is True and ticket["position"] == 1
    clock.set(office_time("2026-12-08", "08:40"))
    late = visit(client, "kk").json["ticket"]  # a walk-in after the slot began queues after it
    assert late["position"] == 2
    waiting = client.get("/api/state").json["waiting"]
    assert [w["number"] for w in waiting] == [early["number"], ticket["number"], late["number"]]
    assert [w["booked"] for w in waiting] == [False, True, False]
    assert rows(app, "SELECT status, ticket_id FROM bookings") == [{"status": "checked_in", "ticket_id": ticket["id"]}]


def test_priority_still_comes_first_among_booked_and_walk_in_tickets(client, clock):
    code = book(client).json["booking"]["code"]
    clock.set(office_time("2026-12-08", "09:00"))
    check_in(client, code)
    elderly = visit(client, "kk", priority="lansia").json["ticket"]
    assert elderly["position"] == 0


def test_a_booking_for_another_day_is_refused_naming_the_date(app, client):
    code = book(client).json["booking"]["code"]
    answer = check_in(client, code)
    assert (answer.status_code, answer.json["error"]) == (409, "booking_not_today")
    assert answer.json["date"] == "2026-12-08" and rows(app, "SELECT * FROM tickets") == []
    assert "Selasa, 8 Desember 2026" in answer.json["message"]


def test_a_used_or_cancelled_code_is_refused_and_an_unknown_one_is_not_found(client, clock):
    used = book(client).json["booking"]
    cancelled = book(client).json["booking"]
    client.post(f"/api/bookings/{cancelled['token']}/cancel")
    clock.set(office_time("2026-12-08", "08:00"))
    assert check_in(client, used["code"]).status_code == 201
    again = check_in(client, used["code"])
    assert (again.status_code, again.json["error"]) == (409, "booking_used")
    refused = check_in(client, cancelled["code"])
    assert (refused.status_code, refused.json["error"]) == (409, "booking_cancelled")
    unknown = check_in(client, "ZZZZZZ")
    assert (unknown.status_code, unknown.json["error"]) == (404, "booking_not_found")


@pytest.mark.parametrize("code", ["ABC12", "ABCDEF7", "ABCD0E", "ABCDI1", "ABC!EF"])
def test_a_code_of_another_length_or_outside_the_alphabet_is_400(app, client, code):
    answer = check_in(client, code)
    assert (answer.status_code, answer.json["error"]) == (400, "bad_booking_code")
    assert rows(app, "SELECT * FROM tickets") == []


def test_a_booking_checked_in_too_late_is_missed_and_the_visitor_may_take_a_walk_in_ticket(app, client, clock):
    code = book(client).json["booking"]["code"]  # 08:30-09:30, late_minutes 15
    second = book(client, start="09:30").json["booking"]["code"]  # 09:30-10:30
    clock.set(office_time("2026-12-08", "09:44"))
    on_time = check_in(client, code, request_id="edge")
    assert on_time.status_code == 201
    clock.set(office_time("2026-12-08", "10:45"))
    late = check_in(client, second)
    assert (late.status_code, late.json["error"]) == (409, "booking_missed")
    assert rows(app, "SELECT status FROM bookings WHERE code = ?", second) == [{"status": "missed"}]
    assert visit(client, "kk").status_code == 201


def test_a_check_in_outside_hours_is_closed_as_for_anyone(app, client, clock):
    code = book(client).json["booking"]["code"]
    clock.set(office_time("2026-12-08", "07:00"))
    answer = check_in(client, code)
    assert (answer.status_code, answer.json["outcome"]) == (200, "closed")
    assert answer.json["reopens"] == {"date": "2026-12-08", "time": "07:30"}
    assert rows(app, "SELECT status FROM bookings") == [{"status": "booked"}]


def test_a_repeated_check_in_request_gets_the_same_ticket(app, client, clock):
    code = book(client).json["booking"]["code"]
    clock.set(office_time("2026-12-08", "08:00"))
    first = check_in(client, code, request_id="tap")
    again = check_in(client, code, request_id="tap")
    assert again.status_code == 201 and again.json["ticket"]["id"] == first.json["ticket"]["id"]
    assert len(rows(app, "SELECT * FROM tickets")) == 1


def test_staff_check_a_visitor_in_and_strangers_cannot(app, client, clock):
    code = book(client).json["booking"]["code"]
    clock.set(office_time("2026-12-08", "08:00"))
    add_user(app, "siti", "staff", (1,))
    staff = Staff(app, "siti")
    assert app.test_client().post(f"/api/bookings/{code}/check-in", json={}).status_code == 401
    assert staff.client.post(f"/api/bookings/{code}/check-in", json={}).status_code == 403  # no CSRF
    answer = staff.post(f"/api/bookings/{code}/check-in")
    assert answer.status_code == 201 and answer.json["ticket"]["booked"] is True
    assert rows(app, "SELECT kiosk FROM tickets") == [{"kiosk": "loket"}]
    assert rows(app, "SELECT * FROM print_jobs") == []


def test_bookings_left_unchecked_become_missed_after_their_slot_and_free_the_days_limit(app, client, clock):
    code = book(client).json["booking"]["code"]
    bookings = app.extensions["bookings"]
    clock.set(office_time("2026-12-08", "09:44"))
    assert bookings.mark_missed() == 0
    clock.set(office_time("2026-12-08", "09:45"))
    assert bookings.mark_missed() == 1
    assert rows(app, "SELECT status FROM bookings WHERE code = ?", code) == [{"status": "missed"}]


def test_bookings_count_toward_the_days_limit_until_missed(database, clock):
    app = server.create_app(CONFIG, overrides_for(database, hours=HOURS, booking={"per_slot": 5},
                                                  admission={"daily_limit": 2}), clock=clock)
    client = enroll(app, app.test_client())
    try:
        assert [book(client).status_code for _ in range(2)] == [201, 201]
        full = book(client)
        assert (full.status_code, full.json["error"]) == (409, "slot_full")
        clock.set(office_time("2026-12-08", "08:00"))
        assert visit(client, "kk").json["outcome"] == "full"
        clock.set(office_time("2026-12-08", "10:00"))
        app.extensions["bookings"].mark_missed()
        assert visit(client, "kk").status_code == 201
    finally:
        app.extensions["store"].close()


def test_the_supervisor_sees_a_days_bookings_by_slot(app, client, clock):
    booked = [book(client).json["booking"] for _ in range(2)]
    book(client, start="10:30")
    client.post(f"/api/bookings/{booked[1]['token']}/cancel")
    add_user(app, "kepala", "admin", ())
    admin = Staff(app, "kepala")
    summary = admin.get("/api/bookings?date=2026-12-08").json
    assert summary["slots"] == [
        {"start": "08:30", "services": {"kk": {"booked": 1, "checked_in": 0, "missed": 0, "cancelled": 1}}},
        {"start": "10:30", "services": {"kk": {"booked": 1, "checked_in": 0, "missed": 0, "cancelled": 0}}}]


def test_the_daily_report_counts_bookings_and_splits_tickets_by_source(app, client, clock):
    used = book(client).json["booking"]
    book(client, start="10:30")
    cancelled = book(client, start="11:30").json["booking"]
    client.post(f"/api/bookings/{cancelled['token']}/cancel")
    clock.set(office_time("2026-12-08", "08:00"))
    check_in(client, used["code"])
    visit(client, "kk")
    clock.set(office_time("2026-12-08", "12:00"))
    app.extensions["bookings"].mark_missed()
    add_user(app, "kepala", "admin", ())
    admin = Staff(app, "kepala")
    report = admin.get("/api/reports/daily?date=2026-12-08").json
    assert report["tickets"]["by_source"] == {"walk_in": 1, "booked": 1, "desk": 0, "phone": 0}
    assert report["bookings"]["total"] == {"made": 3, "booked": 0, "checked_in": 1, "missed": 1, "cancelled": 1}
    assert report["bookings"]["by_service"]["kk"]["made"] == 3
    lines = admin.get("/api/reports/daily.csv?date=2026-12-08").get_data(as_text=True).splitlines()
    assert "bookings,missed,1" in lines and "tickets.by_source,booked,1" in lines
    text = admin.get("/api/reports/range.csv?from=2026-12-08&until=2026-12-08").get_data(as_text=True)
    row = dict(zip(*[line.split(",") for line in text.splitlines()]))
    assert (row["booked_tickets"], row["bookings_made"], row["bookings_missed"]) == ("1", "3", "1")
