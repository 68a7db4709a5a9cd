"""Soak at CI size: 20 kiosks, 12 counters and 100 Socket.IO screens on the production server
for a minute (bench/soak.py; `python -m bench.soak` runs the full ten minutes)."""
from __future__ import annotations

import pytest

from bench import soak

pytestmark = pytest.mark.slow

SECONDS = 60


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    """One soak for every assertion of this module."""
    return soak.run(SECONDS, folder=tmp_path_factory.mktemp("soak"), log=lambda text: print(text, flush=True))


def test_a_minute_of_full_load_breaks_no_invariant(result):
    print(soak.summary(result))
    assert result["failures"] == []


def test_the_soak_ran_with_the_full_client_counts_and_kept_issuing(result):
    assert (result["config"]["kiosks"], result["config"]["counters"], result["config"]["sockets"]) == (20, 12, 100)
    assert result["screens"]["screens"] == 100 and result["setup"]["connected"] == 100
    assert result["load_seconds"] >= SECONDS
    assert result["rates"]["visits_per_second"] >= 2  # the kiosks were not starved
    assert result["counters"]["moves"].get("finish 200", 0) > 0


def test_every_acknowledged_ticket_is_in_the_database_exactly_once(result):
    db = result["database"]
    assert db["acknowledged"] == db["tickets"] > 0
    assert (db["lost"], db["duplicates"], db["gaps"], db["unacknowledged"]) == (0, 0, 0, 0)
    assert db["integrity_check"] == ["ok"]


def test_no_client_saw_a_server_error_or_a_dropped_connection(result):
    http = result["http"]
    assert http["server_errors"] == 0, http["server_error_samples"]
    assert http["connection_errors"] == 0
    assert result["screens"]["disconnects"] == 0


def test_every_screen_ends_with_the_servers_state(result):
    screens = result["screens"]
    assert screens["screens_differing"] == 0, screens["screen_diff_samples"]
    assert screens["phones_differing"] == 0, screens["phone_diff_samples"]
