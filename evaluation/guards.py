"""Loading a lot for a page and deciding who may open it (server-side, for every view).

An officer manages only its own organisation's procurements; an evaluator reaches a lot
only through a seat on its panel; everyone else is refused.
"""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from evaluation.models import ConflictDeclaration
from procurement.models import PanelMember
from evaluation.rules import RESULT_READERS
from procurement.access import find_procurement
from extensions import db
from procurement.models import Bid, Lot, Procurement


def load_lot(reference: str, code: str) -> tuple[Procurement, Lot]:
    procurement = find_procurement(reference)
    if procurement is None:
        abort(404)
    lot = db.session.execute(select(Lot).where(Lot.procurement_id == procurement.id,
                                               Lot.code == code)).scalar_one_or_none()
    if lot is None:
        abort(404)
    return procurement, lot


def load_procurement(reference: str) -> Procurement:
    procurement = find_procurement(reference)
    if procurement is None:
        abort(404)
    return procurement


def same_organisation(procurement: Procurement) -> bool:
    return current_user.organisation_id == procurement.organisation_id


def require_officer(procurement: Procurement) -> None:
    """The procurement officer of the procurement's organisation (403 otherwise)."""
    if not (current_user.has_role("officer") and same_organisation(procurement)):
        abort(403)


def require_results_reader(procurement: Procurement) -> None:
    if not (current_user.has_role(*RESULT_READERS) and same_organisation(procurement)):
        abort(403)


def require_member(lot: Lot) -> PanelMember:
    """The current evaluator's seat on this lot's panel; 403 for anyone not on it."""
    if not current_user.has_role("evaluator"):
        abort(403)
    member = db.session.execute(select(PanelMember).where(
        PanelMember.lot_id == lot.id, PanelMember.user_id == current_user.id)
    ).scalar_one_or_none()
    if member is None:
        abort(403)
    return member


def declared_map(member: PanelMember) -> dict[int, bool]:
    """bidder id -> conflicted, for what the member has declared."""
    return dict(db.session.execute(select(ConflictDeclaration.bidder_id,
                                          ConflictDeclaration.conflicted)
                                   .where(ConflictDeclaration.member_id == member.id)).all())


def load_bid(lot: Lot, bid_id: int) -> Bid:
    bid = db.session.get(Bid, bid_id)
    if bid is None or bid.lot_id != lot.id:
        abort(404)
    return bid
