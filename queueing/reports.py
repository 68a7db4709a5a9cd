"""The daily report: what the hall did on one service day, from the tickets, visits and events."""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections import Counter as Tally

from .calendar import Calendar
from .config import Config
from .store import Store
from .views import pause_seconds
from .windows import OfficeCalendar

OUTCOMES = ("ticket", "online", "postponed", "closed", "full")
WAIT_BUCKETS = (5, 10, 15, 30, 60)  # minutes: 0-5, 5-10, 10-15, 15-30, 30-60, 60+
FINAL_STATUSES = ("waiting", "called", "serving", "done", "no_show", "redirected", "expired")
SOURCES = ("walk_in", "booked", "desk", "phone")  # how tickets came (tickets.source)
BOOKING_STATUSES = ("booked", "checked_in", "missed", "cancelled")


def percentile(values: list[float], share: float) -> float | None:
    """Return the nearest-rank percentile (share 0.9 for p90), or None without values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(values: list[float]) -> dict:
    mean = sum(values) / len(values) if values else None
    return {"count": len(values), "mean": _round(mean), "p90": _round(percentile(values, 0.9))}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _seconds(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    return (dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)).total_seconds()


def daily(config: Config, store: Store, day: dt.date, now: dt.datetime | None = None) -> dict:
    """Count the day's visits, tickets, counters, staff, waiting and service times, and hours.
    A pause still open counts until now (the service's clock)."""
    key = day.isoformat()
    now = now or dt.datetime.now(dt.timezone.utc)
    with store.read() as conn:
        visits = conn.execute("SELECT * FROM visits WHERE day = ?", (key,)).fetchall()
        tickets = conn.execute("SELECT * FROM tickets WHERE day = ?", (key,)).fetchall()
        calls = conn.execute("SELECT at FROM events WHERE day = ? AND event = 'called'",
                             (key,)).fetchall()
        acts = conn.execute("SELECT event, ticket_id, counter_id, actor FROM events WHERE day = ?"
                            " AND counter_id IS NOT NULL AND actor IS NOT NULL AND actor != 'system'"
                            " ORDER BY version", (key,)).fetchall()
        pauses = conn.execute("SELECT * FROM counter_pauses WHERE day = ?", (key,)).fetchall()
        calendar = OfficeCalendar(config).current(conn)
        bookings = conn.execute("SELECT service, status, count(*) AS n FROM bookings WHERE day = ?"
                                " GROUP BY service, status", (key,)).fetchall()
    waits = [s for t in tickets if (s := _seconds(t["issued_at"], t["called_at"])) is not None]
    return {
        "date": key,
        "calendar": day_state(calendar, day),
        "visits": _visits(visits),
        "tickets": {"total": len(tickets),
                    "by_status": _tally((t["status"] for t in tickets), FINAL_STATUSES),
                    "by_service": _tally((t["first_service"] for t in tickets),
                                         [s.code for s in config.services]),
                    "by_source": _tally((t["source"] for t in tickets), SOURCES)},
        "bookings": _bookings(config, bookings),
        "counters": _counters(config, tickets, {a["counter_id"]: a["actor"] for a in acts}, pauses, now),
        "staff": _staff(tickets, acts, pauses, now),
        "targets": _targets(config, tickets),
        "wait_seconds": summary(waits),
        "wait_histogram": _histogram(waits),
        "service_seconds": summary(_service_times(tickets)),
        "by_hour": _hours(config, visits, calls),
    }


def day_state(calendar: Calendar, day: dt.date) -> dict:
    """What the calendar made of the day: open, emergency_only or closed, why, and its hours.
    (The admin's override has no dates: a day is reported as its windows and hours made it.)"""
    span = calendar.hours_on(day)
    hours = {"opens": span[0].strftime("%H:%M"),
             "closes": span[1].strftime("%H:%M") if span[1] else None} if span else None
    if span is None:
        return {"state": "closed", "reason": "Tidak ada jam layanan", "hours": None}
    mode = calendar.mode_on(day)
    state = {"normal": "open"}.get(mode.mode, mode.mode)
    return {"state": state, "reason": mode.window.reference if mode.window and state != "open" else None,
            "hours": hours}


def _bookings(config: Config, rows) -> dict:
    """The day's bookings per service: made (every one for the day), and how each ended so far."""
    per_service = {s.code: {"made": 0, **{status: 0 for status in BOOKING_STATUSES}} for s in config.services}
    for row in rows:
        counts = per_service.setdefault(row["service"], {"made": 0, **{s: 0 for s in BOOKING_STATUSES}})
        counts[row["status"]] += row["n"]
        counts["made"] += row["n"]
    total = {key: sum(c[key] for c in per_service.values()) for key in ("made", *BOOKING_STATUSES)}
    return {"total": total, "by_service": per_service}


def _visits(visits) -> dict:
    return {
        "total": len(visits),
        "by_outcome": _tally((v["outcome"] for v in visits), OUTCOMES),
        "by_service": dict(Tally(v["service"] for v in visits)),
        "by_reason": dict(Tally(v["reason"] or "none" for v in visits)),
        "by_priority": dict(Tally(v["priority_kind"] or "none" for v in visits)),
    }


def _tally(values, keys) -> dict:
    counts = Tally(values)
    return {k: counts.get(k, 0) for k in keys}


def _service_times(tickets) -> list[float]:
    return [s for t in tickets if t["status"] == "done"
            and (s := _seconds(t["started_at"], t["ended_at"])) is not None]


def _histogram(waits: list[float]) -> list[dict]:
    """Waiting times in minute buckets: 0-5, 5-10, 10-15, 15-30, 30-60, 60+."""
    edges = (0, *WAIT_BUCKETS)
    rows = [{"label": f"{lo}-{hi}", "count": sum(1 for w in waits if lo * 60 <= w < hi * 60)}
            for lo, hi in zip(edges, edges[1:])]
    rows.append({"label": f"{edges[-1]}+", "count": sum(1 for w in waits if w >= edges[-1] * 60)})
    return rows


def _counters(config: Config, tickets, staff: dict, pauses, now: dt.datetime) -> list[dict]:
    """Each counter: who worked it last, served, no-shows, mean service time, time paused."""
    rows = []
    for counter in config.counters:
        mine = [t for t in tickets if t["counter_id"] == counter.id]
        times = _service_times(mine)
        rows.append({"id": counter.id, "name": counter.name, "staff": staff.get(counter.id),
                     "served": sum(1 for t in mine if t["status"] == "done"),
                     "no_show": sum(1 for t in mine if t["status"] == "no_show"),
                     "mean_service_seconds": summary(times)["mean"],
                     "paused_seconds": _paused((p for p in pauses if p["counter_id"] == counter.id), now)})
    return rows


def _paused(pauses, now: dt.datetime) -> float:
    """The total of these pauses, an open one counted until now."""
    return round(sum(pause_seconds(p, now) for p in pauses), 1)


def _staff(tickets, acts, pauses, now: dt.datetime) -> list[dict]:
    """Each staff member who worked a counter: where, the tickets they finished (and their mean
    service time), the no-shows they marked (also those requeued later), and their paused time."""
    by_id = {t["id"]: t for t in tickets}
    users = sorted({a["actor"] for a in acts} | {p["started_by"] for p in pauses})
    rows = []
    for user in users:
        mine = [a for a in acts if a["actor"] == user]
        finished = {a["ticket_id"] for a in mine if a["event"] == "finished"}
        served = [by_id[i] for i in finished if i in by_id and by_id[i]["status"] == "done"]
        rows.append({"user": user,
                     "counters": sorted({a["counter_id"] for a in mine} | {p["counter_id"] for p in pauses
                                                                            if p["started_by"] == user}),
                     "served": len(served),
                     "no_show": len({a["ticket_id"] for a in mine if a["event"] == "no_show"}),
                     "mean_service_seconds": summary(_service_times(served))["mean"],
                     "paused_seconds": _paused((p for p in pauses if p["started_by"] == user), now)})
    return rows


def _targets(config: Config, tickets) -> list[dict]:
    """For each service with a target_wait: of its tickets called, how many within the target
    (from their queue time: a walk-in's issue, a booked ticket's slot start, a requeue's place)."""
    rows = []
    for service in config.services:
        if not service.target_wait:
            continue
        waits = [_seconds(t["queue_at"], t["called_at"]) for t in tickets
                 if t["service"] == service.code and t["called_at"]]
        within = sum(1 for w in waits if w <= service.target_wait * 60)
        rows.append({"service": service.code, "target_wait": service.target_wait, "called": len(waits),
                     "within": within, "share": round(within / len(waits), 3) if waits else None})
    return rows


def _hours(config: Config, visits, calls) -> list[dict]:
    tz = config.office.tz

    def hour(stamp: str) -> int:
        return dt.datetime.fromisoformat(stamp).astimezone(tz).hour

    arrivals, called = Tally(hour(v["at"]) for v in visits), Tally(hour(c["at"]) for c in calls)
    hours = sorted(set(arrivals) | set(called))
    return [{"hour": h, "arrivals": arrivals.get(h, 0), "calls": called.get(h, 0)} for h in hours]


def to_csv(report: dict) -> str:
    """Flatten the report into rows of section, key, value."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "key", "value"])
    for field in ("state", "reason"):
        writer.writerow(["calendar", field, _blank(report["calendar"][field])])
    for section in ("visits", "tickets"):
        writer.writerow([section, "total", report[section]["total"]])
        for group, counts in report[section].items():
            if isinstance(counts, dict):
                for key, value in counts.items():
                    writer.writerow([f"{section}.{group}", key, value])
    for key, value in report["bookings"]["total"].items():
        writer.writerow(["bookings", key, value])
    for service, counts in report["bookings"]["by_service"].items():
        for key, value in counts.items():
            writer.writerow([f"bookings.{service}", key, value])
    for row in report["counters"]:
        for field in ("served", "no_show", "mean_service_seconds", "paused_seconds"):
            writer.writerow([f"counter.{row['id']}", field, _blank(row[field])])
    for row in report["staff"]:
        writer.writerow([f"staff.{row['user']}", "counters", " ".join(str(c) for c in row["counters"])])
        for field in ("served", "no_show", "mean_service_seconds", "paused_seconds"):
            writer.writerow([f"staff.{row['user']}", field, _blank(row[field])])
    for row in report["targets"]:
        for field in ("target_wait", "called", "within", "share"):
            writer.writerow([f"target.{row['service']}", field, _blank(row[field])])
    for name in ("wait_seconds", "service_seconds"):
        for field, value in report[name].items():
            writer.writerow([name, field, _blank(value)])
    for bucket in report["wait_histogram"]:
        writer.writerow(["wait_minutes", bucket["label"], bucket["count"]])
    for row in report["by_hour"]:
        writer.writerow(["hour", f"{row['hour']:02d}:00 arrivals", row["arrivals"]])
        writer.writerow(["hour", f"{row['hour']:02d}:00 calls", row["calls"]])
    return out.getvalue()


def _blank(value) -> object:
    return "" if value is None else value


RANGE_COLUMNS = ("date", "state", "reason", "visits", *OUTCOMES, "booked_tickets", "bookings_made",
                 "bookings_missed", "done", "no_show", "redirected", "expired",
                 "wait_mean_s", "wait_p90_s", "service_mean_s", "service_p90_s")


def range_csv(config: Config, store: Store, start: dt.date, until: dt.date, now: dt.datetime | None = None) -> str:
    """One row per day from start to until: the day's state (open, emergency_only, closed) and
    why, visits by outcome, endings, waiting and service times."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RANGE_COLUMNS)
    # By offset: stepping past until overflowed on 9999-12-31 (a 500, found while fuzzing).
    for offset in range((until - start).days + 1):
        writer.writerow(_day_row(daily(config, store, start + dt.timedelta(days=offset), now)))
    return out.getvalue()


def _day_row(report: dict) -> list:
    outcomes, statuses = report["visits"]["by_outcome"], report["tickets"]["by_status"]
    wait, service = report["wait_seconds"], report["service_seconds"]
    return [report["date"], report["calendar"]["state"], _blank(report["calendar"]["reason"]),
            report["visits"]["total"], *(outcomes[o] for o in OUTCOMES), report["tickets"]["by_source"]["booked"],
            report["bookings"]["total"]["made"], report["bookings"]["total"]["missed"],
            *(statuses[s] for s in ("done", "no_show", "redirected", "expired")),
            *(_blank(v) for v in (wait["mean"], wait["p90"], service["mean"], service["p90"]))]
