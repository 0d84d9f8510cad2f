"""Individual, blind scoring: an evaluator's drafts and submissions, never anyone else's."""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

from sqlalchemy import select

from accounts.models import get_setting
from clock import utcnow
from audit.services import record
from evaluation import rules
from evaluation.criteria.service import lock_model, model_problems
from evaluation.models import Criterion, Score
from procurement.models import PanelMember
from evaluation.rules import Refused
from extensions import db
from procurement.models import Bid, Bidder, Lot
from procurement.bids.sealed import OPEN_FOR_EVALUATION


def justification_min_length() -> int:
    try:
        return max(0, int(get_setting("justification_min_length")))
    except ValueError:
        return 20


def step_of(criterion: Criterion) -> Decimal:
    """The step of this criterion's scale: its own (the evaluation model's), else the
    setting's. The hint, the scoring and the consensus validation all ask here."""
    return rules.criterion_step(criterion.score_step, get_setting("score_step"))


def draft_warnings(criteria: list[Criterion], form: dict) -> list[str]:
    """What a saved draft still needs before it can be submitted (too-short justifications)."""
    min_length = justification_min_length()
    out = []
    for c in criteria:
        warning = rules.short_justification(form.get(f"justification-{c.id}"), min_length)
        if warning:
            out.append(f"{c.code}: {warning}")
    return out


def scoring_refusal(lot: Lot) -> str | None:
    """Why nobody may score this lot now, or None."""
    if lot.results_final_at is not None:
        return "The lot's results are final: scoring is closed."
    problems = model_problems(lot)
    if problems:
        return "The lot's evaluation model is not ready to score: " + " ".join(problems)
    return None


def scored_criteria(lot: Lot) -> list[Criterion]:
    return list(db.session.execute(select(Criterion).where(
        Criterion.lot_id == lot.id, Criterion.kind == "scored")
        .order_by(Criterion.position, Criterion.id)).scalars())


def my_scores(member: PanelMember, bid_ids: list[int] | None = None) -> dict[tuple[int, int], Score]:
    """(bid id, criterion id) -> this member's own score; nobody else's is ever read here."""
    query = select(Score).where(Score.member_id == member.id)
    if bid_ids is not None:
        query = query.where(Score.bid_id.in_(bid_ids))
    return {(s.bid_id, s.criterion_id): s for s in db.session.execute(query).scalars()}


def visible_bids(lot: Lot, declared: dict[int, bool]) -> list[tuple[Bid, str]]:
    """The lot's bids this evaluator may see (declared, not conflicted), by bidder name."""
    rows = db.session.execute(select(Bid, Bidder.name).join(Bidder, Bid.bidder_id == Bidder.id)
                              .where(Bid.lot_id == lot.id, OPEN_FOR_EVALUATION)
                              .order_by(Bidder.name)).all()
    return [(bid, name) for bid, name in rows if rules.may_see_bid(bid.bidder_id, declared)]


def overview(member: PanelMember, lot: Lot, declared: dict[int, bool]) -> list[dict]:
    """One row per visible bid: how many criteria drafted and submitted, of how many."""
    from evaluation.progress import excluded_bids

    criteria = scored_criteria(lot)
    bids = visible_bids(lot, declared)
    excluded = excluded_bids(lot)
    counts: dict[int, Counter] = {}
    for (bid_id, _), score in my_scores(member, [b.id for b, _ in bids]).items():
        counts.setdefault(bid_id, Counter())[score.state] += 1
    return [{"bid": bid, "bidder": name, "total": len(criteria),
             "draft": counts.get(bid.id, Counter())["draft"],
             "submitted": counts.get(bid.id, Counter())["submitted"],
             "excluded": excluded.get(bid.id)} for bid, name in bids]


def check_scores(criteria: list[Criterion], form: dict, *, submit: bool
                 ) -> tuple[dict[int, tuple[Decimal | None, str]], dict[str, str]]:
    """Parse `score-<criterion id>` and `justification-<criterion id>` fields.

    A draft keeps what is typed (a row left empty is cleared); a submission needs every
    criterion scored with a justification of the minimum length."""
    min_length = justification_min_length()
    clean: dict[int, tuple[Decimal | None, str]] = {}
    errors: dict[str, str] = {}
    for c in criteria:
        text = (form.get(f"score-{c.id}") or "").strip()
        justification = (form.get(f"justification-{c.id}") or "").strip()
        if not submit and not text and not justification:
            clean[c.id] = (None, "")
            continue
        value, error = rules.score_error(text, c.max_score, step_of(c))
        if error:
            errors[f"score-{c.id}"] = f"{c.code}: {error}"
        if submit:
            j_error = rules.justification_error(justification, min_length)
            if j_error:
                errors[f"justification-{c.id}"] = f"{c.code}: {j_error}"
        clean[c.id] = (value, justification)
    return clean, errors


def _snapshot(score: Score) -> dict:
    return {"value": score.value, "justification": score.justification, "state": score.state}


def save(lot: Lot, member: PanelMember, bid: Bid, bidder_name: str,
         clean: dict[int, tuple[Decimal | None, str]], *, submit: bool) -> int:
    """Save this member's scores for one bid as drafts, or submit them; the caller commits.

    Refused once any of them is submitted (submitted scores are locked)."""
    existing = my_scores(member, [bid.id])
    if any(s.state == "submitted" for s in existing.values()):
        raise Refused(f"Your scores for {bidder_name} are submitted and locked: "
                      "they cannot change.")
    codes = {c.id: c.code for c in scored_criteria(lot)}
    now = utcnow()
    changed = 0
    ref = lot.procurement.reference
    for criterion_id, (value, justification) in clean.items():
        score = existing.get((bid.id, criterion_id))
        where = {"lot": lot.code, "bidder": bidder_name, "criterion": codes[criterion_id],
                 "member": member.name}
        if value is None:  # an emptied draft row
            if score is not None:
                record("score", score.id, "clear", {**where, **_snapshot(score)}, None,
                       procurement_ref=ref)
                db.session.delete(score)
                changed += 1
            continue
        state = "submitted" if submit else "draft"
        if score is None:
            score = Score(bid_id=bid.id, criterion_id=criterion_id, member_id=member.id,
                          value=value, justification=justification, state=state)
            db.session.add(score)
            db.session.flush()
            before = None
        else:
            before = {**where, **_snapshot(score)}
            if (score.value == value and score.justification == justification
                    and score.state == state):
                continue
            score.value, score.justification, score.state = value, justification, state
        if submit:
            score.submitted_at = now
        record("score", score.id, "submit" if submit else "draft", before,
               {**where, **_snapshot(score)}, procurement_ref=ref)
        changed += 1
    if changed:
        lock_model(lot, "scoring started")
    return changed


def submit_all(lot: Lot, member: PanelMember, declared: dict[int, bool]) -> int:
    """Submit every draft of this member for the lot, once each visible bid is complete."""
    from evaluation.progress import excluded_bids

    criteria = scored_criteria(lot)
    bids = visible_bids(lot, declared)
    excluded = excluded_bids(lot)
    mine = my_scores(member, [b.id for b, _ in bids])
    min_length = justification_min_length()
    problems = []
    for bid, name in bids:
        incomplete = [c.code for c in criteria
                      if (s := mine.get((bid.id, c.id))) is None
                      or rules.justification_error(s.justification, min_length)]
        if incomplete:
            problems.append(f"{name} ({', '.join(incomplete)})")
    if problems:
        raise Refused("Nothing was submitted. Score every criterion with a justification of at "
                      f"least {min_length} characters first: " + "; ".join(problems) + ".")
    drafts = [(s, name) for bid, name in bids for c in criteria
              if (s := mine[(bid.id, c.id)]).state == "draft"]
    if not drafts:
        raise Refused("You have no draft scores to submit for this lot.")
    codes = {c.id: c.code for c in criteria}
    now = utcnow()
    for score, name in drafts:
        before = _snapshot(score)
        score.state, score.submitted_at = "submitted", now
        record("score", score.id, "submit",
               {"lot": lot.code, "bidder": name, "criterion": codes[score.criterion_id],
                "member": member.name, **before},
               {"lot": lot.code, "bidder": name, "criterion": codes[score.criterion_id],
                "member": member.name, **_snapshot(score)}, procurement_ref=lot.procurement.reference)
    return len(drafts)
