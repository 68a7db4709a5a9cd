"""The supervisor's view: admission mode, printers and daily reports (admins only)."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from display.live import broadcast, queue_service
from queueing import reports
from queueing.model import BadInput
from web import auth
from web.body import json_body

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
    broadcast(result.events)
    return jsonify(result.body)


@bp.get("/api/reports/daily")
@auth.admin_required
def daily_report():
    return jsonify(_report())


@bp.get("/api/reports/daily.csv")
@auth.admin_required
def daily_report_csv():
    report = _report()
    return Response(reports.to_csv(report), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=laporan-{report['date']}.csv"})


def _report() -> dict:
    service = queue_service()
    raw = request.args.get("date")
    try:
        day = dt.date.fromisoformat(raw) if raw else service.today()
    except ValueError:
        raise BadInput("Tanggal harus berformat YYYY-MM-DD, misalnya 2020-03-19.", "bad_date") from None
    return reports.daily(current_app.extensions["config"], service.store, day)


@bp.get("/api/printers")
@auth.admin_required
def printers():
    return jsonify(printers=current_app.extensions["printjobs"].printers())


@bp.post("/api/print-jobs/<int:job_id>/retry")
@auth.admin_required
def retry(job_id: int):
    job = current_app.extensions["printjobs"].retry(auth.current_actor(), job_id)
    current_app.extensions["outbox"].wake()
    return jsonify(print=job)


@bp.get("/admin")
def page():
    return render_template("admin/admin.html")
