"""Where a request came to: the address a printed QR code points at when [server].public_url is
not set (the queue service makes that choice)."""
from __future__ import annotations

import ipaddress

from flask import request


def request_origin() -> str:
    """The scheme and host the client used, e.g. "http://192.168.1.10:8000".

    Not request.host_url: that also turns a punycode host into Unicode through URL parsing,
    about 40 µs a visit at a printing kiosk, and a QR code wants the ASCII form anyway."""
    return f"{request.scheme}://{request.host}"


class TrustedProxies:
    """WSGI middleware: behind the configured reverse proxies, the visitor's address and scheme.

    Only a request whose peer is one of [server] trusted_proxies has its X-Forwarded-For and
    X-Forwarded-Proto believed: REMOTE_ADDR becomes the nearest address in X-Forwarded-For that
    is not itself a trusted proxy, so every per-address limit (requests, logins, joins,
    bookings, live connections) sees the visitor. From anyone else the headers change nothing:
    a visitor cannot pick the address their requests are counted under."""

    def __init__(self, app, proxies):
        self.app = app
        self.networks = [ipaddress.ip_network(p, strict=False) for p in proxies]

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def __call__(self, environ, start_response):
        if self.networks and self._trusted(environ.get("REMOTE_ADDR", "")):
            visitor = self._visitor(environ.get("HTTP_X_FORWARDED_FOR", ""))
            if visitor:
                environ["REMOTE_ADDR"] = visitor
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip().lower()
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
        return self.app(environ, start_response)

    def _visitor(self, forwarded: str) -> str | None:
        """The rightmost address that is not a trusted proxy (the ones left of it anyone could write)."""
        for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
            try:
                ipaddress.ip_address(hop)
            except ValueError:
                return None  # a garbled chain: keep the proxy's own address
            if not self._trusted(hop):
                return hop
        return None
