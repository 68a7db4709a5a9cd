"""The print process of a running server (kiosk/printprocess.py), through real gunicorn.

A server whose kiosks have printers sends the print jobs from a child of its worker:
the jobs reach a fake network printer, the outcome reaches the kiosk's socket, and the
child follows the worker's life: it is started again when it dies, and ends with the worker.
"""
from __future__ import annotations

import os
import signal
import time
import uuid

import pytest
import requests
import socketio

from bench.fakeprinter import FakePrinter
from bench.liveserver import children

pytestmark = pytest.mark.slow


def stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name: state, ppid, ... (field 3 onwards of proc(5))."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def alive(pid: int) -> bool:
    try:
        return stat_fields(pid)[0] != "Z"
    except FileNotFoundError:
        return False


def wait_for(predicate, timeout: float = 15, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def worker_of(server) -> int:
    return wait_for(lambda: (children(server.pid) or [None])[0], what="gunicorn's worker")


def print_process_of(worker: int) -> int:
    return wait_for(lambda: (children(worker) or [None])[0], what="the print process")


def printing_office(port: int) -> dict:
    return {"kiosks": [{"id": "lobby", "name": "Lobi", "printer": {
        "type": "network", "host": "127.0.0.1", "port": port, "timeout": 1}}]}


def visit(server) -> dict:
    answer = requests.post(server.url + "/api/visits", json={
        "kiosk": "lobby", "service": "kk", "request_id": uuid.uuid4().hex}, cookies=server.kiosk_cookies(), timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()


@pytest.fixture
def printer():
    device = FakePrinter("ok")
    yield device
    device.stop()


def test_a_running_server_prints_from_a_child_of_its_worker_and_the_kiosk_hears_the_outcome(
        live_server, printer):
    server = live_server(printing_office(printer.port))
    worker = worker_of(server)
    child = print_process_of(worker)
    kiosk = socketio.SimpleClient()
    kiosk.connect(server.url, auth={"kiosk": "lobby"}, headers=server.kiosk_headers(), transports=["websocket"],
                  wait_timeout=5)
    try:
        answer = visit(server)
        assert answer["print"]["status"] == "queued"
        statuses = []
        while "printed" not in statuses:
            event, data = kiosk.receive(timeout=10)
            if event == "print":
                assert data["id"] == answer["print"]["id"] and data["number"] == answer["ticket"]["number"]
                statuses.append(data["status"])
        assert statuses == ["printing", "printed"]
    finally:
        kiosk.disconnect()
    [job] = printer.printed()
    assert answer["ticket"]["number"].encode() in job and answer["ticket"]["token"].encode() in job
    assert child != worker and alive(child)


def test_the_print_process_logs_one_line_per_job_and_not_python_escpos_connection_chatter(
        live_server, printer):
    server = live_server(printing_office(printer.port))
    answers = [visit(server) for _ in range(2)]
    printer.printed(count=2)
    log = wait_for(lambda: (text := server.log.read_text()).count(" printed") >= 2 and text,
                   what="the print process's log lines")
    for answer in answers:
        assert f"print job {answer['print']['id']} ({answer['ticket']['number']}) on lobby printed" in log
    assert "Network printer enabled" not in log and "Closing Network connection" not in log


def test_a_print_process_that_dies_is_started_again_and_prints_what_was_queued_meanwhile(
        live_server, printer):
    server = live_server(printing_office(printer.port))
    child = print_process_of(worker_of(server))
    os.kill(child, signal.SIGKILL)
    first = visit(server)  # queued while no print process runs
    assert first["ticket"]["number"] == "B001"
    wait_for(lambda: len(printer.printed(timeout=0.1)) >= 1, what="the job queued while it was down")
    second = visit(server)
    jobs = printer.printed(count=2)
    assert [b"B001" in jobs[0], b"B002" in jobs[1]] == [True, True]
    assert second["print"]["status"] == "queued"
    assert print_process_of(worker_of(server)) != child


def test_the_print_process_ends_with_its_worker_even_when_the_worker_is_killed(live_server, printer):
    server = live_server(printing_office(printer.port))
    worker = worker_of(server)
    child = print_process_of(worker)
    os.kill(worker, signal.SIGKILL)  # gunicorn's master starts a new worker, with a new child
    wait_for(lambda: not alive(child), what="the orphaned print process to end")
    new_worker = wait_for(lambda: next((p for p in children(server.pid) if p != worker), None),
                          what="the new worker")
    assert print_process_of(new_worker) != child
    server.wait_ready(15)
    visit(server)
    assert b"B001" in printer.printed()[0]


def niceness(pid: int) -> int:
    return int(stat_fields(pid)[16])  # field 19 of proc(5)


def test_the_print_process_gives_the_cpu_to_the_worker_first(live_server, printer):
    server = live_server(printing_office(printer.port))
    worker = worker_of(server)
    child = print_process_of(worker)
    wait_for(lambda: niceness(child) == niceness(worker) + 10, what="the print process to lower its priority")
    visit(server)
    assert b"B001" in printer.printed()[0]


def test_stopping_the_server_leaves_no_print_process(live_server, printer):
    server = live_server(printing_office(printer.port))
    child = print_process_of(worker_of(server))
    server.stop()
    wait_for(lambda: not alive(child), what="the print process to end")


def test_a_server_whose_kiosks_only_show_tickets_starts_no_print_process(live_server):
    server = live_server()  # config.toml: a preview printer
    worker = worker_of(server)
    time.sleep(1)
    assert children(worker) == []
