"""Read a JSON request body and its fields, refusing bad input with a clear sentence."""
from __future__ import annotations

from flask import request

from queueing.model import BadInput

_MISSING = object()

# The largest id a path or a body may carry: JSON's safe integers, well inside SQLite's 64-bit
# INTEGER. A larger one reached sqlite3 as an OverflowError, a 500 (found by the fuzz test).
MAX_ID = 2**53 - 1
ID = f"int(max={MAX_ID})"  # the URL converter of an id in a path: a larger one is a 404


def json_body() -> dict:
    """Return the request's JSON object, or raise BadInput.

    The body must say it is JSON: a cross-site HTML form can only send text/plain or form
    encodings, so it can never log a browser in, nor issue a ticket, from another site."""
    if not request.is_json:
        raise BadInput("Isi permintaan harus JSON (Content-Type: application/json).", "bad_content_type")
    try:
        data = request.get_json(force=True, silent=True)
    except RecursionError:  # nested deeper than the parser goes: bad input, not a 500
        data = None
    if not isinstance(data, dict):
        raise BadInput("Isi permintaan harus berupa objek JSON yang sah.", "bad_json")
    if not _is_utf8(data):
        raise BadInput("Isi permintaan berisi teks yang bukan UTF-8 yang sah.", "bad_json")
    return data


def _is_utf8(data) -> bool:
    """Whether every string in the JSON value can be stored: JSON's \\ud800 escapes decode to lone
    surrogates, which SQLite refuses with a UnicodeEncodeError (a 500)."""
    pending = [data]
    while pending:  # a loop, not recursion: the value may be nested deep
        value = pending.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return True


def text(data: dict, name: str, required: bool = True, max_length: int = 64) -> str | None:
    """Return a non-empty string field of at most max_length characters."""
    value = data.get(name, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise BadInput(f"Kolom '{name}' wajib diisi.", "missing_field")
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise BadInput(f"Kolom '{name}' harus berupa teks 1-{max_length} karakter.", "bad_field")
    return value


def priority(data: dict) -> str | None:
    """The visit's priority, as true/false or as its kind (lansia, disabilitas, ibu_hamil, balita)."""
    value = data.get("priority")
    if value is None or value is False:
        return None
    if value is True:
        return "ya"
    return text(data, "priority", max_length=32)


def integer(data: dict, name: str) -> int:
    value = _required(data, name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise BadInput(f"Kolom '{name}' harus berupa bilangan bulat positif.", "bad_field")
    return value


def boolean(data: dict, name: str) -> bool:
    value = _required(data, name)
    if not isinstance(value, bool):
        raise BadInput(f"Kolom '{name}' harus true atau false.", "bad_field")
    return value


def _required(data: dict, name: str):
    value = data.get(name, _MISSING)
    if value is _MISSING:
        raise BadInput(f"Kolom '{name}' wajib diisi.", "missing_field")
    return value
