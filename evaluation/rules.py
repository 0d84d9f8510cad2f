"""Evaluation rules as plain functions over plain values: no Flask, no ORM.

The pages and services ask these what a figure means (the weights' total, a wide spread,
how far a panel has got) and what is allowed (may this change be made, may this person see
this bid); each answers with values or a message, never by raising an HTTP error.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

WEIGHT_TOLERANCE = Decimal("0.001")  # tender-workbook.md: weights add up to 100 within 0.001
SCORE_PLACES = 2  # individual and consensus scores are kept to two decimals (e.g. 3.5)

# Who may read a lot's results (the same people home.show shows them to).
RESULT_READERS = ("officer", "admin", "finance", "originating_officer", "chief_executive",
                  "monitoring_officer", "s151_officer", "commissioner")


class Refused(Exception):
    """A guard said no; str(error) says why, worded for the person who tried."""


def _num(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _fmt(value: Decimal) -> str:
    """Two decimals, or as many as it takes to be exact (99.998, not 100.00)."""
    two = value.quantize(Decimal("0.01"))
    return f"{two}" if two == value else f"{value.normalize():f}"


# --- the evaluation model ------------------------------------------------------------------

def weights_total(weights: Iterable) -> Decimal:
    return sum((_num(w) for w in weights), Decimal("0"))


def weights_message(weights: Iterable) -> tuple[bool, str]:
    """(the weights add up to 100, what the editor says about them)."""
    total = weights_total(weights)
    off = total - 100
    if abs(off) <= WEIGHT_TOLERANCE:
        return True, f"The weights total {_fmt(total)}."
    if off < 0:
        return False, f"The weights total {_fmt(total)}: {_fmt(-off)} short of 100."
    return False, f"The weights total {_fmt(total)}: {_fmt(off)} over 100."


def model_problems(criteria: list[dict]) -> list[str]:
    """Why a lot's model is not ready to be scored (empty when it is).

    `criteria`: dicts with `weight` and `kind`."""
    problems = []
    if not criteria:
        return ["The lot has no criteria."]
    ok, message = weights_message(c["weight"] for c in criteria)
    if not ok:
        problems.append(message)
    if not any(c["kind"] == "scored" for c in criteria):
        problems.append("The lot has no scored criteria.")
    return problems


def model_lock_reason(*, model_locked: bool, score_count: int, consensus_count: int = 0,
                      results_final: bool = False) -> str | None:
    """Why the evaluation model may no longer change, or None while it may."""
    if results_final:
        return "The lot's results are final, so its evaluation model cannot change."
    if score_count:
        return (f"Scoring has started ({score_count} score{'s' if score_count != 1 else ''} "
                "recorded), so the evaluation model is locked.")
    if consensus_count:
        return "Consensus scores are recorded, so the evaluation model is locked."
    if model_locked:
        return "The evaluation model is locked."
    return None


def parse_number(text: str | None, *, places: int = 4) -> Decimal | None:
    """A plain decimal number typed by a person ("3", "3.5", " 40 "), else None."""
    text = (text or "").strip()
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern already rules this out
        return None
    if -value.as_tuple().exponent > places:
        return None
    return value


def criterion_errors(*, code: str, section: str, title: str, weight: str, kind: str,
                     max_score: str, min_score: str, other_codes: Iterable[str]
                     ) -> tuple[dict, dict[str, str]]:
    """Check a criterion form's fields: (clean values, {field: message})."""
    errors: dict[str, str] = {}
    clean: dict = {}
    code = (code or "").strip()
    if not code:
        errors["code"] = "Enter a code for the criterion, like Q1"
    elif len(code) > 30 or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 _.-]*", code):
        errors["code"] = "Code must be up to 30 letters, numbers, spaces, dots, dashes or underscores"
    elif code.casefold() in {c.casefold() for c in other_codes}:
        errors["code"] = f"Another criterion of this lot already has the code {code}"
    clean["code"] = code
    clean["section"] = (section or "").strip()
    if not clean["section"]:
        errors["section"] = "Enter the section the criterion belongs to, like Quality"
    elif len(clean["section"]) > 100:
        errors["section"] = "Section must be 100 characters or fewer"
    clean["title"] = (title or "").strip()
    if not clean["title"]:
        errors["title"] = "Enter the criterion's title"
    elif len(clean["title"]) > 300:
        errors["title"] = "Title must be 300 characters or fewer"
    w = parse_number(weight)
    if w is None or w <= 0 or w > 100:
        errors["weight"] = "Weight must be a number greater than 0 and no more than 100"
    clean["weight"] = w
    if kind not in ("scored", "price"):
        errors["kind"] = "Select whether the criterion is scored or price"
    clean["kind"] = kind
    clean["max_score"] = clean["min_score"] = None
    if kind == "scored":
        m = parse_number(max_score or "5", places=0)
        if m is None or m < 1 or m > 100:
            errors["max_score"] = "Maximum score must be a whole number from 1 to 100"
        clean["max_score"] = m
        if (min_score or "").strip():
            n = parse_number(min_score, places=SCORE_PLACES)
            if n is None or n < 0 or (m is not None and n > m):
                errors["min_score"] = ("Minimum score must be a number from 0 to the maximum "
                                       "score, or left empty")
            clean["min_score"] = n
    return clean, errors


def parse_descriptors(text: str | None, max_score: Decimal | int | None
                      ) -> tuple[dict[str, str], str | None]:
    """Descriptors typed one a line, "0: No response" or just in order from 0.

    Returns ({"0": "No response", …}, error or None)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        return {}, None
    if max_score is None:
        return {}, "Price criteria have no descriptors: leave the descriptors empty"
    top = int(max_score)
    out: dict[str, str] = {}
    for i, line in enumerate(lines):
        match = re.match(r"^(\d+)\s*[:=–—-]\s*(.*)$", line)
        score, words = (int(match.group(1)), match.group(2).strip()) if match else (i, line)
        if score > top:
            return {}, f"Descriptors go from 0 to {top}: line {i + 1} is for a score of {score}"
        if str(score) in out:
            return {}, f"Descriptors: the score {score} is described twice"
        if not words:
            return {}, f"Descriptors: describe the score {score} on line {i + 1}"
        out[str(score)] = words
    return out, None


def descriptors_text(descriptors: dict | None) -> str:
    if not descriptors:
        return ""
    return "\n".join(f"{k}: {v}" for k, v in sorted(descriptors.items(), key=lambda kv: int(kv[0])))


def section_minimum_error(text: str | None) -> tuple[Decimal | None, str | None]:
    """An optional minimum percentage of a section (empty clears it)."""
    if not (text or "").strip():
        return None, None
    value = parse_number(text, places=2)
    if value is None or value < 0 or value > 100:
        return None, "Minimum percentage must be a number from 0 to 100, or left empty"
    return value, None


DESCRIPTION_MAX = 300  # SectionDescription.description


def description_error(text: str | None) -> tuple[str, str | None]:
    """How the decision note names a section ("a written quality submission"), one phrase a
    line: the phrases trimmed, blank lines dropped; empty means the section's own name."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    clean = "\n".join(lines)
    if len(clean) > DESCRIPTION_MAX:
        return clean, f"Description must be {DESCRIPTION_MAX} characters or fewer (it has {len(clean)})"
    if any(line[-1] in ".;," for line in lines):
        return clean, ("Description must be phrases the note joins into its sentence, without "
                       "a full stop, comma or semicolon at the end of a line")
    return clean, None


# --- scores ----------------------------------------------------------------------------------

DEFAULT_STEP = Decimal("0.5")  # whole or half points
STEP_WORDS = {Decimal("1"): "whole points only, like 3",
              Decimal("0.5"): "whole or half points, like 3 or 3.5",
              Decimal("0.25"): "quarter points, like 3.25",
              Decimal("0.1"): "steps of 0.1, like 3.7",
              Decimal("0.01"): "up to two decimals, like 3.25"}


def step_words(step: Decimal | None) -> str:
    """The scale's step as the hint and the error both say it."""
    step = _num(step) if step else DEFAULT_STEP
    return STEP_WORDS.get(step.normalize(), f"steps of {step.normalize():f}")


STEP_PLACES = 2


def criterion_step(criterion_step, setting) -> Decimal:
    """The step a criterion's scores are on: the one its evaluation model sets, else the
    `score_step` setting in force (a number or its text), else whole or half points."""
    for value in (criterion_step, setting):
        if isinstance(value, str):
            value = parse_number(value, places=STEP_PLACES)
        if value is not None and _num(value) > 0:
            return _num(value)
    return DEFAULT_STEP


def step_error(text: str | None, max_score) -> tuple[Decimal | None, str | None]:
    """A criterion's own step as the officer types it: empty means the setting in force;
    otherwise a positive number of at most two decimals that divides the maximum score
    (so the maximum itself can be scored)."""
    if not (text or "").strip():
        return None, None
    value = parse_number(text, places=8)
    if value is None or value <= 0:
        return None, "Step must be a number greater than 0, like 1 or 0.5, or left empty"
    if -value.normalize().as_tuple().exponent > STEP_PLACES:
        return None, "Step must have at most 2 decimals, like 0.25"
    top = _num(max_score) if max_score is not None else None
    if top is not None and (value > top or top % value != 0):
        return None, (f"Step must divide the maximum score of {top.normalize():f} exactly, "
                      "like 1 or 0.5")
    return value.normalize(), None


def off_step(value, step) -> bool:
    """Whether a score falls between the steps of its scale."""
    return _num(value) % _num(step) != 0


def score_rule(max_score, step: Decimal | None = None) -> str:
    """The one sentence of the rule: "from 0 to 5, in whole or half points, like 3 or 3.5"."""
    return f"from 0 to {_num(max_score).normalize():f}, in {step_words(step)}"


def score_error(text: str | None, max_score: Decimal | int | float,
                step: Decimal | None = None) -> tuple[Decimal | None, str | None]:
    """An individual or consensus score: 0 to the criterion's maximum, on the scale's step
    (default whole or half points)."""
    if not (text or "").strip():
        return None, "Enter a score"
    value = parse_number(text, places=SCORE_PLACES)
    top = _num(max_score)
    step = _num(step) if step else DEFAULT_STEP
    if value is None or value < 0 or value > top or off_step(value, step):
        return None, f"Score must be a number {score_rule(top, step)}"
    return value, None


def short_justification(text: str | None, min_length: int) -> str | None:
    """A draft's justification shorter than the minimum: the warning (a draft still saves)."""
    length = len((text or "").strip())
    if 0 < length < min_length:
        return f"Justification must be at least {min_length} characters to submit (it has {length})"
    return None


def justification_error(text: str | None, min_length: int) -> str | None:
    length = len((text or "").strip())
    if length == 0:
        return "Enter a justification for the score"
    if length < min_length:
        return f"Justification must be at least {min_length} characters (it has {length})"
    return None


def rationale_error(text: str | None) -> str | None:
    return None if (text or "").strip() else "Enter the rationale for the consensus score"


def spread(values: Iterable) -> Decimal | None:
    values = [_num(v) for v in values]
    return max(values) - min(values) if values else None


def wide_spread(values: Iterable, flag: Decimal | int | float | str) -> bool:
    """Moderation flags a bid and criterion when max − min is above the setting."""
    s = spread(values)
    return s is not None and s > _num(flag)


# --- conflicts of interest and visibility ----------------------------------------------------

def declaration_error(choice: str | None, details: str | None,
                      bidder: str = "this bidder") -> str | None:
    if choice not in ("none", "conflict"):
        return f"Select whether you have a conflict of interest with {bidder}"
    if choice == "conflict" and not (details or "").strip():
        return f"Describe your conflict of interest with {bidder}"
    return None


def undeclared(bidder_ids: Iterable[int], declared: dict[int, bool]) -> list[int]:
    """Bidders the evaluator has not yet declared on (declared: bidder id -> conflicted)."""
    return [b for b in bidder_ids if b not in declared]


def may_see_bid(bidder_id: int, declared: dict[int, bool]) -> bool:
    """An evaluator sees a bid only after declaring no conflict with its bidder."""
    return declared.get(bidder_id) is False


def visible_bids(bids: Iterable[tuple[int, int]], declared: dict[int, bool]) -> list[int]:
    """Bid ids (from (bid id, bidder id) pairs) an evaluator may see."""
    return [bid for bid, bidder in bids if may_see_bid(bidder, declared)]


# --- progress, moderation, final -------------------------------------------------------------

Key = tuple[int, int, int]  # (member id, bid id, criterion id)


def expected_scores(members: Iterable[int], bids: Iterable[tuple[int, int]],
                    criteria: Iterable[int], conflicts: set[tuple[int, int]]) -> set[Key]:
    """Every individual score the lot needs: each panel member not conflicted on the bidder,
    each bid, each scored criterion. `conflicts`: (member id, bidder id) declared conflicted."""
    criteria = list(criteria)
    bids = list(bids)
    return {(m, bid, c) for m in members for bid, bidder in bids
            if (m, bidder) not in conflicts for c in criteria}


def progress(expected: set[Key], submitted: set[Key]) -> dict[int, tuple[int, int]]:
    """Per member: (submitted, expected)."""
    out: dict[int, list[int]] = {}
    for key in expected:
        row = out.setdefault(key[0], [0, 0])
        row[1] += 1
        if key in submitted:
            row[0] += 1
    return {m: (done, total) for m, (done, total) in out.items()}


def moderation_refusal(expected: set[Key], submitted: set[Key]) -> str | None:
    """Consensus may be recorded only once every expected score is submitted."""
    return outstanding_refusal(len(expected - submitted), len(expected))


def outstanding_refusal(outstanding: int, expected: int) -> str | None:
    """`moderation_refusal` from counts: `outstanding` of `expected` scores not submitted."""
    if not expected or not outstanding:
        return None
    return (f"Moderation starts when every individual score is submitted: "
            f"{outstanding} of {expected} still to submit.")


def progress_counts(members: Iterable[int], bids: Iterable[tuple[int, int]], criteria: int,
                    conflicts: set[tuple[int, int]],
                    submitted: dict[tuple[int, int], int]) -> tuple[int, int]:
    """(expected, submitted) scores of a lot from counts, the same figures as
    `len(expected_scores(...))` and the expected ones among them that are submitted, without
    a key per score: `criteria` is how many scored criteria there are, `submitted` maps
    (member id, bid id) to how many of its scored criteria have a submitted score."""
    expected = done = 0
    bids = list(bids)
    for m in members:
        for bid, bidder in bids:
            if (m, bidder) in conflicts:
                continue
            expected += criteria
            done += min(submitted.get((m, bid), 0), criteria)
    return expected, done


def missing_consensus(bids: Iterable[int], criteria: Iterable[int],
                      consensus: set[tuple[int, int]]) -> list[tuple[int, int]]:
    criteria = list(criteria)
    return [(b, c) for b in bids for c in criteria if (b, c) not in consensus]


def final_refusal(missing: list, *, moderation_open: bool, already_final: bool) -> str | None:
    """Why the lot's results may not be marked final, or None."""
    if already_final:
        return "The lot's results are already final."
    if not moderation_open:
        return "Results can be marked final only after every individual score is submitted."
    if missing:
        return (f"Results cannot be final while a score is unmoderated: {len(missing)} "
                f"bid and criterion pair{'s' if len(missing) != 1 else ''} without a consensus score.")
    return None


def percent(done: int, total: int) -> int:
    return 100 if not total else int(done * 100 / total)
