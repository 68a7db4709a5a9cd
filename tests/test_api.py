"""The HTTP API of SPEC, row by row: each success path and each refusal, always as JSON."""
import json
import sqlite3

import pytest

from conftest import PASSWORD, Staff, add_user, visit, kiosk_client


def count(app, table: str) -> int:
    with sqlite3.connect(app.extensions["store"].path) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def assert_error(response, status: int, code: str | None = None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json and set(response.json) == {"error", "message"}
    assert len(response.json["message"]) > 10
    if code:
        assert response.json["error"] == code


# --- public ---

def test_healthz_answers_ok(client):
    assert client.get("/healthz").json == {"ok": True}


def test_state_is_the_public_snapshot(client):
    visit(client, "kk", priority=True)
    state = client.get("/api/state").json
    assert {"version", "day", "mode", "services", "counters", "waiting", "recent_calls"} <= set(state)
    assert state["waiting"] == [{**state["waiting"][0], "number": "B001", "service": "kk", "priority": True}]


def test_a_visit_in_normal_mode_issues_a_ticket_with_its_phone_page(client):
    response = visit(client, "kk")
    assert response.status_code == 201
    body = response.json
    assert body["outcome"] == "ticket" and body["print"] == {"status": "preview"}
    ticket = body["ticket"]
    assert (ticket["number"], ticket["status"], ticket["position"]) == ("B001", "waiting", 0)
    assert ticket["status_url"] == f"/t/{ticket['token']}" and len(ticket["token"]) >= 20


def test_a_double_tap_with_one_request_id_makes_one_ticket(client, app):
    body = {"kiosk": "lobby", "service": "kk", "request_id": "tap-42"}
    first, second = client.post("/api/visits", json=body), client.post("/api/visits", json=body)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json == second.json
    assert count(app, "tickets") == 1


def test_visits_answer_every_outcome(client, admin):
    assert visit(client, "ktp").json["outcome"] == "postponed"
    admin.post("/api/admission/mode", {"mode": "emergency_only"})
    online = visit(client, "kk")
    assert online.status_code == 200 and online.json["outcome"] == "online"
    assert online.json["url"].startswith("https://") and len(online.json["steps"]) == 3
    assert visit(client, "legalisir").json["outcome"] == "closed"
    assert visit(client, "kk", reason="bpjs").status_code == 201
    admin.post("/api/admission/mode", {"mode": "closed"})
    assert visit(client, "kk", reason="bpjs").json["outcome"] == "closed"


def test_a_visit_after_the_daily_limit_is_full(app, clock, database):
    import server
    from conftest import CONFIG, overrides_for
    limited = server.create_app(CONFIG, overrides_for(database, admission={"daily_limit": 1}), clock=clock)
    c = kiosk_client(limited)
    assert visit(c).status_code == 201
    full = visit(c)
    assert full.status_code == 200 and full.json["outcome"] == "full"


@pytest.mark.parametrize("body, code", [
    ({"service": "kk", "request_id": "r"}, "missing_field"),
    ({"kiosk": "lobby", "request_id": "r"}, "missing_field"),
    ({"kiosk": "lobby", "service": "kk"}, "missing_field"),
    ({"kiosk": "hall-9", "service": "kk", "request_id": "r"}, "unknown_kiosk"),
    ({"kiosk": "lobby", "service": "paspor", "request_id": "r"}, "unknown_service"),
    ({"kiosk": "lobby", "service": "kk", "reason": "arisan", "request_id": "r"}, "unknown_reason"),
    ({"kiosk": "lobby", "service": "kk", "priority": "vip", "request_id": "r"}, "unknown_priority"),
    ({"kiosk": 7, "service": "kk", "request_id": "r"}, "bad_field"),
    ({"kiosk": "lobby", "service": ["kk"], "request_id": "r"}, "bad_field"),
    ({"kiosk": "lobby", "service": "kk", "request_id": ""}, "bad_field"),
    ({"kiosk": "lobby", "service": "kk", "request_id": "r" * 500}, "bad_field"),
])
def test_bad_visits_are_refused_and_write_nothing(client, app, body, code):
    assert_error(client.post("/api/visits", json=body), 400, code)
    assert count(app, "tickets") == count(app, "visits") == 0


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\"kk\"", b"", b"\xff\xfe"])
def test_malformed_bodies_are_a_400_not_a_500(client, raw):
    assert_error(client.post("/api/visits", data=raw, content_type="application/json"), 400, "bad_json")


@pytest.mark.parametrize("raw", [b"[" * 5000 + b"]" * 5000, b'{"kiosk": ' + b"[" * 5000 + b"]" * 5000 + b"}"])
def test_json_nested_deeper_than_the_parser_goes_is_a_400_not_a_500(client, raw):
    # Found by probing beside the fuzz test: json.loads raised RecursionError.
    assert_error(client.post("/api/visits", data=raw, content_type="application/json"), 400, "bad_json")


@pytest.mark.parametrize("path, raw", [
    ("/api/visits", r'{"kiosk": "lobby", "service": "kk", "request_id": "\ud800"}'),
    ("/api/login", r'{"username": "kepala", "password": "\udfff"}'),
    ("/api/notices", r'{"running": "a\ud800b"}'),
])
def test_a_lone_surrogate_in_json_text_is_a_400_and_writes_nothing(app, admin, path, raw):
    # JSON's \ud800 escape decodes to a string SQLite cannot encode: it was a UnicodeEncodeError, a 500.
    response = admin.client.post(path, data=raw, content_type="application/json",
                                 headers={"X-CSRFToken": admin.csrf})
    assert_error(response, 400, "bad_json")
    assert count(app, "visits") == 0


def test_a_body_over_the_limit_is_413(client, app):
    big = {"kiosk": "lobby", "service": "kk", "request_id": "r", "pad": "x" * 50_000}
    assert_error(client.post("/api/visits", json=big), 413, "too_large")
    assert count(app, "tickets") == 0


def test_unknown_routes_and_methods_answer_json(client):
    assert_error(client.get("/api/nothing-here"), 404, "not_found")
    assert_error(client.get("/api/visits"), 405, "method_not_allowed")
    assert_error(client.delete("/api/state"), 405)


def test_visits_per_kiosk_are_rate_limited_and_told_when_to_try_again(database, clock):
    import server
    from conftest import CONFIG, overrides_for
    app = server.create_app(CONFIG, overrides_for(database, limits={"visits_per_kiosk": "3/minute"}),
                            clock=clock)
    c = kiosk_client(app)
    assert [visit(c).status_code for _ in range(3)] == [201, 201, 201]
    too_many = visit(c)
    assert_error(too_many, 429, "rate_limited")
    assert 1 <= int(too_many.headers["Retry-After"]) <= 60


def test_a_ticket_is_found_by_its_token_and_only_by_it(client):
    token = visit(client).json["ticket"]["token"]
    ticket = client.get(f"/api/tickets/{token}").json["ticket"]
    assert (ticket["number"], ticket["position"], ticket["counter"]) == ("B001", 0, None)
    assert "token" not in ticket and "kiosk" not in ticket
    assert_error(client.get("/api/tickets/not-a-real-token"), 404, "ticket_not_found")


def test_the_ticket_shows_its_counter_once_called(client, staff):
    token = visit(client).json["ticket"]["token"]
    staff.post("/api/counters/1/call-next")
    ticket = client.get(f"/api/tickets/{token}").json["ticket"]
    assert (ticket["status"], ticket["counter"], ticket["counter_name"]) == ("called", 1, "Loket 1")


def test_qr_codes_are_svg_made_by_the_server(client):
    token = visit(client).json["ticket"]["token"]
    for path in (f"/t/{token}/qr.svg", "/qr/online.svg"):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert b"<svg" in response.data and b'xmlns="http://www.w3.org/2000/svg"' in response.data
    assert client.get("/t/unknown/qr.svg").status_code == 404


# --- login and sessions ---

def test_login_gives_a_session_with_csrf_token(app, client):
    add_user(app, "siti", "staff", (1, 2))
    response = client.post("/api/login", json={"username": "siti", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json["user"] == "siti" and response.json["counters"] == [1, 2]
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    session = client.get("/api/session").json
    assert session["csrf_token"] == response.json["csrf_token"] and session["role"] == "staff"


def test_a_wrong_password_or_user_is_401(app, client):
    add_user(app, "siti")
    assert_error(client.post("/api/login", json={"username": "siti", "password": "salah-sekali"}),
                 401, "bad_credentials")
    assert_error(client.post("/api/login", json={"username": "tidak-ada", "password": PASSWORD}), 401)
    assert_error(client.post("/api/login", json={"username": "siti"}), 400, "missing_field")


def test_a_disabled_account_cannot_log_in_and_loses_its_session(app):
    add_user(app, "siti")
    staff = Staff(app, "siti")
    app.extensions["accounts"].set_disabled("siti")
    assert_error(staff.get("/api/session"), 401)
    assert_error(app.test_client().post("/api/login", json={"username": "siti", "password": PASSWORD}), 401)


def test_logins_per_address_are_rate_limited(database, clock):
    import server
    from conftest import CONFIG, overrides_for
    app = server.create_app(CONFIG, overrides_for(database, limits={"logins_per_address": "2/minute"}),
                            clock=clock)
    c = app.test_client()
    wrong = {"username": "x", "password": "yyyyyyyy"}
    assert [c.post("/api/login", json=wrong).status_code for _ in range(2)] == [401, 401]
    assert_error(c.post("/api/login", json=wrong), 429, "rate_limited")


def test_a_cookie_replayed_after_logout_gets_401(app, staff):
    cookie = staff.client.get_cookie("antrian_session").value
    assert staff.post("/api/logout").status_code == 200
    thief = app.test_client()
    thief.set_cookie("antrian_session", cookie)
    assert_error(thief.get("/api/session"), 401, "login_required")
    assert_error(thief.post("/api/counters/1/call-next", headers={"X-CSRFToken": staff.csrf}), 401)


def test_the_session_expires_after_twelve_idle_hours(staff, clock):
    clock.advance(hours=13)
    assert_error(staff.get("/api/session"), 401)


def test_logout_without_a_session_is_401(client):
    assert_error(client.post("/api/logout"), 401)


# --- counter actions ---

def test_a_counter_desk_shows_the_ticket_in_hand_its_queue_and_todays_tally(client, staff, clock):
    visit(client, "kk", reason="bpjs"), visit(client, "kia", priority="lansia"), visit(client, "pindah")
    first = staff.post("/api/counters/1/call-next").json["ticket"]
    staff.post(f"/api/tickets/{first['id']}/start")
    clock.advance(minutes=4)
    staff.post(f"/api/tickets/{first['id']}/finish")
    held = staff.post("/api/counters/1/call-next").json["ticket"]
    desk = staff.get("/api/counters/1").json
    assert desk["counter"] == {"id": 1, "name": "Loket 1", "services": ["kk", "kia"]}
    assert desk["ticket"]["number"] == held["number"] == "B001"
    assert desk["ticket"]["reason_label"] == "Keperluan BPJS Kesehatan"
    assert desk["waiting"] == []  # pindah is not served at counter 1
    assert desk["today"]["served"] == 1 and 239 <= desk["today"]["mean_service_seconds"] <= 241
    assert_error(staff.get("/api/counters/2"), 403, "not_your_counter")
    assert_error(client.get("/api/counters/1"), 401)


def test_a_counter_desk_lists_its_waiting_tickets_in_call_order_without_tokens(client, staff):
    visit(client, "kk"), visit(client, "kia", priority="lansia"), visit(client, "pindah")
    waiting = staff.get("/api/counters/1").json["waiting"]
    assert [(w["number"], w["position"]) for w in waiting] == [("C001", 0), ("B001", 1)]
    assert "token" not in waiting[0] and waiting[0]["priority_kind"] == "lansia"


def test_call_next_calls_the_first_waiting_ticket(client, staff):
    visit(client, "kk")
    response = staff.post("/api/counters/1/call-next")
    assert response.status_code == 200
    assert (response.json["ticket"]["number"], response.json["ticket"]["status"]) == ("B001", "called")


def test_call_next_on_an_empty_queue_is_404_queue_empty(staff):
    assert_error(staff.post("/api/counters/1/call-next"), 404, "queue_empty")


def test_call_next_while_holding_a_ticket_is_409(client, staff):
    visit(client), visit(client)
    staff.post("/api/counters/1/call-next")
    assert_error(staff.post("/api/counters/1/call-next"), 409, "counter_busy")


def test_call_next_refusals(client, staff):
    visit(client)
    assert_error(staff.post("/api/counters/2/call-next"), 403, "not_your_counter")
    assert_error(staff.post("/api/counters/99/call-next"), 404, "counter_not_found")
    assert_error(client.post("/api/counters/1/call-next"), 401, "login_required")
    assert_error(staff.client.post("/api/counters/1/call-next"), 403, "csrf")
    assert_error(staff.post("/api/counters/1/call-next", headers={"X-CSRFToken": "forged"}), 403, "csrf")


def test_a_state_changing_call_without_csrf_changes_nothing(client, staff, app):
    visit(client)
    staff.client.post("/api/counters/1/call-next")
    assert client.get("/api/state").json["waiting"][0]["number"] == "B001"


def test_call_a_chosen_ticket(client, staff):
    visit(client)
    chosen = visit(client).json["ticket"]
    response = staff.post("/api/counters/1/call", {"ticket_id": chosen["id"]})
    assert response.json["ticket"]["number"] == "B002"
    assert_error(staff.post("/api/counters/1/call", {"ticket_id": "B001"}), 400, "bad_field")
    assert_error(staff.post("/api/counters/1/call", {}), 400, "missing_field")


def test_calling_a_ticket_that_does_not_exist_is_404(staff):
    assert_error(staff.post("/api/counters/1/call", {"ticket_id": 9999}), 404, "ticket_not_found")


@pytest.mark.parametrize("path", ["recall", "start", "finish", "no-show"])
def test_moves_on_a_missing_ticket_are_404(staff, path):
    assert_error(staff.post(f"/api/tickets/9999/{path}"), 404, "ticket_not_found")


@pytest.mark.parametrize("path, body", [
    ("/api/tickets/9223372036854775808/transfer", {"service": "kk"}),
    ("/api/tickets/9223372036854775808/verify", {"emergency": False}),
    ("/api/tickets/9223372036854775808/recall", {}),
    ("/api/tickets/9007199254740992/reprint", {}),
    ("/api/counters/9223372036854775808/call-next", {}),
    ("/api/print-jobs/9223372036854775808/retry", {}),
])
def test_an_id_too_large_for_the_database_is_a_404_not_a_500(admin, path, body):
    # Found by tests/test_openapi_fuzz.py: sqlite3 refused the integer with an OverflowError.
    assert_error(admin.post(path, body), 404)


def test_recall_start_finish_walk_a_ticket_to_done(client, staff):
    visit(client)
    ticket_id = staff.post("/api/counters/1/call-next").json["ticket"]["id"]
    assert staff.post(f"/api/tickets/{ticket_id}/recall").json["ticket"]["status"] == "called"
    assert staff.post(f"/api/tickets/{ticket_id}/start").json["ticket"]["status"] == "serving"
    assert staff.post(f"/api/tickets/{ticket_id}/finish").json["ticket"]["status"] == "done"
    assert_error(staff.post(f"/api/tickets/{ticket_id}/finish"), 409, "illegal_move")


def test_no_show_ends_a_called_ticket_and_is_409_on_a_serving_one(client, staff):
    visit(client), visit(client)
    first = staff.post("/api/counters/1/call-next").json["ticket"]["id"]
    assert staff.post(f"/api/tickets/{first}/no-show").json["ticket"]["status"] == "no_show"
    second = staff.post("/api/counters/1/call-next").json["ticket"]["id"]
    staff.post(f"/api/tickets/{second}/start")
    assert_error(staff.post(f"/api/tickets/{second}/no-show"), 409)


def test_staff_of_counter_1_cannot_act_at_counter_2(client, staff, staff2):
    visit(client)
    held = staff2.post("/api/counters/2/call-next").json["ticket"]["id"]
    for path in ("recall", "start", "finish", "no-show"):
        assert_error(staff.post(f"/api/tickets/{held}/{path}"), 403, "not_your_ticket")
    assert_error(staff.post(f"/api/tickets/{held}/transfer", {"service": "kia"}), 403)
    assert staff2.post(f"/api/tickets/{held}/start").status_code == 200


def test_transfer_moves_a_ticket_to_another_service_and_refuses_its_own(client, staff, staff2):
    visit(client, "kia")
    held = staff.post("/api/counters/1/call-next").json["ticket"]["id"]
    assert_error(staff.post(f"/api/tickets/{held}/transfer", {"service": "kia"}), 409, "same_service")
    assert_error(staff.post(f"/api/tickets/{held}/transfer", {"service": "paspor"}), 400, "unknown_service")
    assert_error(staff.post(f"/api/tickets/{held}/transfer", {}), 400, "missing_field")
    moved = staff.post(f"/api/tickets/{held}/transfer", {"service": "pindah"}).json["ticket"]
    assert (moved["service"], moved["status"], moved["number"]) == ("pindah", "waiting", "C001")
    assert staff2.post("/api/counters/2/call-next").json["ticket"]["id"] == held


def test_verify_confirms_or_rejects_a_claimed_emergency(client, staff):
    visit(client, "kk", reason="bpjs"), visit(client, "kk", reason="tni_polri")
    first = staff.post("/api/counters/1/call-next").json["ticket"]
    assert first["reason"] == "bpjs" and first["emergency"] == "claimed"
    confirmed = staff.post(f"/api/tickets/{first['id']}/verify", {"emergency": True}).json["ticket"]
    assert confirmed["emergency"] == "confirmed" and confirmed["status"] == "called"
    staff.post(f"/api/tickets/{first['id']}/no-show")
    second = staff.post("/api/counters/1/call-next").json["ticket"]
    rejected = staff.post(f"/api/tickets/{second['id']}/verify", {"emergency": False}).json
    assert rejected["ticket"]["status"] == "redirected" and rejected["online"]["url"]
    assert_error(staff.post(f"/api/tickets/{second['id']}/verify", {"emergency": "no"}), 400, "bad_field")


def test_verify_of_a_ticket_without_a_claim_is_409(client, staff):
    ticket_id = visit(client).json["ticket"]["id"]
    assert_error(staff.post(f"/api/tickets/{ticket_id}/verify", {"emergency": True}), 409, "no_claim")


def test_reprint_without_a_printer_is_409_and_with_one_queues_a_job(client, staff, database, clock):
    ticket_id = visit(client).json["ticket"]["id"]
    assert_error(staff.post(f"/api/tickets/{ticket_id}/reprint"), 409, "no_printer")
    assert_error(staff.post("/api/tickets/9999/reprint"), 404)
    import server
    from conftest import CONFIG, overrides_for
    printed = server.create_app(CONFIG, overrides_for(database.with_name("p.db"), kiosks=[
        {"id": "lobby", "printer": {"type": "network", "host": "127.0.0.1"}}]), clock=clock)
    add_user(printed, "siti")
    ticket_id = visit(kiosk_client(printed)).json["ticket"]["id"]
    response = Staff(printed, "siti").post(f"/api/tickets/{ticket_id}/reprint")
    assert response.status_code == 202 and response.json["print"]["status"] == "queued"
    assert count(printed, "print_jobs") == 2


# --- admin ---

def test_only_an_admin_switches_the_mode(client, staff, admin):
    assert_error(staff.post("/api/admission/mode", {"mode": "closed"}), 403, "admin_only")
    assert_error(client.post("/api/admission/mode", json={"mode": "closed"}), 401)
    response = admin.post("/api/admission/mode", {"mode": "emergency_only"})
    assert response.json["mode"] == "emergency_only" and response.json["source"] == "override"
    assert client.get("/api/state").json["mode"] == "emergency_only"
    assert admin.post("/api/admission/mode", {"mode": None}).json["source"] == "default"
    assert_error(admin.post("/api/admission/mode", {"mode": "libur"}), 400, "bad_mode")
    assert_error(admin.post("/api/admission/mode", {"mode": 3}), 400, "bad_mode")
    assert_error(admin.post("/api/admission/mode", {}), 400, "missing_field")


def test_the_daily_report_counts_outcomes_services_reasons_and_counters(client, admin, clock):
    visit(client, "kk"), visit(client, "kk", reason="bpjs"), visit(client, "ktp")
    ticket_id = admin.post("/api/counters/1/call-next").json["ticket"]["id"]
    clock.advance(minutes=2)
    admin.post(f"/api/tickets/{ticket_id}/start")
    clock.advance(minutes=5)
    admin.post(f"/api/tickets/{ticket_id}/finish")
    report = admin.get("/api/reports/daily?date=2026-03-02").json
    assert report["visits"]["by_outcome"] == {"ticket": 2, "online": 0, "postponed": 1, "closed": 0, "full": 0}
    assert report["visits"]["by_reason"] == {"none": 2, "bpjs": 1}
    assert report["tickets"]["by_status"]["done"] == 1
    assert report["counters"][0]["served"] == 1
    assert 299 <= report["counters"][0]["mean_service_seconds"] <= 301
    assert report["by_hour"] == [{"hour": 9, "arrivals": 3, "calls": 1}]
    csv = admin.get("/api/reports/daily.csv?date=2026-03-02")
    assert csv.mimetype == "text/csv" and "visits.by_outcome,ticket,2" in csv.get_data(as_text=True)


def test_the_report_refuses_a_bad_date_and_non_admins(staff, admin):
    assert_error(admin.get("/api/reports/daily?date=19-03-2020"), 400, "bad_date")
    assert_error(staff.get("/api/reports/daily"), 403)
    assert_error(staff.get("/api/reports/daily.csv"), 403)


def test_printers_list_each_kiosk_and_retry_refuses_a_job_that_did_not_fail(admin, staff):
    printers = admin.get("/api/printers").json["printers"]
    assert printers == [{**printers[0], "kiosk": "lobby", "type": "preview", "failed_jobs": []}]
    assert_error(admin.post("/api/print-jobs/1/retry"), 404, "job_not_found")
    assert_error(staff.get("/api/printers"), 403)
    assert_error(staff.post("/api/print-jobs/1/retry"), 403)


def test_a_failed_print_job_can_be_retried(database, clock):
    import server
    from conftest import CONFIG, overrides_for
    app = server.create_app(CONFIG, overrides_for(database, kiosks=[
        {"id": "lobby", "printer": {"type": "network", "host": "127.0.0.1"}}]), clock=clock)
    add_user(app, "kepala", "admin", ())
    admin = Staff(app, "kepala")
    visit(kiosk_client(app))
    assert_error(admin.post("/api/print-jobs/1/retry"), 409, "job_not_failed")
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE print_jobs SET status = 'failed', last_error = 'timed out'")
    failed = admin.get("/api/printers").json["printers"][0]["failed_jobs"]
    assert failed[0]["last_error"] == "timed out"
    assert admin.post("/api/print-jobs/1/retry").json["print"]["status"] == "queued"


def test_every_page_answers(client):
    for path in ("/", "/kiosk/lobby", "/display", "/counter", "/admin"):
        assert client.get(path).status_code == 200, path
    assert client.get("/kiosk/nowhere").status_code == 404


def test_pages_carry_a_content_security_policy_of_own_assets_only(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "*" not in policy


def test_an_unknown_ticket_page_is_a_404_page_for_a_phone(client):
    response = client.get("/t/no-such-token")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Tiket tidak ditemukan" in response.get_data(as_text=True)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_not_sent_as_json_is_refused_so_no_other_site_can_post_a_form(client, app, content_type):
    add_user(app, "siti")
    body = json.dumps({"username": "siti", "password": PASSWORD})
    assert_error(client.post("/api/login", data=body, content_type=content_type), 400, "bad_content_type")
    assert client.get_cookie("antrian_session") is None
    visit_body = json.dumps({"kiosk": "lobby", "service": "kk", "request_id": "form-1"})
    assert_error(client.post("/api/visits", data=visit_body, content_type=content_type), 400, "bad_content_type")
    assert client.get("/api/state").json["waiting"] == []
