"""The kiosk device cookie: which enrolled kiosk, if any, a request comes from."""
from __future__ import annotations

from flask import current_app, request

from queueing.kiosks import KioskDevices

COOKIE_PREFIX = "antrian_kiosk_"  # one cookie per kiosk id: [a-z0-9_-], valid in a cookie name
COOKIE_YEARS = 10  # a kiosk PC stays enrolled until the office revokes it


def devices() -> KioskDevices:
    return current_app.extensions["kiosks"]


def device_token(kiosk: str) -> str | None:
    return request.cookies.get(COOKIE_PREFIX + kiosk)


def enrolled_device(kiosk: str) -> int | None:
    """Return this request's device id for kiosk when its cookie enrolls it, else None."""
    return devices().device(kiosk, device_token(kiosk))


def require_kiosk(kiosk: str) -> int:
    """Refuse (403 kiosk_not_enrolled) a request that is not from an enrolled device of kiosk."""
    return devices().require(kiosk, device_token(kiosk))


def any_enrolled() -> bool:
    """Whether the request carries a live device cookie of any kiosk."""
    return any(enrolled_device(name[len(COOKIE_PREFIX):]) is not None
               for name in request.cookies if name.startswith(COOKIE_PREFIX))


def set_device_cookie(response, kiosk: str, token: str) -> None:
    response.set_cookie(COOKIE_PREFIX + kiosk, token, max_age=COOKIE_YEARS * 365 * 86400,
                        httponly=True, samesite="Lax",
                        secure=current_app.extensions["config"].server.secure_cookies)
