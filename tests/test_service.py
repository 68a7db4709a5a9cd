"""The service layer on a real SQLite file: numbering, the lifecycle, the day, versions."""
import dataclasses
import itertools
import shutil
import sqlite3
import time

import pytest

from conftest import office_time
from queueing.config import Admission, parse_hours
from queueing import model
from queueing.model import Actor, BadInput, Forbidden, IllegalMove, NotFound

ADMIN = Actor("kepala", "admin", (1, 2, 3, 4, 5))
AT_1 = Actor("siti", "staff", (1,))  # kk, kia
AT_2 = Actor("budi", "staff", (2,))  # kk, pindah
AT_3 = Actor("ani", "staff", (3,))  # akta_lahir, akta_mati, nikah_cerai
_ids = itertools.count(1)


def issue(service, code="kk", reason=None, priority=None, kiosk="lobby"):
    result = service.visit(kiosk, code, reason, priority, f"r{next(_ids)}")
    assert result.body["outcome"] == "ticket", result.body
    return result.body["ticket"]


def rows(service, sql, *args):
    with sqlite3.connect(service.store.path) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, args).fetchall()


def with_admission(config, **admission):
    return dataclasses.replace(config, admission=Admission(**admission))


def status_of(service, ticket_id):
    return rows(service, "SELECT status FROM tickets WHERE id = ?", ticket_id)[0]["status"]


def test_numbers_run_per_prefix_without_gaps(service):
    numbers = [issue(service, code)["number"] for code in ("kk", "kk", "kia", "kk", "kia")]
    assert numbers == ["B001", "B002", "C001", "B003", "C002"]


@pytest.fixture
def heard(service) -> list:
    """The events the service announces, in the order it announces them."""
    announced = []
    service.publish = announced.append
    return announced


def test_a_new_ticket_logs_its_issued_event_with_the_version_it_announces(service, heard):
    results = [service.visit("lobby", code, None, None, f"ev{i}") for i, code in enumerate(("kk", "kia", "kk"))]
    logged = rows(service, "SELECT * FROM events ORDER BY version")
    assert [e.version for e in heard] == [e["version"] for e in logged] == [1, 2, 3]
    for result, event in zip(results, logged):
        ticket = result.body["ticket"]
        assert (event["event"], event["ticket_id"], event["at"], event["day"]) == (
            "issued", ticket["id"], ticket["issued_at"], ticket["day"])
        assert (event["counter_id"], event["actor"], event["data"]) == (None, None, "{}")
    service.call_next(AT_1, 1)
    assert heard[-1].version == 4 == rows(service, "SELECT max(version) AS v FROM events")[0]["v"]


def test_the_day_numbers_follow_every_ticket_written(service):
    for code in ("kk", "kk", "kia"):
        issue(service, code)
    counters = {(r["day"], r["prefix"]): r["last"] for r in rows(service, "SELECT * FROM day_numbers")}
    highest = {(r["day"], r["prefix"]): r["seq"] for r in rows(
        service, "SELECT day, prefix, max(seq) AS seq FROM tickets GROUP BY day, prefix")}
    assert counters == highest and sorted(highest.values()) == [1, 2]


def test_the_estimates_history_is_kept_as_tickets_finish(service, clock):
    for minutes in (4, 8):
        issue(service)
        ticket = service.call_next(AT_1, 1).body["ticket"]
        service.start(AT_1, ticket["id"])
        clock.advance(minutes=minutes)
        service.finish(AT_1, ticket["id"])
    issue(service)
    ticket = service.call_next(AT_1, 1).body["ticket"]
    service.no_show(AT_1, ticket["id"])  # not served: not part of the history
    [kept] = rows(service, "SELECT * FROM service_times")
    assert (kept["service"], kept["done"], round(kept["seconds"])) == ("kk", 2, 12 * 60)


def test_a_database_from_before_the_history_table_gets_it_filled_in(service, clock):
    from queueing.store import Store
    issue(service)
    ticket = service.call_next(AT_1, 1).body["ticket"]
    service.start(AT_1, ticket["id"])
    clock.advance(minutes=5)
    service.finish(AT_1, ticket["id"])
    with sqlite3.connect(service.store.path) as conn:  # back to the schema of migration m004
        conn.executescript("DROP TRIGGER day_numbers_issue; DROP TRIGGER service_times_done;"
                           " DROP TABLE service_times;"
                           " DELETE FROM _sqlite_migrations WHERE name = 'm005_counters_kept_by_triggers'")
    Store(service.store.path)  # as the server does on start
    [kept] = rows(service, "SELECT * FROM service_times")
    assert (kept["service"], kept["done"], round(kept["seconds"])) == ("kk", 1, 300)
    assert issue(service)["number"] == "B002"


def test_visits_at_2359_and_0001_get_separate_sequences(service, clock):
    clock.set(office_time("2026-03-02", "23:59"))
    service.config = with_admission(service.config)  # no closing time: open at midnight
    first = issue(service)
    clock.set(office_time("2026-03-03", "00:01"))
    second = issue(service)
    assert (first["number"], first["day"]) == ("B001", "2026-03-02")
    assert (second["number"], second["day"]) == ("B001", "2026-03-03")


def test_the_same_request_id_returns_the_same_answer_and_no_second_ticket(service, heard):
    first = service.visit("lobby", "kk", None, None, "tap-1")
    again = service.visit("lobby", "kk", None, None, "tap-1")
    assert again.body == first.body and again.status == 201
    assert [e.event for e in heard] == ["issued"]  # the replay announces nothing
    assert len(rows(service, "SELECT * FROM tickets")) == 1


def test_a_request_id_repeated_after_the_call_answers_with_the_ticket_as_it_stands(service):
    first = service.visit("lobby", "kk", None, None, "tap-1").body
    service.call_next(AT_1, 1)
    again = service.visit("lobby", "kk", None, None, "tap-1").body
    assert again["ticket"]["id"] == first["ticket"]["id"] and again["ticket"]["number"] == "B001"
    assert (again["ticket"]["status"], again["ticket"]["counter"]) == ("called", 1)
    assert again["print"] == first["print"] and again["outcome"] == "ticket"


def test_a_request_id_reused_for_another_visit_is_refused(service):
    service.visit("lobby", "kk", None, None, "tap-1")
    with pytest.raises(IllegalMove) as e:
        service.visit("lobby", "kia", None, None, "tap-1")
    assert e.value.code == "request_id_reused"


def test_unknown_kiosk_service_reason_are_bad_input_and_write_nothing(service):
    for args in (("hall", "kk", None), ("lobby", "paspor", None), ("lobby", "kk", "liburan")):
        with pytest.raises(BadInput):
            service.visit(*args, None, "x")
    assert rows(service, "SELECT * FROM visits") == []


def test_every_outcome_is_recorded_for_the_reports(service):
    service.visit("lobby", "ktp", None, None, "a")
    service.visit("lobby", "kk", None, None, "b")
    service.set_mode(ADMIN, "emergency_only")
    service.visit("lobby", "kk", None, None, "c")
    service.visit("lobby", "legalisir", None, None, "d")
    service.set_mode(ADMIN, "closed")
    service.visit("lobby", "kk", "bpjs", None, "e")
    outcomes = [r["outcome"] for r in rows(service, "SELECT outcome FROM visits ORDER BY id")]
    assert outcomes == ["postponed", "ticket", "online", "closed", "closed"]


def test_the_daily_limit_gives_full_after_the_last_ticket(service):
    service.config = with_admission(service.config, daily_limit=2)
    issue(service)
    issue(service, "kia")
    assert service.visit("lobby", "kk", "bpjs", None, "third").body["outcome"] == "full"


def test_call_next_takes_priority_first_then_issue_time_across_the_counters_services(service):
    a = issue(service, "kk")
    b = issue(service, "kia")
    p = issue(service, "kk", priority="lansia")
    other = issue(service, "pindah")
    order = [service.call_next(ADMIN, 1).body["ticket"]["id"]]
    for _ in range(2):
        service.no_show(ADMIN, order[-1])
        order.append(service.call_next(ADMIN, 1).body["ticket"]["id"])
    assert order == [p["id"], a["id"], b["id"]]
    assert status_of(service, other["id"]) == "waiting"


def test_the_stores_call_order_and_the_models_are_one_rule(service, clock):
    for n, priority in enumerate([None, "lansia", None, "ibu_hamil", None, "lansia"]):
        issue(service, "kk", priority=priority)
        clock.advance(seconds=1 + n % 2)
    with service.store.read() as conn:
        waiting = [dict(row) for row in service._waiting(conn, service.today().isoformat())]
    assert [t["id"] for t in waiting] == [t["id"] for t in sorted(waiting, key=model.call_order_key)]
    assert [bool(t["priority"]) for t in waiting] == [True] * 3 + [False] * 3


def test_position_counts_the_tickets_ahead_in_the_service_queue(service):
    first, second = issue(service), issue(service)
    priority = issue(service, priority="balita")
    assert (first["position"], second["position"], priority["position"]) == (0, 1, 0)
    assert service.ticket(first["id"])["position"] == 1
    assert service.ticket(second["id"])["position"] == 2


def test_a_counter_holds_at_most_one_ticket(service):
    issue(service), issue(service)
    service.call_next(AT_1, 1)
    with pytest.raises(IllegalMove) as e:
        service.call_next(AT_1, 1)
    assert e.value.code == "counter_busy"


def test_an_empty_queue_is_not_found(service):
    with pytest.raises(NotFound) as e:
        service.call_next(AT_1, 1)
    assert e.value.code == "queue_empty"


def test_the_whole_life_of_a_ticket_with_one_event_per_change(service, heard):
    ticket = issue(service)
    service.call_next(AT_1, 1)
    service.recall(AT_1, ticket["id"])
    service.start(AT_1, ticket["id"])
    finished = service.finish(AT_1, ticket["id"])
    assert finished.body["ticket"]["status"] == "done"
    events = rows(service, "SELECT version, event FROM events ORDER BY version")
    assert [tuple(e) for e in events] == [(1, "issued"), (2, "called"), (3, "recalled"),
                                          (4, "started"), (5, "finished")]
    assert [e.version for e in heard] == [1, 2, 3, 4, 5]
    assert heard[-1].payload() == {"version": 5, "event": "finished", "ticket": {
        "number": "B001", "service": "kk", "status": "done", "counter": 1}}


def test_an_illegal_move_changes_nothing(service):
    ticket = issue(service)
    before = [tuple(r) for r in rows(service, "SELECT * FROM tickets")]
    for move in (service.start, service.finish, service.recall, service.no_show):
        with pytest.raises(IllegalMove):
            move(ADMIN, ticket["id"])
    assert [tuple(r) for r in rows(service, "SELECT * FROM tickets")] == before
    assert len(rows(service, "SELECT * FROM events")) == 1


def test_staff_of_another_counter_cannot_act_on_a_called_ticket(service):
    ticket = issue(service)
    service.call_next(AT_1, 1)
    with pytest.raises(Forbidden):
        service.start(AT_2, ticket["id"])
    with pytest.raises(Forbidden):
        service.call_next(AT_2, 1)


def test_staff_of_a_counter_serving_the_service_may_transfer_a_waiting_ticket(service):
    ticket = issue(service, "kk")
    moved = service.transfer(AT_2, ticket["id"], "pindah")
    assert moved.body["ticket"]["service"] == "pindah"
    with pytest.raises(Forbidden):
        service.transfer(AT_3, ticket["id"], "kk")  # counter 3 does not serve pindah


def test_a_transfer_keeps_number_priority_and_place_by_issue_time(service):
    early = issue(service, "kk", priority="disabilitas")
    late = issue(service, "pindah")
    service.call_next(AT_1, 1)
    moved = service.transfer(AT_1, early["id"], "pindah").body["ticket"]
    assert (moved["number"], moved["status"], moved["priority"], moved["counter"]) == \
        ("B001", "waiting", True, None)
    assert moved["position"] == 0
    assert service.ticket(late["id"])["position"] == 1
    assert service.call_next(AT_2, 2).body["ticket"]["id"] == early["id"]


def test_a_transfer_to_the_same_service_is_refused(service):
    ticket = issue(service)
    service.call_next(AT_1, 1)
    with pytest.raises(IllegalMove) as e:
        service.transfer(AT_1, ticket["id"], "kk")
    assert e.value.code == "same_service"


def test_a_rejected_emergency_ends_redirected_and_offers_the_online_service(service, heard):
    ticket = issue(service, "kk", reason="bpjs")
    service.call_next(AT_1, 1)
    result = service.verify(AT_1, ticket["id"], False)
    assert result.body["ticket"]["status"] == "redirected"
    assert result.body["online"]["url"].startswith("https://")
    assert heard[-1].event == "redirected"
    assert issue(service)["id"]  # the counter is free again
    assert service.call_next(AT_1, 1).body["ticket"]["number"] == "B002"


def test_a_confirmed_emergency_keeps_its_status_and_cannot_be_confirmed_twice(service):
    ticket = issue(service, "kk", reason="rumah_sakit")
    result = service.verify(AT_1, ticket["id"], True)
    assert (result.body["ticket"]["status"], result.body["ticket"]["emergency"]) == ("waiting", "confirmed")
    with pytest.raises(IllegalMove):
        service.verify(AT_1, ticket["id"], True)


def test_a_ticket_without_a_claim_cannot_be_verified(service):
    ticket = issue(service)
    with pytest.raises(IllegalMove) as e:
        service.verify(AT_1, ticket["id"], False)
    assert e.value.code == "no_claim"


def test_call_a_chosen_ticket_only_from_the_counters_services(service):
    first, chosen = issue(service, "kk"), issue(service, "kk")
    akta = issue(service, "akta_lahir")
    assert service.call(AT_1, 1, chosen["id"]).body["ticket"]["id"] == chosen["id"]
    service.no_show(AT_1, chosen["id"])
    with pytest.raises(IllegalMove) as e:
        service.call(AT_1, 1, akta["id"])
    assert e.value.code == "wrong_counter"
    assert status_of(service, first["id"]) == "waiting"


def test_closing_the_day_expires_yesterdays_leftovers_and_todays_after_closing_time(service, clock, heard):
    service.config = dataclasses.replace(service.config, hours=parse_hours({"mon": "07:30-15:00"}))
    waiting, called = issue(service), issue(service)
    service.call(AT_1, 1, called["id"])
    assert service.expire_day().body["expired"] == 0
    clock.set(office_time("2026-03-02", "15:00"))
    service.expire_day()
    assert [e.event for e in heard] == ["issued", "issued", "called", "expired", "expired"]
    assert {status_of(service, waiting["id"]), status_of(service, called["id"])} == {"expired"}


def test_yesterdays_waiting_tickets_are_never_called_today(service, clock):
    issue(service)
    clock.set(office_time("2026-03-03", "08:00"))
    with pytest.raises(NotFound):
        service.call_next(AT_1, 1)
    assert service.expire_day().body["expired"] == 1


def test_the_mode_override_is_set_cleared_and_announced(service, heard):
    set_ = service.set_mode(ADMIN, "emergency_only")
    assert set_.body["mode"] == "emergency_only" and heard[-1].event == "mode"
    assert heard[-1].payload()["ticket"] is None
    assert service.snapshot()["mode"] == "emergency_only"
    service.set_mode(ADMIN, None)
    assert service.snapshot()["mode"] == "normal"
    with pytest.raises(Forbidden):
        service.set_mode(AT_1, "closed")
    with pytest.raises(BadInput):
        service.set_mode(ADMIN, "holiday")


def test_the_snapshot_shows_counters_waiting_and_recent_calls(service):
    issue(service, "kk"), issue(service, "kia", priority="ibu_hamil"), issue(service, "pindah")
    service.call_next(AT_1, 1)
    snap = service.snapshot()
    assert snap["version"] == 4
    assert snap["counters"][0]["ticket"]["number"] == "C001"
    assert [w["number"] for w in snap["waiting"]] == ["B001", "D001"]
    assert snap["recent_calls"][0]["number"] == "C001" and snap["recent_calls"][0]["counter"] == 1
    assert {s["code"]: s["waiting"] for s in snap["services"]}["kk"] == 1
    assert "token" not in str(snap)


def test_recent_calls_keep_the_last_ten_calls_and_recalls(service):
    ticket = issue(service)
    service.call_next(AT_1, 1)
    for _ in range(12):
        service.recall(AT_1, ticket["id"])
    calls = service.snapshot()["recent_calls"]
    assert len(calls) == 10 and all(c["recall"] for c in calls)


def test_a_print_job_is_written_with_the_ticket_for_a_kiosk_with_a_printer(config, clock, tmp_path):
    from queueing import config as configuration
    from queueing.service import QueueService
    from queueing.store import Store
    printed = configuration.load(config.path, {
        "server": {"database": str(tmp_path / "p.db")}, "admission": {"windows": []},
        "kiosks": [{"id": "lobby", "printer": {"type": "network", "host": "127.0.0.1"}}]})
    service = QueueService(printed, Store(printed.server.database), clock)
    result = service.visit("lobby", "kk", None, None, "p1")
    assert result.body["print"]["status"] == "queued"
    jobs = rows(service, "SELECT ticket_id, kind, status FROM print_jobs")
    assert [tuple(j) for j in jobs] == [(result.body["ticket"]["id"], "ticket", "queued")]


def test_the_waiting_time_is_estimated_only_from_todays_history(service, clock):
    assert issue(service)["estimated_wait_minutes"] is None
    for _ in range(3):  # counter 1 serves three kk tickets of 6 minutes each
        ticket = service.call_next(AT_1, 1).body["ticket"]
        service.start(AT_1, ticket["id"])
        clock.advance(minutes=6)
        service.finish(AT_1, ticket["id"])
        issue(service)
    waiting = [issue(service) for _ in range(3)]
    # kk is served at counters 1 and 2: (position + 1) x 6 min / 2 counters
    assert [t["position"] for t in waiting] == [1, 2, 3]
    assert [t["estimated_wait_minutes"] for t in waiting] == [6, 9, 12]
    assert service.ticket(waiting[0]["id"])["estimated_wait_minutes"] == 6


def test_changes_made_by_another_process_are_announced_once_in_version_order(service, config, clock):
    from queueing.service import QueueService
    from queueing.store import Store
    heard = []
    service.publish = heard.append
    issue(service)
    other_store = Store(config.server.database)  # the CLI, say, on the same file
    other = QueueService(config, other_store, clock)
    other.visit("lobby", "kia", None, None, "cli-1")
    other.call_next(AT_1, 1)
    other_store.close()
    assert service.publish_new() == 2
    assert service.publish_new() == 0
    assert [(e.version, e.event, e.ticket["number"]) for e in heard] == [
        (1, "issued", "B001"), (2, "issued", "C001"), (3, "called", "B001")]


def test_staff_elsewhere_are_refused_before_the_move_is_judged(service):
    ticket = issue(service, "pindah")  # served by counter 2 only
    service.call_next(AT_2, 2)
    with pytest.raises(Forbidden):
        service.transfer(AT_1, ticket["id"], "pindah")  # also the same service: 403 first, not 409
    with pytest.raises(Forbidden):
        service.verify(AT_1, ticket["id"], False)  # no claim either: still 403


def test_the_snapshot_reads_the_days_last_calls_from_their_own_index(service):
    with service.store.read() as conn:
        plan = " ".join(str(tuple(r)) for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT t.number FROM events e JOIN tickets t ON t.id = e.ticket_id"
            " WHERE e.day = ? AND e.event IN ('called', 'recalled') ORDER BY e.version DESC LIMIT 10",
            ("2026-03-02",)))
    assert "events_recent_calls" in plan and "TEMP B-TREE" not in plan  # no sort of the whole day


def test_the_checkpoint_thread_copies_the_wal_into_the_database_file(service, tmp_path):
    tickets = [issue(service) for _ in range(5)]
    service.store.start_checkpoints(every=0.05)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        done = service.store.last_checkpoint
        if done and done[1] > 0 and done[2] == done[1]:
            break
        time.sleep(0.02)
    copy = tmp_path / "file-alone.db"  # the database file without its WAL, while it is open
    shutil.copyfile(service.store.path, copy)
    service.store.close()
    with sqlite3.connect(copy) as conn:
        assert [n for (n,) in conn.execute("SELECT number FROM tickets ORDER BY id")] == [
            t["number"] for t in tickets]


def test_a_write_that_need_not_survive_a_power_cut_leaves_the_writer_durable_again(service):
    store = service.store
    insert = "INSERT INTO settings (key, value, updated_at) VALUES ('probe', ?, 'now')"
    assert store.execute(insert, ("1",), durable=False) == 1
    with pytest.raises(sqlite3.IntegrityError):
        store.execute(insert, ("2",), durable=False)
    with store.write() as conn:
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL again, after both
    assert [tuple(r) for r in rows(service, "SELECT key, value FROM settings WHERE key = 'probe'")] == [
        ("probe", "1")]
    assert issue(service)["number"] == "B001"


def test_a_visit_that_issues_a_ticket_makes_five_statements_and_its_rows_agree(service):
    issue(service)  # opens the writer connection
    statements = []
    service.store._writer.set_trace_callback(statements.append)
    answer = service.visit("lobby", "kia", None, "lansia", "four", "http://10.0.0.5:5000").body
    service.store._writer.set_trace_callback(None)
    # Python's trace repeats a statement for each trigger it fires: count it once.
    assert [text.split()[0] for text, _ in itertools.groupby(statements)] == [
        "BEGIN", "SELECT", "INSERT", "INSERT", "COMMIT"]
    [visit] = rows(service, "SELECT * FROM visits WHERE request_id = 'four'")
    [ticket] = rows(service, "SELECT * FROM tickets WHERE id = ?", answer["ticket"]["id"])
    assert (ticket["number"], ticket["token"], ticket["priority_kind"]) == (
        answer["ticket"]["number"], answer["ticket"]["token"], "lansia")
    assert (visit["ticket_id"], visit["outcome"], visit["status_code"], visit["at"], visit["service"]) == (
        ticket["id"], "ticket", 201, ticket["issued_at"], "kia")
    assert service.visit("lobby", "kia", None, "lansia", "four").body["ticket"]["id"] == ticket["id"]
