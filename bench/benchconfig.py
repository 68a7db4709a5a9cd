"""The benchmark's copy of config.toml: a temp database, no rate limits, no closing, N kiosks
(on preview printers, or all on one given printer)."""
from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from pathlib import Path

BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


PREVIEW = {"type": "preview"}


def bench_config(source: Path, database: Path, kiosks: int, printer: dict | None = None,
                 threads: int | None = None) -> dict:
    """Return source's content changed for a benchmark run: every kiosk gets printer (a
    preview printer unless given), and [server].threads is threads when given."""
    with open(source, "rb") as f:
        data = tomllib.load(f)
    # Loopback only: the benchmark never talks to anything but 127.0.0.1.
    data["server"] = {**data.get("server", {}), "database": str(database), "host": "127.0.0.1"}
    if threads is not None:
        data["server"]["threads"] = threads
    data["limits"] = {**data.get("limits", {}), "visits_per_kiosk": "", "logins_per_address": ""}
    # No closes_at (never "after hours"), no daily limit, no dated windows (never "emergency only").
    admission = {k: v for k, v in data.get("admission", {}).items()
                 if k not in ("closes_at", "windows")}
    data["admission"] = {**admission, "daily_limit": 0}
    data["kiosks"] = [{"id": kiosk_id(i), "name": f"Bench kiosk {i}", "printer": dict(printer or PREVIEW)}
                      for i in range(1, kiosks + 1)]
    return data


def kiosk_id(number: int) -> str:
    """Return the id of bench kiosk number (1-based): k01, k02, ..."""
    return f"k{number:02d}"


def write_config(data: dict, path: Path) -> None:
    """Write data as TOML to path, checking that it reads back the same."""
    text = to_toml(data)
    if tomllib.loads(text) != data:
        raise ValueError("the TOML writer lost something on the way")
    path.write_text(text, encoding="utf-8")


def to_toml(data: dict) -> str:
    """Serialize a document of tables and arrays of tables whose values are plain."""
    lines = [f"{key(k)} = {value(v)}" for k, v in data.items() if not _is_table(v)]
    for name, item in data.items():
        if isinstance(item, dict):
            lines += ["", f"[{key(name)}]", *_pairs(item)]
        elif _is_table(item):
            for table in item:
                lines += ["", f"[[{key(name)}]]", *_pairs(table)]
    return "\n".join(lines).lstrip("\n") + "\n"


def _is_table(item) -> bool:
    return isinstance(item, dict) or (isinstance(item, list) and bool(item)
                                      and all(isinstance(x, dict) for x in item))


def _pairs(table: dict) -> list[str]:
    return [f"{key(k)} = {value(v)}" for k, v in table.items()]


def key(name: str) -> str:
    """Return a TOML key, quoted when it is not bare."""
    return name if BARE_KEY.fullmatch(name) else json.dumps(name, ensure_ascii=False)


def value(item) -> str:
    """Return a TOML value: string, bool, number, date, list or inline table."""
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, (int, float)):
        return repr(item)
    if isinstance(item, str):
        # JSON's escapes (\" \\ \n \uXXXX ...) are all valid in a TOML basic string.
        return json.dumps(item, ensure_ascii=False)
    if isinstance(item, (dt.date, dt.time)):
        return item.isoformat()
    if isinstance(item, list):
        return "[" + ", ".join(value(x) for x in item) + "]"
    if isinstance(item, dict):
        return "{ " + ", ".join(f"{key(k)} = {value(v)}" for k, v in item.items()) + " }"
    raise TypeError(f"cannot write {type(item).__name__} as TOML")
