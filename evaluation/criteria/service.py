"""The evaluation model of a lot: criteria and section minimums, editable until scoring starts."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from audit.services import record
from evaluation import rules
from evaluation.models import Consensus, Criterion, Score, SectionDescription, SectionMinimum
from evaluation.rules import Refused
from extensions import db
from procurement.models import Bid, Lot, Procurement


def score_count(lot: Lot) -> int:
    return db.session.execute(select(func.count(Score.id)).join(Bid, Score.bid_id == Bid.id)
                              .where(Bid.lot_id == lot.id)).scalar_one()


def consensus_count(lot: Lot) -> int:
    return db.session.execute(select(func.count(Consensus.id))
                              .join(Bid, Consensus.bid_id == Bid.id)
                              .where(Bid.lot_id == lot.id)).scalar_one()


def lock_reason(lot: Lot) -> str | None:
    return rules.model_lock_reason(model_locked=lot.model_locked, score_count=score_count(lot),
                                   consensus_count=consensus_count(lot),
                                   results_final=lot.results_final_at is not None)


def criteria_of(lot: Lot) -> list[Criterion]:
    return list(db.session.execute(select(Criterion).where(Criterion.lot_id == lot.id)
                                   .order_by(Criterion.position, Criterion.id)).scalars())


def model_problems(lot: Lot) -> list[str]:
    return rules.model_problems([{"weight": c.weight, "kind": c.kind} for c in criteria_of(lot)])


def as_dict(c: Criterion) -> dict:
    return {"code": c.code, "section": c.section, "title": c.title, "weight": c.weight,
            "kind": c.kind, "max_score": c.max_score, "min_score": c.min_score,
            "descriptors": c.descriptors or {}, "score_step": c.score_step}


def _ensure_editable(lot: Lot) -> None:
    reason = lock_reason(lot)
    if reason:
        raise Refused(reason + " The change was not made.")


def check_criterion(lot: Lot, form: dict, criterion: Criterion | None = None
                    ) -> tuple[dict, dict[str, str]]:
    others = [c.code for c in criteria_of(lot) if criterion is None or c.id != criterion.id]
    clean, errors = rules.criterion_errors(
        code=form.get("code", ""), section=form.get("section", ""), title=form.get("title", ""),
        weight=form.get("weight", ""), kind=form.get("kind", ""),
        max_score=form.get("max_score", ""), min_score=form.get("min_score", ""),
        other_codes=others)
    descriptors, error = rules.parse_descriptors(
        form.get("descriptors", ""), clean["max_score"] if clean.get("kind") == "scored" else None)
    if error and clean.get("kind") == "scored":
        errors["descriptors"] = error
    clean["descriptors"] = descriptors if clean.get("kind") == "scored" else {}
    step, error = rules.step_error(form.get("score_step", ""), clean.get("max_score"))
    if error and clean.get("kind") == "scored":
        errors["score_step"] = error
    clean["score_step"] = step if clean.get("kind") == "scored" else None
    return clean, errors


def save_criterion(lot: Lot, clean: dict, criterion: Criterion | None = None) -> Criterion:
    """Add (criterion None) or change a criterion; the caller commits."""
    _ensure_editable(lot)
    ref = lot.procurement.reference
    if criterion is None:
        position = db.session.execute(select(func.coalesce(func.max(Criterion.position), 0))
                                      .where(Criterion.lot_id == lot.id)).scalar_one() + 1
        criterion = Criterion(lot_id=lot.id, position=position, **clean)
        db.session.add(criterion)
        db.session.flush()
        record("criterion", criterion.id, "create", None, {"lot": lot.code, **clean},
               procurement_ref=ref)
        return criterion
    before = as_dict(criterion)
    for key, value in clean.items():
        setattr(criterion, key, value)
    record("criterion", criterion.id, "update", before, {"lot": lot.code, **clean},
           procurement_ref=ref)
    db.session.flush()
    _drop_orphan_minimums(lot)
    return criterion


def delete_criterion(lot: Lot, criterion: Criterion) -> None:
    _ensure_editable(lot)
    record("criterion", criterion.id, "delete", {"lot": lot.code, **as_dict(criterion)}, None,
           procurement_ref=lot.procurement.reference)
    db.session.delete(criterion)
    db.session.flush()
    _drop_orphan_minimums(lot)


def _drop_orphan_minimums(lot: Lot) -> None:
    """A section minimum goes with the last criterion of its section."""
    sections = set(sections_of(lot))
    for row in db.session.execute(select(SectionMinimum).where(
            SectionMinimum.lot_id == lot.id)).scalars():
        if row.section not in sections:
            record("section_minimum", f"{lot.id}:{row.section}", "delete",
                   {"section": row.section, "min_percent": row.min_percent}, None,
                   procurement_ref=lot.procurement.reference)
            db.session.delete(row)


def sections_of(lot: Lot) -> list[str]:
    return list(dict.fromkeys(c.section for c in criteria_of(lot)))


def set_section_minimum(lot: Lot, section: str, value: Decimal | None) -> None:
    _ensure_editable(lot)
    if section not in sections_of(lot):
        raise Refused(f"The lot has no section called {section}.")
    row = db.session.execute(select(SectionMinimum).where(
        SectionMinimum.lot_id == lot.id, SectionMinimum.section == section)).scalar_one_or_none()
    before = {"section": section, "min_percent": row.min_percent} if row else None
    if value is None:
        if row is None:
            return
        db.session.delete(row)
        record("section_minimum", f"{lot.id}:{section}", "delete", before, None,
               procurement_ref=lot.procurement.reference)
        return
    if row is None:
        row = SectionMinimum(lot_id=lot.id, section=section, min_percent=value)
        db.session.add(row)
    else:
        row.min_percent = value
    record("section_minimum", f"{lot.id}:{section}", "set", before,
           {"section": section, "min_percent": value}, procurement_ref=lot.procurement.reference)


def section_minimums(lot: Lot) -> dict[str, Decimal]:
    return dict(db.session.execute(select(SectionMinimum.section, SectionMinimum.min_percent)
                                   .where(SectionMinimum.lot_id == lot.id)).all())


def lock_model(lot: Lot, why: str) -> None:
    """Freeze the model (the first score does this); the caller commits."""
    if lot.model_locked:
        return
    lot.model_locked = True
    record("lot", lot.id, "model_locked", {"model_locked": False},
           {"model_locked": True, "why": why}, procurement_ref=lot.procurement.reference)


def procurement_sections(procurement: Procurement) -> list[str]:
    """The sections of every lot's model, lot by lot in model order, each once (the order
    of the decision note's evaluation tables)."""
    rows = db.session.execute(  # one query for every lot (the note page of 50 lots)
        select(Criterion.section).join(Lot, Criterion.lot_id == Lot.id)
        .where(Lot.procurement_id == procurement.id)
        .order_by(Lot.position, Lot.id, Criterion.position, Criterion.id)).scalars()
    return list(dict.fromkeys(rows))


def section_descriptions(procurement: Procurement) -> dict[str, str]:
    """section -> how the decision note names it (sections without one are absent)."""
    return dict(db.session.execute(
        select(SectionDescription.section, SectionDescription.description)
        .where(SectionDescription.procurement_id == procurement.id)).all())


def set_section_description(procurement: Procurement, section: str, text: str) -> bool:
    """Set (empty: remove) a section's description, with its audit record; the caller
    commits. Whether anything changed. The note's data version moves with it (narrative)."""
    if section not in procurement_sections(procurement):
        raise Refused(f"The evaluation model has no section called {section}.")
    row = db.session.execute(select(SectionDescription).where(
        SectionDescription.procurement_id == procurement.id,
        SectionDescription.section == section)).scalar_one_or_none()
    before = {"section": section, "description": row.description} if row else None
    if (row.description if row else "") == text:
        return False
    if not text:
        db.session.delete(row)
        after = None
    else:
        if row is None:
            row = SectionDescription(procurement_id=procurement.id, section=section)
            db.session.add(row)
        row.description = text
        after = {"section": section, "description": text}
    record("section_description", f"{procurement.id}:{section}", "delete" if after is None
           else "set", before, after, procurement_ref=procurement.reference)
    return True
