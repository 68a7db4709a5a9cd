"""The reports' charts as standalone SVG, drawn on the server: the daily report's (issue 6)
and the satisfaction survey's (issue 21).

Pure functions: a report dict (queueing/reports.daily, queueing/surveys report) in, an SVG
string out. The page
shows them with <img>, so every chart is a complete document with its xmlns, a <title>
and <desc> that say what it shows in words, a <title> on each bar, and its numbers
written next to the bars: nothing is told by colour alone. Colours are presentation
attributes (fill=), which the page's Content-Security-Policy allows; no style=.
"""
from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from queueing.config import SURVEY_ELEMENTS
from queueing.model import MONTHS, date_words
from queueing.reports import OUTCOMES
from queueing.survey import GRADES

FONT = "Noto Sans, DejaVu Sans, Arial, sans-serif"
INK, MUTED, GRID, AXIS = "#0f1a2a", "#3b4759", "#d5deea", "#0f1a2a"
ARRIVALS, CALLS = "#0a3161", "#b35c00"  # navy and dark orange: apart for every kind of colour vision
WAITS = "#0b4f9c"
OUTCOME_COLOURS = {"ticket": "#0a3161", "online": "#0d6e35", "postponed": "#8a5a00",
                   "closed": "#8c1616", "full": "#4d5968"}
OFFICE_HOURS = (8, 15)  # the hours axis always spans at least the office's day

WORDS = {
    "id": {
        "hours_title": "Kedatangan dan panggilan per jam", "arrivals": "Kedatangan", "calls": "Panggilan",
        "hour_axis": "Jam (WIB)", "count_axis": "Jumlah",
        "wait_title": "Sebaran waktu tunggu", "wait_axis": "Menit menunggu sampai dipanggil",
        "tickets_axis": "Tiket",
        "outcomes_title": "Hasil kunjungan di kios",
        "outcomes": {"ticket": "Dapat nomor antrian", "online": "Diarahkan ke layanan online",
                     "postponed": "Layanan ditunda", "closed": "Pelayanan ditutup", "full": "Kuota penuh"},
        "empty": "Tidak ada data pada tanggal ini",
        "no_calls": "Belum ada tiket yang dipanggil pada tanggal ini",
        "minutes": "menit", "visits": "kunjungan", "of": "dari",
        "hours_desc": "Total {arrivals} kedatangan dan {calls} panggilan.",
        "wait_desc": "{count} tiket dipanggil; rata-rata {mean} menit, p90 {p90} menit menunggu.",
        "outcomes_desc": "{total} kunjungan; {online} diarahkan ke layanan online.",
        "survey_title": "Nilai rata-rata per unsur (NRR) survei kepuasan", "until": "s.d.",
        "survey_desc": "{responses} jawaban; IKM {ikm}, mutu {grade} ({words}).",
        "survey_empty": "Belum ada jawaban survei pada periode ini", "grade": "Mutu", "score": "nilai",
        "grades": {"A": "Sangat Baik", "B": "Baik", "C": "Kurang Baik", "D": "Tidak Baik"},
    },
    "en": {
        "hours_title": "Arrivals and calls by hour", "arrivals": "Arrivals", "calls": "Calls",
        "hour_axis": "Hour (WIB)", "count_axis": "Count",
        "wait_title": "Waiting-time distribution", "wait_axis": "Minutes waited until called",
        "tickets_axis": "Tickets",
        "outcomes_title": "Kiosk visit outcomes",
        "outcomes": {"ticket": "Got a queue number", "online": "Sent to the online service",
                     "postponed": "Service postponed", "closed": "Service closed", "full": "Day's quota full"},
        "empty": "No data for this date",
        "no_calls": "No ticket was called on this date",
        "minutes": "minutes", "visits": "visits", "of": "of",
        "hours_desc": "{arrivals} arrivals and {calls} calls in all.",
        "wait_desc": "{count} tickets called; mean {mean} minutes, p90 {p90} minutes waited.",
        "outcomes_desc": "{total} visits; {online} sent to the online service.",
        "survey_title": "Satisfaction survey: mean score per element (NRR)", "until": "to",
        "survey_desc": "{responses} responses; IKM {ikm}, grade {grade} ({words}).",
        "survey_empty": "No survey responses in this period", "grade": "Grade", "score": "score",
        "grades": {"A": "Very good", "B": "Good", "C": "Fair", "D": "Poor"},
    },
}


def words(lang: str) -> dict:
    return WORDS.get(lang, WORDS["id"])


def day_words(iso: str, lang: str) -> str:
    """Return the report's date in words: 'Senin, 2 Maret 2026' or 'Monday 2 March 2026'."""
    day = dt.date.fromisoformat(iso)
    if lang == "en":
        return f"{day.strftime('%A')} {day.day} {day.strftime('%B')} {day.year}"
    return date_words(day)


# --- the three charts ---

def hours_chart(report: dict, lang: str = "id") -> str:
    """Draw arrivals and calls per hour of the day as paired vertical bars."""
    w = words(lang)
    rows = {r["hour"]: r for r in report["by_hour"]}
    first = min([*rows, OFFICE_HOURS[0]])
    last = max([*rows, OFFICE_HOURS[1]])
    groups = [(f"{h:02d}", [rows.get(h, {}).get("arrivals", 0), rows.get(h, {}).get("calls", 0)])
              for h in range(first, last + 1)]
    series = [(w["arrivals"], ARRIVALS), (w["calls"], CALLS)]
    arrivals = sum(r["arrivals"] for r in report["by_hour"])
    calls = sum(r["calls"] for r in report["by_hour"])
    title = f"{w['hours_title']} — {day_words(report['date'], lang)}"
    desc = w["hours_desc"].format(arrivals=arrivals, calls=calls)
    chart = BarChart(960, 420, groups, series, w["hour_axis"], w["count_axis"],
                     empty=w["empty"] if not (arrivals or calls) else None, unit_of=_hour_unit)
    return _document(chart.width, chart.height, title, desc, chart.draw())


def wait_chart(report: dict, lang: str = "id") -> str:
    """Draw how many tickets waited 0-5, 5-10, ... minutes before their call."""
    w = words(lang)
    groups = [(_dash(b["label"]), [b["count"]]) for b in report["wait_histogram"]]
    waits = report["wait_seconds"]
    title = f"{w['wait_title']} — {day_words(report['date'], lang)}"
    desc = (w["wait_desc"].format(count=waits["count"], mean=_minutes(waits["mean"], lang),
                                  p90=_minutes(waits["p90"], lang))
            if waits["count"] else w["no_calls"] + ".")
    chart = BarChart(640, 420, groups, [(w["tickets_axis"], WAITS)], w["wait_axis"], w["tickets_axis"],
                     empty=None if waits["count"] else w["no_calls"],
                     unit_of=lambda label, name: f"{label} {w['minutes']}: {name.lower()}")
    return _document(chart.width, chart.height, title, desc, chart.draw())


def outcomes_chart(report: dict, lang: str = "id") -> str:
    """Draw the visits by outcome as labelled horizontal bars with counts and shares."""
    w = words(lang)
    counts = {o: report["visits"]["by_outcome"].get(o, 0) for o in OUTCOMES}
    total = sum(counts.values())
    parts = [_outcome_row(i, outcome, counts[outcome], total, max([*counts.values(), 1]), w)
             for i, outcome in enumerate(OUTCOMES)]
    parts.append(f'<line x1="{ROW_LEFT}" y1="{ROW_TOP + 28}" x2="{ROW_LEFT}" y2="{ROW_TOP + 5 * ROW}"'
                 f' stroke="{AXIS}" stroke-width="2"/>')
    summary = f"{total} {w['visits']}" + ("" if total else f" — {w['empty']}")
    parts.append(_text(ROW_LEFT, 400, summary, weight="700", fill=MUTED))
    title = f"{w['outcomes_title']} — {day_words(report['date'], lang)}"
    desc = w["outcomes_desc"].format(total=total, online=counts["online"])
    return _document(640, 420, title, desc, "\n".join(parts))


ROW_LEFT, ROW_TOP, ROW, ROW_LENGTH = 24, 14, 70, 486  # the outcome chart: label above, bar below


def _outcome_row(i: int, outcome: str, value: int, total: int, top_value: int, w: dict) -> str:
    label, y = w["outcomes"][outcome], ROW_TOP + i * ROW
    share = f" ({math.floor(100 * value / total + 0.5)}%)" if total else ""  # half up, as the page rounds
    length = ROW_LENGTH * value / top_value
    weight = "800" if outcome == "online" else "600"  # the figure the office is asked about
    return "\n".join([
        _text(ROW_LEFT, y + 22, label, weight=weight),
        f'<rect x="{ROW_LEFT}" y="{y + 32}" width="{length:.1f}" height="30" fill="{OUTCOME_COLOURS[outcome]}"'
        f' class="bar" data-key="{outcome}" data-value="{value}"><title>{escape(label)}: {value}{share}</title></rect>',
        _text(ROW_LEFT + length + 10, y + 55, f"{value}{share}", weight="700", size=22)])


CHARTS = {"hours": hours_chart, "wait": wait_chart, "outcomes": outcomes_chart}


# --- the survey's chart (issue 21) ---

SURVEY_BARS = "#0a3161"
ZONE_SHADES = ("#f1f4f9", "#ffffff")
# The NRR scale 1-4 runs from x=NRR_LEFT to NRR_RIGHT, the values in a column ending at
# VALUES_RIGHT (clear of the boundary lines); one row per element from SURVEY_TOP.
NRR_LEFT, NRR_RIGHT, VALUES_RIGHT, SURVEY_TOP, SURVEY_ROW = 530, 900, 980, 58, 42


def survey_elements(report: dict, lang: str = "id") -> str:
    """Draw each element's NRR as a horizontal bar on the 1-4 scale, the grade boundaries marked."""
    w = words(lang)
    rows = report["elements"] or [{"code": code, "name": name, "name_en": name_en, "nrr": None}
                                  for code, name, name_en, *_ in SURVEY_ELEMENTS]
    bottom = SURVEY_TOP + len(rows) * SURVEY_ROW
    parts = [*_grade_zones(bottom, w), *(_element_row(i, row, lang) for i, row in enumerate(rows)),
             *_nrr_axis(bottom, lang)]
    if not report["responses"]:
        parts.extend(_survey_empty(bottom, w))
    title = f"{w['survey_title']} — {_period_words(report['from'], report['to'], lang)}"
    desc = (w["survey_desc"].format(responses=report["responses"], ikm=_decimal(report["ikm"], 2, lang),
                                    grade=report["grade"], words=w["grades"][report["grade"]])
            if report["responses"] else w["survey_empty"] + ".")
    return _document(1000, bottom + 76, title, desc, "\n".join(parts))


def score(nrr: float) -> float:
    """An element's NRR × 25 to 1 decimal: the report's NRR has 3 decimals, so a second decimal
    of the product could be off (3.333 × 25 = 83.325, where 10/3 × 25 = 83.33)."""
    return float((Decimal(str(nrr)) * 25).quantize(Decimal("0.1"), ROUND_HALF_UP))


def grade_boundaries() -> list[tuple[str, float, float]]:
    """Each grade above D with the lowest IKM and NRR that reach it: ("C", 65.0, 2.6), ..."""
    return [(letter, lowest, lowest / 25) for lowest, letter, _ in reversed(GRADES[:-1])]


def _nrr_x(value: float) -> float:
    return NRR_LEFT + (NRR_RIGHT - NRR_LEFT) * (value - 1) / 3


def _grade_zones(bottom: float, w: dict):
    """The four grades as shaded bands with their letters on top, and a dashed line at each boundary."""
    edges = [1.0, *(nrr for _, _, nrr in grade_boundaries()), 4.0]
    for i, letter in enumerate("DCBA"):
        left, right = _nrr_x(edges[i]), _nrr_x(edges[i + 1])
        name = escape(f'{w["grade"]} {letter}: {w["grades"][letter]}')
        yield (f'<rect x="{left:.1f}" y="{SURVEY_TOP - 10}" width="{right - left:.1f}"'
               f' height="{bottom - SURVEY_TOP + 10}" fill="{ZONE_SHADES[i % 2]}"><title>{name}</title></rect>')
        yield _text((left + right) / 2, SURVEY_TOP - 22, letter, anchor="middle", weight="800", fill=MUTED)
    yield _text(NRR_LEFT - 24, SURVEY_TOP - 22, w["grade"], anchor="end", weight="700", fill=MUTED, size=18)
    yield _text(VALUES_RIGHT, SURVEY_TOP - 22, "NRR", anchor="end", weight="700", fill=MUTED, size=18)
    for letter, ikm, nrr in grade_boundaries():
        x = _nrr_x(nrr)
        yield (f'<line x1="{x:.1f}" y1="{SURVEY_TOP - 44}" x2="{x:.1f}" y2="{bottom + 6}" stroke="{MUTED}"'
               f' stroke-width="2" stroke-dasharray="6 4" class="boundary" data-grade="{letter}"'
               f' data-nrr="{nrr:g}" data-ikm="{ikm:.2f}"/>')


def _element_row(i: int, row: dict, lang: str) -> str:
    """One element: its code and name on the left, its NRR as a bar from 1 with the value after it."""
    w, y = words(lang), SURVEY_TOP + i * SURVEY_ROW
    name = row.get("name_en") or row["name"] if lang == "en" else row["name"]
    code, value = row["code"].upper(), row["nrr"]
    length = 0 if value is None else _nrr_x(value) - NRR_LEFT
    shown = "–" if value is None else f"{_decimal(value, 3, lang)}; {w['score']} {_decimal(score(value), 1, lang)}"
    parts = [_text(20, y + 28, code, weight="800"), _text(64, y + 28, name),
             f'<rect x="{NRR_LEFT}" y="{y + 8}" width="{length:.1f}" height="26" fill="{SURVEY_BARS}" class="bar"'
             f' data-key="{row["code"]}" data-value="{"" if value is None else value}">'
             f"<title>{escape(f'{code} {name}: NRR {shown}')}</title></rect>"]
    if value is not None:
        parts.append(_text(VALUES_RIGHT, y + 28, _decimal(value, 3, lang), anchor="end", weight="700"))
    return "\n".join(parts)


def _nrr_axis(bottom: float, lang: str):
    """The scale under the rows: NRR 1, 2, the boundaries and 4, with the IKM each equals under it."""
    axis = f'stroke="{AXIS}" stroke-width="2"'
    yield f'<line x1="{NRR_LEFT}" y1="{bottom + 6}" x2="{NRR_RIGHT}" y2="{bottom + 6}" {axis}/>'
    yield f'<line x1="{NRR_LEFT}" y1="{SURVEY_TOP - 10}" x2="{NRR_LEFT}" y2="{bottom + 6}" {axis}/>'
    yield _text(NRR_LEFT - 24, bottom + 32, "NRR", anchor="end", weight="700", fill=MUTED, size=18)
    yield _text(NRR_LEFT - 24, bottom + 58, "IKM", anchor="end", weight="700", fill=MUTED, size=18)
    marks = [(1.0, 25.0, 0), (2.0, 50.0, 0), *((nrr, ikm, 2) for _, ikm, nrr in grade_boundaries()), (4.0, 100.0, 0)]
    for nrr, ikm, places in marks:
        x = _nrr_x(nrr)
        yield _text(x, bottom + 32, _decimal(nrr, places, lang), anchor="middle", weight="700", size=16)
        yield _text(x, bottom + 58, _decimal(ikm, places, lang), anchor="middle", fill=MUTED, size=16)


def _survey_empty(bottom: float, w: dict):
    middle = (SURVEY_TOP + bottom) / 2
    yield (f'<rect x="{NRR_LEFT + 12}" y="{middle - 30}" width="{VALUES_RIGHT - NRR_LEFT - 12}" height="52"'
           f' rx="8" fill="#ffffff" stroke="{GRID}" stroke-width="2"/>')
    yield _text((NRR_LEFT + 12 + VALUES_RIGHT) / 2, middle + 3, w["survey_empty"], anchor="middle", weight="700",
                fill=MUTED, size=18)


def _period_words(start: str, until: str, lang: str) -> str:
    """Return a period in words: '1 Maret 2026 s.d. 31 Maret 2026' or '1 March 2026 to 31 March 2026'."""
    def one(iso: str) -> str:
        day = dt.date.fromisoformat(iso)
        month = day.strftime("%B") if lang == "en" else MONTHS[day.month - 1]
        return f"{day.day} {month} {day.year}"
    return one(start) if start == until else f"{one(start)} {words(lang)['until']} {one(until)}"


def _decimal(value: float, places: int, lang: str) -> str:
    text = f"{value:.{places}f}"
    return text.replace(".", ",") if lang == "id" else text  # Indonesian writes 3,667


# --- drawing ---

class BarChart:
    """Vertical bars in groups (one bar per series), with a value on each bar, a y grid and a legend."""

    def __init__(self, width, height, groups, series, x_title, y_title, empty=None, unit_of=None):
        self.width, self.height, self.groups, self.series = width, height, groups, series
        self.x_title, self.y_title, self.empty = x_title, y_title, empty
        self.unit_of = unit_of or (lambda label, name: f"{label}: {name.lower()}")
        self.left, self.right, self.top, self.bottom = 70, 20, 58, 80
        self.step = nice_step(max([v for _, values in groups for v in values] + [0]))
        self.top_value = self.step * 4

    def y(self, value: float) -> float:
        plot = self.height - self.top - self.bottom
        return self.height - self.bottom - plot * value / self.top_value

    def draw(self) -> str:
        return "\n".join([*self._grid(), *self._bars(), *self._axes(), *self._legend(), *self._empty()])

    def _grid(self):
        for i in range(5):
            value = self.step * i
            y = self.y(value)
            yield f'<line x1="{self.left}" y1="{y:.1f}" x2="{self.width - self.right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
            yield _text(self.left - 10, y + 7, _number(value), anchor="end", fill=MUTED, size=18)

    def _bars(self):
        slot = (self.width - self.left - self.right) / max(len(self.groups), 1)
        gap = slot * (0.18 if len(self.series) > 1 else 0.14)
        bar = (slot - 2 * gap) / len(self.series)
        base = self.y(0)
        for g, (label, values) in enumerate(self.groups):
            x0 = self.left + g * slot + gap
            for s, ((name, colour), value) in enumerate(zip(self.series, values)):
                x, y = x0 + s * bar, self.y(value)
                yield (f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 2:.1f}" height="{base - y:.1f}" fill="{colour}"'
                       f' class="bar" data-key="{escape(label)}" data-series="{escape(name)}" data-value="{value}">'
                       f"<title>{escape(self.unit_of(label, name))} {value}</title></rect>")
                if value:
                    yield _text(x + (bar - 2) / 2, y - 6, str(value), anchor="middle", weight="700",
                                size=18 if len(self.series) > 1 else 20)
            yield _text(self.left + g * slot + slot / 2, base + 26, label, anchor="middle", size=18)

    def _axes(self):
        base = self.y(0)
        yield f'<line x1="{self.left}" y1="{base:.1f}" x2="{self.width - self.right}" y2="{base:.1f}" stroke="{AXIS}" stroke-width="2"/>'
        yield _text((self.left + self.width - self.right) / 2, self.height - 16, self.x_title, anchor="middle",
                    weight="700", fill=MUTED)
        yield _text(18, 28, self.y_title, fill=MUTED, weight="700", size=18)

    def _legend(self):
        if len(self.series) < 2:
            return
        x = self.width - self.right
        for name, colour in reversed(self.series):
            x -= 16 + 10 + len(name) * 11 + 24
            yield f'<rect x="{x}" y="12" width="18" height="18" fill="{colour}"/>'
            yield _text(x + 26, 28, name, weight="700", size=18)

    def _empty(self):
        if self.empty:
            yield _text((self.left + self.width - self.right) / 2, self.y(self.top_value / 2), self.empty,
                        anchor="middle", weight="700", fill=MUTED)


def nice_step(largest: float) -> int:
    """Return a grid step of 1, 2 or 5 × 10^n so that four steps cover the largest value."""
    if largest <= 4:
        return 1
    raw = largest / 4
    power = 10 ** math.floor(math.log10(raw))
    return next(int(m * power) for m in (1, 2, 5, 10) if m * power >= raw)


def _document(width: int, height: int, title: str, desc: str, body: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
            f' viewBox="0 0 {width} {height}" role="img" aria-labelledby="title desc"'
            f' font-family="{FONT}" font-size="20">\n'
            f'<title id="title">{escape(title)}</title>\n<desc id="desc">{escape(desc)}</desc>\n'
            f'<rect width="{width}" height="{height}" fill="#ffffff"/>\n{body}\n</svg>\n')


def _text(x: float, y: float, content: str, anchor: str = "start", weight: str = "400",
          fill: str = INK, size: int = 20) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-weight="{weight}"'
            f' font-size="{size}" fill="{fill}">{escape(content)}</text>')


def _hour_unit(label: str, name: str) -> str:
    return f"{label}.00–{label}.59: {name.lower()}"


def _dash(label: str) -> str:
    return label.replace("-", "–")


def _minutes(seconds: float | None, lang: str) -> str:
    if seconds is None:
        return "–"
    text = f"{seconds / 60:.1f}"
    return text.replace(".", ",") if lang == "id" else text  # Indonesian writes 2,5


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
