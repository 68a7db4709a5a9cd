"""Where a request came to: the address a printed QR code points at when [server].public_url is
not set (the queue service makes that choice)."""
from __future__ import annotations

from flask import request


def request_origin() -> str:
    """The scheme and host the client used, e.g. "http://192.168.1.10:8000".

    Not request.host_url: that also turns a punycode host into Unicode through URL parsing,
    about 40 µs a visit at a printing kiosk, and a QR code wants the ASCII form anyway."""
    return f"{request.scheme}://{request.host}"
