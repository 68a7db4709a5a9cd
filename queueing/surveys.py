"""The satisfaction survey (SKM) a visitor answers on their ticket's phone page once served, and
its report for a period (SPEC "The visitor's phone"). One answer per ticket, until the end of the
day after the ticket's; the answers keep the day, service and counter only."""
from __future__ import annotations

import csv
import datetime as dt
import io

from . import model, survey
from .config import Config
from .model import BadInput, Clock, IllegalMove, NotFound
from .store import Store

CODES = [f"u{i}" for i in range(1, 10)]
NO_RESPONSES = "Belum ada jawaban survei pada periode ini."


class Surveys:
    def __init__(self, config: Config, store: Store, clock: Clock):
        self.config, self.store, self.clock = config, store, clock

    def _check_on(self) -> None:
        if self.config.survey is None:
            raise NotFound("Survei kepuasan tidak diadakan di kantor ini.", "survey_off")

    def _ticket(self, conn, token: str):
        row = conn.execute("SELECT * FROM tickets WHERE token = ?", (token,)).fetchone()
        if row is None:
            raise NotFound("Tiket tidak ditemukan.", "ticket_not_found")
        return row

    def _until(self, row) -> dt.date:
        """The last day the ticket's survey is open: the day after the ticket's."""
        return dt.date.fromisoformat(row["day"]) + dt.timedelta(days=1)

    def _open(self, row) -> bool:
        return row["status"] == model.DONE and model.service_day(self.clock(), self.config.office.tz) <= self._until(row)

    def state(self, token: str) -> dict:
        """What the phone page shows: whether the survey is open or answered, until when, and the questions."""
        self._check_on()
        with self.store.read() as conn:
            row = self._ticket(conn, token)
        return {"open": self._open(row) and not row["surveyed"], "answered": bool(row["surveyed"]),
                "until": self._until(row).isoformat(),
                "questions": [{"code": e.code, "text": e.text, "text_en": e.text_en}
                              for e in self.config.survey.elements],
                "answers": [{"value": value, "words": words[0], "words_en": words[1]}
                            for value, words in survey.ANSWER_WORDS.items()]}

    def submit(self, token: str, answers, comment) -> dict:
        """Record one ticket's answers: every element 1 to 4, an optional comment of at most 500
        characters (kept as text). Refused: a second answer, a ticket not done, or too late."""
        self._check_on()
        values = _answers(answers)
        comment = _comment(comment)
        with self.store.write() as conn:
            row = self._ticket(conn, token)
            if row["surveyed"]:
                raise IllegalMove("Survei untuk tiket ini sudah diisi. Terima kasih.", "survey_done")
            if not self._open(row):
                raise IllegalMove("Survei untuk tiket ini tidak dibuka: hanya setelah pelayanan selesai, "
                                  "sampai akhir hari berikutnya.", "survey_closed")
            conn.execute(f"INSERT INTO survey_answers (day, service, counter_id, {', '.join(CODES)}, comment)"
                         f" VALUES (?, ?, ?, {', '.join('?' * len(CODES))}, ?)",
                         (row["day"], row["service"], row["counter_id"], *(values[c] for c in CODES), comment))
            conn.execute("UPDATE tickets SET surveyed = 1 WHERE id = ?", (row["id"],))
        return {"answered": True}

    def report(self, start: dt.date, until: dt.date) -> dict:
        """Responses, each element's NRR, the IKM and grade, per service and per counter, and the
        comments, for the tickets of days start to until."""
        with self.store.read() as conn:
            rows = [dict(r) for r in conn.execute("SELECT * FROM survey_answers WHERE day BETWEEN ? AND ?"
                                                  " ORDER BY day, id", (start.isoformat(), until.isoformat()))]
        whole = survey.summary(rows, CODES)
        return {
            "from": start.isoformat(), "to": until.isoformat(), **whole,
            "message": None if rows else NO_RESPONSES,
            "elements": [{"code": e.code, "name": e.name, "name_en": e.name_en, "text": e.text,
                          "nrr": whole["nrr"][e.code], "score": whole["score"][e.code]}
                         for e in self.config.survey.elements] if self.config.survey else [],
            "by_service": [{"service": s.code, "name": s.name, **survey.summary(mine, CODES)}
                           for s in self.config.services if (mine := [r for r in rows if r["service"] == s.code])],
            "by_counter": [{"counter": c.id, "name": c.name, **survey.summary(mine, CODES)}
                           for c in self.config.counters if (mine := [r for r in rows if r["counter_id"] == c.id])],
            "comments": [{"day": r["day"], "service": r["service"], "comment": r["comment"]}
                         for r in rows if r["comment"]],
        }


def _answers(answers) -> dict:
    if not isinstance(answers, dict):
        raise BadInput("Jawaban survei harus berupa objek u1 sampai u9.", "bad_answers")
    missing = [code for code in CODES if code not in answers]
    if missing:
        raise BadInput(f"Semua unsur survei wajib dijawab; belum dijawab: {', '.join(missing)}.", "bad_answers")
    unknown = sorted(set(answers) - set(CODES))
    if unknown:
        raise BadInput(f"Unsur survei {unknown[0]!r} tidak dikenal.", "bad_answers")
    for code in CODES:
        value = answers[code]
        if isinstance(value, bool) or value not in survey.ANSWERS:
            raise BadInput(f"Jawaban {code} harus angka 1 sampai 4.", "bad_answers")
    return {code: int(answers[code]) for code in CODES}


def _comment(comment) -> str | None:
    if comment is None:
        return None
    if not isinstance(comment, str):
        raise BadInput("Komentar harus berupa teks.", "bad_comment")
    comment = comment.strip()
    if len(comment) > survey.COMMENT_MOST:
        raise BadInput(f"Komentar paling banyak {survey.COMMENT_MOST} karakter.", "bad_comment")
    return comment or None


def to_csv(report: dict) -> str:
    """The survey report as rows of section, key, value (what the JSON says, flattened)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "key", "value"])
    writer.writerow(["period", "from", report["from"]])
    writer.writerow(["period", "to", report["to"]])
    _summary_rows(writer, "all", report)
    for row in report["by_service"]:
        _summary_rows(writer, f"service.{row['service']}", row)
    for row in report["by_counter"]:
        _summary_rows(writer, f"counter.{row['counter']}", row)
    for row in report["comments"]:
        writer.writerow([f"comment.{row['service']}", row["day"], row["comment"]])
    return out.getvalue()


def _summary_rows(writer, section: str, summary: dict) -> None:
    writer.writerow([section, "responses", summary["responses"]])
    for code, value in summary["nrr"].items():
        writer.writerow([section, f"nrr.{code}", "" if value is None else value])
    writer.writerow([section, "ikm", "" if summary["ikm"] is None else summary["ikm"]])
    writer.writerow([section, "grade", summary["grade"] or ""])
