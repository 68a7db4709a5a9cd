"""The counter's day through the API (issue 20): a no-show requeued, tickets issued at a staffed
desk, waiting targets, and what the console's desk shows of them. Pauses are in test_pauses.py,
the report's staff figures in test_staff_report.py."""
import sqlite3
import threading

import pytest

from conftest import Staff, add_user, visit


def rows(app, sql, *args):
    with sqlite3.connect(app.extensions["config"].server.database) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, args)]


def no_show(staff, counter: int = 1) -> dict:
    """Call the counter's next ticket and mark it a no-show; its view."""
    ticket = staff.post(f"/api/counters/{counter}/call-next").json["ticket"]
    return staff.post(f"/api/tickets/{ticket['id']}/no-show").json["ticket"]


def waiting_numbers(client, service: str = "kk") -> list[str]:
    return [w["number"] for w in client.get("/api/state").json["waiting"] if w["service"] == service]


# --- requeue ---

def test_a_requeued_no_show_goes_after_the_next_three_waiting_tickets_of_its_service(client, staff, socket_client):
    for _ in range(6):
        visit(client, "kk")
    gone = no_show(staff)  # B001
    screen = socket_client()
    screen.get_received()
    answer = staff.post(f"/api/tickets/{gone['id']}/requeue")
    assert answer.status_code == 200
    ticket = answer.json["ticket"]
    assert (ticket["number"], ticket["status"], ticket["position"], ticket["counter"]) == ("B001", "waiting", 3, None)
    assert waiting_numbers(client) == ["B002", "B003", "B004", "B001", "B005", "B006"]
    events = [m["args"][0] for m in screen.get_received() if m["name"] == "queue"]
    assert [(e["event"], e["ticket"]["number"], e["ticket"]["status"]) for e in events] == [
        ("requeued", "B001", "waiting")]
    # the call order follows: three others first, then the requeued visitor
    order = []
    for _ in range(4):
        held = staff.post("/api/counters/1/call-next").json["ticket"]
        order.append(held["number"])
        staff.post(f"/api/tickets/{held['id']}/start")
        staff.post(f"/api/tickets/{held['id']}/finish")
    assert order == ["B002", "B003", "B004", "B001"]


def test_with_fewer_waiting_than_requeue_after_the_no_show_goes_last_and_its_phone_sees_it(client, staff):
    visit(client, "kk")
    second = visit(client, "kk").json["ticket"]
    gone = no_show(staff)
    assert gone["number"] == "B001"
    ticket = staff.post(f"/api/tickets/{gone['id']}/requeue").json["ticket"]
    assert ticket["position"] == 1  # min(3, 1 waiting)
    phone = client.get(f"/api/tickets/{ticket['token']}").json["ticket"]
    assert (phone["status"], phone["position"]) == ("waiting", 1)
    assert waiting_numbers(client) == [second["number"], "B001"]


def test_an_empty_queue_takes_the_requeued_ticket_first(client, staff):
    visit(client, "kk")
    gone = no_show(staff)
    assert staff.post(f"/api/tickets/{gone['id']}/requeue").json["ticket"]["position"] == 0
    assert staff.post("/api/counters/1/call-next").json["ticket"]["number"] == "B001"


def test_a_requeued_priority_ticket_stays_among_the_priority_ones(client, staff):
    visit(client, "kk", priority="lansia")
    for _ in range(2):
        visit(client, "kk", priority="lansia")
    for _ in range(3):
        visit(client, "kk")
    gone = no_show(staff)  # B001, priority
    ticket = staff.post(f"/api/tickets/{gone['id']}/requeue").json["ticket"]
    # two priority tickets wait: it cannot go after a plain one, so it is last of the priority ones
    assert ticket["position"] == 2 and ticket["priority"] is True
    assert waiting_numbers(client) == ["B002", "B003", "B001", "B004", "B005", "B006"]


def test_a_plain_ticket_requeued_behind_more_priority_tickets_than_requeue_after_waits_behind_them_all(
        client, staff):
    plain = visit(client, "kk").json["ticket"]
    for _ in range(4):
        visit(client, "kk", priority="ibu_hamil")
    staff.post("/api/counters/1/call", json={"ticket_id": plain["id"]})
    staff.post(f"/api/tickets/{plain['id']}/no-show")
    assert staff.post(f"/api/tickets/{plain['id']}/requeue").json["ticket"]["position"] == 4


@pytest.mark.parametrize("move", ["waiting", "called", "done"])
def test_requeueing_a_ticket_that_is_not_a_no_show_is_409_and_changes_nothing(app, client, staff, move):
    ticket = visit(client, "kk").json["ticket"]
    if move != "waiting":
        staff.post("/api/counters/1/call-next")
    if move == "done":
        staff.post(f"/api/tickets/{ticket['id']}/start")
        staff.post(f"/api/tickets/{ticket['id']}/finish")
    before = rows(app, "SELECT * FROM tickets")
    answer = staff.post(f"/api/tickets/{ticket['id']}/requeue")
    assert (answer.status_code, answer.json["error"]) == (409, "not_no_show")
    assert "tidak hadir" in answer.json["message"]
    assert rows(app, "SELECT * FROM tickets") == before


def test_requeueing_after_requeue_minutes_is_409_requeue_too_late_and_the_desk_says_so(app, client, staff, clock):
    visit(client, "kk")
    gone = no_show(staff)
    assert gone["requeue_until"] is not None
    clock.advance(minutes=59)
    desk = staff.get("/api/counters/1").json
    assert [(n["number"], n["requeueable"]) for n in desk["no_shows"]] == [("B001", True)]
    clock.advance(minutes=2)
    assert staff.get("/api/counters/1").json["no_shows"][0]["requeueable"] is False
    answer = staff.post(f"/api/tickets/{gone['id']}/requeue")
    assert (answer.status_code, answer.json["error"]) == (409, "requeue_too_late")
    assert "60 menit" in answer.json["message"]
    assert rows(app, "SELECT status FROM tickets") == [{"status": "no_show"}]


def test_a_no_show_of_another_day_is_409_not_today(app, client, staff, clock):
    visit(client, "kk")
    gone = no_show(staff)
    clock.advance(days=1)
    answer = Staff(app, "siti").post(f"/api/tickets/{gone['id']}/requeue")
    assert (answer.status_code, answer.json["error"]) == (409, "not_today")


def test_staff_of_a_counter_not_serving_the_service_get_403_and_strangers_401(app, client, staff):
    visit(client, "kk")
    gone = no_show(staff)
    add_user(app, "wati", "staff", (3,))  # counter 3 does not serve kk
    answer = Staff(app, "wati").post(f"/api/tickets/{gone['id']}/requeue")
    assert (answer.status_code, answer.json["error"]) == (403, "not_your_ticket")
    assert app.test_client().post(f"/api/tickets/{gone['id']}/requeue").status_code == 401
    assert staff.client.post(f"/api/tickets/{gone['id']}/requeue").status_code == 403  # no CSRF
    assert rows(app, "SELECT status FROM tickets") == [{"status": "no_show"}]


def test_staff_of_another_counter_serving_the_service_and_an_admin_may_requeue(app, client, staff, staff2, admin):
    visit(client, "kk")
    visit(client, "kk")
    first = no_show(staff)
    assert staff2.post(f"/api/tickets/{first['id']}/requeue").status_code == 200  # counter 2 serves kk
    second = no_show(staff)
    assert admin.post(f"/api/tickets/{second['id']}/requeue").status_code == 200


def test_two_staff_requeueing_the_same_ticket_at_once_one_succeeds_one_409_one_event(app, client, staff, staff2,
                                                                                     socket_client):
    visit(client, "kk")
    gone = no_show(staff)
    screen = socket_client()
    screen.get_received()
    barrier, answers = threading.Barrier(2), []

    def press(who):
        barrier.wait()
        answers.append(who.post(f"/api/tickets/{gone['id']}/requeue").status_code)

    threads = [threading.Thread(target=press, args=(who,)) for who in (staff, staff2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [200, 409]
    events = [m["args"][0]["event"] for m in screen.get_received() if m["name"] == "queue"]
    assert events == ["requeued"]
    assert rows(app, "SELECT requeues FROM tickets") == [{"requeues": 1}]


def test_the_desk_lists_todays_no_shows_of_the_counters_services_latest_first(client, staff, clock):
    visit(client, "kk")
    visit(client, "kia")
    visit(client, "pindah")  # counter 1 does not serve it
    no_show(staff)
    clock.advance(minutes=5)
    no_show(staff)
    desk = staff.get("/api/counters/1").json
    assert [n["number"] for n in desk["no_shows"]] == ["C001", "B001"]
    assert all(n["requeueable"] and n["requeue_until"] for n in desk["no_shows"])
    assert "token" not in desk["no_shows"][0]


def test_a_ticket_requeued_and_called_again_leaves_the_no_show_list(client, staff):
    visit(client, "kk")
    gone = no_show(staff)
    staff.post(f"/api/tickets/{gone['id']}/requeue")
    assert staff.get("/api/counters/1").json["no_shows"] == []
    assert staff.post("/api/counters/1/call-next").json["ticket"]["number"] == "B001"


# --- desk tickets ---

def desk_visit(staff, **body):
    return staff.post("/api/desk/visits", json={"service": "kk", "request_id": "d-1", **body})


def test_staff_issue_a_desk_ticket_shown_on_screen_recorded_as_desk_and_by_whom(app, client, staff, socket_client):
    screen = socket_client()
    screen.get_received()
    answer = desk_visit(staff, priority="lansia")
    assert answer.status_code == 201
    body = answer.json
    assert body["outcome"] == "ticket" and body["print"] == {"status": "preview"}
    ticket = body["ticket"]
    assert (ticket["number"], ticket["source"], ticket["issued_by"], ticket["priority"]) == ("B001", "desk", "siti", True)
    assert rows(app, "SELECT kiosk, source, issued_by FROM tickets") == [
        {"kiosk": "loket", "source": "desk", "issued_by": "siti"}]
    assert rows(app, "SELECT * FROM print_jobs") == []
    events = [m["args"][0] for m in screen.get_received() if m["name"] == "queue"]
    assert [(e["event"], e["ticket"]["number"]) for e in events] == [("issued", "B001")]


def test_a_reason_given_at_the_desk_is_confirmed_at_once(client, staff):
    ticket = desk_visit(staff, reason="bpjs").json["ticket"]
    assert (ticket["emergency"], ticket["reason"]) == ("confirmed", "bpjs")


def test_a_desk_ticket_for_a_printing_kiosk_is_queued_for_its_printer(database, clock):
    import server
    from conftest import CONFIG, overrides_for
    printed = server.create_app(CONFIG, overrides_for(database, kiosks=[
        {"id": "lobby", "printer": {"type": "network", "host": "127.0.0.1"}}]), clock=clock)
    add_user(printed, "siti")
    answer = desk_visit(Staff(printed, "siti"), kiosk="lobby")
    assert (answer.status_code, answer.json["print"]["status"]) == (201, "queued")
    assert rows(printed, "SELECT kiosk, kind, status FROM print_jobs") == [
        {"kiosk": "lobby", "kind": "ticket", "status": "queued"}]
    assert rows(printed, "SELECT kiosk, source FROM tickets") == [{"kiosk": "lobby", "source": "desk"}]
    printed.extensions["store"].close()


def test_the_same_request_id_again_gives_the_same_desk_ticket_and_another_staff_members_is_their_own(
        app, client, staff, staff2):
    first = desk_visit(staff).json["ticket"]
    again = desk_visit(staff).json["ticket"]
    assert again["id"] == first["id"]
    other = desk_visit(staff2).json["ticket"]  # same request_id, another person: another ticket
    assert other["id"] != first["id"]
    assert len(rows(app, "SELECT id FROM tickets")) == 2


def test_desk_visits_follow_the_admission_rules_of_the_kiosk(app, client, staff, admin):
    admin.post("/api/admission/mode", json={"mode": "emergency_only"})
    online = desk_visit(staff, request_id="d-2")
    assert (online.status_code, online.json["outcome"]) == (200, "online")
    emergency = desk_visit(staff, request_id="d-3", reason="rumah_sakit")
    assert emergency.status_code == 201
    admin.post("/api/admission/mode", json={"mode": "closed"})
    assert desk_visit(staff, request_id="d-4").json["outcome"] == "closed"
    assert desk_visit(staff, request_id="d-5", service="ktp").json["outcome"] == "closed"


@pytest.mark.parametrize("body, code", [
    ({"service": "paspor"}, "unknown_service"),
    ({"reason": "arisan"}, "unknown_reason"),
    ({"priority": "vip"}, "unknown_priority"),
    ({"kiosk": "dapur"}, "unknown_kiosk"),
    ({"request_id": None}, "missing_field"),
    ({"service": 7}, "bad_field"),
])
def test_a_desk_visit_with_bad_input_is_400_with_a_sentence_and_writes_nothing(app, staff, body, code):
    answer = desk_visit(staff, **body)
    assert (answer.status_code, answer.json["error"]) == (400, code)
    assert answer.json["message"].endswith(".")
    assert rows(app, "SELECT * FROM tickets") == [] and rows(app, "SELECT * FROM visits") == []


def test_a_desk_visit_needs_a_staff_session_and_its_csrf_token(app, client, staff):
    body = {"service": "kk", "request_id": "x"}
    assert client.post("/api/desk/visits", json=body).status_code == 401  # a kiosk's device is not staff
    assert staff.client.post("/api/desk/visits", json=body).status_code == 403
    assert rows(app, "SELECT * FROM tickets") == []


def test_the_report_counts_desk_tickets_by_source(client, staff, admin):
    visit(client, "kk")
    desk_visit(staff)
    report = admin.get("/api/reports/daily").json
    assert report["tickets"]["by_source"] == {"walk_in": 1, "booked": 0, "desk": 1, "phone": 0}


# --- waiting targets ---

def test_the_state_gives_each_services_longest_wait_and_whether_it_is_over_target(client, clock):
    visit(client, "kk")  # target 30 minutes in the shipped config
    clock.advance(minutes=10)
    visit(client, "kk")
    services = {s["code"]: s for s in client.get("/api/state").json["services"]}
    assert (services["kk"]["target_wait"], services["kk"]["longest_wait"], services["kk"]["over_target"]) == (
        30, 10, False)
    assert (services["kia"]["longest_wait"], services["kia"]["over_target"]) == (None, False)
    clock.advance(minutes=21)
    kk = next(s for s in client.get("/api/state").json["services"] if s["code"] == "kk")
    assert (kk["longest_wait"], kk["over_target"]) == (31, True)


def test_a_service_without_target_is_never_over_it(app, client, clock):
    import dataclasses
    service = app.extensions["queue"]
    services = tuple(dataclasses.replace(s, target_wait=None) for s in service.config.services)
    service.config = dataclasses.replace(service.config, services=services)
    visit(client, "kk")
    clock.advance(hours=5)
    kk = next(s for s in client.get("/api/state").json["services"] if s["code"] == "kk")
    assert (kk["target_wait"], kk["longest_wait"], kk["over_target"]) == (None, 300, False)


def test_the_desk_marks_waiting_tickets_over_their_services_target(client, staff, clock):
    visit(client, "kk")
    clock.advance(minutes=31)
    visit(client, "kia")
    waiting = staff.get("/api/counters/1").json["waiting"]
    assert [(w["number"], w["waited_minutes"], w["over_target"]) for w in waiting] == [
        ("B001", 31, True), ("C001", 0, False)]


def test_two_no_shows_requeued_behind_the_same_tickets_each_land_after_requeue_after_of_them(client, staff):
    for _ in range(6):
        visit(client, "kk")
    first, second = no_show(staff), no_show(staff)  # B001, B002
    assert staff.post(f"/api/tickets/{first['id']}/requeue").json["ticket"]["position"] == 3
    assert staff.post(f"/api/tickets/{second['id']}/requeue").json["ticket"]["position"] == 3
    assert waiting_numbers(client) == ["B003", "B004", "B005", "B002", "B001", "B006"]


def test_a_no_show_requeued_behind_one_requeued_to_the_end_still_lands_after_requeue_after(client, staff):
    """The stateful test's find: B002 requeued to the end of the queue took the instant after the
    last ticket, and B003, requeued to the same place, took that instant too and went behind it."""
    visit(client, "kk")
    for _ in range(3):  # B001, B002, B003 missed
        no_show(staff)
        visit(client, "kk")
    b001, b002, b003 = (next(t for t in staff.get("/api/counters/1").json["no_shows"] if t["number"] == n)
                        for n in ("B001", "B002", "B003"))
    assert staff.post(f"/api/tickets/{b001['id']}/requeue").json["ticket"]["position"] == 1
    visit(client, "kk")
    assert staff.post(f"/api/tickets/{b002['id']}/requeue").json["ticket"]["position"] == 3  # the end
    assert staff.post(f"/api/tickets/{b003['id']}/requeue").json["ticket"]["position"] == 3
    assert waiting_numbers(client)[:5] == ["B004", "B001", "B005", "B003", "B002"]
