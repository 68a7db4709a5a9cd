"""Tickets and slips as ESC/POS bytes, and the outbox against a fake network printer on localhost."""
import json
import sqlite3
import time

import pytest

import server
from bench.fakeprinter import FakePrinter
from conftest import CONFIG, Staff, add_user, overrides_for, visit, kiosk_client
from kiosk import printer
from queueing.config import Printer

GS_SIZE = b"\x1d!"  # GS ! n: character size
QR_STORE = b"\x1d(k"  # GS ( k: native QR code
CUT = b"\x1dV"

JOB = {"office": "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tulungagung", "number": "B007",
       "service_name": "Kartu Keluarga", "priority_kind": "lansia", "reason_label": "Keperluan BPJS Kesehatan",
       "issued_at": "2026-03-02T02:15:00.000000+00:00", "ahead": 3, "url": "http://10.0.0.5:5000/t/abc123",
       "timezone": "Asia/Jakarta"}


def test_a_ticket_has_the_number_at_the_largest_size_a_qr_code_and_a_cut():
    data = printer.render_ticket(JOB, Printer(paper_width=80))
    assert GS_SIZE + b"\x77" in data  # 8x wide, 8x high
    assert data.index(GS_SIZE + b"\x77") < data.index(b"B007")
    assert QR_STORE in data and b"http://10.0.0.5:5000/t/abc123" in data
    assert CUT in data[-8:]
    for text in (b"Nomor Antrian", b"Kartu Keluarga", b"Tulungagung", b"PRIORITAS: Lansia",
                 b"DARURAT: Keperluan BPJS", b"Senin, 2 Maret 2026 09.15 WIB", b"3 orang di depan Anda",
                 b"Mohon menunggu"):
        assert text in data, text


def test_a_long_number_shrinks_to_fit_the_58mm_paper():
    data = printer.render_ticket({**JOB, "number": "B1000"}, Printer(paper_width=58))
    assert GS_SIZE + b"\x55" in data  # 32 columns / 5 characters: 6x


def test_the_next_in_line_is_told_so():
    assert b"Anda antrean berikutnya" in printer.render_ticket({**JOB, "ahead": 0}, Printer())


def test_a_ticket_no_longer_waiting_prints_no_place_in_the_queue():
    data = printer.render_ticket({**JOB, "ahead": None}, Printer())
    assert b"B007" in data and b"berikutnya" not in data and b"di depan Anda" not in data


def test_a_ticket_called_before_its_printer_came_back_is_not_told_it_is_next(fake, database, clock):
    device = fake("ok")
    app = printing_app(database, clock, device.port)
    add_user(app, "kepala", "admin", ())
    visit(kiosk_client(app))
    assert Staff(app, "kepala").post("/api/counters/1/call-next").status_code == 200
    run(app)
    [job] = device.printed()
    assert b"B001" in job and b"berikutnya" not in job and b"di depan Anda" not in job


def test_the_online_slip_has_the_url_a_qr_code_the_steps_and_a_cut():
    slip = {"office": "Dispendukcapil", "url": "https://layananonline.dukcapil.kemendagri.go.id",
            "steps": ["Buka alamat.", "Isi permohonan.", "Cetak di kertas HVS."]}
    data = printer.render_slip(slip, Printer(paper_width=58))
    assert b"layananonline.dukcapil" in data and QR_STORE in data and CUT in data[-8:]
    assert b"1. Buka alamat." in data and b"3. Cetak di kertas HVS." in data


# --- the outbox and a fake network printer ---

@pytest.fixture
def fake():
    printers = []

    def make(behaviour="ok", port=0, delay=0.0):
        p = FakePrinter(behaviour, delay, port)
        printers.append(p)
        return p

    yield make
    for p in printers:
        p.stop()


def printing_app(database, clock, port: int, timeout: float = 0.5):
    return server.create_app(CONFIG, overrides_for(database, kiosks=[{"id": "lobby", "printer": {
        "type": "network", "host": "127.0.0.1", "port": port, "timeout": timeout}}]), clock=clock)


def job_rows(database):
    with sqlite3.connect(database) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM print_jobs ORDER BY id")]


def run(app):
    return app.extensions["outbox"].run_once("lobby")


def test_a_ticket_reaches_the_fake_printer_and_the_job_is_printed(fake, database, clock):
    device = fake("ok")
    app = printing_app(database, clock, device.port)
    answer = visit(kiosk_client(app)).json
    assert answer["print"]["status"] == "queued"
    assert job_rows(database)[0]["status"] == "queued"  # the request did not wait for the printer
    assert run(app) == 1
    [job] = device.printed()
    assert b"B001" in job and QR_STORE in job and answer["ticket"]["token"].encode() in job
    row = job_rows(database)[0]
    assert (row["status"], row["attempts"], row["paper"], row["last_error"]) == ("printed", 1, "ok", None)


def assert_failed_then_printed_after_repair(app, database, clock, fake, broken):
    ticket = visit(kiosk_client(app)).json["ticket"]
    run(app)
    row = job_rows(database)[0]
    assert row["status"] == "failed" and row["last_error"] and row["next_attempt_at"]
    token = ticket["token"]
    assert app.test_client().get(f"/api/tickets/{token}").json["ticket"]["status"] == "waiting"
    port = broken.port
    broken.stop()
    repaired = fake("ok", port=port)
    clock.advance(seconds=3)
    assert run(app) == 1
    assert b"B001" in repaired.printed()[0]
    assert job_rows(database)[0]["status"] == "printed" and job_rows(database)[0]["attempts"] == 2
    return row


def test_connection_refused_fails_the_job_and_the_retry_prints_it(fake, database, clock):
    closed = fake("ok")
    closed.stop()
    app = printing_app(database, clock, closed.port)
    row = assert_failed_then_printed_after_repair(app, database, clock, fake, closed)
    assert "cannot reach" in row["last_error"]


def test_a_printer_that_accepts_and_never_reads_fails_by_timeout_and_the_retry_prints(fake, database, clock):
    silent = fake("silent")
    app = printing_app(database, clock, silent.port)
    row = assert_failed_then_printed_after_repair(app, database, clock, fake, silent)
    assert "did not answer" in row["last_error"] and row["paper"] == "unknown"


def test_a_printer_that_hangs_up_mid_job_fails_it_and_the_retry_prints(fake, database, clock):
    flaky = fake("close_mid_job")
    app = printing_app(database, clock, flaky.port)
    row = assert_failed_then_printed_after_repair(app, database, clock, fake, flaky)
    assert row["last_error"]


def test_paper_out_fails_the_job_without_sending_it_and_staff_see_it(fake, database, clock):
    empty = fake("paper_out")
    app = printing_app(database, clock, empty.port)
    add_user(app, "kepala", "admin", ())
    assert_failed_then_printed_after_repair(app, database, clock, fake, empty)
    assert empty.jobs == []
    state = Staff(app, "kepala").get("/api/printers").json["printers"][0]
    assert state["paper"] == "ok" and state["last_job"]["status"] == "printed"


def test_the_paper_out_state_and_the_failed_job_show_on_the_printers_page(fake, database, clock):
    empty = fake("paper_out")
    app = printing_app(database, clock, empty.port)
    add_user(app, "kepala", "admin", ())
    visit(kiosk_client(app))
    run(app)
    state = Staff(app, "kepala").get("/api/printers").json["printers"][0]
    assert state["paper"] == "out" and state["address"] == f"127.0.0.1:{empty.port}"
    assert state["failed_jobs"][0]["number"] == "B001" and "paper" in state["failed_jobs"][0]["last_error"]


def test_a_job_is_tried_four_times_then_waits_for_an_admin(fake, database, clock):
    closed = fake("ok")
    closed.stop()
    app = printing_app(database, clock, closed.port)
    add_user(app, "kepala", "admin", ())
    visit(kiosk_client(app))
    for _ in range(6):
        run(app)
        clock.advance(seconds=11)
    row = job_rows(database)[0]
    assert (row["status"], row["attempts"], row["next_attempt_at"]) == ("failed", 4, None)
    repaired = fake("ok", port=closed.port)
    assert Staff(app, "kepala").post(f"/api/print-jobs/{row['id']}/retry").json["print"]["status"] == "queued"
    run(app)
    assert repaired.printed() and job_rows(database)[0]["status"] == "printed"


def test_reprint_sends_the_ticket_again(fake, database, clock):
    device = fake("ok")
    app = printing_app(database, clock, device.port)
    add_user(app, "siti")
    ticket_id = visit(kiosk_client(app)).json["ticket"]["id"]
    run(app)
    assert Staff(app, "siti").post(f"/api/tickets/{ticket_id}/reprint").status_code == 202
    run(app)
    assert len(device.printed(count=2)) == 2 and all(b"B001" in job for job in device.jobs)


def test_the_online_slip_prints_on_the_kiosk_printer(fake, database, clock):
    device = fake("ok")
    app = printing_app(database, clock, device.port)
    answer = kiosk_client(app).post("/api/slips", json={"kiosk": "lobby"})
    assert answer.status_code == 202 and answer.json["print"]["status"] == "queued"
    run(app)
    assert b"layananonline.dukcapil.kemendagri.go.id" in device.printed()[0]


def test_a_slip_on_a_preview_kiosk_is_shown_not_printed(client):
    assert client.post("/api/slips", json={"kiosk": "lobby"}).json == {"print": {"status": "preview"}}
    assert client.post("/api/slips", json={"kiosk": "nowhere"}).status_code == 400


def test_the_issuing_kiosk_and_staff_hear_the_print_outcome_live(fake, database, clock):
    from display.live import sender, socketio
    device = fake("ok")
    app = printing_app(database, clock, device.port)
    add_user(app, "siti")
    staff = Staff(app, "siti")
    kiosk_socket = socketio.test_client(app, auth={"kiosk": "lobby"}, flask_test_client=kiosk_client(app))
    staff_socket = socketio.test_client(app, flask_test_client=staff.client)
    public_socket = socketio.test_client(app)
    visit(kiosk_client(app))
    run(app)
    sender.drain()
    for socket in (kiosk_socket, staff_socket):
        prints = [m["args"][0] for m in socket.get_received() if m["name"] == "print"]
        assert [p["status"] for p in prints] == ["printing", "printed"]
        assert prints[-1]["number"] == "B001" and "version" not in prints[-1]
    assert not [m for m in public_socket.get_received() if m["name"] == "print"]


def test_a_job_in_flight_when_the_server_dies_is_sent_again_after_the_restart(fake, database, clock):
    device = fake("ok")
    app = printing_app(database, clock, device.port)
    visit(kiosk_client(app))
    app.extensions["printjobs"].take(1)  # the server died right here
    assert job_rows(database)[0]["status"] == "queued"
    restarted = printing_app(database, clock, device.port)
    assert restarted.extensions["printjobs"].recover() == 0
    run(restarted)
    assert device.printed() and job_rows(database)[0]["status"] == "printed"
    assert job_rows(database)[0]["attempts"] == 1


def test_a_job_an_older_version_left_printing_is_retried_at_start(fake, database, clock):
    device = fake("ok")
    app = printing_app(database, clock, device.port)
    visit(kiosk_client(app))
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE print_jobs SET status = 'printing', attempts = 1")
    assert app.extensions["printjobs"].recover() == 1
    run(app)
    assert device.printed() and job_rows(database)[0]["status"] == "printed"


def test_one_attempt_writes_the_job_once_in_one_statement_without_waiting_on_the_disk(fake, database, clock):
    device = fake("ok")
    app = printing_app(database, clock, device.port)
    visit(kiosk_client(app))
    store, writes = app.extensions["store"], []
    real_execute = store.execute

    def counted_execute(sql, params=(), **options):
        writes.append((sql.split()[0], options))
        return real_execute(sql, params, **options)

    store.execute = counted_execute
    store.write = None  # no transaction of several statements, whose lock Python would hold
    assert run(app) == 1
    assert writes == [("UPDATE", {"durable": False})] and job_rows(database)[0]["status"] == "printed"


def test_a_file_printer_receives_the_ticket_bytes(tmp_path):
    device = tmp_path / "lp0"
    device.write_bytes(b"")
    data = printer.render_ticket(JOB, Printer(type="file", path=str(device)))
    assert printer.send(data, Printer(type="file", path=str(device))) == "unknown"
    assert device.read_bytes() == data


@pytest.mark.parametrize("config", [
    Printer(type="usb", vendor_id=0x04B8, product_id=0x0202, timeout=1),
    Printer(type="serial", device="/dev/ttyNOPE", timeout=1),
    Printer(type="file", path="/nonexistent/usb/lp0"),
    Printer(type="cups", name="tm-t82"),
])
def test_an_absent_printer_of_any_type_fails_the_job_with_a_reason(config):
    with pytest.raises(printer.PrintFailed) as failed:
        printer.send(b"\x1b@", config)
    assert str(failed.value) and failed.value.paper == "unknown"


def test_a_console_socket_hears_no_print_news_after_its_login_ends(fake, database, clock):
    from display.live import sender, socketio
    device = fake("ok")
    app = printing_app(database, clock, device.port)
    add_user(app, "siti")
    staff = Staff(app, "siti")
    staff_socket = socketio.test_client(app, flask_test_client=staff.client)
    assert staff.post("/api/logout").status_code == 200
    visit(kiosk_client(app))
    run(app)
    sender.drain()
    received = staff_socket.get_received()
    assert not [m for m in received if m["name"] == "print"]
    assert [m["args"][0]["event"] for m in received if m["name"] == "queue"] == ["issued"]  # still a screen


# --- how a ticket's job is written and what it prints ---

def test_each_new_ticket_of_a_printing_kiosk_gets_its_job_in_the_answer_and_in_the_file(fake, database, clock):
    device = fake("ok")
    app = printing_app(database, clock, device.port)
    client = kiosk_client(app)
    answers = [visit(client).json for _ in range(3)]
    preview_ticket = visit(client, kiosk="aula")
    assert preview_ticket.status_code == 400  # this app has one kiosk, with a printer
    rows = job_rows(database)
    assert [a["print"] for a in answers] == [{"status": "queued", "id": r["id"]} for r in rows]
    assert [r["ticket_id"] for r in rows] == [a["ticket"]["id"] for a in answers]
    assert [json.loads(r["payload"]) for r in rows] == [
        {"url": f"http://localhost/t/{a['ticket']['token']}"} for a in answers]
    assert {(r["kiosk"], r["kind"], r["status"]) for r in rows} == {("lobby", "ticket", "queued")}


def test_a_preview_kiosk_ticket_has_no_print_job(client, database):
    assert visit(client).json["print"] == {"status": "preview"}
    assert job_rows(database) == []


def test_the_qr_code_follows_the_address_the_kiosk_uses(fake, database, clock):
    device = fake("ok")
    app = printing_app(database, clock, device.port)
    first, second = (kiosk_client(app, domain=host).post("/api/visits", base_url=f"http://{host}{port}/", json={
        "kiosk": "lobby", "service": "kk", "request_id": host}).json
        for host, port in (("10.0.0.5", ":5000"), ("antrian.lan", "")))
    urls = [json.loads(r["payload"])["url"] for r in job_rows(database)]
    assert urls == [f"http://10.0.0.5:5000/t/{first['ticket']['token']}",
                    f"http://antrian.lan/t/{second['ticket']['token']}"]


def test_a_qr_code_keeps_an_international_host_in_its_ascii_form(fake, database, clock):
    app = printing_app(database, clock, fake("ok").port)
    # The test client's cookie jar matches an IDNA host in its Unicode form: send the cookie by hand.
    token = app.extensions["kiosks"].enroll_directly("lobby", "test")
    answer = app.test_client(use_cookies=False).post("/api/visits", base_url="http://xn--antrian-dki.lan:8000/",
                                    headers={"Cookie": f"antrian_kiosk_lobby={token}"}, json={
        "kiosk": "lobby", "service": "kk", "request_id": "idn"}).json
    assert [json.loads(r["payload"])["url"] for r in job_rows(database)] == [
        f"http://xn--antrian-dki.lan:8000/t/{answer['ticket']['token']}"]


def test_with_a_public_url_a_ticket_and_its_reprint_both_point_there(database, clock):
    app = server.create_app(CONFIG, overrides_for(database, server={"public_url": "https://antrian.example.go.id"},
                                                  kiosks=[{"id": "lobby", "printer": {"type": "network",
                                                                                      "host": "127.0.0.1"}}]),
                            clock=clock)
    add_user(app, "siti")
    answer = kiosk_client(app, domain="10.0.0.5").post("/api/visits", base_url="http://10.0.0.5:5000/", json={
        "kiosk": "lobby", "service": "kk", "request_id": "public"}).json
    assert Staff(app, "siti").post(f"/api/tickets/{answer['ticket']['id']}/reprint").status_code == 202
    urls = [json.loads(r["payload"])["url"] for r in job_rows(database)]
    assert urls == [f"https://antrian.example.go.id/t/{answer['ticket']['token']}"] * 2


def test_the_writer_keeps_queueing_jobs_after_it_is_reopened(fake, database, clock):
    device = fake("ok")
    app = printing_app(database, clock, device.port)
    visit(kiosk_client(app))
    app.extensions["store"].close()
    answer = visit(kiosk_client(app)).json
    assert [r["ticket_id"] for r in job_rows(database)] == [1, answer["ticket"]["id"]]
    assert json.loads(job_rows(database)[1]["payload"])["url"].startswith("http://localhost/t/")


def test_a_ticket_prints_how_many_are_ahead_when_it_is_printed(fake, database, clock):
    device = fake("ok")
    app = printing_app(database, clock, device.port)
    add_user(app, "kepala", "admin", ())
    client = kiosk_client(app)
    for _ in range(3):
        visit(client)
    assert Staff(app, "kepala").post("/api/counters/1/call-next").status_code == 200
    run(app)
    [first, second, third] = device.printed(count=3)
    assert b"B003" in third and b"1 orang di depan Anda" in third
    assert b"Anda antrean berikutnya" in second


def test_a_job_queued_by_an_older_version_prints_what_it_fixed_then(fake, database, clock):
    device = fake("ok")
    app = printing_app(database, clock, device.port)
    visit(kiosk_client(app))
    with sqlite3.connect(database) as conn:  # a job as the version before this one wrote it
        conn.execute("UPDATE print_jobs SET payload = ?", (json.dumps({**JOB, "number": "B001"}),))
    run(app)
    [job] = device.printed()
    assert b"3 orang di depan Anda" in job and b"http://10.0.0.5:5000/t/abc123" in job


def test_kiosks_render_one_at_a_time_and_all_print(fake, database, clock, monkeypatch):
    import threading
    device = fake("ok")
    printer_config = {"type": "network", "host": "127.0.0.1", "port": device.port, "timeout": 2}
    app = server.create_app(CONFIG, overrides_for(database, kiosks=[
        {"id": "lobby", "printer": printer_config}, {"id": "aula", "printer": printer_config}]), clock=clock)
    busy, most = [], []
    real_render = printer.RENDERERS["ticket"]

    def slow_render(job, config):
        busy.append(1)
        most.append(len(busy))
        time.sleep(0.05)  # long enough for the other kiosk's thread to arrive
        busy.pop()
        return real_render(job, config)

    monkeypatch.setitem(printer.RENDERERS, "ticket", slow_render)
    client = kiosk_client(app)
    for kiosk in ("lobby", "aula", "lobby", "aula"):
        assert visit(client, kiosk=kiosk).status_code == 201
    outbox = app.extensions["outbox"]
    workers = [threading.Thread(target=outbox.run_once, args=(kiosk,)) for kiosk in ("lobby", "aula")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(10)
    assert max(most) == 1 and len(device.printed(count=4)) == 4
    assert {row["status"] for row in job_rows(database)} == {"printed"}


def test_the_watcher_finds_new_jobs_and_retries_that_fall_due_without_being_told(fake, database, clock):
    device, gone = fake("ok"), fake("ok")
    gone.stop()  # its port refuses connections
    app = server.create_app(CONFIG, overrides_for(database, kiosks=[
        {"id": "lobby", "printer": {"type": "network", "host": "127.0.0.1", "port": device.port, "timeout": 1}},
        {"id": "aula", "printer": {"type": "network", "host": "127.0.0.1", "port": gone.port, "timeout": 1}}]),
        clock=clock)
    outbox = app.extensions["outbox"]
    outbox.start(watch_every=0.05)
    try:
        client = kiosk_client(app)
        visit(client)
        assert b"B001" in device.printed()[0]
        visit(client, kiosk="aula")  # refused: the job fails and waits 2 s for its retry
        deadline = time.monotonic() + 10
        while job_rows(database)[1]["status"] != "failed" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert app.extensions["printjobs"].due_kiosks(["lobby", "aula"]) == []
        clock.advance(seconds=3)
        assert app.extensions["printjobs"].due_kiosks(["lobby", "aula"]) == ["aula"]
        while job_rows(database)[1]["attempts"] < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert job_rows(database)[1]["attempts"] == 2 and len(device.printed()) == 1
    finally:
        outbox.stop()
