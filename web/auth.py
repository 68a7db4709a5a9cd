"""Staff sessions kept on the server, checked per request, with a CSRF token per session."""
from __future__ import annotations

import functools
import hmac

from flask import current_app, g, request

from queueing.accounts import Accounts, actor_of
from queueing.model import Forbidden, QueueError
from queueing.model import Actor

COOKIE = "antrian_session"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class LoginRequired(QueueError):
    status, code = 401, "login_required"


def accounts() -> Accounts:
    return current_app.extensions["accounts"]


def current_session() -> dict | None:
    """Return the session of this request's cookie, or None."""
    if "staff_session" not in g:
        g.staff_session = accounts().session(request.cookies.get(COOKIE))
    return g.staff_session


def current_actor() -> Actor:
    return actor_of(current_session(), current_app.extensions["config"])


def staff_required(view):
    """Refuse without a live session (401) and, for a change, without its CSRF token (403)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        session = current_session()
        if session is None:
            raise LoginRequired("Sesi Anda berakhir atau belum masuk. Silakan login kembali.")
        if request.method not in SAFE_METHODS:
            sent = request.headers.get("X-CSRFToken", "")
            if not hmac.compare_digest(sent.encode(), session["csrf_token"].encode()):
                raise Forbidden("Token keamanan (CSRF) tidak ada atau tidak cocok. "
                                "Muat ulang halaman lalu coba lagi.", "csrf")
        return view(*args, **kwargs)

    return wrapper


def admin_required(view):
    """Like staff_required, and the user must be an admin."""

    @staff_required
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_session()["role"] != "admin":
            raise Forbidden("Halaman ini hanya untuk admin.", "admin_only")
        return view(*args, **kwargs)

    return wrapper


def set_cookie(response, token: str) -> None:
    response.set_cookie(COOKIE, token, httponly=True, samesite="Lax", secure=_secure())


def clear_cookie(response) -> None:
    # The same attributes as set_cookie, so the removal names the very cookie it ends.
    response.delete_cookie(COOKIE, httponly=True, samesite="Lax", secure=_secure())


def _secure() -> bool:
    return current_app.extensions["config"].server.secure_cookies
