"""Read a JSON request body and its fields, refusing bad input with a clear sentence."""
from __future__ import annotations

from flask import request

from queueing.model import BadInput

_MISSING = object()


def json_body() -> dict:
    """Return the request's JSON object, or raise BadInput."""
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise BadInput("Isi permintaan harus berupa objek JSON yang sah.", "bad_json")
    return data


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


def integer(data: dict, name: str) -> int:
    value = data.get(name, _MISSING)
    if value is _MISSING:
        raise BadInput(f"Kolom '{name}' wajib diisi.", "missing_field")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**53:
        raise BadInput(f"Kolom '{name}' harus berupa bilangan bulat positif.", "bad_field")
    return value


def boolean(data: dict, name: str) -> bool:
    value = data.get(name, _MISSING)
    if value is _MISSING:
        raise BadInput(f"Kolom '{name}' wajib diisi.", "missing_field")
    if not isinstance(value, bool):
        raise BadInput(f"Kolom '{name}' harus true atau false.", "bad_field")
    return value
