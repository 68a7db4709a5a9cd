"""The touchscreen kiosk: its page and the visits API."""
from __future__ import annotations

import hmac

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from queueing.booking import ALPHABET, CODE_LENGTH
from queueing.model import NotFound, QueueError, known_kiosk
from web.address import request_origin
from web.auth import current_session
from web.body import json_body, priority, text
from web.devices import devices, enrolled_device, require_kiosk, set_device_cookie
from web.extensions import printjobs, queue_service
from web.qr import svg_qr

bp = Blueprint("kiosk", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/kiosk")


@bp.post("/api/visits")
def visit():
    data = json_body()
    if "join" in data:  # a visitor's own phone, with the hall screen's code (SPEC "The visitor's phone")
        return _phone_visit(data)
    kiosk = text(data, "kiosk")
    request_id = text(data, "request_id", max_length=128)
    _limit(kiosk)
    if "booking" in data:  # a booking's check-in (SPEC "Booking ahead")
        result = queue_service().check_in(text(data, "booking", max_length=32), kiosk, priority(data),
                                          request_id, _base_url(kiosk))
    else:
        result = queue_service().visit(kiosk, text(data, "service"), text(data, "reason", required=False),
                                       priority(data), request_id, _base_url(kiosk))
    return jsonify(result.body), result.status


def _phone_visit(data: dict):
    """A visit from a phone that scanned the hall's code: the code must be current (403
    join_expired), and one address gets joins_per_address. A replay of a request_id this
    address sent before is answered whatever the code's age and counts nothing: a phone whose
    answer was lost must still learn of the ticket it got."""
    key = text(data, "join", max_length=32)
    request_id = text(data, "request_id", max_length=128)
    address = request.remote_addr or "-"
    limits = current_app.extensions["limits"]
    if not queue_service().phone_visit_seen(address, request_id):
        queue_service().joins.check(key)
        too_many = ("Terlalu banyak pengambilan nomor dari jaringan ini. Silakan tunggu {wait} atau ambil nomor "
                    "di kios.")
        limits.check("joins_per_address", address, too_many)
    result = queue_service().phone_visit(address, text(data, "service"), text(data, "reason", required=False),
                                         priority(data), request_id)
    if not result.replayed:
        limits.count("joins_per_address", address)
    return jsonify(result.body), result.status


@bp.get("/join/<key>")
def join_page(key: str):
    """The kiosk's flow on a visitor's phone, reached from the hall screen's QR code; an old or
    unknown code gets a page saying to scan again."""
    config = current_app.extensions["config"]
    try:
        queue_service().joins.check(key[:32])
    except QueueError as e:
        return render_template("kiosk/join_expired.html", office=config.office, message=e.message), e.status
    snapshot = queue_service().snapshot()
    calendar = {**snapshot["calendar"], "reopens": snapshot["reopens"], "day": snapshot["day"]}
    return render_template("kiosk/join.html", key=key, office=config.office, services=config.services,
                           reasons=config.reasons, mode_info=snapshot["mode_info"], calendar=calendar)


@bp.get("/join/<key>/qr.svg")
def join_qr(key: str):
    """The hall screen's QR code to /join/<key> (a current code only)."""
    queue_service().joins.check(key[:32])
    base = current_app.extensions["config"].server.public_url or request_origin()
    return svg_qr(f"{base.rstrip('/')}/join/{key}")


@bp.post("/api/slips")
def slip():
    """Print the online-service slip for a visitor sent online: at the kiosk, or from a counter
    whose staff rejected an emergency claim and send the visitor to the kiosk's printer."""
    kiosk = text(json_body(), "kiosk")
    _limit(kiosk, staff_may=True)
    job = printjobs().slip(kiosk)
    return jsonify(print=job), 202 if job["status"] == "queued" else 200


def _limit(kiosk: str, staff_may: bool = False) -> None:
    """Refuse an unknown kiosk (400), then a device the office has not enrolled for it (403;
    staff, trusted like a kiosk, where staff_may), then count the request against the kiosk's
    rate: only the kiosk's own (and staff's) requests count, so nobody else can use it up."""
    known_kiosk(current_app.extensions["config"], kiosk)
    if not (staff_may and _staff_with_csrf()):
        require_kiosk(kiosk)
    current_app.extensions["limits"].hit(
        "visits_per_kiosk", kiosk,
        "Terlalu banyak permintaan dari kios ini. Silakan tunggu {wait} lalu coba lagi.")


def _staff_with_csrf() -> bool:
    session = current_session()
    sent = request.headers.get("X-CSRFToken", "")
    return session is not None and hmac.compare_digest(sent.encode(), session["csrf_token"].encode())


def _base_url(kiosk: str) -> str:
    """The address the kiosk used, for a printed QR code when [server].public_url is not set
    (the service decides). Only a kiosk with a printer needs it, and only an enrolled kiosk
    gets here (_limit): a visitor's Host header never reaches a printed QR code."""
    if not current_app.extensions["config"].kiosk(kiosk).printer.prints:
        return ""
    return request_origin()


@bp.get("/qr/online.svg")
def online_qr():
    return svg_qr(current_app.extensions["config"].office.online_service_url)


@bp.get("/kiosk/<kiosk_id>")
def page(kiosk_id: str):
    """Render the touchscreen page: the office, its services and reasons, the mode in force;
    or, on a browser the office has not enrolled as this kiosk, what to do about it."""
    config = current_app.extensions["config"]
    if not config.kiosk(kiosk_id):
        raise NotFound(f"Kios {kiosk_id!r} tidak ada di konfigurasi.", "unknown_kiosk")
    if "enroll" in request.args:
        return _enroll(kiosk_id, request.args["enroll"])
    return _render(kiosk_id, enrolled=enrolled_device(kiosk_id) is not None)


def _render(kiosk_id: str, **context) -> str:
    """The kiosk's page with the mode and the calendar rendered in, so it is right (open or
    closed, which services are postponed) before its socket connects. With booking on, the
    start screen offers the check-in keypad, whose keys are the codes' alphabet."""
    config = current_app.extensions["config"]
    snapshot = queue_service().snapshot()
    calendar = {**snapshot["calendar"], "reopens": snapshot["reopens"], "day": snapshot["day"]}
    booking = {"alphabet": ALPHABET, "length": CODE_LENGTH} if config.booking else None
    return render_template("kiosk/kiosk.html", kiosk_id=kiosk_id, office=config.office,
                           services=config.services, reasons=config.reasons,
                           mode_info=snapshot["mode_info"], calendar=calendar, booking=booking, **context)


def _enroll(kiosk_id: str, code: str):
    """Open a one-time enrollment link: set the device cookie and go to the kiosk's own address,
    so the code does not stay in the browser's address bar or history."""
    try:
        token = devices().enroll(kiosk_id, code[:128])
    except QueueError as e:
        return _render(kiosk_id, enrolled=False, enroll_error=e.message), e.status
    response = redirect(url_for("kiosk.page", kiosk_id=kiosk_id), 303)
    set_device_cookie(response, kiosk_id, token)
    return response
