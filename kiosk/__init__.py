"""The touchscreen kiosk: its page and the visits API."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

from display import svg_qr
from display.live import queue_service
from queueing.model import BadInput, NotFound
from web.address import request_origin
from web.body import json_body, text

bp = Blueprint("kiosk", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/kiosk")


@bp.post("/api/visits")
def visit():
    data = json_body()
    kiosk = text(data, "kiosk")
    request_id = text(data, "request_id", max_length=128)
    _limit(kiosk)
    result = queue_service().visit(kiosk, text(data, "service"), text(data, "reason", required=False),
                                   _priority(data), request_id, _base_url(kiosk))
    return jsonify(result.body), result.status


@bp.post("/api/slips")
def slip():
    """Print the online-service slip for a visitor sent online."""
    kiosk = text(json_body(), "kiosk")
    _limit(kiosk)
    result = queue_service().print_slip(kiosk, _base_url(kiosk))
    return jsonify(result.body), result.status


def _limit(kiosk: str) -> None:
    """Count a request against its kiosk's rate; an unknown kiosk is refused first."""
    if not current_app.extensions["config"].kiosk(kiosk):
        raise BadInput(f"Kios {kiosk!r} tidak dikenal.", "unknown_kiosk")
    current_app.extensions["limits"].hit(
        "visits_per_kiosk", kiosk,
        "Terlalu banyak permintaan dari kios ini. Silakan tunggu sebentar lalu coba lagi.")


def _base_url(kiosk: str) -> str:
    """The address the kiosk used, for a printed QR code when [server].public_url is not set
    (the service decides). Only a kiosk with a printer needs it."""
    if current_app.extensions["config"].kiosk(kiosk).printer.type == "preview":
        return ""
    return request_origin()


def _priority(data: dict) -> str | None:
    """Accept priority as true/false or as its kind (lansia, disabilitas, ibu_hamil, balita)."""
    value = data.get("priority")
    if value is None or value is False:
        return None
    if value is True:
        return "ya"
    return text(data, "priority", max_length=32)


@bp.get("/qr/online.svg")
def online_qr():
    return svg_qr(current_app.extensions["config"].office.online_service_url)


@bp.get("/kiosk/<kiosk_id>")
def page(kiosk_id: str):
    """Render the touchscreen page: the office, its services and reasons, the mode in force."""
    config = current_app.extensions["config"]
    if not config.kiosk(kiosk_id):
        raise NotFound(f"Kios {kiosk_id!r} tidak ada di konfigurasi.", "unknown_kiosk")
    # The mode is rendered in, so the page is right before its socket connects.
    return render_template("kiosk/kiosk.html", kiosk_id=kiosk_id, office=config.office,
                           services=config.services, reasons=config.reasons,
                           mode_info=queue_service().snapshot()["mode_info"])
