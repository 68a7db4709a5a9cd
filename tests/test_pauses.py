"""A counter's pauses through the API: pause and resume, what a paused counter may not do, the
events they send, who may pause, and what ends a pause (logout, the day's close)."""
import sqlite3
import threading

import pytest

from conftest import Staff, add_user, visit


def rows(app, sql, *args):
    with sqlite3.connect(app.extensions["config"].server.database) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, args)]


def test_a_paused_counter_calls_nobody_until_resumed_and_the_hall_sees_why(app, client, staff, socket_client):
    visit(client, "kk")
    screen = socket_client()
    screen.get_received()
    paused = staff.post("/api/counters/1/pause", json={"reason": "ibadah"})
    assert paused.status_code == 200 and paused.json["paused"]["words"] == "Ibadah"
    refused = staff.post("/api/counters/1/call-next")
    assert (refused.status_code, refused.json["error"]) == (409, "counter_paused")
    counter = client.get("/api/state").json["counters"][0]
    assert counter["paused"]["reason"] == "ibadah" and counter["paused"]["by"] == "siti"
    assert staff.post("/api/counters/1/resume").status_code == 200
    assert client.get("/api/state").json["counters"][0]["paused"] is None
    assert staff.post("/api/counters/1/call-next").status_code == 200
    events = [m["args"][0] for m in screen.get_received() if m["name"] == "queue"]
    assert [(e["event"], e["ticket"], e.get("counter")) for e in events][:2] == [
        ("paused", None, 1), ("resumed", None, 1)]
    assert [e["version"] for e in events] == list(range(events[0]["version"], events[0]["version"] + 3))


def test_a_counter_holding_a_ticket_cannot_pause_and_pausing_twice_or_resuming_twice_is_409(client, staff):
    visit(client, "kk")
    ticket = staff.post("/api/counters/1/call-next").json["ticket"]
    busy = staff.post("/api/counters/1/pause", json={"reason": "istirahat"})
    assert (busy.status_code, busy.json["error"]) == (409, "counter_busy")
    staff.post(f"/api/tickets/{ticket['id']}/no-show")
    assert staff.post("/api/counters/1/pause", json={"reason": "istirahat"}).status_code == 200
    twice = staff.post("/api/counters/1/pause", json={"reason": "rapat"})
    assert (twice.status_code, twice.json["error"]) == (409, "already_paused")
    assert twice.json["message"].endswith(".")
    staff.post("/api/counters/1/resume")
    again = staff.post("/api/counters/1/resume")
    assert (again.status_code, again.json["error"]) == (409, "not_paused")


@pytest.mark.parametrize("body", [{}, {"reason": "makan"}, {"reason": 3}])
def test_a_pause_without_one_of_the_four_reasons_is_400_and_writes_nothing(app, staff, body):
    assert staff.post("/api/counters/1/pause", json=body).status_code == 400
    assert rows(app, "SELECT * FROM counter_pauses") == []


def test_pausing_a_counter_not_yours_is_403_and_strangers_401(app, staff):
    assert staff.post("/api/counters/2/pause", json={"reason": "rapat"}).status_code == 403
    assert app.test_client().post("/api/counters/1/pause", json={"reason": "rapat"}).status_code == 401
    assert staff.client.post("/api/counters/1/pause", json={"reason": "rapat"}).status_code == 403  # no CSRF
    assert rows(app, "SELECT * FROM counter_pauses") == []


def test_logging_out_ends_the_pause_of_the_staff_members_counters(app, client, staff):
    staff.post("/api/counters/1/pause", json={"reason": "istirahat"})
    assert staff.post("/api/logout").status_code == 200
    assert client.get("/api/state").json["counters"][0]["paused"] is None
    assert rows(app, "SELECT ended_by FROM counter_pauses") == [{"ended_by": "siti"}]


def test_the_days_close_ends_a_pause(app, client, staff, clock):
    staff.post("/api/counters/1/pause", json={"reason": "rapat"})
    clock.advance(days=1)
    app.extensions["queue"].expire_day()
    assert client.get("/api/state").json["counters"][0]["paused"] is None
    assert rows(app, "SELECT ended_by FROM counter_pauses") == [{"ended_by": "system"}]


def test_a_pause_pressed_with_a_call_at_the_same_instant_lets_one_win_never_both(app, client):
    for attempt in range(10):
        visit(client, "kk")
        add_user(app, f"a{attempt}", "staff", (1,))
        add_user(app, f"b{attempt}", "staff", (1,))
        callers, pausers = Staff(app, f"a{attempt}"), Staff(app, f"b{attempt}")
        start, answers = threading.Barrier(2), {}

        def press(name, do):
            start.wait()
            answers[name] = do().status_code

        threads = [threading.Thread(target=press, args=("call", lambda: callers.post("/api/counters/1/call-next"))),
                   threading.Thread(target=press, args=("pause", lambda: pausers.post(
                       "/api/counters/1/pause", json={"reason": "istirahat"})))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        held = rows(app, "SELECT id FROM tickets WHERE counter_id = 1 AND status = 'called'")
        paused = rows(app, "SELECT id FROM counter_pauses WHERE ended_at IS NULL")
        assert sorted(answers.values()) == [200, 409] and len(held) + len(paused) == 1
        # clear the counter for the next attempt
        if held:
            callers.post(f"/api/tickets/{held[0]['id']}/no-show")
        else:
            pausers.post("/api/counters/1/resume")
