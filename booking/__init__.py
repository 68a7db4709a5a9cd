"""Booking ahead (antrean daring): the slots, booking and cancelling from home, and a staff
check-in at the counter. The kiosk's check-in is POST /api/visits with "booking" (kiosk/).
Without [booking] in the config every route here answers 404 booking_off."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, jsonify, request

from queueing.bookings import Bookings
from queueing.model import BadInput
from web import auth
from web.address import request_origin
from web.body import json_body, text
from web.extensions import queue_service

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
