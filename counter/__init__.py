"""The counter console: staff login and the counter actions."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request

from web import auth
from web.address import request_origin
from web.body import ID, boolean, integer, json_body, priority, text
from web.channel import SessionEnded, publish
from web.extensions import printjobs, queue_service
from web.names import page_names

bp = Blueprint("counter", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/counter")


@bp.post("/api/login")
def login():
    limits = current_app.extensions["limits"]
    limits.hit("logins_per_address", request.remote_addr or "-",
               "Terlalu banyak percobaan login. Silakan tunggu {wait} lalu coba lagi.")
    data = json_body()
    username, password = text(data, "username"), text(data, "password", max_length=256)
    # Failed logins count per name, from any address, whether the account exists or not: the
    # 429 says nothing about which names exist (issue 16). Past the limit even the right
    # password waits.
    limits.check("logins_per_account", username,
                 "Terlalu banyak percobaan login yang gagal untuk nama pengguna ini. "
                 "Silakan tunggu {wait} lalu coba lagi.")
    done = auth.accounts().login(username, password)
    if done is None:
        limits.count("logins_per_account", username)
        raise auth.LoginRequired("Nama pengguna atau kata sandi salah.", "bad_credentials")
    token, session = done
    response = jsonify(_session_view(session))
    auth.set_cookie(response, token)
    return response


@bp.post("/api/logout")
@auth.staff_required
def logout():
    queue_service().end_pauses(auth.current_actor())  # a console left paused pauses nobody
    auth.accounts().logout(request.cookies[auth.COOKIE])
    publish(SessionEnded(auth.current_session()["session_id"]))  # print news is for staff only
    response = jsonify(ok=True)
    auth.clear_cookie(response)
    return response


@bp.get("/api/session")
@auth.staff_required
def session():
    return jsonify(_session_view(auth.current_session()))


def _session_view(session: dict) -> dict:
    actor = auth.actor_of(session, current_app.extensions["config"])
    return {"user": session["user"], "role": session["role"], "counters": list(actor.counters),
            "csrf_token": session["csrf_token"]}


@bp.get(f"/api/counters/<{ID}:counter_id>")
@auth.staff_required
def desk(counter_id: int):
    """The console's state: ticket in hand (with the claim's reason), the queue, today's tally."""
    return jsonify(queue_service().counter_desk(auth.current_actor(), counter_id))


@bp.post(f"/api/counters/<{ID}:counter_id>/call-next")
@auth.staff_required
def call_next(counter_id: int):
    return _answer(queue_service().call_next(auth.current_actor(), counter_id))


@bp.post(f"/api/counters/<{ID}:counter_id>/pause")
@auth.staff_required
def pause(counter_id: int):
    """Pause the counter (istirahat, ibadah, rapat, lainnya); the hall shows why."""
    # who asks is checked before what they sent: a stranger to the counter learns nothing
    return _answer(queue_service().pause(auth.current_actor(), counter_id, json_body().get("reason")))


@bp.post(f"/api/counters/<{ID}:counter_id>/resume")
@auth.staff_required
def resume(counter_id: int):
    return _answer(queue_service().resume(auth.current_actor(), counter_id))


@bp.post(f"/api/counters/<{ID}:counter_id>/call")
@auth.staff_required
def call(counter_id: int):
    ticket_id = integer(json_body(), "ticket_id")
    return _answer(queue_service().call(auth.current_actor(), counter_id, ticket_id))


MOVES = {"recall": "recall", "start": "start", "finish": "finish", "no-show": "no_show"}


@bp.post(f"/api/tickets/<{ID}:ticket_id>/<any(recall, start, finish, 'no-show'):action>")
@auth.staff_required
def move(ticket_id: int, action: str):
    operation = getattr(queue_service(), MOVES[action])
    return _answer(operation(auth.current_actor(), ticket_id))


@bp.post(f"/api/tickets/<{ID}:ticket_id>/requeue")
@auth.staff_required
def requeue(ticket_id: int):
    """A no-show who came back goes into the queue again, a few places from the front."""
    return _answer(queue_service().requeue(auth.current_actor(), ticket_id))


@bp.post("/api/desk/visits")
@auth.staff_required
def desk_visit():
    """A ticket issued by staff for a visitor at their desk: the kiosk's rules and answers; the
    reason staff give is confirmed; printed at the kiosk named, else read out from the screen."""
    data = json_body()
    kiosk = text(data, "kiosk", required=False)
    # A staff member's request may decide where a printed QR code points (SPEC, enrollment).
    result = queue_service().desk_visit(auth.current_actor(), kiosk, text(data, "service"),
                                        text(data, "reason", required=False), priority(data),
                                        text(data, "request_id", max_length=128), request_origin() if kiosk else "")
    return _answer(result)


@bp.post(f"/api/tickets/<{ID}:ticket_id>/transfer")
@auth.staff_required
def transfer(ticket_id: int):
    service = text(json_body(), "service")
    return _answer(queue_service().transfer(auth.current_actor(), ticket_id, service))


@bp.post(f"/api/tickets/<{ID}:ticket_id>/verify")
@auth.staff_required
def verify(ticket_id: int):
    emergency = boolean(json_body(), "emergency")
    return _answer(queue_service().verify(auth.current_actor(), ticket_id, emergency))


@bp.post(f"/api/tickets/<{ID}:ticket_id>/reprint")
@auth.staff_required
def reprint(ticket_id: int):
    job = printjobs().reprint(ticket_id, request_origin())
    return jsonify(print=job), 202


def _answer(result):
    return jsonify(result.body), result.status


@bp.get("/counter")
def page():
    """Render the staff console with the names it shows: services, counters, reasons, kiosks;
    with booking on, its check-in dialog and the kiosks whose printers it may print on."""
    config = current_app.extensions["config"]
    names = page_names(config)
    printers = [k for k in config.kiosks if k.printer.prints]
    return render_template("counter/counter.html", office=config.office, services=config.services,
                           counters=config.counters, names=names, booking=config.booking is not None,
                           printers=printers)
