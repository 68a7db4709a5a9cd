"""The benchmarks' changes to config.toml, on top of bench/liveserver.write_config's (a temp
database, no rate limits, no closing hour, no dated windows): no daily limit and N kiosks,
on preview printers or all on one given printer."""
from __future__ import annotations

PREVIEW = {"type": "preview"}


def bench_overrides(kiosks: int, printer: dict | None = None, threads: int | None = None) -> dict:
    """Return the config overrides of a benchmark run: every kiosk gets printer (a preview
    printer unless given), and [server].threads is threads when given."""
    server = {"host": "127.0.0.1"}  # loopback only: the benchmark talks to nothing else
    if threads is not None:
        server["threads"] = threads
    return {"server": server, "admission": {"daily_limit": 0},
            "kiosks": [{"id": kiosk_id(i), "name": f"Bench kiosk {i}", "printer": dict(printer or PREVIEW)}
                       for i in range(1, kiosks + 1)]}


def kiosk_id(number: int) -> str:
    """Return the id of bench kiosk number (1-based): k01, k02, ..."""
    return f"k{number:02d}"
