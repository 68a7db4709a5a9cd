"""Crash loop at CI size: five kill -9s of the production server under the soak's load
(bench/crashloop.py; `python -m bench.crashloop` runs fifty)."""
from __future__ import annotations

import pytest

from bench import crashloop

pytestmark = pytest.mark.slow

KILLS = 5


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    """One crash loop for every assertion of this module."""
    return crashloop.run(KILLS, folder=tmp_path_factory.mktemp("crashloop"),
                         log=lambda text: print(text, flush=True))


def test_five_kills_under_load_break_no_invariant(result):
    print(crashloop.summary(result))
    assert result["failures"] == []


def test_every_restart_left_an_intact_database(result):
    assert [r["integrity_check"] for r in result["restarts"]] == ["ok"] * KILLS
    assert result["database"]["integrity_check"] == ["ok"]


def test_every_acknowledged_ticket_survives_the_kills_exactly_once(result):
    db = result["database"]
    assert db["acknowledged"] == db["tickets"] > 0
    assert (db["lost"], db["duplicates"], db["gaps"], db["unacknowledged"]) == (0, 0, 0, 0)
    assert db["wrong_request"] == db["shared_tickets"] == 0


def test_the_clients_met_the_outages_but_never_a_server_error(result):
    http = result["http"]
    assert http["connection_errors"] > 0  # the kills really happened under load
    assert http["server_errors"] == 0, http["server_error_samples"]
    assert http["abandoned"] == 0


def test_every_screen_resyncs_within_two_seconds_of_each_restart(result):
    for restart in result["restarts"]:
        assert restart["not_resynced"] == 0
        assert restart["resync_max_seconds"] <= 2.0, restart


def test_every_screen_ends_with_the_servers_state(result):
    screens = result["screens"]
    assert screens["screens_differing"] == 0, screens["screen_diff_samples"]
    assert screens["phones_differing"] == 0, screens["phone_diff_samples"]
