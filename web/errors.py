"""One shape for every error: {"error": code, "message": a sentence a person understands}."""
from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from queueing.model import QueueError

log = logging.getLogger(__name__)

# Indonesian first: visitors and staff read these; the code field is for programs.
HTTP_MESSAGES = {
    400: "Permintaan tidak dapat dibaca.",
    401: "Silakan masuk (login) terlebih dahulu.",
    403: "Anda tidak berwenang melakukan ini.",
    404: "Alamat atau data yang diminta tidak ditemukan.",
    405: "Metode ini tidak didukung untuk alamat ini.",
    409: "Perubahan ini tidak diperbolehkan pada keadaan sekarang.",
    413: "Isi permintaan terlalu besar.",
    415: "Jenis isi permintaan tidak didukung.",
    429: "Terlalu banyak permintaan. Silakan tunggu sebentar lalu coba lagi.",
}
HTTP_CODES = {400: "bad_request", 401: "login_required", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "too_large",
              415: "unsupported_media_type", 429: "rate_limited"}


def error(status: int, code: str, message: str):
    """Return the JSON error response."""
    response = jsonify(error=code, message=message)
    response.status_code = status
    return response


def register(app: Flask) -> None:
    """Turn domain errors, HTTP errors and anything unforeseen into JSON errors."""

    @app.errorhandler(QueueError)
    def queue_error(e: QueueError):
        response = error(e.status, e.code, e.message)
        if getattr(e, "retry_after", None):  # a rate limit says when to try again
            response.headers["Retry-After"] = str(e.retry_after)
        return response

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        status = e.code or 500
        response = error(status, HTTP_CODES.get(status, "http_error"),
                         HTTP_MESSAGES.get(status, e.description or "Terjadi kesalahan."))
        for header in ("Allow", "Retry-After"):
            if e.get_response().headers.get(header):
                response.headers[header] = e.get_response().headers[header]
        return response

    @app.errorhandler(Exception)
    def unexpected(e: Exception):
        log.exception("unhandled error")
        return error(500, "internal", "Terjadi kesalahan pada server. Silakan coba lagi.")
