"""QR codes as SVG, made here: the office LAN may have no internet."""
from __future__ import annotations

import io

import segno
from flask import Response


def svg_qr(data: str) -> Response:
    """Return a QR code for data as a standalone SVG answer, cached for an hour."""
    buffer = io.BytesIO()  # a standalone SVG with its xmlns: <img> does not render svg_inline()
    segno.make(data, error="m").save(buffer, kind="svg", scale=8, border=2, xmldecl=False)
    return Response(buffer.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "max-age=3600"})
