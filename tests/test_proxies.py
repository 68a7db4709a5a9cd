"""Behind a reverse proxy (issue 22): the proxy's X-Forwarded-For names the visitor for every
per-address limit, but only when the request comes from a proxy named in [server]
trusted_proxies; from anyone else the header changes nothing."""
import pytest

import server
from conftest import CONFIG, PASSWORD, add_user, overrides_for
from queueing import config as configuration

LOGINS = {"limits": {"logins_per_address": "2/minute"}}


def app_with(database, clock, **server_keys):
    return server.create_app(CONFIG, overrides_for(database, **LOGINS, server=server_keys), clock=clock)


def login(app, peer: str, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return app.test_client().post("/api/login", json={"username": "siti", "password": PASSWORD},
                                  headers=headers, environ_base={"REMOTE_ADDR": peer})


def test_behind_a_trusted_proxy_each_visitor_is_counted_under_their_own_address(database, clock):
    app = app_with(database, clock, trusted_proxies=["127.0.0.1"])
    add_user(app, "siti")
    for visitor in ("10.0.0.21", "10.0.0.22", "10.0.0.23"):
        assert [login(app, "127.0.0.1", visitor).status_code for _ in range(2)] == [200, 200]
    refused = login(app, "127.0.0.1", "10.0.0.21")
    assert (refused.status_code, refused.json["error"]) == (429, "rate_limited")
    app.extensions["store"].close()


def test_a_chain_through_several_trusted_proxies_names_the_first_address_outside_them(database, clock):
    app = app_with(database, clock, trusted_proxies=["127.0.0.1", "10.9.0.0/16"])
    add_user(app, "siti")
    # a visitor may write anything left of what the proxies added: only the rightmost outsider counts
    for _ in range(2):
        assert login(app, "127.0.0.1", "6.6.6.6, 10.0.0.31, 10.9.1.1").status_code == 200
    assert login(app, "127.0.0.1", "7.7.7.7, 10.0.0.31, 10.9.1.1").status_code == 429
    app.extensions["store"].close()


def test_without_trusted_proxies_the_header_is_ignored_and_the_proxy_is_one_address(database, clock):
    app = app_with(database, clock)
    add_user(app, "siti")
    assert [login(app, "127.0.0.1", f"10.0.0.{i}").status_code for i in range(3)] == [200, 200, 429]
    app.extensions["store"].close()


def test_a_stranger_sending_x_forwarded_for_cannot_choose_the_address_they_are_counted_under(database, clock):
    app = app_with(database, clock, trusted_proxies=["127.0.0.1"])
    add_user(app, "siti")
    assert [login(app, "10.0.0.66", f"10.0.1.{i}").status_code for i in range(3)] == [200, 200, 429]
    assert login(app, "127.0.0.1", "10.0.0.66").status_code == 429  # that address, through the proxy too
    app.extensions["store"].close()


def test_the_proxy_says_the_scheme_so_links_made_for_the_office_start_with_https(database, clock):
    app = app_with(database, clock, trusted_proxies=["127.0.0.1"])
    add_user(app, "kepala", "admin", ())
    admin = app.test_client()
    environ = {"REMOTE_ADDR": "127.0.0.1"}
    answer = admin.post("/api/login", json={"username": "kepala", "password": PASSWORD}, environ_base=environ)
    headers = {"X-CSRFToken": answer.json["csrf_token"], "X-Forwarded-Proto": "https",
               "X-Forwarded-For": "10.0.0.5"}
    link = admin.post("/api/kiosks/lobby/enrollments", json={}, headers=headers, environ_base=environ).json["url"]
    assert link.startswith("https://localhost/kiosk/lobby?enroll=")
    spoofed = admin.post("/api/kiosks/lobby/enrollments", json={}, headers=headers,
                         environ_base={"REMOTE_ADDR": "10.0.0.5"}).json["url"]
    assert spoofed.startswith("http://")  # not from the proxy: the header is not believed
    app.extensions["store"].close()


@pytest.mark.parametrize("value", [["localhost"], ["300.1.1.1"], "127.0.0.1", [7]])
def test_a_trusted_proxy_that_is_not_an_address_stops_the_server_naming_the_key(database, value):
    with pytest.raises(configuration.ConfigError, match=r"server.trusted_proxies"):
        configuration.load(CONFIG, overrides_for(database, server={"trusted_proxies": value}))
