"""Booking ahead (antrean daring): the slots, booking and cancelling from home, and a staff
check-in at the counter. The kiosk's check-in is POST /api/visits with "booking" (kiosk/).
Without [booking] in the config the API answers 404 booking_off and /booking says booking is
not open; a booking made before stays readable (/b/<token>) and can still be checked in.

The visitor's pages: /booking (service, day, slot, confirm, then the code) and /b/<token>
(the booking's status, cancelling, its QR code and its calendar file)."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from queueing.bookings import Bookings
from queueing.model import BadInput, NotFound
from web import auth
from web.address import request_origin
from web.body import json_body, text
from web.extensions import queue_service
from web.qr import svg_qr

from . import words
from .ics import calendar_file

bp = Blueprint("booking", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/booking")


def bookings() -> Bookings:
    return current_app.extensions["bookings"]


@bp.get("/api/booking/slots")
def slots():
    """The bookable days of ?service= with each slot's places left, and the days that are not."""
    return jsonify(bookings().slots(request.args.get("service", "")))


@bp.post("/api/bookings")
def book():
    """Book one place in a slot; per address at most [limits] bookings_per_address."""
    current_app.extensions["limits"].hit(
        "bookings_per_address", request.remote_addr or "-",
        "Terlalu banyak booking dari perangkat ini. Silakan coba lagi {wait} lagi.")
    data = json_body()
    body, status = bookings().book(text(data, "service"), text(data, "date", max_length=10),
                                   text(data, "start", max_length=5), text(data, "request_id", max_length=128))
    return jsonify(body), status


@bp.get("/api/bookings/<token>")
def booking(token: str):
    return jsonify(booking=bookings().get(token[:64]))


@bp.post("/api/bookings/<token>/cancel")
def cancel(token: str):
    return jsonify(booking=bookings().cancel(token[:64]))


@bp.post("/api/bookings/<code>/check-in")
@auth.staff_required
def staff_check_in(code: str):
    """Staff check a visitor in whose code the kiosk refused or who cannot use it; printed on
    the named kiosk's printer, or shown on the console to read out."""
    kiosk = text(json_body(), "kiosk", required=False)
    # A staff member's request may decide where a printed QR code points (SPEC, enrollment).
    result = queue_service().check_in(code[:32], kiosk, None, None, request_origin() if kiosk else "")
    return jsonify(result.body), result.status


@bp.get("/api/bookings")
@auth.admin_required
def day_summary():
    """A day's bookings (?date=, today by default) by slot and service: booked, arrived, missed, cancelled."""
    raw = request.args.get("date")
    try:
        day = dt.date.fromisoformat(raw) if raw else queue_service().today()
    except ValueError:
        raise BadInput("Tanggal harus berformat YYYY-MM-DD.", "bad_date") from None
    return jsonify(bookings().day_summary(day))


# --- the visitor's pages ---

@bp.get("/booking")
def page():
    """Render the booking steps: service, day, slot, confirmation, then the code."""
    config = current_app.extensions["config"]
    if config.booking is None:
        return render_template("booking/off.html", office=config.office), 404
    today = bookings().today()
    setup = {"late_minutes": config.booking.late_minutes, "zone": words.zone_name(config, today)}
    return render_template("booking/booking.html", office=config.office, services=words.services(config),
                           setup=setup)


@bp.get("/b/<token>")
def status_page(token: str):
    """Render one booking's status, with cancelling while it is booked."""
    config = current_app.extensions["config"]
    try:
        view = bookings().get(token[:64])
    except NotFound:  # a phone deserves a page, not JSON
        return render_template("booking/unknown.html"), 404
    return render_template("booking/status.html", office=config.office, booking=view,
                           when=words.when(config, view), service=config.service(view["service"]),
                           status_url=absolute(view["status_url"]))


@bp.get("/b/<token>/qr.svg")
def booking_qr(token: str):
    """A QR code of the booking's status page, to scan from a PC's screen onto a phone."""
    view = bookings().get(token[:64])  # 404 for an unknown token
    return svg_qr(absolute(view["status_url"]))


@bp.get("/b/<token>.ics")
def ics(token: str):
    """The booking as a calendar event ("Simpan ke kalender")."""
    view = bookings().get(token[:64])
    office = current_app.extensions["config"].office
    body = calendar_file(view, office.name, office.tz, absolute(view["status_url"]), bookings().clock())
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="antrean-{view["code"]}.ics"'})


def absolute(path: str) -> str:
    """An address of this server for a QR code or a calendar file: [server].public_url when
    set (the office's address as visitors reach it), else the one this request came to."""
    base = current_app.extensions["config"].server.public_url.rstrip("/") or request_origin()
    return base + path
