"""The names a page shows for the config's codes and ids: services, counters, reasons, kiosks.
One list for every page (the staff console, the supervisor's view, the visitor's phone), each
taking what it shows; English falls back to the Indonesian name where the config has none."""
from __future__ import annotations

from queueing.config import Config
from queueing.reports import OUTCOMES


def page_names(config: Config) -> dict:
    return {
        "services": [{"code": s.code, "name": s.name, "name_en": s.name_en or s.name, "prefix": s.prefix,
                      "postponed": s.postponed, "online": s.online, "target_wait": s.target_wait}
                     for s in config.services],
        "counters": [{"id": c.id, "name": c.name, "services": list(c.services)} for c in config.counters],
        "reasons": [{"code": r.code, "label": r.label, "label_en": r.label_en or r.label}
                    for r in config.reasons],
        "kiosks": [{"id": k.id, "name": k.name or k.id, "printer": k.printer.type} for k in config.kiosks],
        "outcomes": list(OUTCOMES),
        "online_url": config.office.online_service_url,
        "timezone": config.office.timezone,
    }


def service_words(config: Config) -> dict:
    """Each service's name in both languages, by code: {"kk": {"id": ..., "en": ...}}."""
    return {s["code"]: {"id": s["name"], "en": s["name_en"]} for s in page_names(config)["services"]}
