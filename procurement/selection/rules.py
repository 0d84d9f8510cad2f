"""Selection questionnaire rules: plain values in, outcomes and refusals out (no Flask, no ORM).

One failed pass/fail question excludes the bidder: from the lot the question was answered
for, or from every lot when the question is procurement-wide (an exclusion ground applies to
the supplier, not to one of its bids). A question "for information" is never failed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

PASS_FAIL, INFORMATION = "pass_fail", "information"
KINDS = {PASS_FAIL: "Pass or fail", INFORMATION: "For information"}
PROCUREMENT_WIDE, PER_LOT = "procurement", "lot"
SCOPES = {PROCUREMENT_WIDE: "Procurement-wide", PER_LOT: "Per lot"}
PASS, FAIL = "pass", "fail"
MARKS = {PASS: "Pass", FAIL: "Fail"}
# Parts 1 (supplier information) and 2 (exclusion grounds) are the standard's own: the
# officer may not change them (PPN 03/23). Part 3 (selection) is the procurement's.
LOCKED_PARTS = (1, 2)
REASON_MIN = 10  # a written reason, not "ok"
# Fields of a question that count as a deviation from the standard when changed.
COMPARED = ("text", "kind", "mandatory", "scope", "guidance")


@dataclass(frozen=True)
class Question:
    key: str
    part: int
    section: str
    text: str
    kind: str = PASS_FAIL
    mandatory: bool = True
    scope: str = PROCUREMENT_WIDE
    guidance: str = ""
    # answered by each consortium member and subcontractor relied on (Parts 1 and 2)
    every_party: bool = False


@dataclass(frozen=True)
class Mark:
    question_key: str
    outcome: str  # PASS or FAIL
    reason: str
    lot_code: str | None = None  # None for a procurement-wide question
    party: str = ""  # the answering party's name ("" for the bidder itself)
    confirmed: bool = False  # by a second marker


@dataclass
class LotOutcome:
    passed: bool = True
    reasons: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def counts(mark: Mark, second_marker: bool) -> bool:
    """Whether a mark is in force: where the setting asks for a second marker, only once
    confirmed."""
    return mark.confirmed or not second_marker


def sq_outcome(questions: list[Question], marks: list[Mark], lots: list[str],
               second_marker: bool = False) -> dict[str, LotOutcome]:
    """The SQ outcome for each lot a bidder bid for: a failed pass/fail question excludes it
    from that lot (a per-lot question) or from every lot (a procurement-wide one)."""
    by_key = {q.key: q for q in questions}
    out = {code: LotOutcome() for code in lots}
    for mark in marks:
        q = by_key.get(mark.question_key)
        if q is None or q.kind != PASS_FAIL or mark.outcome != FAIL:
            continue
        if not counts(mark, second_marker):
            continue
        who = f" ({mark.party})" if mark.party else ""
        reason = f"{q.key} {q.text}{who}: {mark.reason.strip()}"
        hit = lots if q.scope == PROCUREMENT_WIDE or mark.lot_code is None else [mark.lot_code]
        for code in hit:
            if code in out:
                out[code].passed = False
                out[code].reasons.append(reason)
    return out


def check_mark(question: Question | None, outcome: str, reason: str,
               min_length: int = REASON_MIN) -> list[str]:
    """Refusals for one mark (empty: it may be recorded)."""
    if question is None:
        return ["Choose a question of this procurement's selection questionnaire"]
    refusals = []
    if question.kind == INFORMATION:
        refusals.append(f"Question {question.key} is for information only: it is not marked")
    if outcome not in MARKS:
        refusals.append("Choose pass or fail")
    if len((reason or "").strip()) < min_length:
        refusals.append(f"Write the reason for the mark (at least {min_length} characters)")
    return refusals


def check_confirmation(marker: str, confirmer: str, second_marker: bool) -> list[str]:
    if not second_marker:
        return ["No second marker is asked for: the mark is in force as recorded"]
    if marker == confirmer:
        return ["A second marker confirms: not the person who marked"]
    return []


def check_edit(part: int) -> list[str]:
    if part in LOCKED_PARTS:
        return [f"Part {part} is the standard's and cannot be changed"]
    return []


def check_question(text: str, kind: str, scope: str) -> list[str]:
    refusals = []
    if not (text or "").strip():
        refusals.append("Enter the question")
    if kind not in KINDS:
        refusals.append("Choose whether the question is pass or fail, or for information")
    if scope not in SCOPES:
        refusals.append("Choose whether the question is procurement-wide or per lot")
    return refusals


@dataclass(frozen=True)
class Deviation:
    key: str
    change: str  # "added", "removed", "changed"
    detail: str


def deviations(standard: list[Question], current: list[Question]) -> list[Deviation]:
    """Each difference of the procurement's questionnaire from the standard, to be shown."""
    std = {q.key: q for q in standard}
    cur = {q.key: q for q in current}
    out = []
    for q in current:
        s = std.get(q.key)
        if s is None:
            out.append(Deviation(q.key, "added", q.text))
            continue
        changed = [f for f in COMPARED if getattr(s, f) != getattr(q, f)]
        if changed:
            parts = [f"{f}: {_show(getattr(s, f))} → {_show(getattr(q, f))}" for f in changed]
            out.append(Deviation(q.key, "changed", "; ".join(parts)))
    for q in standard:
        if q.key not in cur:
            out.append(Deviation(q.key, "removed", q.text))
    return out


def _show(value) -> str:
    if isinstance(value, bool):
        return "mandatory" if value else "optional"
    return str(value)


def check_answers(questions: list[Question], answers: dict[str, str]) -> list[tuple[str, str]]:
    """Refusals (question key, message) before submitting: every mandatory question answered."""
    return [(q.key, f"Answer question {q.key}: {q.text}") for q in questions
            if q.mandatory and not (answers.get(q.key) or "").strip()]


def tender_open(now, deadline) -> bool:
    """Answers may be changed only before the tender deadline (both UTC)."""
    return deadline is not None and now < deadline


def criterion_type(section: str, text: str) -> str:
    """The OCDS selection criterion type (selectionCriteria extension's closed codelist)."""
    words = f"{section} {text}".lower()
    if "economic" in words or "accounts" in words or "delphi" in words:
        return "economic"
    if "technical" in words or "contract" in words or "insurance" in words:
        return "technical"
    return "other"


def published_criteria(questions: list[Question]) -> list[dict]:
    """The pass/fail Part 3 questions as the tender notice's selection criteria."""
    return [{"key": q.key, "type": criterion_type(q.section, q.text), "description": q.text,
             "applies_to": ["supplier", "subcontractor"] if q.every_party else ["supplier"],
             "lot": q.scope == PER_LOT}
            for q in questions if q.part == 3 and q.kind == PASS_FAIL]
