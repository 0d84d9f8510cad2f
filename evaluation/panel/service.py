"""A lot's panel: assigning evaluators, and their conflict-of-interest declarations."""
from __future__ import annotations

from sqlalchemy import func, select

from accounts.models import User
from audit.services import record
from evaluation import rules
from evaluation.models import ConflictDeclaration, Score
from procurement.models import PanelMember
from evaluation.rules import Refused
from extensions import db
from procurement.models import Bid, Bidder, Lot
from procurement.bids.sealed import OPEN_FOR_EVALUATION


def evaluator_candidates(lot: Lot) -> list[User]:
    """Active users holding the evaluator role who are not yet on the lot's panel."""
    on_panel = {uid for uid in db.session.execute(select(PanelMember.user_id).where(
        PanelMember.lot_id == lot.id)).scalars() if uid is not None}
    users = db.session.execute(select(User).where(User.roles.contains("evaluator"),
                                                  User.active.is_(True))
                               .order_by(User.name)).scalars()
    return [u for u in users if u.has_role("evaluator") and u.id not in on_panel]


def assign(lot: Lot, user_id: int) -> PanelMember:
    if lot.results_final_at is not None:
        raise Refused("The lot's results are final, so its panel cannot change.")
    user = db.session.get(User, user_id)
    if user is None or not user.active or not user.has_role("evaluator"):
        raise Refused("Select an evaluator to add to the panel.")
    existing = db.session.execute(select(PanelMember).where(
        PanelMember.lot_id == lot.id,
        (PanelMember.user_id == user.id) | (PanelMember.name == user.name))).scalars().first()
    if existing is not None:
        raise Refused(f"{user.name} is already on the panel of lot {lot.code}.")
    member = PanelMember(lot_id=lot.id, name=user.name, user_id=user.id)
    db.session.add(member)
    db.session.flush()
    record("panel_member", member.id, "assign", None,
           {"lot": lot.code, "name": user.name, "user": user.email},
           procurement_ref=lot.procurement.reference)
    return member


def remove(lot: Lot, member: PanelMember) -> None:
    if lot.results_final_at is not None:
        raise Refused("The lot's results are final, so its panel cannot change.")
    scores = db.session.execute(select(func.count(Score.id)).where(
        Score.member_id == member.id)).scalar_one()
    if scores:
        raise Refused(f"{member.name} has recorded scores, so cannot leave the panel.")
    record("panel_member", member.id, "remove",
           {"lot": lot.code, "name": member.name, "user_id": member.user_id}, None,
           procurement_ref=lot.procurement.reference)
    db.session.delete(member)


def lot_bidders(lot: Lot) -> list[tuple[int, str]]:
    """(bidder id, name) of every bid of the lot, by name."""
    return [tuple(row) for row in db.session.execute(
        select(Bidder.id, Bidder.name).join(Bid, Bid.bidder_id == Bidder.id)
        .where(Bid.lot_id == lot.id, OPEN_FOR_EVALUATION).order_by(Bidder.name))]


def declarations(lot: Lot) -> dict[tuple[int, int], ConflictDeclaration]:
    """(member id, bidder id) -> declaration, for the officer's table."""
    rows = db.session.execute(select(ConflictDeclaration).join(
        PanelMember, ConflictDeclaration.member_id == PanelMember.id)
        .where(PanelMember.lot_id == lot.id)).scalars()
    return {(d.member_id, d.bidder_id): d for d in rows}


def scores_set_aside(lot: Lot, member: PanelMember, bidder_id: int) -> list[str]:
    """The criteria codes of this member's scores on the bidder's bid: set aside once a
    conflict is declared after they were given (they no longer count)."""
    from evaluation.models import Criterion

    return list(db.session.execute(
        select(Criterion.code).join(Score, Score.criterion_id == Criterion.id)
        .join(Bid, Score.bid_id == Bid.id)
        .where(Score.member_id == member.id, Bid.lot_id == lot.id, Bid.bidder_id == bidder_id)
        .order_by(Criterion.position, Criterion.id)).scalars())


def late_conflicts(lot: Lot) -> list[dict]:
    """For the officer: each conflict declared after scoring, with the scores set aside."""
    out = []
    for (member_id, bidder_id), d in declarations(lot).items():
        if d.conflicted:
            codes = scores_set_aside(lot, d.member, bidder_id)
            if codes:
                out.append({"member": d.member.name, "bidder": d.bidder.name, "codes": codes})
    return sorted(out, key=lambda x: (x["member"], x["bidder"]))


def check_declarations(lot: Lot, member: PanelMember, form: dict
                       ) -> tuple[dict[int, tuple[bool, str]], dict[str, str]]:
    """Parse the declaration form for the bidders not yet declared on.

    Fields: `coi-<bidder id>` = none / conflict and `details-<bidder id>`."""
    done = {d.bidder_id for d in member.declarations}
    clean: dict[int, tuple[bool, str]] = {}
    errors: dict[str, str] = {}
    for bidder_id, name in lot_bidders(lot):
        if bidder_id in done:
            continue
        choice = form.get(f"coi-{bidder_id}")
        details = (form.get(f"details-{bidder_id}") or "").strip()
        error = rules.declaration_error(choice, details, name)
        if error:
            field = f"details-{bidder_id}" if choice == "conflict" else f"coi-{bidder_id}"
            errors[field] = error
        else:
            clean[bidder_id] = (choice == "conflict", details if choice == "conflict" else "")
    return clean, errors


def declare(lot: Lot, member: PanelMember, clean: dict[int, tuple[bool, str]]) -> None:
    """Record declarations; a declaration once made is kept (the audit chain has it)."""
    done = {d.bidder_id for d in member.declarations}
    for bidder_id, (conflicted, details) in clean.items():
        if bidder_id in done:
            raise Refused("You have already declared on this bidder.")
        declaration = ConflictDeclaration(member_id=member.id, bidder_id=bidder_id,
                                          conflicted=conflicted, details=details)
        db.session.add(declaration)
        db.session.flush()
        set_aside = scores_set_aside(lot, member, bidder_id) if conflicted else []
        record("conflict_declaration", declaration.id, "declare", None,
               {"lot": lot.code, "member": member.name, "bidder_id": bidder_id,
                "conflicted": conflicted, "details": details,
                **({"scores_set_aside": set_aside} if set_aside else {})},
               procurement_ref=lot.procurement.reference)
