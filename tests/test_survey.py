"""The satisfaction survey (SKM, Permenpan-RB 14/2017; issue 21): answered once per ticket after it
is done, until the end of the next day; its report's NRR, IKM and grade against values worked out
by hand, the grade boundaries, the CSV, and every refusal."""
import csv
import io
import sqlite3

import pytest

import server
from conftest import CONFIG, Staff, add_user, kiosk_client, overrides_for, visit
from queueing import survey

CODES = [f"u{i}" for i in range(1, 10)]


@pytest.fixture
def app(database, clock):
    app = server.create_app(CONFIG, overrides_for(database, survey={}), clock=clock)
    yield app
    app.extensions["store"].close()


@pytest.fixture
def admin(app):
    add_user(app, "kepala", "admin", ())
    return Staff(app, "kepala")


def rows(app, sql, *args):
    with sqlite3.connect(app.extensions["config"].server.database) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, args)]


def served(client, admin, service="kk", counter=1) -> str:
    """A ticket issued, called, served and finished; its token."""
    ticket = visit(client, service).json["ticket"]
    admin.post(f"/api/counters/{counter}/call", json={"ticket_id": ticket["id"]})
    admin.post(f"/api/tickets/{ticket['id']}/start")
    admin.post(f"/api/tickets/{ticket['id']}/finish")
    return ticket["token"]


def answer(client, token, values, comment=None):
    body = {"answers": dict(zip(CODES, values))}
    if comment is not None:
        body["comment"] = comment
    return client.post(f"/api/tickets/{token}/survey", json=body)


def test_a_done_ticket_is_offered_the_nine_elements_and_answers_once(app, client, admin):
    token = served(client, admin)
    state = client.get(f"/api/tickets/{token}/survey").json
    assert (state["open"], state["answered"], state["until"]) == (True, False, "2026-03-03")
    assert [q["code"] for q in state["questions"]] == CODES
    assert [a["value"] for a in state["answers"]] == [1, 2, 3, 4]
    assert answer(client, token, [4] * 9, "Petugas ramah.").status_code == 201
    assert client.get(f"/api/tickets/{token}/survey").json["answered"] is True
    again = answer(client, token, [1] * 9)
    assert (again.status_code, again.json["error"]) == (409, "survey_done")
    assert len(rows(app, "SELECT * FROM survey_answers")) == 1


def test_the_answers_keep_nothing_that_leads_back_to_the_ticket_or_the_visitor(app, client, admin):
    answer(client, served(client, admin), [3] * 9, "ok")
    columns = set(rows(app, "SELECT * FROM survey_answers")[0])
    assert columns == {"id", "day", "service", "counter_id", *CODES, "comment"}


@pytest.mark.parametrize("move", ["waiting", "called", "serving", "no-show"])
def test_a_ticket_not_done_cannot_answer(app, client, admin, move):
    ticket = visit(client, "kk").json["ticket"]
    if move != "waiting":
        admin.post("/api/counters/1/call", json={"ticket_id": ticket["id"]})
    if move == "serving":
        admin.post(f"/api/tickets/{ticket['id']}/start")
    if move == "no-show":
        admin.post(f"/api/tickets/{ticket['id']}/no-show")
    refused = answer(client, ticket["token"], [4] * 9)
    assert (refused.status_code, refused.json["error"]) == (409, "survey_closed")
    assert rows(app, "SELECT * FROM survey_answers") == []


def test_the_survey_stays_open_until_the_end_of_the_next_day(app, client, admin, clock):
    early, late = served(client, admin), served(client, admin)
    clock.advance(days=1, hours=14)  # 23:00 the next day
    assert answer(client, early, [4] * 9).status_code == 201
    clock.advance(hours=2)  # 01:00 two days on
    refused = answer(client, late, [4] * 9)
    assert (refused.status_code, refused.json["error"]) == (409, "survey_closed")
    assert client.get(f"/api/tickets/{late}/survey").json["open"] is False


@pytest.mark.parametrize("answers", [
    {}, {"u1": 4}, {c: 4 for c in CODES} | {"u10": 4}, {c: 4 for c in CODES} | {"u3": 5},
    {c: 4 for c in CODES} | {"u3": 0}, {c: 4 for c in CODES} | {"u9": "4"}, {c: 4 for c in CODES} | {"u9": True},
    {c: 4 for c in CODES} | {"u2": 2.5}, [4] * 9, None,
])
def test_missing_unknown_or_out_of_range_answers_are_400_and_write_nothing(app, client, admin, answers):
    token = served(client, admin)
    refused = client.post(f"/api/tickets/{token}/survey", json={"answers": answers})
    assert (refused.status_code, refused.json["error"]) == (400, "bad_answers")
    assert refused.json["message"].endswith(".")
    assert rows(app, "SELECT * FROM survey_answers") == [] and client.get(f"/api/tickets/{token}/survey").json["open"]


def test_a_comment_over_500_characters_is_400_and_markup_is_kept_as_plain_text(app, client, admin):
    token = served(client, admin)
    long = answer(client, token, [4] * 9, "a" * 501)
    assert (long.status_code, long.json["error"]) == (400, "bad_comment")
    markup = "<script>alert(1)</script> <b>bagus</b>"
    assert answer(client, token, [4] * 9, markup).status_code == 201
    report = admin.get("/api/reports/survey?from=2026-03-02&to=2026-03-02").json
    assert report["comments"] == [{"day": "2026-03-02", "service": "kk", "comment": markup}]


def test_an_unknown_token_is_404_and_without_the_survey_table_the_survey_is_off(app, client, admin, database, clock):
    assert client.get("/api/tickets/nope/survey").status_code == 404
    assert answer(client, "nope", [4] * 9).status_code == 404
    off = server.create_app(CONFIG, overrides_for(database.with_name("off.db")), clock=clock)
    token = visit(kiosk_client(off)).json["ticket"]["token"]
    refused = off.test_client().get(f"/api/tickets/{token}/survey")
    assert (refused.status_code, refused.json["error"]) == (404, "survey_off")
    off.extensions["store"].close()


def test_the_report_gives_each_elements_nrr_the_ikm_and_grade_per_service_and_counter(app, client, admin):
    answer(client, served(client, admin, "kk", 1), [4, 4, 4, 4, 4, 4, 4, 4, 4])
    answer(client, served(client, admin, "kk", 2), [3, 3, 3, 3, 3, 3, 3, 3, 3], "Antrean cepat")
    answer(client, served(client, admin, "kia", 1), [4, 3, 2, 4, 3, 2, 4, 3, 2])
    report = admin.get("/api/reports/survey?from=2026-03-01&to=2026-03-31").json
    # by hand: u1 (4+3+4)/3, u2 (4+3+3)/3, u3 (4+3+2)/3, and so on three times over;
    # the mean of the nine is 10/3, × 25 = 83.33: B, "Baik"
    assert report["responses"] == 3
    assert report["nrr"] == {"u1": 3.667, "u2": 3.333, "u3": 3.0, "u4": 3.667, "u5": 3.333, "u6": 3.0,
                             "u7": 3.667, "u8": 3.333, "u9": 3.0}
    assert (report["ikm"], report["grade"], report["grade_words"]) == (83.33, "B", "Baik")
    kk, kia = report["by_service"]
    assert (kk["service"], kk["responses"], kk["ikm"], kk["grade"]) == ("kk", 2, 87.5, "B")  # 3.5 × 25
    assert (kia["service"], kia["responses"], kia["ikm"], kia["grade"]) == ("kia", 1, 75.0, "C")  # 3 × 25
    by_counter = {c["counter"]: c for c in report["by_counter"]}
    assert (by_counter[1]["responses"], by_counter[1]["ikm"]) == (2, 87.5)  # elements 4, 3.5, 3 (×3) → 3.5 × 25
    assert (by_counter[2]["responses"], by_counter[2]["ikm"], by_counter[2]["grade"]) == (1, 75.0, "C")
    assert [e["name"] for e in report["elements"]][:2] == ["Persyaratan", "Sistem, mekanisme dan prosedur"]
    assert [e["score"] for e in report["elements"]][:3] == [91.67, 83.33, 75.0]  # 11/3, 10/3, 9/3 × 25, exactly
    assert report["elements"][0]["name_en"] == "Requirements"
    assert report["comments"] == [{"day": "2026-03-02", "service": "kk", "comment": "Antrean cepat"}]


def spread(total: int, count: int) -> list[list[int]]:
    """count responses of nine answers each, 1 to 4, adding up to total."""
    answers = [[1] * 9 for _ in range(count)]
    left = total - 9 * count
    for response in answers:
        for i in range(9):
            step = min(3, left)
            response[i] += step
            left -= step
    assert left == 0
    return answers


@pytest.mark.parametrize("count, total, ikm, grade", [
    (26, 717, 76.60, "C"),  # 717 / 234 × 25 = 76.602…
    (19, 524, 76.61, "B"),  # 524 / 171 × 25 = 76.608…
    (19, 604, 88.30, "B"),  # 604 / 171 × 25 = 88.304…
    (24, 763, 88.31, "A"),  # 763 / 216 × 25 = 88.310…
])
def test_the_grade_boundaries_fall_where_permenpan_rb_14_2017_puts_them(app, client, admin, count, total, ikm, grade):
    for values in spread(total, count):
        assert answer(client, served(client, admin), values).status_code == 201
    report = admin.get("/api/reports/survey").json  # this month so far
    assert (report["responses"], report["ikm"], report["grade"]) == (count, ikm, grade)


def test_the_pure_grade_follows_the_table():
    assert [survey.grade(v)["grade"] for v in (100, 88.31, 88.30, 76.61, 76.60, 65.00, 64.99, 25.00)] == [
        "A", "A", "B", "B", "C", "C", "D", "D"]
    assert survey.ikm([]) is None and survey.grade(None) is None


def test_the_csv_says_what_the_json_says(app, client, admin):
    answer(client, served(client, admin, "kk", 1), [4, 3, 4, 3, 4, 3, 4, 3, 4], "Baik sekali, \"cepat\"")
    answer(client, served(client, admin, "kia", 2), [2] * 9)
    report = admin.get("/api/reports/survey").json
    text = admin.get("/api/reports/survey.csv").get_data(as_text=True)
    found = {(section, key): value for section, key, value in list(csv.reader(io.StringIO(text)))[1:]}
    assert found[("all", "responses")] == str(report["responses"])
    assert float(found[("all", "ikm")]) == report["ikm"] and found[("all", "grade")] == report["grade"]
    for code in CODES:
        assert float(found[("all", f"nrr.{code}")]) == report["nrr"][code]
    for row in report["by_service"]:
        assert float(found[(f"service.{row['service']}", "ikm")]) == row["ikm"]
    for row in report["by_counter"]:
        assert float(found[(f"counter.{row['counter']}", "ikm")]) == row["ikm"]
    assert found[("comment.kk", "2026-03-02")] == "Baik sekali, \"cepat\""


def test_a_period_without_responses_says_so_and_a_bad_period_is_400(app, admin):
    empty = admin.get("/api/reports/survey?from=2026-01-01&to=2026-01-31").json
    assert (empty["responses"], empty["ikm"], empty["grade"]) == (0, None, None)
    assert empty["message"] == "Belum ada jawaban survei pada periode ini."
    assert admin.get("/api/reports/survey?from=2026-02-01&to=2026-01-01").status_code == 400
    assert admin.get("/api/reports/survey?from=2026-02-30").status_code == 400


def test_the_report_is_for_admins_only(app, client, admin):
    add_user(app, "siti", "staff", (1,))
    assert Staff(app, "siti").get("/api/reports/survey").status_code == 403
    assert client.get("/api/reports/survey").status_code == 401
