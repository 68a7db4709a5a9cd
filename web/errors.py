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
    408: "Permintaan tidak terkirim utuh dalam batas waktu. Silakan coba lagi.",
    409: "Perubahan ini tidak diperbolehkan pada keadaan sekarang.",
    411: "Panjang isi permintaan (Content-Length) harus disebutkan.",
    413: "Isi permintaan terlalu besar.",
    414: "Alamat yang diminta terlalu panjang.",
    415: "Jenis isi permintaan tidak didukung.",
    417: "Permintaan ini tidak dapat dipenuhi.",
    429: "Terlalu banyak permintaan. Silakan tunggu sebentar lalu coba lagi.",
    431: "Kepala (header) permintaan terlalu besar.",
    500: "Terjadi kesalahan pada server. Silakan coba lagi.",
    501: "Permintaan ini tidak didukung oleh server.",
}
HTTP_CODES = {400: "bad_request", 401: "login_required", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 408: "request_timeout", 409: "conflict",
              411: "length_required", 413: "too_large", 414: "uri_too_long",
              415: "unsupported_media_type", 417: "expectation_failed", 429: "rate_limited",
              431: "headers_too_large", 500: "internal", 501: "not_implemented"}


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
        return error(500, HTTP_CODES[500], HTTP_MESSAGES[500])
