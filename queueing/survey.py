"""The Survei Kepuasan Masyarakat's arithmetic (Permenpan-RB 14/2017) as pure functions: each
element's mean answer (NRR), the index (IKM: the mean of the NRRs × 25, to 2 decimals) and its
grade. The elements' texts are in config.SURVEY_ELEMENTS."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

ANSWERS = (1, 2, 3, 4)
ANSWER_WORDS = {1: ("Tidak baik", "Poor"), 2: ("Kurang baik", "Fair"), 3: ("Baik", "Good"),
                4: ("Sangat baik", "Very good")}
# (lowest IKM of the grade, grade, its words): A 88.31-100.00, B 76.61-88.30, C 65.00-76.60, D 25.00-64.99
GRADES = ((88.31, "A", "Sangat Baik"), (76.61, "B", "Baik"), (65.00, "C", "Kurang Baik"), (25.00, "D", "Tidak Baik"))
COMMENT_MOST = 500


def nrr(answers: list[int]) -> Fraction | None:
    """An element's mean answer over the responses, exactly (None without any)."""
    return Fraction(sum(answers), len(answers)) if answers else None


def ikm(nrrs: list[Fraction]) -> float | None:
    """The index: the mean of the elements' NRR × 25, rounded half up to 2 decimals from the
    exact value (a float would put 76.605 on either side of the B grade)."""
    if not nrrs or any(value is None for value in nrrs):
        return None
    exact = sum(nrrs) / len(nrrs) * 25
    return float((Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def score(nrr: Fraction | None) -> float | None:
    """One element's NRR × 25, rounded half up to 2 decimals from the exact mean."""
    return ikm([nrr]) if nrr is not None else None


def grade(index: float | None) -> dict | None:
    """The grade of an index (A to D) and its words; None without an index."""
    if index is None:
        return None
    for lowest, letter, words in GRADES:
        if index >= lowest:
            return {"grade": letter, "words": words}
    return {"grade": "D", "words": GRADES[-1][2]}  # below 25 cannot happen with answers 1 to 4


def summary(rows: list[dict], codes: list[str]) -> dict:
    """Responses, each element's NRR (3 decimals), the IKM and its grade, of these answer rows."""
    values = {code: nrr([row[code] for row in rows]) for code in codes}
    index = ikm(list(values.values())) if rows else None
    found = grade(index)
    return {"responses": len(rows),
            "nrr": {code: None if value is None else round(float(value), 3) for code, value in values.items()},
            "score": {code: score(value) for code, value in values.items()},
            "ikm": index, "grade": found and found["grade"], "grade_words": found and found["words"]}
