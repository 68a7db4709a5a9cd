"""The supervisor's view: admission mode, printers and daily reports (admins only)."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from queueing import reports, surveys
from queueing.model import BadInput
from web import auth
from web.address import request_origin
from web.body import ID, json_body
from web.channel import KiosksRevoked, NoticesChanged, publish
from web.devices import devices, set_device_cookie
from web.extensions import printjobs, queue_service
from web.names import page_names

from . import charts

bp = Blueprint("admin", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/admin")


@bp.post("/api/admission/mode")
@auth.admin_required
def set_mode():
    data = json_body()
    if "mode" not in data:
        raise BadInput("Kolom 'mode' wajib diisi (normal, emergency_only, closed, atau null).",
                       "missing_field")
    if data["mode"] is not None and not isinstance(data["mode"], str):
        raise BadInput("Mode harus normal, emergency_only, closed, atau null.", "bad_mode")
    result = queue_service().set_mode(auth.current_actor(), data["mode"])
    return jsonify(result.body)


@bp.get("/api/admission")
@auth.admin_required
def admission():
    return jsonify(queue_service().admission())


@bp.get("/api/windows")
@auth.admin_required
def windows():
    """Every dated window: the config's (read-only) and the office's own, with who and when."""
    return jsonify(windows=queue_service().windows())


@bp.post("/api/windows")
@auth.admin_required
def add_window():
    """Add a holiday, an emergency-only period or a postponement; kiosks and the hall hear of it."""
    result = queue_service().add_window(auth.current_actor(), json_body())
    return jsonify(window=result.body), result.status


@bp.delete("/api/windows/<window_id>")
@auth.admin_required
def delete_window(window_id: str):
    """Delete one of the office's windows; a config window answers 409."""
    queue_service().delete_window(auth.current_actor(), window_id)
    return "", 204


@bp.get("/api/notices")
def notices():
    """The running text and the service notices: public, the display and kiosks show them."""
    service = queue_service()
    with service.store.read() as conn:
        return jsonify(service.notices.current(conn))


@bp.post("/api/notices")
@auth.admin_required
def update_notices():
    data = json_body()
    running = data.get("running")
    changed = queue_service().notices.update(auth.current_actor(), running, data.get("services"))
    publish(NoticesChanged(changed))
    return jsonify(changed)


@bp.get("/api/tickets/lookup")
@auth.staff_required
def lookup_ticket():
    """Find today's (or ?date=) ticket by its number, e.g. to reprint it."""
    number = request.args.get("number", "")
    if not 1 < len(number) <= 8:
        raise BadInput("Nomor tiket harus seperti B001.", "bad_number")
    return jsonify(ticket=queue_service().find_ticket(number, _date_arg("date")))


@bp.get("/api/reports/range.csv")
@auth.admin_required
def range_report_csv():
    """One row per day from ?from= to ?until= (at most 92 days)."""
    start, until = _date_arg("from"), _date_arg("until")
    if start is None or until is None or until < start or (until - start).days > 92:
        raise BadInput("Rentang tanggal harus from <= until, paling lama 92 hari, format YYYY-MM-DD.",
                       "bad_range")
    service = queue_service()
    text = reports.range_csv(current_app.extensions["config"], service.store, start, until, service.clock())
    return _csv(text, f"laporan-{start}-{until}.csv")


@bp.get("/api/reports/survey")
@auth.admin_required
def survey_report():
    return jsonify(_survey_report())


@bp.get("/api/reports/survey.csv")
@auth.admin_required
def survey_report_csv():
    report = _survey_report()
    return _csv(surveys.to_csv(report), f"survei-{report['from']}-{report['to']}.csv")


@bp.get("/api/reports/survey/elements.svg")
@auth.admin_required
def survey_chart():
    """The survey's NRR per element as a standalone SVG (?from=, ?to=, ?lang=id|en), for an <img>."""
    return _svg(charts.survey_elements(_survey_report(), "en" if request.args.get("lang") == "en" else "id"))


def _survey_report() -> dict:
    """The survey's figures for ?from= to ?to= (at most 366 days; this month so far by default)."""
    today = queue_service().today()
    start, until = _date_arg("from") or today.replace(day=1), _date_arg("to") or today
    if until < start or (until - start).days > 366:
        raise BadInput("Periode survei harus from <= to, paling lama 366 hari, format YYYY-MM-DD.", "bad_range")
    return current_app.extensions["surveys"].report(start, until)


@bp.get("/api/reports/daily")
@auth.admin_required
def daily_report():
    return jsonify(_report())


@bp.get("/api/reports/daily.csv")
@auth.admin_required
def daily_report_csv():
    report = _report()
    return _csv(reports.to_csv(report), f"laporan-{report['date']}.csv")


@bp.get("/api/reports/daily/<any(hours, wait, outcomes):chart>.svg")
@auth.admin_required
def daily_chart(chart: str):
    """One chart of the day's report as a standalone SVG (?date=, ?lang=id|en), for an <img>."""
    return _svg(charts.CHARTS[chart](_report(), "en" if request.args.get("lang") == "en" else "id"))


def _csv(text: str, filename: str) -> Response:
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": f"attachment; filename={filename}"})


def _svg(svg: str) -> Response:
    """A chart as a standalone SVG. Opened on its own it is a document: it may load and run nothing."""
    return Response(svg, mimetype="image/svg+xml", headers={
        "Cache-Control": "no-store", "Content-Security-Policy": "default-src 'none'"})


def _report() -> dict:
    service = queue_service()
    day = _date_arg("date") or service.today()
    return reports.daily(current_app.extensions["config"], service.store, day, service.clock())


def _date_arg(name: str) -> dt.date | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadInput("Tanggal harus berformat YYYY-MM-DD, misalnya 2020-03-19.", "bad_date") from None


@bp.get("/api/printers")
@auth.admin_required
def printers():
    return jsonify(printers=printjobs().printers())


@bp.post(f"/api/print-jobs/<{ID}:job_id>/retry")
@auth.admin_required
def retry(job_id: int):
    job = printjobs().retry(auth.current_actor(), job_id)
    return jsonify(print=job)


@bp.get("/api/kiosks")
@auth.admin_required
def kiosks():
    """The configured kiosks with their enrolled devices and unused enrollment links."""
    return jsonify(kiosks=devices().summary())


@bp.post("/api/kiosks/<kiosk_id>/enrollments")
@auth.admin_required
def new_enrollment(kiosk_id: str):
    """A one-time enrollment link for the kiosk, valid 24 hours: open it on the kiosk PC."""
    code, until = devices().new_enrollment(kiosk_id, auth.current_actor().name)
    base = current_app.extensions["config"].server.public_url or request_origin()
    return jsonify(url=f"{base}{url_for('kiosk.page', kiosk_id=kiosk_id)}?enroll={code}",
                   expires_at=until.isoformat()), 201


@bp.post("/api/kiosks/<kiosk_id>/enroll-browser")
@auth.admin_required
def enroll_browser(kiosk_id: str):
    """Enroll the browser the admin is using as the kiosk (the admin logs out afterwards)."""
    token = devices().enroll_directly(kiosk_id, auth.current_actor().name)
    response = jsonify(kiosk=kiosk_id, enrolled=True, page=url_for("kiosk.page", kiosk_id=kiosk_id))
    set_device_cookie(response, kiosk_id, token)
    return response


@bp.post("/api/kiosks/<kiosk_id>/revoke")
@auth.admin_required
def revoke_kiosk(kiosk_id: str):
    """End every enrolled device of the kiosk; its open sockets are dropped at once."""
    ended = devices().revoke(kiosk_id, auth.current_actor().name)
    publish(KiosksRevoked())
    return jsonify(kiosk=kiosk_id, revoked=ended)


@bp.get("/admin")
def page():
    """Render the supervisor's view with the names it shows: services, counters, kiosks, outcomes."""
    config = current_app.extensions["config"]
    names = page_names(config)
    return render_template("admin/admin.html", config=config, office=config.office, names=names)
