"""The hall display, the visitor's phone page, the public state and the live channel."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, url_for

from queueing.model import NotFound
from queueing.views import phone_view
from web.body import json_body
from web.extensions import queue_service
from web.names import service_words
from web.qr import svg_qr

bp = Blueprint("display", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/display")


@bp.get("/api/state")
def state():
    return jsonify(queue_service().snapshot())


@bp.get("/api/tickets/<token>")
def ticket_status(token: str):
    view = queue_service().ticket_by_token(token)
    return jsonify(ticket=phone_view(view))



@bp.get("/api/tickets/<token>/survey")
def survey_state(token: str):
    """Whether the ticket's survey is open or answered, until when, and its questions."""
    return jsonify(current_app.extensions["surveys"].state(token))


@bp.post("/api/tickets/<token>/survey")
def survey_answer(token: str):
    """One answer per ticket, once it is done, until the end of the next day (SKM)."""
    data = json_body()
    return jsonify(current_app.extensions["surveys"].submit(token, data.get("answers"), data.get("comment"))), 201


@bp.get("/t/<token>/qr.svg")
def ticket_qr(token: str):
    queue_service().ticket_by_token(token)  # 404 for an unknown token
    return svg_qr(url_for("display.phone", token=token, _external=True))


@bp.get("/t/<token>")
def phone(token: str):
    """Render the visitor's page of one ticket; its socket keeps it live (`watch`)."""
    service = queue_service()
    try:
        view = service.ticket_by_token(token)
    except NotFound:  # a phone deserves a page, not JSON
        return render_template("display/unknown_ticket.html"), 404
    config = service.config
    return render_template("display/phone.html", ticket=phone_view(view), token=token, office=config.office,
                           service_names=service_words(config), alert_at=config.phone.alert_at,
                           survey=config.survey is not None)


@bp.get("/display")
def hall():
    """Render the hall screen's frame from the config; the live channel fills in the queue."""
    config = queue_service().config
    setup = {
        "timezone": config.office.timezone, "online_url": config.office.online_service_url,
        "letters": sorted({s.prefix for s in config.services}),
        "reasons": [r.label for r in config.reasons],
        "services": [{"code": s.code, "name": s.name, "postponed": s.postponed, "notice": s.notice}
                     for s in config.services],
    }
    return render_template("display/hall.html", office=config.office, counters=config.counters,
                           services=config.services, setup=setup)
