"""The office queue server: create_app() wires everything; `python server.py` runs it in production form."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sqlite3
import os
import socket
import sys
import threading
import time
from pathlib import Path

import click
from flask import Flask, current_app, render_template, request
from werkzeug.http import parse_cookie
from werkzeug.wrappers import Response
from wsproto.utilities import RemoteProtocolError

import admin
import booking
import counter
import display
import kiosk
from kiosk.outbox import Outbox
from kiosk.printprocess import PrintProcess
from display.live import (MAX_SOCKET_MESSAGE, drop_ended_staff_sockets, drop_revoked_kiosks, publisher,
                          send_after_answers, socketio)
from queueing import config as configuration
from queueing import reports
from queueing.accounts import Accounts
from queueing.bookings import Bookings
from queueing.surveys import Surveys
from web.address import TrustedProxies
from web.fanout import Doorbell, LeaderLock, channel_name
from queueing.kiosks import KioskDevices
from queueing.model import QueueError
from queueing.printjobs import PrintJobs
from queueing.model import clock_from, stamp, utc_now
from queueing.service import QueueService
from queueing.store import Store
from web import auth, devices, errors, openapi, serving
from web.auth import current_session
from web.capacity import TRUSTED_SOCKETS, CapacityGate, SocketCapacity
from web.channel import PrintProgress
from web.devices import any_enrolled
from web.ratelimit import RateLimits

HERE = Path(__file__).resolve().parent
MAX_BODY = 16 * 1024  # the largest request is a small JSON object
log = logging.getLogger("antrian")

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "connect-src 'self'; media-src 'self'; font-src 'self'; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def resolve_config_path(path: str | os.PathLike | None = None) -> Path:
    """Return the config file: the one named, else KIOSK_CONFIG, else config.toml here."""
    return Path(path or os.environ.get("KIOSK_CONFIG") or HERE / "config.toml")


def create_app(config_path: str | os.PathLike | None = None, overrides: dict | None = None,
               clock=None) -> Flask:
    """Build the app on a config file; tests pass overrides and a clock (or, to a server they
    start as a process, ANTRIAN_TEST_CLOCK: the moment its clock reads at start)."""
    clock = clock or _test_clock()
    path = resolve_config_path(config_path)
    config = configuration.load(path, overrides)
    store = Store(config.server.database)
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY)
    app.json.ensure_ascii, app.json.sort_keys = False, False
    app.extensions.update(
        config=config, store=store,
        queue=QueueService(config, store, clock or utc_now),
        accounts=Accounts(config, store, clock or utc_now),
        kiosks=KioskDevices(config, store, clock or utc_now),
        printjobs=PrintJobs(config, store, clock or utc_now),
        limits=RateLimits({"visits_per_kiosk": config.limits.visits_per_kiosk,
                           "logins_per_address": config.limits.logins_per_address,
                           "logins_per_account": config.limits.logins_per_account,
                           "requests_per_address": config.limits.requests_per_address,
                           "bookings_per_address": config.limits.bookings_per_address,
                           "joins_per_address": config.limits.joins_per_address}),
        sockets=SocketCapacity(config.server.sockets, config.limits.sockets_per_address),
    )
    if config.join:
        app.extensions["queue"].joins.secret()  # made now, not inside a snapshot's read
    app.extensions["surveys"] = Surveys(config, store, clock or utc_now)
    app.extensions["bookings"] = Bookings(config, store, clock or utc_now, app.extensions["queue"].calendars)
    # One way out to the live channel: the queue's events, and web.channel's messages.
    doorbell = _fan_out(app, config)
    publish = app.extensions["publish"] = publisher(app.extensions["queue"], app.extensions["kiosks"], doorbell)
    app.extensions["queue"].publish = publish
    app.extensions["outbox"] = Outbox(config, app.extensions["printjobs"], _print_progress(app),
                                      app.extensions["printjobs"].content)
    # A running server sends the jobs from a print process built on the same config (tests
    # call the Outbox here by hand).
    app.extensions["config_source"] = {"config": str(path.resolve()), "overrides": overrides}
    errors.register(app)
    for blueprint in (kiosk.bp, counter.bp, display.bp, admin.bp, booking.bp, openapi.bp):
        app.register_blueprint(blueprint)
    app.add_url_rule("/", "index", lambda: render_template("index.html", config=config))
    app.add_url_rule("/healthz", "healthz", lambda: {"ok": True})
    app.before_request(_limit_anonymous)
    app.after_request(_security_headers)
    # Same-origin only (the default of cors_allowed_origins): no cross-site socket. With several
    # processes, messages without a version reach the others' sockets through Redis (web.fanout).
    queue_options = ({"message_queue": config.server.message_queue,
                      "channel": f"antrian-socketio:{os.path.realpath(config.server.database)}"}
                     if config.server.message_queue else {})
    socketio.init_app(app, async_mode="threading", max_http_buffer_size=MAX_SOCKET_MESSAGE, **queue_options)
    # Pages hold their live connection over websockets only when several processes serve them:
    # a long-polling session's requests could reach a process that does not know it.
    app.context_processor(lambda: {"live_transport": "websocket" if config.server.workers > 1 else ""})
    gate = CapacityGate(send_after_answers(app.wsgi_app), app.extensions["sockets"], _trusted_socket(app))
    gate.watch_sessions(socketio.server.eio)
    app.wsgi_app = TrustedProxies(SocketGuard(gate), config.server.trusted_proxies)
    _add_cli(app)
    return app


def _fan_out(app: Flask, config) -> Doorbell | None:
    """With a message queue: the doorbell between the processes, each transaction catching up
    with the others' changes first, and rate limits counted in Redis (one count for all)."""
    if not config.server.message_queue:
        return None
    doorbell = Doorbell(config.server.message_queue, channel_name(config.server.database))
    app.extensions["doorbell"] = doorbell
    log_ = app.extensions["queue"].log
    app.extensions["store"].on_begin = log_.catch_up
    return doorbell


def _test_clock():
    """The clock ANTRIAN_TEST_CLOCK sets ("2026-12-24T09:00:00+07:00"), or None: the machine's."""
    start = os.environ.get("ANTRIAN_TEST_CLOCK")
    if not start:
        return None
    moment = dt.datetime.fromisoformat(start)
    if moment.tzinfo is None:
        raise SystemExit("ANTRIAN_TEST_CLOCK needs a time zone, e.g. 2026-12-24T09:00:00+07:00")
    log.warning("the server's clock is set by ANTRIAN_TEST_CLOCK to %s", start)
    return clock_from(moment)


def _print_progress(app: Flask):
    """What the outbox and the print process call with each job's progress."""
    publish = app.extensions["publish"]
    return lambda job: publish(PrintProgress(job))


def _limit_anonymous():
    """Bound what one address may ask without a staff session or a kiosk's device cookie
    ([limits] requests_per_address): one phone's script cannot take the server's time
    from the kiosks, the counters and the other phones."""
    if current_session() is None and not any_enrolled():
        current_app.extensions["limits"].hit(
            "requests_per_address", request.remote_addr or "",
            "Terlalu banyak permintaan dari alamat ini. Silakan tunggu {wait} lalu coba lagi.")


def _trusted_socket(app: Flask):
    """Whether a Socket.IO handshake comes from staff (a live session) or an enrolled kiosk."""
    accounts, kiosks = app.extensions["accounts"], app.extensions["kiosks"]

    def trusted(environ) -> bool:
        cookies = parse_cookie(environ)
        if accounts.session(cookies.get(auth.COOKIE)) is not None:
            return True
        return any(kiosks.device(name[len(devices.COOKIE_PREFIX):], value) is not None
                   for name, value in cookies.items() if name.startswith(devices.COOKIE_PREFIX))

    return trusted


def _security_headers(response):
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    # Nothing of ours may sit in a browser's or a proxy's cache (a staff session's CSRF token,
    # reports, the pages of a shared counter PC; issue 16) but what says otherwise itself:
    # static files (no-cache with an ETag, from send_file), QR codes, the report charts.
    if "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
    if response.mimetype == "text/html":  # the policies concern documents, not JSON answers
        headers["Content-Security-Policy"] = CSP
        # Ticket tokens travel in URLs (/t/<token>): never leak them in a Referer.
        headers["Referrer-Policy"] = "no-referrer"
    # The queue's own clock, to the millisecond (the Date header has whole seconds, and a test's
    # clock is not the machine's): the staff pages time deadlines and waits by it.
    headers["X-Server-Time"] = stamp(current_app.extensions["queue"].clock())
    return response


class SocketGuard:
    """Guard the Socket.IO endpoint against input its libraries turn into a 500 or a stuck thread
    (SPEC: never a 500 for anything a client sends)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if _oversized_socket_post(environ):
            # python-engineio would end the session and wait, forever without a pending poll, for
            # the close to be polled: each such POST pinned a server thread (200 of them: no server).
            return _json_error(413, "too_large", environ, start_response)
        if environ.get("HTTP_UPGRADE", "").lower() != "websocket":
            return self.wsgi_app(environ, start_response)
        try:
            return self.wsgi_app(environ, start_response)
        except RemoteProtocolError as e:  # raised by the handshake, before anything was sent
            log.info("refused a websocket handshake: %s", e)
            return _json_error(400, "bad_request", environ, start_response)
        except (ValueError, RecursionError) as e:  # a frame after the handshake: only closing is left
            log.info("closed a websocket that sent an undecodable frame: %r", e)
            if "gunicorn.socket" not in environ:
                raise
            raise StopIteration from None  # gunicorn then closes quietly, as simple-websocket's own end does


def _oversized_socket_post(environ) -> bool:
    length = environ.get("CONTENT_LENGTH") or "0"
    return (environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO", "").startswith("/socket.io/")
            and length.isdigit() and int(length) > MAX_SOCKET_MESSAGE)


def _json_error(status: int, code: str, environ, start_response):
    body = json.dumps({"error": code, "message": errors.HTTP_MESSAGES[status]}, ensure_ascii=False)
    return Response(body, status, mimetype="application/json")(environ, start_response)


# --- background work of a running server ---

def start_background(app: Flask, every: float = 30.0, poll: float = 2.0) -> threading.Thread:
    """Start the background work of a running server. Every process: every poll seconds announce
    the changes made outside it (the CLI's, another worker's), close the staff sockets of
    sessions ended outside it (the CLI's users disable and set-password) and those of revoked
    kiosks. Once per installation (the leader, with several processes: web.fanout): the print
    process (when a kiosk has a printer) and the WAL checkpoints; expiring the day's leftovers
    and marking missed bookings now, at closing time and every 30 s; and announcing the office
    opening or closing by its calendar."""
    service = app.extensions["queue"]
    config = app.extensions["config"]
    leader = LeaderLock(config.server.database) if config.server.workers > 1 else None
    doorbell = app.extensions.get("doorbell")
    if doorbell is not None:
        doorbell.listen(lambda version: service.log.announce_new(version) if version else service.publish_new())
    started = False

    def work_once() -> None:
        """The work that runs in one process only; started when this process becomes the leader."""
        nonlocal started
        if not started:
            started = True
            if app.extensions["outbox"].kiosks():
                app.extensions["print_process"] = PrintProcess(app.extensions["config_source"],
                                                               _print_progress(app)).start()
            app.extensions["store"].start_checkpoints()
            service.expire_day()
            app.extensions["bookings"].mark_missed()
        service.mark_calendar()

    if leader is None or leader.held():
        work_once()

    def loop():
        last_expiry = time.monotonic()
        while not stop.wait(poll):
            try:
                service.publish_new()
                drop_ended_staff_sockets(app.extensions["accounts"].live_session_ids)
                drop_revoked_kiosks(app.extensions["kiosks"])
                app.extensions["sockets"].prune(set(socketio.server.eio.sockets))
                if leader is not None and not leader.held():
                    continue
                work_once()
                if time.monotonic() - last_expiry >= every:
                    last_expiry = time.monotonic()
                    service.expire_day()
                    app.extensions["bookings"].mark_missed()
            except Exception:  # a locked or failing disk must not kill the loop
                log.exception("background work failed; retrying")

    stop = threading.Event()
    thread = threading.Thread(target=loop, name="day-closer", daemon=True)
    thread.stop = stop
    thread.start()
    return thread


# --- command line: flask --app server users ... ---

def _add_cli(app: Flask) -> None:
    users = click.Group("users", help="Manage staff accounts.")
    app.cli.add_command(users)

    @users.command("add")
    @click.argument("username")
    @click.option("--role", type=click.Choice(["staff", "admin"]), required=True)
    @click.option("--counter", "counters", type=int, multiple=True, help="Counter id (repeatable).")
    def add_user(username, role, counters):
        """Add an account; the password is read from standard input."""
        password = _read_password()
        _cli_call(lambda: app.extensions["accounts"].add_user(username, password, role, list(counters)))
        click.echo(f"Added {role} {username}" + (f" at counters {list(counters)}" if counters else ""))

    @users.command("list")
    def list_users():
        """List the accounts."""
        for user in app.extensions["accounts"].users():
            state = " (disabled)" if user["disabled"] else ""
            click.echo(f"{user['user']}\t{user['role']}\t{user['counters']}{state}")

    @users.command("disable")
    @click.argument("username")
    def disable_user(username):
        """Disable an account and end its sessions."""
        _cli_call(lambda: app.extensions["accounts"].set_disabled(username, True))
        click.echo(f"Disabled {username}")

    @users.command("enable")
    @click.argument("username")
    def enable_user(username):
        """Enable a disabled account."""
        _cli_call(lambda: app.extensions["accounts"].set_disabled(username, False))
        click.echo(f"Enabled {username}")

    @users.command("set-password")
    @click.argument("username")
    def set_password(username):
        """Set a new password, read from standard input, and end the account's sessions."""
        password = _read_password()
        _cli_call(lambda: app.extensions["accounts"].set_password(username, password))
        click.echo(f"Password changed for {username}")

    kiosks = click.Group("kiosks", help="Enroll and revoke kiosk devices.")
    app.cli.add_command(kiosks)

    @kiosks.command("enroll")
    @click.argument("kiosk")
    def enroll_kiosk(kiosk):
        """Make a one-time enrollment link for KIOSK (valid 24 hours); open it on the kiosk PC."""
        code, until = _cli_call(lambda: app.extensions["kiosks"].new_enrollment(kiosk, "cli"))
        base = app.extensions["config"].server.public_url or _local_base(app.extensions["config"].server)
        click.echo(f"Open this link once, in the kiosk's browser, before {until.astimezone():%Y-%m-%d %H:%M %Z}."
                   " If the kiosk cannot reach this address, use the server's address on the office network.")
        click.echo(f"{base}/kiosk/{kiosk}?enroll={code}")

    @kiosks.command("revoke")
    @click.argument("kiosk")
    def revoke_kiosk(kiosk):
        """End every enrolled device and unused enrollment link of KIOSK."""
        ended = _cli_call(lambda: app.extensions["kiosks"].revoke(kiosk, "cli"))
        click.echo(f"Revoked {ended} device(s) of kiosk {kiosk}")

    @kiosks.command("list")
    def list_kiosks():
        """List the kiosks with their enrolled devices."""
        for k in app.extensions["kiosks"].summary():
            click.echo(f"{k['id']}\t{k['devices']} device(s)\t{k['pending_links']} unused link(s)"
                       f"\tlast enrolled {k['last_enrolled'] or '-'}")

    @app.cli.command("close-day")
    def close_day():
        """Expire the waiting and called tickets of past days (and of today after closing)."""
        result = app.extensions["queue"].expire_day()
        click.echo(f"Expired {result.body['expired']} tickets")

    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False, writable=True))
    def backup(path):
        """Copy the database to PATH consistently, also while the server runs (SQLite online backup)."""
        target = Path(path)
        if target.exists():
            raise click.ClickException(f"{target} exists; choose a new file name.")
        with app.extensions["store"].connection() as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        copy.close()
        click.echo(f"Backed up to {target}")

    @app.cli.command("report")
    @click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None)
    def report(day):
        """Print the daily report as CSV."""
        day = day.date() if day else app.extensions["queue"].today()
        click.echo(reports.to_csv(reports.daily(app.extensions["config"], app.extensions["store"], day)),
                   nl=False)


def _local_base(server) -> str:
    """The server's own address for a printed link when [server].public_url is not set."""
    host = server.host if server.host not in ("", "0.0.0.0", "::") else socket.gethostname()
    return f"http://{host}:{server.port}"


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _cli_call(action):
    try:
        return action()
    except QueueError as e:
        raise click.ClickException(e.message) from None


# --- production: python server.py ---

def run_gunicorn(path: Path, host: str, port: int, threads: int, workers: int = 1) -> None:
    """Serve with gunicorn; the app is built in each worker, with its background threads."""

    def load() -> Flask:
        app = create_app(path)
        start_background(app)
        return app

    serving.serve(load, host, port, threads, workers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the office queue server (gunicorn).")
    parser.add_argument("--config", help="config file (default: $KIOSK_CONFIG or ./config.toml)")
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    args = parser.parse_args(argv)
    path = resolve_config_path(args.config).resolve()
    try:
        config = configuration.load(path)
        Store(config.server.database)  # create the file and apply migrations before serving
    except configuration.ConfigError as e:
        print(f"config error: {e}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO)
    # A thread for each place of web.capacity, and config.server.threads for requests.
    run_gunicorn(path, args.host or config.server.host, args.port or config.server.port,
                 config.server.threads + config.server.sockets + TRUSTED_SOCKETS, config.server.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
